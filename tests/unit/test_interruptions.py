from actions.reports.interruptions import CONTINUE, interruption

ARTICLES = ["bin-collection-day", "council-tax-pay"]


def message(text, intent, confidence, **extra):
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        **extra,
    }


def test_a_short_answer_the_classifier_thinks_urgent_is_still_an_answer():
    assert interruption(message("road", "urgent_emergency", 0.82), "pothole", ARTICLES) is None


def test_an_urgent_phrase_always_interrupts_even_when_short():
    found = message("gas leak", "urgent_emergency", 1.0, urgent_phrase="gas leak")
    assert interruption(found, "pothole", ARTICLES) == "urgent:emergency"


def test_an_uncertain_urgent_sentence_interrupts_as_it_would_outside_a_report():
    uncertain = {
        "text": "my friend is scared of her husband",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "urgent_safeguarding", "confidence": 0.3},
        ],
    }
    assert interruption(uncertain, "pothole", ARTICLES) == "urgent:safeguarding"


def test_a_confident_question_about_something_else_interrupts_but_a_description_does_not():
    assert (
        interruption(message("when is my bin day?", "faq_bin_collection_day", 0.95), "pothole", ARTICLES)
        == "faq:bin-collection-day"
    )
    assert (
        interruption(message("bins not emptied again", "faq_bin_collection_day", 0.95), "missed_bin", ARTICLES) is None
    )


def test_buttons_from_earlier_messages_are_commands_not_answers():
    assert (
        interruption(message("/faq_council_tax_pay", "faq_council_tax_pay", 1.0), "pothole", ARTICLES)
        == "faq:council-tax-pay"
    )
    assert interruption(message("/request_pothole", "request_pothole", 1.0), "pothole", ARTICLES) == CONTINUE


def test_answers_that_sound_like_a_council_emergency_or_danger_are_answers_inside_a_report():
    for text, intent in [
        ("its on the road", "urgent_emergency"),
        ("on the pavement by the bus stop", "urgent_emergency"),
        ("it's a danger to cyclists", "urgent_danger"),
    ]:
        assert interruption(message(text, intent, 0.9), "pothole", ARTICLES) is None, text


def test_a_crisis_the_model_recognises_interrupts_a_report_even_without_an_urgent_phrase():
    said = message("honestly whats the point of me anymore", "urgent_crisis", 0.7)
    assert interruption(said, "pothole", ARTICLES) == "urgent:crisis"


def test_a_gas_smell_named_by_an_urgent_phrase_interrupts_a_report():
    found = message("actually i can smell gas", "urgent_gas", 1.0, urgent_phrase="smell gas")
    assert interruption(found, "missed_bin", ARTICLES) == "urgent:gas"
