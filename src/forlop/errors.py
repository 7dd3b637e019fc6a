"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """Input that cannot be used at all: a missing table, column, or a wrong type.

    The command line prints ``str(error)`` as one line and exits with code 2.
    """

    file: str
    message: str
    column: str | None = None
    example: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.file}:"]
        if self.column:
            parts.append(f"column '{self.column}':")
        parts.append(self.message)
        if self.example:
            parts.append(f"(example: {self.example})")
        return " ".join(parts)
