"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


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


def read_user_yaml(path: Path) -> object:
    """The parsed YAML file a user passed on the command line (a trial design, a MUSIQ scoring file).

    A missing file or one that is not YAML is an :class:`InputError` naming the file, never a traceback.
    """
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"not valid YAML ({type(error).__name__})") from None
