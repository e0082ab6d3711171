import pytest

from bot.components.patterns import mask_identifiers, normalise_postcode, normalise_reference


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("NB4 2QT", "NB4 2QT"),
        ("nb42qt", "NB4 2QT"),
        ("  Nb4   2qT ", "NB4 2QT"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
        ("M1 1AE", "M1 1AE"),
    ],
)
def test_postcodes_are_accepted_in_any_case_and_spacing(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["NB4", "12345", "QQ1 1AA", "NB4 2QC", "", "not a postcode"])
def test_things_that_are_not_uk_postcodes_are_rejected(typed):
    assert normalise_postcode(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["NB-2026-000123", "nb-2026-000123", "nb 2026 000123", "NB2026000123", "ref: NB-2026-000123."],
)
def test_references_are_found_and_normalised(typed):
    assert normalise_reference(typed) == "NB-2026-000123"


def test_references_need_six_digit_numbers():
    assert normalise_reference("NB-2026-12345") is None
    assert normalise_reference("NB-2026-1234567") is None


def test_identifiers_are_masked_for_the_classifier():
    masked = mask_identifiers("any news on NB-2026-000123 at nb4 2qt?")
    assert "zzreference" in masked and "zzpostcode" in masked
    assert "000123" not in masked and "2qt" not in masked


@pytest.mark.parametrize("typed", ["any news on NB-2026-12", "nb 2026", "ref NB2026-0001"])
def test_mistyped_references_are_recognised_as_attempts(typed):
    from bot.components.patterns import looks_like_a_reference

    assert looks_like_a_reference(typed)
    assert "zzreference" in mask_identifiers(typed)


@pytest.mark.parametrize("typed", ["bin missed at NB4 2QT", "NB20 1AA", "my pothole"])
def test_postcodes_in_the_nb_area_are_not_taken_for_references(typed):
    from bot.components.patterns import looks_like_a_reference

    assert not looks_like_a_reference(typed)
