"""Log lines never carry a resident's personal data, but keep what is needed to trace them."""

from __future__ import annotations

import logging
import sys

import pytest

from live_handoff.masking import MaskingFilter, install, mask

# What is masked, and what is kept, is tested with the function itself:
# tests/unit/test_masking.py and the corpus in tests/unit/test_masking_corpus.py.


def test_the_relay_masks_with_the_shared_function():
    assert mask("call 07700 900123, NB-2026-000123") == "call [phone], NB-2026-000123"


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
