"""Code lists as data files (CSV beside this module), and their loader.

Each list names its source in ``sources.yaml`` (seed and table). Lines that start with
``#`` in a CSV are comments that state the rule in words.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by ``load``: validating an extract reads code lists without it
    import pandas as pd

_PACKAGE = "forlop.codes"


@cache
def load(name: str) -> pd.DataFrame:
    """Return code list ``name`` (file ``<name>.csv``) as a DataFrame of text columns."""
    import pandas as pd

    with resources.files(_PACKAGE).joinpath(f"{name}.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", dtype=str, keep_default_na=False)


@cache
def _columns(name: str) -> dict[str, tuple[str, ...]]:
    """The columns of code list ``name`` as text, read as ``load`` reads them (comment and blank lines
    skipped, every value text, empty stays empty) with the standard library's ``csv``."""
    text = resources.files(_PACKAGE).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#")))
    header, body = rows[0], rows[1:]
    return {column: tuple(row[i] for row in body) for i, column in enumerate(header)}


def normalize_icd10(code: str | None) -> str | None:
    """Return an ICD-10 code without '.' and in upper case (``F20.0`` -> ``F200``); None if empty."""
    if code is None:
        return None
    text = str(code).strip().replace(".", "").upper()
    return text or None


def codes(name: str, column: str = "code") -> list[str]:
    """Return one column of a code list as a list of text (without pandas: validation reads code lists)."""
    return list(_columns(name)[column])


@cache
def diagnosis_group_rules() -> list[tuple[str, tuple[str, ...]]]:
    """Return (group key, code prefixes) in matching priority (001 table 1)."""
    table = load("diagnosis_groups").copy()
    table["priority"] = table["priority"].astype(int)
    table = table.sort_values("priority")
    return [(row.key, tuple(row.codes.split())) for row in table.itertuples()]


def diagnosis_group(code: str | None) -> str:
    """Return the 001 table 1 diagnosis group key of one ICD-10 code (``missing`` if empty)."""
    normal = normalize_icd10(code)
    if normal is None:
        return "missing"
    for key, prefixes in diagnosis_group_rules():
        if "*" in prefixes:
            return key
        if any(normal.startswith(prefix) for prefix in prefixes):
            return key
    return "missing"
