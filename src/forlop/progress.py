"""Progress lines for people ("pathways: kohort", "rapport: 8 Geografisk variasjon"), one mechanism.

Every long job reports what it is doing through the standard library's ``logging``: INFO messages
on the ``forlop`` logger, written as plain lines to standard error (standard output stays for
results, such as the path of a written report). An application embedding Forløp can take the
``forlop`` logger over with its own handlers; a command that is asked to be quiet passes
``enabled=False``.
"""

from __future__ import annotations

import logging
import sys

LOGGER = logging.getLogger("forlop")


class _CurrentStderr(logging.Handler):
    """Writes each line to whatever ``sys.stderr`` is when it is written (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging's own contract: report, never raise
            self.handleError(record)


def _logger() -> logging.Logger:
    """The ``forlop`` logger, given a plain standard-error handler the first time if it has none."""
    if not LOGGER.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        LOGGER.propagate = False
    return LOGGER


def say(message: str, enabled: bool = True) -> None:
    """Write one progress line (INFO on the ``forlop`` logger) if ``enabled``."""
    if enabled:
        _logger().info(message)
