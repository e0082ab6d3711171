from knowledge_base.routes import (
    CRISIS_SIGNPOST_CONFIDENCE,
    OUT_OF_SCOPE,
    all_routes,
    article_for_intent,
    decide_route,
    intent_for_article,
    intent_for_route,
    route_for_intent,
    signposts,
)

ARTICLES = ["council-tax-pay", "bin-collection-day"]


def test_article_intents_round_trip_to_their_article():
    intent = intent_for_article("council-tax-pay")
    assert intent == "faq_council_tax_pay"
    assert article_for_intent(intent, ARTICLES) == "council-tax-pay"


def test_each_fixed_intent_leads_to_its_named_route():
    assert route_for_intent("request_missed_bin", ARTICLES) == "request:missed_bin"
    assert route_for_intent("urgent_safeguarding", ARTICLES) == "urgent:safeguarding"
    assert route_for_intent("urgent_emergency", ARTICLES) == "urgent:emergency"
    assert route_for_intent("greet", ARTICLES) == "smalltalk:greet"
    assert route_for_intent("bot_challenge", ARTICLES) == "smalltalk:bot_challenge"
    assert route_for_intent("track_request", ARTICLES) == "track_request"
    assert route_for_intent("faq_bin_collection_day", ARTICLES) == "faq:bin-collection-day"


def test_unknown_missing_and_fallback_intents_are_out_of_scope():
    assert route_for_intent("faq_not_an_article", ARTICLES) == OUT_OF_SCOPE
    assert route_for_intent("something_else", ARTICLES) == OUT_OF_SCOPE
    assert route_for_intent(None, ARTICLES) == OUT_OF_SCOPE
    assert route_for_intent("nlu_fallback", ARTICLES) == OUT_OF_SCOPE


def test_every_route_has_an_intent_that_leads_back_to_it():
    for route in all_routes(ARTICLES):
        assert route_for_intent(intent_for_route(route), ARTICLES) == route


def test_confident_prediction_takes_its_route_with_model_confidence():
    parsed = {"intent": {"name": "faq_council_tax_pay", "confidence": 0.91}}
    assert decide_route(parsed, ARTICLES) == ("faq:council-tax-pay", "faq_council_tax_pay", 0.91)


def test_fallback_reports_the_models_own_top_intent_and_confidence():
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "faq_council_tax_pay", "confidence": 0.31},
        ],
    }
    assert decide_route(parsed, ARTICLES) == (OUT_OF_SCOPE, "faq_council_tax_pay", 0.31)


def test_uncertain_urgent_prediction_still_takes_the_urgent_route():
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "urgent_safeguarding", "confidence": 0.25},
        ],
    }
    assert decide_route(parsed, ARTICLES)[0] == "urgent:safeguarding"


def test_very_unlikely_urgent_prediction_is_not_forced():
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "urgent_emergency", "confidence": 0.1},
        ],
    }
    assert decide_route(parsed, ARTICLES)[0] == OUT_OF_SCOPE


def test_other_urgent_categories_named_by_the_words_add_their_numbers_under_the_answer():
    parsed = {
        "intent": {"name": "urgent_crisis", "confidence": 1.0},
        "urgent_categories": ["urgent_crisis", "urgent_gas"],
    }
    assert signposts(parsed, "urgent:crisis") == ["gas"]


def test_a_crisis_with_real_weight_adds_the_crisis_numbers_when_another_route_wins():
    parsed = {
        "intent": {"name": "faq_council_tax_arrears", "confidence": 0.6},
        "intent_ranking": [
            {"name": "faq_council_tax_arrears", "confidence": 0.6},
            {"name": "urgent_crisis", "confidence": CRISIS_SIGNPOST_CONFIDENCE},
        ],
    }
    assert signposts(parsed, "faq:council-tax-arrears") == ["crisis"]
    parsed["intent_ranking"][1]["confidence"] = CRISIS_SIGNPOST_CONFIDENCE - 0.01
    assert signposts(parsed, "faq:council-tax-arrears") == []
