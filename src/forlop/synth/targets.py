"""The calibration targets (published figures of 001) and the generator's other assumptions.

``calibration_targets.csv`` lists every figure of 001 tables 1-12, table A and the cohort flow of
§4.1 that the synthetic national extract aims at; ``parameters.yaml`` holds what those tables do
not fix (timing, mixes, volumes), each with its source or marked as an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from forlop.datafile import package_yaml

_PACKAGE = "forlop.synth"

GROUPS = (
    "schizophrenia",
    "bipolar",
    "severe_depression",
    "personality",
    "other_psychotic",
    "other_affective",
    "anxiety",
    "substance",
    "symptom",
    "other",
    "missing",
)

# Tolerances of the calibration test (issue 2): shares +-2 percentage points, means and medians
# +-15%, counts +-3%; rates per 10 000 like means.
TOLERANCE = {
    "count": ("relative", 0.03),
    "share": ("absolute", 2.0),
    "mean": ("relative", 0.15),
    "median": ("relative", 0.15),
    "rate": ("relative", 0.15),
}


@lru_cache(maxsize=1)
def calibration_targets() -> pd.DataFrame:
    """Return the calibration targets: table, measure, group, value (float), kind, definition."""
    with resources.files(_PACKAGE).joinpath("calibration_targets.csv").open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#", dtype={"table": str})
    frame["value"] = frame["value"].astype(float)
    return frame


@lru_cache(maxsize=1)
def parameters() -> dict:
    """Return the generator assumptions of ``parameters.yaml``."""
    return package_yaml(_PACKAGE, "parameters.yaml")


@dataclass(frozen=True)
class Targets:
    """Look-up of published figures by (table, measure, group)."""

    frame: pd.DataFrame

    def get(self, table: str, measure: str, group: str = "total") -> float:
        """Return one published figure; KeyError names what was asked for if it is not there."""
        hit = self.frame[(self.frame.table == table) & (self.frame.measure == measure) & (self.frame.group == group)]
        if hit.empty:
            raise KeyError(f"no calibration target {table}/{measure}/{group}")
        return float(hit.value.iloc[0])

    def by_group(self, table: str, measure: str) -> dict[str, float]:
        """Return {diagnosis group: value} of one measure (groups of 001 table 1, without 'total')."""
        rows = self.frame[(self.frame.table == table) & (self.frame.measure == measure)]
        return {g: float(v) for g, v in zip(rows.group, rows.value) if g in GROUPS}


def targets() -> Targets:
    """Return the calibration targets wrapped for look-up."""
    return Targets(calibration_targets())
