"""What the bot does when it has no sure answer. Pure: no I/O.

A resident who asks for a person is passed to one, whatever else their words match. A
question the model could not place is not simply refused: a council matter the knowledge
base names as missing is told so honestly; a question some articles plausibly answer gets
them offered as buttons ("did you mean"); another council-sounding question is told the
knowledge base has no answer yet; only the rest get the polite refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.routes import (
    FAQ_INTENT_PREFIX,
    HANDOFF,
    OUT_OF_SCOPE,
    URGENT_INTENTS,
    URGENT_ROUTES,
    route_for_intent,
)

TOPICS_FILE = Path(__file__).resolve().parent / "council_topics.yml"
SUGGEST = "suggest"
MISSING_TOPIC = "missing_topic"
# Suggestions are offered when the best article has at least this confidence (below the
# FallbackClassifier's 0.35, so only where the bot would otherwise refuse) and the model
# does not itself think the message is out of scope. 0.2 is where an article is more than
# a guess among some sixty intents: the uniform share is under 0.02.
SUGGEST_MIN_CONFIDENCE = 0.2
# Further articles are offered only when they are close behind the first.
SUGGEST_RELATIVE = 0.5
MAX_SUGGESTIONS = 3
# Below this confidence a report starts only after "Do you want to report ...?": a report
# commits the resident to five or more questions, and a question that merely mentions bins
# or a postcode can look like one; one extra tap costs little (docs/conversations.md).
REPORT_CONFIRM_BELOW = 0.6

PERSON = (
    r"(?:someone|somebody|some one|a (?:real |live |actual )?(?:person|human|human being)|"
    r"an? (?:advisor|adviser|agent|officer|operator)|a member of (?:staff|the team)|"
    r"(?:a |an )?(?:real|actual|live) (?:person|human|someone)|the council|a council officer|"
    r"your (?:team|staff|advisors|advisers))"
)
# Asking, not wondering: "can I speak to someone", "I want to talk to a real person", "put
# me through to an advisor about X". "Am I talking to a real person?" is a question about
# the bot, and "somewhere I can go in person to speak to someone" asks for an office.
SPEAK_TO = re.compile(
    r"(?:\b(?:can|could|may|might|would like to|'d like to|like to|want to|wanna|need to|have to|let me|"
    r"how do i|how can i|is it possible to|i wish to|please)\s+(?:i\s+|we\s+)?(?:please\s+)?(?:just\s+)?"
    rf"(?:speak|talk|chat)\s+(?:to|with)\s+{PERSON}"
    rf"|\b(?:put me through|connect me|pass me|transfer me|get me)\s+(?:on\s+)?(?:to|with)\s+{PERSON})"
    r"(?:\s+(?:please|now|right now|asap|urgently))?"
    r"(?:\s+(?:about|regarding|re|on|over|for)\s+(?P<topic>.+?))?"
    r"(?:\s*,?\s*(?:please|thanks|thank you|now))?\s*[?.!]*$",
    re.IGNORECASE,
)
IN_PERSON = re.compile(
    r"\b(in person|face to face|face-to-face|drop.?in|go (in|to|down)|visit|office|desk)\b", re.IGNORECASE
)
COUNCIL_WORDS = re.compile(
    r"\b(council|councils|councillors?|borough|northbridge|permit|licen[cs]e to|"
    r"planning permission|the town hall)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CouncilTopic:
    topic: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Fallback:
    """The route after these rules, and what goes with it."""

    route: str
    suggestions: tuple[str, ...] = ()
    topic: str | None = None  # the missing topic's name, or what the resident wants to talk about
    confirm: bool = False  # a request: route to ask about before starting the report


class TopicsFileError(ValueError):
    """council_topics.yml cannot be used (the message says where)."""


def load_topics(path: Path = TOPICS_FILE) -> tuple[CouncilTopic, ...]:
    """The missing council topics; TopicsFileError naming the entry if the file is malformed."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TopicsFileError(f"{path}: cannot read: {exc}") from None
    topics = []
    for number, item in enumerate(data.get("topics") or [], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("topic"), str) or not item.get("phrases"):
            raise TopicsFileError(f"{path}: topic {number} needs `topic` (text) and `phrases` (a list)")
        phrases = tuple(str(p).lower().strip() for p in item["phrases"] if str(p).strip())
        topics.append(CouncilTopic(item["topic"].strip(), phrases))
    return tuple(topics)


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower().replace("\u2019", "'")).split()) + " "


def missing_topic(text: str, topics: Iterable[CouncilTopic]) -> CouncilTopic | None:
    """The first missing council topic ``text`` names, if any."""
    words = _words(text)
    for topic in topics:
        if any(_words(phrase) in words for phrase in topic.phrases):
            return topic
    return None


def asks_for_a_person(text: str) -> tuple[bool, str | None]:
    """("can I speak to someone about my housing benefit") -> (True, "my housing benefit")."""
    cleaned = " ".join((text or "").replace("\u2019", "'").split())
    match = SPEAK_TO.search(cleaned)
    if not match or IN_PERSON.search(cleaned):
        return False, None
    topic = (match.group("topic") or "").strip(" ,.?!") or None
    return True, topic


def suggestions(parsed: dict[str, Any], article_ids: Iterable[str]) -> tuple[str, ...]:
    """Up to three articles worth offering for an uncertain message, most likely first."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if not ranking or ranking[0].get("name") in ("out_of_scope", *URGENT_INTENTS):
        return ()
    article_ids = list(article_ids)
    top = float(ranking[0].get("confidence") or 0)
    if top < SUGGEST_MIN_CONFIDENCE:
        return ()
    found: list[str] = []
    for ranked in ranking:
        confidence = float(ranked.get("confidence") or 0)
        name = str(ranked.get("name") or "")
        if confidence < top * SUGGEST_RELATIVE or len(found) == MAX_SUGGESTIONS:
            break
        if name == "out_of_scope":
            break  # anything below "not a council matter" is not worth offering
        if name.startswith(FAQ_INTENT_PREFIX):
            route = route_for_intent(name, article_ids)
            if route.startswith("faq:") and route not in found:
                found.append(route)
    return tuple(found)


def _covers(article_text: str, topic: CouncilTopic) -> bool:
    words = _words(article_text)
    return any(_words(phrase) in words for phrase in topic.phrases)


def refine(
    parsed: dict[str, Any],
    route: str,
    article_ids: Iterable[str],
    topics: Iterable[CouncilTopic] = (),
    article_texts: dict[str, str] | None = None,
) -> Fallback:
    """Apply the rules above to the route :func:`knowledge_base.routes.decide_route` chose.

    Args:
        parsed: Rasa's parse result.
        route: the route decide_route chose.
        article_ids: the knowledge base's article ids.
        topics: the missing council topics (council_topics.yml).
        article_texts: article id -> its title, questions and answer, so a missing topic
            is not claimed for a message the chosen article does cover.
    """
    article_texts = article_texts or {}
    if route in URGENT_ROUTES:
        return Fallback(route)
    text = parsed.get("text") or ""
    if not text.startswith("/"):
        person, topic = asks_for_a_person(text)
        if person:
            return Fallback(HANDOFF, topic=topic)
    if route.startswith("request:") and not text.startswith("/"):
        confidence = float((parsed.get("intent") or {}).get("confidence") or 0)
        if confidence < REPORT_CONFIRM_BELOW:
            return Fallback(route, suggestions=suggestions(parsed, article_ids)[:2], confirm=True)
    if text.startswith("/") or not (route == OUT_OF_SCOPE or route.startswith("faq:")):
        return Fallback(route)
    named = missing_topic(text, topics)
    if named and (route == OUT_OF_SCOPE or not _covers(article_texts.get(route[4:], ""), named)):
        # "can i get a skip permit" is not answered by the parking permits article.
        return Fallback(MISSING_TOPIC, topic=named.topic)
    if route != OUT_OF_SCOPE:
        return Fallback(route)
    offered = suggestions(parsed, article_ids)
    if offered:
        return Fallback(SUGGEST, suggestions=offered)
    if COUNCIL_WORDS.search(text):
        return Fallback(MISSING_TOPIC)
    return Fallback(OUT_OF_SCOPE)
