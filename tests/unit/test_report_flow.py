import pytest

from actions.reports.flow import (
    NO_CONTACT,
    SKIPPED,
    answer_question,
    check_contact,
    check_description,
    check_location,
    check_postcode,
    interpret_confirmation,
    next_question,
    same_report,
    status_in_plain_english,
    submission,
    summary_lines,
)

DEFINITION = {
    "service_code": "missed_bin",
    "attributes": [
        {
            "code": "out_by_7am",
            "order": 2,
            "required": True,
            "datatype": "singlevaluelist",
            "description": "Was it out by 7am on collection day?",
            "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
        },
        {
            "code": "which_bin",
            "order": 1,
            "required": True,
            "datatype": "singlevaluelist",
            "description": "Which bin was missed?",
            "values": [
                {"key": "grey", "name": "Grey bin (general waste)"},
                {"key": "blue", "name": "Blue bin (recycling)"},
            ],
        },
        {"code": "note", "order": 3, "required": False, "datatype": "string", "description": "Anything else?"},
    ],
}


def test_questions_come_in_the_definitions_order():
    assert next_question(DEFINITION, {})["code"] == "which_bin"
    assert next_question(DEFINITION, {"which_bin": "grey"})["code"] == "out_by_7am"
    assert next_question(DEFINITION, {"which_bin": "grey", "out_by_7am": "yes", "note": SKIPPED}) is None


@pytest.mark.parametrize("reply", ["grey", "Grey bin (general waste)", "1", "the grey one please", "GREY."])
def test_list_answers_accept_key_name_number_or_a_sentence(reply):
    assert answer_question(DEFINITION["attributes"][1], reply) == ("grey", None)


def test_a_list_answer_that_fits_no_option_lists_the_options():
    value, message = answer_question(DEFINITION["attributes"][1], "purple")
    assert value is None and "Grey bin (general waste); Blue bin (recycling)" in message


def test_optional_questions_can_be_skipped_but_required_ones_cannot():
    assert answer_question(DEFINITION["attributes"][2], "skip") == (SKIPPED, None)
    assert answer_question(DEFINITION["attributes"][1], "skip")[0] is None


@pytest.mark.parametrize("typed", ["nb4 2qt", "NB42QT", " Nb4  2Qt "])
def test_postcodes_in_any_case_and_spacing(typed):
    assert check_postcode(typed) == ("NB4 2QT", None)


def test_a_bad_postcode_is_explained_with_an_example():
    value, message = check_postcode("my house")
    assert value is None and "NB4 2QT" in message


@pytest.mark.parametrize("checker", [check_location, check_description])
def test_html_and_script_are_refused_in_free_text(checker):
    value, message = checker("<img src=x onerror=alert(1)>")
    assert value is None and "plain words" in message


def test_descriptions_must_be_short_and_not_empty():
    assert check_description("")[0] is None
    assert check_description("x" * 10_000)[0] is None
    assert check_description("  big   hole\n by the kerb ") == ("big hole by the kerb", None)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ann@example.com", "ann@example.com"),
        ("07700 900123", "07700 900123"),
        ("no thanks", NO_CONTACT),
        ("01632 960123", "01632 960123"),
    ],
)
def test_contact_is_an_email_a_phone_or_no_thanks(typed, expected):
    assert check_contact(typed) == (expected, None)


def test_a_contact_that_is_neither_is_explained():
    assert check_contact("call me maybe")[0] is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Send", ("send", None)),
        ("yes", ("send", None)),
        ("cancel", ("cancel", None)),
        ("change postcode", ("change", "postcode")),
        ("change: which_bin", ("change", "which_bin")),
        ("banana", ("unclear", None)),
    ],
)
def test_confirmation_replies(typed, expected):
    assert interpret_confirmation(typed) == expected


SLOTS = {
    "report_postcode": "NB4 2QT",
    "report_location": "Elm Road",
    "report_description": "Not emptied",
    "report_answers": {"which_bin": "grey", "out_by_7am": "yes", "note": SKIPPED},
    "report_contact": "ann@example.com",
}


def test_summary_shows_every_answer_in_words():
    text = "\n".join(summary_lines("Missed bin collection", SLOTS, DEFINITION))
    for expected in (
        "Missed bin collection",
        "NB4 2QT",
        "Elm Road",
        "Not emptied",
        "Grey bin (general waste)",
        "Was it out by 7am on collection day**: Yes",
        "ann@example.com",
    ):
        assert expected in text


def test_submission_is_the_open311_form_without_skipped_answers():
    assert submission("missed_bin", SLOTS) == {
        "service_code": "missed_bin",
        "zipcode": "NB4 2QT",
        "address_string": "Elm Road",
        "description": "Not emptied",
        "attribute[which_bin]": "grey",
        "attribute[out_by_7am]": "yes",
        "email": "ann@example.com",
    }


def test_status_is_explained_in_plain_english():
    text = status_in_plain_english(
        {
            "service_request_id": "NB-2026-000123",
            "service_name": "Pothole",
            "status": "open",
            "extended_status": "ACTION_SCHEDULED",
            "status_notes": "Repair booked",
            "expected_datetime": "2026-12-04T17:00:00+00:00",
        }
    )
    assert "Work is booked in" in text and "Repair booked" in text and "Friday 4 December 2026" in text


def test_assisted_collection_is_offered_only_to_someone_who_mentions_difficulty():
    from actions.reports.flow import related_service

    assert "assisted bin collection" in related_service("missed_bin", "I'm disabled and can't lift the bin")
    assert related_service("missed_bin", "the grey bin was not emptied") is None
    assert "bulky waste" in related_service("fly_tipping", "sofa dumped")
    assert related_service("pothole", "I struggle to walk round it") is None


def test_a_stored_report_is_the_same_whether_its_description_comes_back_whole_or_masked():
    form = {"address_string": "Mill Lane", "description": "Hole outside 14 Mill Lane, call me on 07700 900123"}
    whole = {"address": "Mill Lane", "description": form["description"]}
    masked = {"address": "Mill Lane", "description": "Hole outside [address], call me on [phone]"}
    assert same_report(whole, form) and same_report(masked, form)
    assert not same_report({**masked, "address": "Station Road"}, form)
    assert not same_report({"address": "Mill Lane", "description": "Hole outside [address]"}, form)
