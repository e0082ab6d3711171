"""Log lines never carry a resident's contact details, but keep what is needed to trace them."""

from __future__ import annotations

import logging
import sys

import pytest

from live_handoff.masking import MaskingFilter, install, mask


@pytest.mark.parametrize(
    "text, expected",
    [
        ("email me at jane.doe+bins@example.co.uk please", "email me at [email] please"),
        ("J.SMITH@Northbridge.gov.uk", "[email]"),
    ],
)
def test_email_addresses_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "number",
    [
        "01632 960123",
        "01632960123",
        "+44 1632 960123",
        "+441632960123",
        "07700 900123",
        "07700-900-123",
        "07700 900 123",
        "020 7946 0123",
        "020-7946-0123",
        "+44 (0)20 7946 0123",
        "0044 20 7946 0123",
        "0113 496 0000",
        "(01632) 960123",
    ],
)
def test_uk_phone_numbers_are_masked_with_or_without_spaces_and_dashes(number):
    assert mask(f"call me on {number} after six") == "call me on [phone] after six"


@pytest.mark.parametrize("postcode", ["NB4 2QT", "nb42qt", "Nb4  2qT", "SW1A 1AA", "sw1a1aa", "M1 1AE"])
def test_uk_postcodes_are_masked_in_any_case_and_spacing(postcode):
    assert mask(f"I live in {postcode}, near the park") == "I live in [postcode], near the park"


@pytest.mark.parametrize("account", ["12345678", "123456789", "1234567890", "CT12345678", "ct 123456", "CT-0012345"])
def test_council_tax_account_references_are_masked(account):
    assert mask(f"my account is {account}.") == "my account is [account]."


@pytest.mark.parametrize("number", ["1234567", "12345678901", "123456789012345"])
def test_other_long_numbers_are_masked(number):
    assert mask(f"the number on the letter is {number}") == "the number on the letter is [number]"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my name is Jane Smith, thanks", "my name is [name], thanks"),
        ("My name is jane smith.", "My name is [name]."),
        ("my name is Mrs Jane Smith", "my name is [name]"),
        ("Hi, I'm called Bob", "Hi, I'm called [name]"),
        ("I’m called Bob", "I’m called [name]"),
        ("this is Priya Patel about my bins", "this is [name] about my bins"),
        ("Name: Jane Doe", "Name: [name]"),
        ("name:jane", "name:[name]"),
    ],
)
def test_a_name_after_a_lead_in_is_masked_and_the_lead_in_kept(text, expected):
    assert mask(text) == expected


def test_only_two_words_are_taken_as_the_name():
    assert mask("my name is Jane Smith Jones") == "my name is [name] Jones"


@pytest.mark.parametrize("text", ["this is about my bin", "this is urgent", "this is not right"])
def test_ordinary_sentences_starting_this_is_are_not_names(text):
    assert mask(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I live at 12 Acacia Road, NB4 2QT", "I live at [address], [postcode]"),
        ("12a high street", "[address]"),
        ("5 St Mary's Road", "[address]"),
        ("bins missed at 3 Old Mill Close again", "bins missed at [address] again"),
        ("flat at 221 Baker St.", "flat at [address]"),
        ("44 Long Acre Way", "[address]"),
        ("7 Northbridge Hill", "[address]"),
    ],
)
def test_street_addresses_are_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we open at 08:30 and close at 17:00",
        "you owe £1,234.56",
        "a fine of £12345678.00",
        "collected on 2026-11-22",
        "on 01-02-2026 10:30",
        "1,234,567 people live here",
        "I have 3 bins",
        "I have 3 bins close by",
        "left 2 bags by the way",
        "it's a 10 minute walk",
        "ref NB-2026-000123 is open",
        "ref nb 2026 000123 is open",
        "ref NB2026000123 is open",
        "conversation c_AbC123xyz789-_Q closed",
        "room 12, floor 3",
        "error 404 after 1500 ms",
    ],
)
def test_things_that_are_not_personal_are_left_alone(text):
    assert mask(text) == text


def test_a_conversation_id_containing_a_long_number_is_kept_whole():
    assert mask("c_01632960123abc wrote from NB4 2QT") == "c_01632960123abc wrote from [postcode]"


def test_an_email_after_this_is_is_masked_as_an_email():
    assert mask("this is john@example.com") == "this is [email]"


def test_masking_twice_changes_nothing_more():
    text = "my name is Jane Smith, 12 Acacia Road NB4 2QT, 07700 900123, jane@example.com, CT12345678"
    once = mask(text)
    assert once == "my name is [name], [address] [postcode], [phone], [email], [account]"
    assert mask(once) == once


# Logging


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("front_desk", logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_masks_percent_style_arguments_and_clears_them():
    rec = record("resident %s rang from %s about %s", "jane@example.com", "07700 900123", "NB-2026-000123")
    assert MaskingFilter().filter(rec) is True
    assert rec.getMessage() == "resident [email] rang from [phone] about NB-2026-000123"
    assert rec.args == ()


def test_a_masked_message_containing_a_percent_sign_still_formats():
    rec = record("%d%% of %s", 50, "NB4 2QT")
    MaskingFilter().filter(rec)
    assert logging.Formatter("%(message)s").format(rec) == "50% of [postcode]"


def test_the_filter_masks_tracebacks():
    try:
        raise KeyError("jane@example.com")
    except KeyError:
        rec = logging.LogRecord("front_desk", logging.ERROR, __file__, 1, "lookup failed", (), sys.exc_info())
    MaskingFilter().filter(rec)
    formatted = logging.Formatter("%(message)s").format(rec)
    assert "jane@example.com" not in formatted
    assert "KeyError: '[email]'" in formatted


@pytest.fixture
def logger():
    log = logging.getLogger("tests.live_handoff.masking")
    handler = logging.StreamHandler()
    log.addHandler(handler)
    yield log
    log.removeHandler(handler)
    for holder in (log, handler):
        for existing in list(holder.filters):
            holder.removeFilter(existing)


def test_install_puts_one_filter_on_the_logger_and_each_handler(logger):
    install(logger)
    install(logger)
    assert sum(isinstance(f, MaskingFilter) for f in logger.filters) == 1
    assert sum(isinstance(f, MaskingFilter) for f in logger.handlers[0].filters) == 1


def test_install_masks_what_handlers_emit(logger, caplog):
    install(logger)
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("call back on %s", "01632 960123")
    assert caplog.messages == ["call back on [phone]"]


def test_install_without_a_logger_protects_the_root_logger():
    root = logging.getLogger()
    before = list(root.filters)
    try:
        install()
        assert any(isinstance(f, MaskingFilter) for f in root.filters)
    finally:
        for added in [f for f in root.filters if f not in before]:
            root.removeFilter(added)
        for handler in root.handlers:
            for added in [f for f in handler.filters if isinstance(f, MaskingFilter)]:
                handler.removeFilter(added)
