"""Mask residents' personal data in log records (the masking itself: ``contracts.masking``)."""

from __future__ import annotations

import logging

from contracts.masking import mask

__all__ = ["MaskingFilter", "install", "mask"]

_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """A logging filter that masks each record's formatted message in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record's message, merging in its arguments first.

        Args:
            record: The record being logged.

        Returns:
            Always True: records are masked, never dropped.
        """
        # Arguments are where personal data usually is, so format first, then mask the
        # result and drop the arguments so handlers cannot format them in again.
        record.msg = mask(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Exception messages often quote the input that failed; formatters reuse
            # exc_text when it is set, so the traceback is masked too.
            record.exc_text = mask(_TRACEBACKS.formatException(record.exc_info))
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Mask everything a logger and its current handlers emit.

    Filters on a logger only see records logged to that logger, not ones propagated from
    its children, so the filter also goes on each handler. Handlers added later are not
    covered. Safe to call more than once.

    Args:
        logger: The logger to protect; the root logger when None.
    """
    target = logger if logger is not None else logging.getLogger()
    for holder in (target, *target.handlers):
        if not any(isinstance(existing, MaskingFilter) for existing in holder.filters):
            holder.addFilter(MaskingFilter())
