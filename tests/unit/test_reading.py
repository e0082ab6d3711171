import yaml

from actions.reports.reading import (
    Correction,
    address_in,
    correction_in,
    dont_know,
    is_contact_attempt,
    is_leaving,
    postcode_in,
)
from bot.processes import ROOT

MISSED_BIN = next(
    s
    for s in yaml.safe_load((ROOT / "service_requests" / "services.yml").read_text())["services"]
    if s["service_code"] == "missed_bin"
)


def test_a_postcode_is_found_anywhere_in_a_sentence_in_any_case_and_spacing():
    for text in [
        "bin men didnt empty my bin today, NB4 2QT",
        "its NB4 2QT",
        "NB4 2QT please",
        "postcode is nb4 2qt",
        "nb42qt",
    ]:
        assert postcode_in(text) == "NB4 2QT", text
    assert postcode_in("northbridge") is None


def test_a_street_is_found_in_a_sentence_but_not_invented():
    assert address_in("pothole outside 16 station road nb4 2qt") == "16 Station Road"
    assert address_in("the light outside number 4 elm close is out") == "4 Elm Close"
    assert address_in("big hole on mill lane") == "Mill Lane"
    assert address_in("my bin wasnt emptied") is None
    assert address_in("my road is a mess") is None


def test_corrections_in_residents_own_words():
    assert correction_in("the address is wrong, it's 16 Station Road", MISSED_BIN) == Correction(
        "report_location", "16 Station Road"
    )
    assert correction_in("change the postcode", MISSED_BIN) == Correction("report_postcode", None)
    assert correction_in("no it was the blue bin", MISSED_BIN) == Correction("which_bin", "blue")
    assert correction_in("16 Station Road", MISSED_BIN) == Correction("report_location", "16 Station Road")
    assert correction_in("change where", MISSED_BIN) == Correction("report_location", None)
    assert correction_in("change which bin", MISSED_BIN) == Correction("which_bin", None)
    assert correction_in("send", MISSED_BIN) is None


def test_leaving_not_knowing_and_contact_attempts():
    assert is_leaving("no") and is_leaving("not that") and is_leaving("I wanted to ask something else")
    assert not is_leaving("no idea where exactly")
    assert dont_know("i dont know it") and not dont_know("NB4 2QT")
    assert is_contact_attempt("ring me") and not is_contact_attempt("my husband won't let me ring anyone for help")


def test_a_service_value_name_with_an_unquoted_comma_is_refused(tmp_path):
    import pytest

    from service_requests.catalogue import CatalogueError, load_catalogue

    text = (
        (ROOT / "service_requests" / "services.yml")
        .read_text()
        .replace('"A bus shelter, bench or sign"', "A bus shelter, bench or sign")
    )
    path = tmp_path / "services.yml"
    path.write_text(text)
    with pytest.raises(CatalogueError, match="quote a name that has a comma"):
        load_catalogue(path)


def test_yes_and_no_in_residents_words_and_anything_else_is_neither():
    from actions.reports.reading import yes_or_no

    for text in ["yes", "Yeah", "yes please", "ok", "Sure."]:
        assert yes_or_no(text) is True, text
    for text in ["no", "Nope", "no thanks", "not now"]:
        assert yes_or_no(text) is False, text
    for text in ["no, I want to know my bin day", "when is my bin day", ""]:
        assert yes_or_no(text) is None, text


def test_the_rest_of_an_answer_once_its_postcode_is_taken_out():
    from actions.reports.reading import without_postcode

    assert without_postcode("16 Station Road, NB4 2QT") == "16 Station Road"
    assert without_postcode("NB4 2QT") == ""


def test_a_choice_is_only_changed_when_a_correction_names_it():
    assert correction_in("the bin is wrong, it should be brown", MISSED_BIN) == Correction("which_bin", "brown")
    assert correction_in("no", MISSED_BIN) is None  # a yes/no question is not changed by a bare "no"
    assert correction_in("hmm", MISSED_BIN) is None and correction_in("what", MISSED_BIN) is None
