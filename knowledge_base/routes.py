"""Routes: the one decision the bot makes about a resident's message.

A route is named exactly as the council reports it (``faq:<article-id>``,
``request:<service_code>``, ``urgent:safeguarding``...). The NLU model predicts an
intent; this module is the single mapping from intent to route, used by the action
server, by ``python -m knowledge_base try/evaluate`` and by the reports, so they can
never disagree.
"""

from __future__ import annotations

from typing import Iterable

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
URGENT_ROUTES = (URGENT_SAFEGUARDING, URGENT_EMERGENCY)

# Intents that are not articles, and the route each one leads to.
FIXED_INTENT_ROUTES = {
    "track_request": TRACK_REQUEST,
    "handoff": HANDOFF,
    "complaint": COMPLAINT,
    "urgent_safeguarding": URGENT_SAFEGUARDING,
    "urgent_emergency": URGENT_EMERGENCY,
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
URGENT_INTENTS = {"urgent_safeguarding": URGENT_SAFEGUARDING, "urgent_emergency": URGENT_EMERGENCY}
URGENT_MIN_CONFIDENCE = 0.2


def decide_route(parsed: dict, article_ids: Iterable[str]) -> tuple[str, str, float]:
    """Route for a Rasa parse result (``{"intent": ..., "intent_ranking": [...]}``).

    Returns:
        ``(route, intent, confidence)``, where intent and confidence are the model's own
        top prediction even when the FallbackClassifier overruled it.
    """
    intent = (parsed.get("intent") or {}).get("name") or ""
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    if intent == "nlu_fallback":
        ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        if ranking:
            top = ranking[0]
            if top.get("name") in URGENT_INTENTS and float(top.get("confidence", 0)) >= URGENT_MIN_CONFIDENCE:
                return URGENT_INTENTS[top["name"]], top["name"], float(top["confidence"])
            return OUT_OF_SCOPE, top.get("name", ""), float(top.get("confidence", 0.0))
        return OUT_OF_SCOPE, intent, confidence
    return route_for_intent(intent, article_ids), intent, confidence
