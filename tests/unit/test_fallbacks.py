from knowledge_base.fallbacks import (
    MISSING_TOPIC,
    SUGGEST,
    CouncilTopic,
    asks_for_a_person,
    load_topics,
    refine,
    suggestions,
)

ARTICLES = ["children-families", "libraries", "parking-permits"]
TOPICS = (CouncilTopic("skip permits", ("skip permit",)), CouncilTopic("dropped kerbs", ("dropped kerb",)))


def parsed(text, *ranking):
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.35},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.35}]
        + [{"name": n, "confidence": c} for n, c in ranking],
    }


def test_asking_for_a_person_is_heard_with_what_about():
    assert asks_for_a_person("can i speak to someone about my housing benefit") == (True, "my housing benefit")
    assert asks_for_a_person("Can I talk to someone please") == (True, None)
    assert asks_for_a_person("am i talking to a real person?") == (False, None)
    assert asks_for_a_person("is there anywhere i can go in person to speak to someone") == (False, None)


def test_a_person_wins_over_an_article_but_never_over_urgent():
    message = parsed("can i speak to someone about my housing benefit")
    assert refine(message, "faq:housing-benefit", ARTICLES).route == "handoff"
    assert refine(message, "urgent:crisis", ARTICLES).route == "urgent:crisis"


def test_plausible_articles_are_suggested_most_likely_first():
    message = parsed(
        "things for my teenager",
        ("faq_children_families", 0.3),
        ("faq_libraries", 0.2),
        ("out_of_scope", 0.1),
        ("faq_parking_permits", 0.09),
    )
    assert suggestions(message, ARTICLES) == ("faq:children-families", "faq:libraries")
    assert refine(message, "out_of_scope", ARTICLES).route == SUGGEST


def test_no_suggestions_when_the_model_thinks_it_is_not_council_business():
    assert suggestions(parsed("what's the weather", ("out_of_scope", 0.6), ("faq_libraries", 0.1)), ARTICLES) == ()
    assert refine(parsed("whats the weather", ("out_of_scope", 0.6)), "out_of_scope", ARTICLES).route == "out_of_scope"


def test_a_missing_council_topic_is_named_even_over_an_article_that_does_not_cover_it():
    message = parsed("can i get a skip permit")
    fallback = refine(message, "faq:parking-permits", ARTICLES, TOPICS, {"parking-permits": "resident parking permits"})
    assert (fallback.route, fallback.topic) == (MISSING_TOPIC, "skip permits")
    covered = refine(message, "faq:parking-permits", ARTICLES, TOPICS, {"parking-permits": "a skip permit costs"})
    assert covered.route == "faq:parking-permits"


def test_other_council_sounding_questions_are_an_unnamed_missing_topic():
    fallback = refine(parsed("does the council do something about it", ("out_of_scope", 0.5)), "out_of_scope", ARTICLES)
    assert (fallback.route, fallback.topic) == (MISSING_TOPIC, None)


def test_the_shipped_topics_file_loads():
    assert any(t.topic == "dropped kerbs" for t in load_topics())
