"""Reading what residents type during a report, as pure functions.

Residents answer in sentences ("its NB4 2QT please"), correct themselves in their own
words ("no it was the blue bin") and leave without the word "cancel" ("not that"). These
functions find what such messages mean; the form actions decide what to do with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.components.patterns import POSTCODE_IN_TEXT, normalise_postcode

STREET_WORDS = frozenset(
    {
        "road",
        "rd",
        "street",
        "st",
        "lane",
        "ln",
        "avenue",
        "ave",
        "close",
        "drive",
        "way",
        "crescent",
        "place",
        "grove",
        "gardens",
        "court",
        "terrace",
        "hill",
        "walk",
        "row",
        "square",
        "mews",
        "rise",
        "parade",
        "boulevard",
        "gate",
    }
)
# Words that are never part of a street's name: "on mill lane" is Mill Lane, "my road" is no street.
NOT_A_NAME = frozenset(
    """
a an the my our your their his her its this that these those on in at by near outside of to from
along down up across behind opposite next beside past off round around into onto over under for
with and or is was are were there it all just every whole same other side end corner top bottom
bin bins light lamp hole pothole potholes rubbish litter graffiti tipping sign shelter crack
house home flat street road lane problem broken big massive huge small
""".split()
)
NUMBER = re.compile(r"^\d{1,4}[a-z]?$")
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Correction:
    """An answer to change at the summary: ``value`` None means "ask it again"."""

    field: str
    value: str | None


def postcode_in(text: str) -> str | None:
    """The first UK postcode anywhere in ``text``, normalised ("NB4 2QT"), or None."""
    for match in POSTCODE_IN_TEXT.finditer(" ".join((text or "").split())):
        postcode = normalise_postcode(match.group(0))
        if postcode:
            return postcode
    return None


def without_postcode(text: str) -> str:
    """``text`` with its postcode and the punctuation around it taken out ("" if nothing is left)."""
    rest = POSTCODE_IN_TEXT.sub(" ", text or "")
    rest = " ".join(rest.split()).strip(" ,.;:-")
    return rest if re.search(r"[A-Za-z]{2}", rest) else ""


def address_in(text: str) -> str | None:
    """A street named in ``text`` ("16 Station Road", "Mill Lane"), or None.

    A street is an optional house number, one to three name words and a street word; words
    such as "my", "on" or "pothole" are never part of a name, so "my road" names no street.
    """
    tokens = WORD.findall((text or "").lower())
    for i, token in enumerate(tokens):
        if token not in STREET_WORDS or i == 0:
            continue
        start = i
        while (
            start > 0
            and i - start < 3
            and tokens[start - 1] not in NOT_A_NAME
            and tokens[start - 1].isalpha()
            and tokens[start - 1] not in STREET_WORDS
        ):
            start -= 1
        if start == i:
            continue
        if start > 0 and NUMBER.match(tokens[start - 1]):
            start -= 1
        return " ".join(t.upper() if NUMBER.match(t) else t.capitalize() for t in tokens[start : i + 1])
    return None


def _plain(text: str) -> str:
    return " ".join((text or "").lower().replace("\u2019", "'").split()).strip(".!?, ")


DONT_KNOW = re.compile(
    r"\b(do ?n'?t|do not|dont) (know|have)\b|\bnot sure\b|\bno (idea|clue)\b|\bcan'?t remember\b|"
    r"\bdunno\b|\bunknown\b|\bnot known\b|\bforgot(ten)?\b|\bno postcode\b"
)


def dont_know(text: str) -> bool:
    """The resident says they do not know (the postcode, usually)."""
    return bool(DONT_KNOW.search(_plain(text)))


LEAVING_WORDS = frozenset(
    {
        "no",
        "nope",
        "no thanks",
        "no thank you",
        "not that",
        "not this",
        "not this one",
        "neither",
        "wrong one",
        "wrong thing",
        "i don't want to report anything",
        "nothing to report",
    }
)
LEAVING = re.compile(
    r"\b(want(ed)?|meant|need(ed)?) to ask (something|about something) else\b|\bsomething else\b|"
    r"\bnot what i (meant|asked|wanted)\b|\bdo ?n'?t want to (report|make a report)\b|\bdidn'?t mean (that|to)\b"
)


def is_leaving(text: str) -> bool:
    """The resident did not mean to start this report ("no", "not that", "I wanted to ask
    something else"); "no idea where exactly" is an answer, not a way out."""
    plain = _plain(text)
    return plain in LEAVING_WORDS or bool(LEAVING.search(plain))


CONTACT_WORDS = re.compile(r"\b(ring|call|phone|text|email|e-mail|mobile|number|contact|landline)\b")


def is_contact_attempt(text: str) -> bool:
    """A short reply about how to be contacted ("ring me", "my email") that is not yet a
    usable address or number; long sentences are not, whatever words they hold."""
    plain = _plain(text)
    return len(plain.split()) <= 5 and bool(CONTACT_WORDS.search(plain))


YES = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "yep",
        "yup",
        "yes please",
        "please",
        "ok",
        "okay",
        "sure",
        "go on",
        "i do",
        "yes i do",
        "yes report it",
        "report it",
        "yes it is",
        "correct",
        "that's right",
        "thats right",
    }
)
NO = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not now",
        "i don't",
        "i dont",
        "no i don't",
        "no i dont",
        "no it isn't",
        "no it's not",
        "not really",
    }
)


def yes_or_no(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (a new question, say)."""
    plain = _plain(text).replace(",", "")
    if plain in YES:
        return True
    if plain in NO:
        return False
    return None


FIELD_WORDS = {
    "report_postcode": ("postcode", "post code"),
    "report_location": ("where", "address", "street", "location", "place"),
    "report_description": ("what", "description", "problem", "details"),
    "report_contact": ("updates", "update", "contact", "email", "phone", "number"),
}
CUE = re.compile(r"\b(change|edit|wrong|correct|fix|mistake|not right|incorrect)\b")
NEW_VALUE = re.compile(r"(?:\bto\b|\bis\b|\bit's\b|\bits\b|\bit is\b|\bshould be\b|:)\s+(.+)$")
NOT_A_VALUE = {"wrong", "not right", "incorrect", "a mistake", "wrong please", "not correct"}


def _named_field(plain: str, definition: dict[str, Any]) -> tuple[str, str] | None:
    """(field, rest of the message after its name) where a correction names what to change."""
    if not CUE.search(plain):
        return None
    for attribute in definition.get("attributes") or []:
        names = {attribute["code"].lower(), attribute["code"].lower().replace("_", " ")}
        label = attribute["description"].split("?")[0].split("(")[0].strip().lower()
        names |= {label, " ".join(label.split()[:2])}
        for name in sorted(names, key=len, reverse=True):
            found = re.search(rf"\b{re.escape(name)}\b", plain)
            if found and len(name.split()) >= 1 and name not in ("which", "what", "was", "is"):
                return attribute["code"], plain[found.end() :]
    for field, words in FIELD_WORDS.items():
        for word in words:
            found = re.search(rf"\b{re.escape(word)}\b", plain)
            if found:
                return field, plain[found.end() :]
    return None


def _option_in(plain: str, definition: dict[str, Any]) -> Correction | None:
    """A choice of one of the service's questions named in a correction ("the blue bin");
    yes/no questions are only changed when named, since "no" starts many corrections."""
    for attribute in definition.get("attributes") or []:
        values = attribute.get("values") or []
        if not values or {str(v["key"]).lower() for v in values} <= {"yes", "no"}:
            continue
        for value in values:
            for name in (str(value["key"]).lower(), str(value["name"]).lower()):
                if re.search(rf"\b{re.escape(name)}\b", plain):
                    return Correction(attribute["code"], value["key"])
    return None


def _value_for(field: str, rest: str, definition: dict[str, Any]) -> str | None:
    found = NEW_VALUE.search(rest)
    value = found.group(1).strip(" .!,") if found else ""
    if not value or value in NOT_A_VALUE or value.startswith("wrong"):
        return None
    attribute = next((a for a in definition.get("attributes") or [] if a["code"] == field), None)
    if attribute and attribute.get("values"):
        option = _option_in(value, {"attributes": [{**attribute, "values": attribute["values"]}]})
        if option:
            return option.value
        for option_value in attribute["values"]:  # a yes/no question named explicitly
            if value in (str(option_value["key"]).lower(), str(option_value["name"]).lower()):
                return str(option_value["key"])
        return None
    return value


def correction_in(text: str, definition: dict[str, Any]) -> Correction | None:
    """What the resident wants changed at the summary, in their own words, or None.

    "change the postcode" and "change where" ask again; "the address is wrong, it's 16
    Station Road", a bare street or postcode, and "no it was the blue bin" give the new value.
    """
    plain = _plain(text)
    if not plain or plain.startswith("/"):
        return None
    postcode = postcode_in(plain)
    named = _named_field(plain, definition)
    if postcode and (named is None or named[0] == "report_postcode"):
        return Correction("report_postcode", postcode)
    address = address_in(text)
    if address and (named is None or named[0] == "report_location"):
        return Correction("report_location", address)
    if named:
        field, rest = named
        return Correction(field, _value_for(field, rest, definition))
    return _option_in(plain, definition)
