"""Routes: the one decision the bot makes about a resident's message.

A route is named exactly as the council reports it (``faq:<article-id>``,
``request:<service_code>``, ``urgent:safeguarding``...). The NLU model predicts an
intent; this module is the single mapping from intent to route, used by the action
server, by ``python -m knowledge_base try/evaluate`` and by the reports, so they can
never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from knowledge_base import urgent

SERVICE_CODES = (
    "missed_bin",
    "pothole",
    "street_light",
    "fly_tipping",
    "graffiti",
    "dog_fouling",
    "abandoned_vehicle",
    "bin_replacement",
)

OUT_OF_SCOPE = "out_of_scope"
TRACK_REQUEST = "track_request"
HANDOFF = "handoff"
COMPLAINT = "complaint"
URGENT_SAFEGUARDING = "urgent:safeguarding"
URGENT_EMERGENCY = "urgent:emergency"
URGENT_CRISIS = "urgent:crisis"
URGENT_ROUTES = urgent.URGENT_ROUTES

# Intents that are not articles, and the route each one leads to.
FIXED_INTENT_ROUTES = {
    "track_request": TRACK_REQUEST,
    "handoff": HANDOFF,
    "complaint": COMPLAINT,
    **{c.intent: c.route for c in urgent.CATEGORIES},
    "greet": "smalltalk:greet",
    "goodbye": "smalltalk:goodbye",
    "thanks": "smalltalk:thanks",
    "bot_challenge": "smalltalk:bot_challenge",
    "out_of_scope": OUT_OF_SCOPE,
    # Rasa's FallbackClassifier replaces a low-confidence intent with this one.
    "nlu_fallback": OUT_OF_SCOPE,
    **{f"request_{code}": f"request:{code}" for code in SERVICE_CODES},
}

FAQ_INTENT_PREFIX = "faq_"


def intent_for_article(article_id: str) -> str:
    """Rasa intent name for an article id (``council-tax-pay`` -> ``faq_council_tax_pay``)."""
    return FAQ_INTENT_PREFIX + article_id.replace("-", "_")


def article_for_intent(intent: str, article_ids: Iterable[str]) -> str | None:
    """The article id an FAQ intent stands for, or None if it is not an article intent."""
    if not intent.startswith(FAQ_INTENT_PREFIX):
        return None
    for article_id in article_ids:
        if intent_for_article(article_id) == intent:
            return article_id
    return None


def route_for_intent(intent: str | None, article_ids: Iterable[str]) -> str:
    """The route for a predicted intent.

    Args:
        intent: the intent Rasa predicted (after its FallbackClassifier), or None.
        article_ids: ids of the articles in the knowledge base.

    Returns:
        The route name. Anything unknown is ``out_of_scope``: the bot must never guess.
    """
    if not intent:
        return OUT_OF_SCOPE
    if intent in FIXED_INTENT_ROUTES:
        return FIXED_INTENT_ROUTES[intent]
    article_id = article_for_intent(intent, article_ids)
    if article_id is not None:
        return f"faq:{article_id}"
    return OUT_OF_SCOPE


def all_routes(article_ids: Iterable[str]) -> list[str]:
    """Every route the bot can take, articles first."""
    faq = [f"faq:{a}" for a in sorted(article_ids)]
    fixed = sorted(set(FIXED_INTENT_ROUTES.values()))
    return faq + fixed


def intent_for_route(route: str) -> str:
    """The Rasa intent that leads to a route (used for quick-reply button payloads)."""
    if route.startswith("faq:"):
        return intent_for_article(route[4:])
    for intent, target in FIXED_INTENT_ROUTES.items():
        if target == route and intent != "nlu_fallback":
            return intent
    raise KeyError(f"no intent leads to route {route!r}")


# A message the model thinks may be urgent is routed as urgent even below the general
# confidence threshold: telling someone about 999 when they did not need it costs little,
# missing a child at risk costs a great deal.
URGENT_INTENTS = {c.intent: c.route for c in urgent.CATEGORIES}
URGENT_MIN_CONFIDENCE = 0.2

# When another route wins but the model still gives suicide or self-harm this much weight,
# the answer also carries the crisis numbers (a few extra lines under an ordinary answer;
# see docs/safety.md for how it was chosen and what it costs in false alarms).
CRISIS_SIGNPOST_CONFIDENCE = 0.15


# A question asking for information ("can the council fit a carbon monoxide alarm?", "is
# the Gas Street car park free?") that only the model, not an urgent phrase, thinks urgent,
# and not surely, gets its ordinary answer with that category's numbers under it instead of
# the urgent answer. Urgent messages worded as questions ("what do I do, I can smell gas?")
# name their danger in words the urgent phrases know, so they are not affected.
INFORMATION_QUESTION = re.compile(
    r"^(can|could|is|are|does|do|will|would|should|how|where|when|what|which|who|why|whats|what.s|when.s|"
    r"where.s|is it true|has anyone|have you)\b(?! (you|someone|somebody|anyone|anybody) (please )?help)"
    r"|\b(how (do|can|much|long|often) (i|we|you)|can (i|we) (have|get|use|book|apply|ask|put)|"
    r"can (the council|you) (fit|put|cut|prune|survey|check|tell|send|give|install)|is there (a|an|any)|"
    r"are there (any)?|do you (have|know|do)|where (can|do|is|are)|when (is|does|do|will)|"
    r"what (is|are|time|day)|how do we|who (do|can|should) (i|we)|(will|can|could|would|does|do) the council|"
    r"can (it|they|this|these|that) be)\b",
    re.IGNORECASE,
)
QUESTION_SURE = 0.75  # the model this sure of an urgent category overrides the question rule
GENERAL_MIN_CONFIDENCE = 0.35  # as the FallbackClassifier's threshold in config.yml


def is_information_question(text: str) -> bool:
    """The message asks for information rather than telling of something happening."""
    return bool(INFORMATION_QUESTION.search(" ".join(text.replace("\u2019", "'").split())))


def _question_not_alarm(parsed: dict, urgent_confidence: float) -> bool:
    return (
        not parsed.get("urgent_phrase")
        and urgent_confidence < QUESTION_SURE
        and is_information_question(parsed.get("text") or "")
    )


def _model_urgent(parsed: dict) -> tuple[str, float] | None:
    """The model's own top intent, if it is an urgent one: ``(intent, confidence)``."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if ranking and ranking[0].get("name") in URGENT_INTENTS:
        return ranking[0]["name"], float(ranking[0].get("confidence") or 0.0)
    return None


def decide_route(parsed: dict, article_ids: Iterable[str]) -> tuple[str, str, float]:
    """Route for a Rasa parse result (``{"intent": ..., "intent_ranking": [...]}``).

    Returns:
        ``(route, intent, confidence)``, where intent and confidence are the model's own
        top prediction even when the FallbackClassifier overruled it.
    """
    intent = (parsed.get("intent") or {}).get("name") or ""
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if intent == "nlu_fallback":
        if ranking:
            top = ranking[0]
            top_confidence = float(top.get("confidence", 0))
            if (
                top.get("name") in URGENT_INTENTS
                and top_confidence >= URGENT_MIN_CONFIDENCE
                and not _question_not_alarm(parsed, top_confidence)
            ):
                return URGENT_INTENTS[top["name"]], top["name"], top_confidence
            return OUT_OF_SCOPE, top.get("name", ""), top_confidence
        return OUT_OF_SCOPE, intent, confidence
    if intent in URGENT_INTENTS and _question_not_alarm(parsed, confidence):
        ordinary = [r for r in ranking if r.get("name") not in URGENT_INTENTS]
        if ordinary and float(ordinary[0].get("confidence") or 0) >= GENERAL_MIN_CONFIDENCE:
            return route_for_intent(ordinary[0]["name"], article_ids), intent, confidence
        return OUT_OF_SCOPE, intent, confidence
    return route_for_intent(intent, article_ids), intent, confidence


def signposts(parsed: dict[str, Any], route: str) -> list[str]:
    """Urgent categories whose numbers go under the answer although ``route`` won.

    Args:
        parsed: the Rasa parse result, with ``urgent_categories`` when urgent phrases matched.
        route: the route :func:`decide_route` chose.

    Returns:
        Category names in order of precedence, never the route's own category.
    """
    found: list[str] = []
    for intent in parsed.get("urgent_categories") or []:
        category = urgent.BY_INTENT.get(intent)
        if category and category.route != route and category.name not in found:
            found.append(category.name)
    model = _model_urgent(parsed)
    if model and route not in URGENT_ROUTES and model[1] >= URGENT_MIN_CONFIDENCE:
        found.append(urgent.BY_INTENT[model[0]].name)  # an urgent-sounding question answered as a question
    crisis = urgent.BY_NAME["crisis"]
    if route != crisis.route and crisis.name not in found:
        for ranked in parsed.get("intent_ranking") or []:
            if (
                ranked.get("name") == crisis.intent
                and float(ranked.get("confidence") or 0) >= CRISIS_SIGNPOST_CONFIDENCE
            ):
                found.append(crisis.name)
    order = [c.name for c in urgent.CATEGORIES]
    return sorted(found, key=order.index)
