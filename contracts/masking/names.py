"""Names residents give: after a lead-in ("my name is", "I'm", "it's", "this is"), before
"here", after a sign-off ("Thanks, Margaret", "regards, Dave Holt"), after a title ("Mrs
Smith", "Mr O'Neill") or a relation ("my son Jack").

Without a lead-in or a title a name looks like any other word, so most rules want a
capital letter and skip common words that take one ("I'm Not sure", "it's Monday").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from contracts.masking.places import WORD

# A capitalised name: Sarah, Jo, O'Neill, McDonald, Smith-Jones (never "I" or "OK").
_CAP = r"(?:[A-Z](?:[a-z]+|['’][A-Z][a-z]+)(?:['’-]?[A-Z]?[a-z]+)*)"

# Words that take a capital after "I'm", "it's", "Thanks," or before "here", but are not
# names: a resident describing themselves, a day, a role. Checked in lower case.
_COMMON = """
a about actually after again all also always an and any anyone already anyway are as at away back be
because been being best bye calling can cannot checking chasing close could currently dear definitely do
does doing done down each every everyone everybody for from get getting given going gone good got great
had has have having he hello help her here hi him his home how however i if in it its just last let
living looking lots love madam many mate me more morning afternoon evening most much my myself need new
next nobody no not nothing now of off ok okay on once one only or other our out over please pretty quite
ready really regards registered reporting ringing right see she since sir so some someone something still
such sure thank thanks that the their them then there these they this those tho though to today told too
trying until up us using very visiting waiting want was we well were what when where which while who why
will with without working would writing yes yet you your yours ra
"""
_STATES = """
afraid angry annoyed blind confused deaf desperate disabled elderly fed fed-up feeling fine frustrated
fuming glad happy homeless interested keen kind kindly lost pensioner pregnant sick sorry stuck tired
unable under unhappy upset worried outside inside alone unwell ill poorly skint broke housebound single
late early free busy scared broken bad awful dark cold wet full empty sat stood
wrong spelt spelled misspelt incorrect correct missing listed printed shown
"""
_CALENDAR = """
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december christmas easter
"""
_ROLES_AND_IDENTITIES = """
carer landlord landlady tenant tenants resident residents neighbour neighbours parent parents mum dad
owner homeowner leaseholder manager councillor teacher nurse driver student volunteer staff business
council northbridge borough british english scottish welsh polish irish indian pakistani romanian
ukrainian european asian muslim hindu sikh jewish christian catholic autistic gay trans
"""
NOT_NAMES = frozenset((_COMMON + _STATES + _CALENDAR + _ROLES_AND_IDENTITIES).split())

# A place, not a person, when the last word is one of these ("from Mill Lane").
_PLACE_WORDS = frozenset(
    """
road street lane avenue close drive way court place walk hill row square parade green rise vale crescent
terrace gardens grove mews park centre center hall house cottage school library station estate
""".split()
)
# An organisation or a scheme, not a person ("from Citizens Advice", "- Income Support").
_ORGANISATION_WORDS = frozenset(
    """
advice support council councils service services team office agency department trust bank association
society college university school hospital surgery police housing homes group ltd limited partnership
credit benefit benefits allowance tax payment grant scheme helpline line centre health planning highways
environmental waste recycling parking licensing revenues enforcement control registrars registrar libraries
library education admissions care customer desk
""".split()
)
# Lower-case words with these endings are states and doings, not names ("im stuck, ...").
_NOT_NAME_ENDINGS = ("ing", "ed", "ly", "ful", "less", "ous", "ive", "able", "ible", "ish", "ant", "ent")


def _names(text: str, place_words: bool = False) -> bool:
    """True when every word of a candidate name may be a name (and, with ``place_words``,
    the last is not a street's or building's: "from Mill Lane", but "this is Tom Green")."""
    words = [word.lower().strip("'’") for word in re.split(r"[ \t]+", text)]
    if words[-1] in _ORGANISATION_WORDS or (place_words and words[-1] in _PLACE_WORDS):
        return False
    return not any(word in NOT_NAMES or (len(word) > 5 and word.endswith("ing")) for word in words)


def _lower_name(word: str) -> bool:
    """True when a lower-case word after "im" or "its" may be a name ("dave", not "stuck")."""
    word = word.lower()
    return len(word) > 1 and word not in NOT_NAMES and not word.endswith(_NOT_NAME_ENDINGS)


_FULL = rf"(?:[A-Z]\.[ \t]?)?{_CAP}(?:[ \t]+{_CAP})?"  # "J. Smith" too
# Mr and Mrs are only titles; Ms, Mx, Dr and Miss are also units and words ("1500 ms
# since", "they miss bins"), so they need a capital on the title or the name.
_INITIAL = r"(?:[A-Z]\.?[ \t]+)?"  # "Mrs J Thompson"
_TITLED = re.compile(
    rf"(?<![\w])(?:(?i:mrs|mr)\.?[ \t]+(?:{_INITIAL}{_FULL}|{WORD})"
    rf"|(?:Ms|MS|Mx|MX|Dr|DR|Miss|MISS|Prof|PROF)\.?[ \t]+{_INITIAL}{_FULL}"
    rf"|(?i:ms|mx|dr|miss|prof)\.?[ \t]+{_INITIAL}{_FULL})(?![\w])"
)
# Any case after lead-ins that only ever introduce a name.
_GIVEN = re.compile(
    rf"(?P<lead>\b(?i:(?:my|his|her|their|our)[ \t]+name[ \t]+is|my[ \t]+name['’]s|i[’']?m[ \t]+called|"
    rf"i[ \t]+am[ \t]+called|"
    rf"name[ \t]*:|you[ \t]+can[ \t]+call[ \t]+me)[ \t]*)(?P<given>{WORD}(?:[ \t]+{WORD})?)\b"
)
# Capitalised after lead-ins that also start ordinary sentences ("I'm not sure").
_SAID = re.compile(
    rf"(?P<lead>\b(?:(?i:i['’]?m|i[ \t]+am|it['’]?s|it[ \t]+is|this[ \t]+is|(?:speak|speaking|spoke|talk|talking|talked)[ \t]+to)[ \t]+))"
    rf"(?P<name>{_FULL})(?![\w'’])"
)
_HERE = re.compile(
    rf"(?P<lead>^[ \t]*|[.!?,;:\n(][ \t]*|\b(?i:hi|hello|hiya|hey|morning|afternoon|evening)[,!.]?[ \t]+)"
    rf"(?P<name>{_FULL})(?P<tail>[ \t]+here\b)"
    # "Rubbish here is piling up": a noun, when a verb follows.
    r"(?![ \t]+(?:is|are|was|were|has|have|had|keeps?|isn['’]?t|aren['’]?t|hasn['’]?t|haven['’]?t|can|could|"
    r"will|would|gets?|got|never|always|still|does|do|doesn['’]?t|don['’]?t|needs?|seems?|looks?)\b)"
)
_SIGN_OFF = (
    r"(?i:many[ \t]+thanks|thanks[ \t]+again|thank[ \t-]?you|thank[ \t]+u|thanks|thx|ty|cheers|ta|kind[ \t]+regards|"
    r"best[ \t]+regards|warm[ \t]+regards|regards|best[ \t]+wishes|all[ \t]+the[ \t]+best|best(?=[ \t]*[,!\n])|"
    r"yours[ \t]+sincerely|yours[ \t]+faithfully|yours[ \t]+truly|sincerely|signed)"
)
_SIGNED = re.compile(
    rf"(?P<lead>\b{_SIGN_OFF}\b(?![-'’])[ \t]*[,.!:-]*[ \t\n]*)"
    rf"(?:(?P<name>{_FULL})(?![\w'’])|(?P<low>[a-z][a-z'’-]+)(?=[ \t]*[.!x]*[ \t]*$))"
)
# Lower case: after a greeting and "its" or "im" ("hiya its shannon"), or after "im"
# with a comma or the end straight after ("im dave, my recycling...").
_GREETED = re.compile(
    r"(?P<lead>\b(?i:hi|hiya|hello|hey|morning|evening|afternoon)(?:[ \t]+there)?[,!.]*[ \t]+"
    r"(?i:it['’]?s|it[ \t]+is|i['’]?m|i[ \t]+am|this[ \t]+is)[ \t]+)(?P<low>[a-z][a-z'’-]+)\b(?!['’])"
)
_INTRODUCED = re.compile(r"(?P<lead>\b(?i:i['’]?m|i[ \t]+am)[ \t]+)(?P<low>[a-z][a-z'’-]+)(?=[ \t]*(?:,|$))")
# "message from Jan Kowalski", "..., from Pete" at the end, "- Gaz" at the end, and a name
# just before a masked phone or email ("Tom, [phone]").
_FROM = re.compile(
    rf"(?P<lead>\b(?i:from|(?:sent|written|signed)[ \t]+by)[ \t]+)(?:(?P<name>{_CAP}[ \t]+{_CAP})(?![\w'’])"
    rf"|(?<=[,.][ \t]from[ \t])(?P<last>{_CAP})(?=[ \t]*[.!x]*[ \t]*$))"
)
_DASHED = re.compile(rf"(?P<lead>(?:^|[ \t])[-–—~]+[ \t]*)(?P<name>{_FULL})(?=[ \t]*[.!x]*[ \t]*$)")
_BEFORE_CONTACT = re.compile(rf"(?P<lead>(?:^|[.!?;][ \t]+))(?P<name>{_FULL})(?P<tail>,?[ \t]+\[(?:phone|email)\])")
_RELATIONS = (
    r"son|daughter|husband|wife|partner|mum|mom|mother|dad|father|neighbour|neighbor|brother|sister|"
    r"grandson|granddaughter|nan|nana|gran|grandma|grandad|grandmother|grandfather|carer|friend|aunt|"
    r"uncle|niece|nephew|landlord|landlady|lodger|tenant|fiancee?|boyfriend|girlfriend|child|kid"
)
_RELATION = re.compile(
    rf"(?P<lead>\b(?i:my|our|his|her|their)[ \t]+(?i:{_RELATIONS})[ \t,]+)(?P<name>{_FULL})(?![\w'’])"
)


def _if_name(match: re.Match[str]) -> str:
    found = match.groupdict()
    lead, tail = found["lead"], found.get("tail") or ""
    name = found.get("name") or found.get("last")
    if name is None:
        return f"{lead}[name]" if _lower_name(found["low"]) else match.group(0)
    places = match.re is not _SAID
    if _names(name, place_words=places):
        return f"{lead}[name]{tail}"
    if places and re.split(r"[ \t]+", name)[-1].lower() in _PLACE_WORDS | _ORGANISATION_WORDS:
        return match.group(0)
    # The second word is a common one ("Thanks Sarah Will call"): the first is the name.
    first = re.split(r"[ \t]+", name)[0]
    if first != name and _names(first):
        return f"{lead}[name]{name[len(first) :]}{tail}"
    return match.group(0)


def _titled(match: re.Match[str]) -> str:
    # "me and my Mrs here": a title before a common word is a word.
    words = re.split(r"[ \t]+", match.group(0))[1:]
    return match.group(0) if words[0].lower() in NOT_NAMES else "[name]"


def _given(match: re.Match[str]) -> str:
    # Lower-case words count only while they look like names ("my name is spelt wrong").
    given = re.split(r"([ \t]+)", match.group("given"))
    taken = 0
    for index in range(0, len(given), 2):
        word = given[index]
        if not (word[0].isupper() and word.lower() not in NOT_NAMES) and not _lower_name(word):
            break
        taken = index + 1
    if not taken:
        return match.group(0)
    return f"{match.group('lead')}[name]{''.join(given[taken:])}"


# Each rule, and the words (lower case) without which it cannot match.
_STEPS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], tuple[str, ...]], ...] = (
    (_TITLED, _titled, ("mr", "ms", "mx", "dr", "miss", "prof")),
    (_GIVEN, _given, ("name", "call")),
    (_SAID, _if_name, ("i'm", "i’m", "im ", "i am", "it's", "it’s", "its ", "it is", "this is", "spo", "spe", "talk")),
    (_HERE, _if_name, ("here",)),
    (_SIGNED, _if_name, ("than", "thx", "ty", "cheers", "ta", "regards", "best", "yours", "sincerely", "signed")),
    (_GREETED, _if_name, ("hi", "hello", "hey", "morning", "evening", "afternoon")),
    (_INTRODUCED, _if_name, ("i'm", "i’m", "im ", "i am")),
    (_FROM, _if_name, ("from", " by ")),
    (_DASHED, _if_name, ("-", "–", "—", "~")),
    (_BEFORE_CONTACT, _if_name, ("[phone]", "[email]")),
    (_RELATION, _if_name, ("my", "our", "his", "her", "their")),
)


def mask_names(text: str) -> str:
    """Replace names with ``[name]``, keeping the words that led to them.

    Args:
        text: Text whose other personal data is already masked.

    Returns:
        The text with each name (and its title) replaced.
    """
    low = text.lower()
    for pattern, replace, words in _STEPS:
        # A plain substring test is far cheaper than a search: most lines have no lead-in.
        if any(word in low for word in words):
            text = pattern.sub(replace, text)
    return text
