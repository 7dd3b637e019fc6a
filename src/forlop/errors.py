"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from forlop.datafile import read_yaml
from forlop.i18n import t

if TYPE_CHECKING:  # pandas is imported where a CSV is read, so that importing this module stays cheap
    import pandas as pd


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


def read_user_yaml(path: Path, lang: str | None = None) -> object:
    """The parsed YAML file a user passed on the command line (a trial design, a MUSIQ scoring file).

    A missing file or one that is not YAML is an :class:`InputError` naming the file, never a traceback.
    """
    try:
        return read_yaml(path)
    except FileNotFoundError:
        raise InputError(str(path), t("input.not_found", lang)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(str(path), t("input.yaml_invalid", lang, kind=type(error).__name__)) from None


class DataError(ValueError):
    """A ``ValueError`` whose text is a key of ``messages.yaml`` (with its values).

    Python callers see the English text (``str(error)``); the command line shows it in the
    command's language with ``text(lang)``. Used by computations that can meet unusable data
    (``forlop.qi.qic``) without knowing the language of the command.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (None: the default language)."""
        return t(self.key, lang, **self.values)


def csv_separator(header: str) -> str:
    """The field separator of a user's CSV file from its header line: ';' when the header has ';' and no ','.

    Excel on a Norwegian (or Danish) machine saves "CSV" with ';' between fields, because ',' is the
    decimal sign there; a header with ',' (or with neither, one column) is read with ','.
    """
    return ";" if ";" in header and "," not in header else ","


def _decode(path: Path, data: bytes, encoding: str, lang: str | None) -> str:
    """The text of a file's bytes in ``encoding`` (a UTF-8 byte order mark is dropped); one line if it fails."""
    name = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        return data.decode(name)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        key = "input.csv_not_utf8" if name == "utf-8-sig" else "input.csv_not_encoding"
        raise InputError(str(path), t(key, lang, byte=byte, line=line, encoding=encoding)) from None


def read_user_csv(
    path: Path,
    *,
    encoding: str = "utf-8",
    lang: str | None = None,
    dtype: object = str,
    keep_default_na: bool = False,
    na_values: list[str] | None = None,
) -> pd.DataFrame:
    """Read a CSV file a user gave on the command line (chart data, MUSIQ answers, trial counts, clusters).

    Rules (docs/definitions.md, "Reading and validating"): the file is decoded as ``encoding`` (default
    UTF-8, with or without a byte order mark; ``cp1252`` reads what Excel on a Norwegian machine saves
    as plain "CSV"); the separator is ';' when the header line has ';' and no ',', else ','
    (:func:`csv_separator`). A missing file, an empty file, bytes that are not ``encoding``, an unknown
    encoding and a file pandas cannot parse are each an :class:`InputError` with one line, never a
    traceback. ``dtype``, ``keep_default_na`` and ``na_values`` go to ``pandas.read_csv`` (default: every
    value as text, empty cells as "").

    The whole file is read into memory first (user files are small), so that an undecodable byte can be
    reported with its line, which pandas' own decoder does not give.
    """
    import pandas as pd

    check_encoding(encoding, lang)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), t("input.not_found", lang)) from None
    except IsADirectoryError:
        raise InputError(str(path), t("input.not_a_file", lang)) from None
    text = _decode(Path(path), data, encoding, lang)
    if not text.strip():
        raise InputError(str(path), t("input.csv_empty", lang))
    sep = csv_separator(next(line for line in text.splitlines() if line.strip()))  # pandas skips blank lines
    try:
        return pd.read_csv(
            io.StringIO(text), sep=sep, dtype=dtype, keep_default_na=keep_default_na, na_values=na_values
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(str(path), t("input.csv_unreadable", lang, detail=detail)) from None


class SuppressionError(RuntimeError):
    """Complementary suppression (:mod:`forlop.privacy`) found no pattern that protects every hidden cell.

    ``exposed``: the cells still exposed. The command line prints one line and exits with code 1.
    """

    def __init__(self, exposed: list[int]) -> None:
        self.exposed = exposed
        super().__init__(
            f"{len(exposed)} hidden cell(s) can still be worked out from the published table and no cell is "
            f"left to hide in their lines (cells {exposed[:10]})"
        )


def check_encoding(encoding: str, lang: str | None = None) -> None:
    """An ``--encoding`` must be one Python knows (``codecs.lookup``); else one line, exit 2."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            "--encoding", t("input.unknown_encoding", lang, encoding=encoding), example="utf-8, cp1252"
        ) from None
