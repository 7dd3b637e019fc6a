"""The definitions of outcome monitoring as data: ``definitions.yaml`` and ``contract.yaml`` loaded once.

Every threshold (caseness, reliable change, minimum treatment sessions, waiting limits, severity
bands, funnel minimum, expected-course percentiles) is in ``definitions.yaml``; the input tables
in ``contract.yaml`` (same format and column types as ``forlop/extract/contract.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from forlop.datafile import package_yaml
from forlop.extract.contract import Table, parse_tables


@dataclass(frozen=True)
class Measure:
    """One questionnaire: its items, caseness threshold and reliable change (NHS Talking Therapies)."""

    key: str
    label: str
    items: tuple[str, ...]
    max_total: int
    caseness: int
    reliable_change: int


def _read_yaml(name: str) -> dict:
    return package_yaml("forlop.outcomes", name)


@cache
def definitions() -> dict:
    """Return ``definitions.yaml`` as a dict (see the file for what each entry means)."""
    return _read_yaml("definitions.yaml")


@cache
def measures() -> dict[str, Measure]:
    """Return the measures (``phq``, ``gad``) in file order."""
    return {
        key: Measure(
            key=key,
            label=m["label"],
            items=tuple(m["items"]),
            max_total=int(m["max_total"]),
            caseness=int(m["caseness"]),
            reliable_change=int(m["reliable_change"]),
        )
        for key, m in definitions()["measures"].items()
    }


@cache
def tables() -> dict[str, Table]:
    """Return the input tables of ``contract.yaml`` as ``forlop.extract`` tables (referrals first)."""
    return parse_tables(_read_yaml("contract.yaml"), "outcomes/contract.yaml")


@cache
def pilot_services() -> pd.DataFrame:
    """Return the 17 pilot services of 003 (key, name, municipality), from ``pilot_services.csv``."""
    with resources.files("forlop.outcomes").joinpath("pilot_services.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", dtype=str)


def severity_band(first_phq: pd.Series) -> pd.Series:
    """Band of the first PHQ-9 total (``severity_bands``; Kroenke et al. 2001); missing -> 'unknown'."""
    bands = definitions()["severity_bands"]
    out = pd.Series("unknown", index=first_phq.index, dtype=object)
    for band in bands:
        out[(first_phq >= band["min"]) & (first_phq <= band["max"])] = band["key"]
    return out
