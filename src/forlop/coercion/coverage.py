"""Which clusters of the trial design have usable counts, and whether the evaluation can run.

Rules (issue 6; docs/definitions.md "Coercion trial"): a cluster takes part in the comparison of a
later period when it has usable counts in the baseline and in that period (its change from baseline
is then defined). The evaluation needs, for every later period, at least one such cluster in each
arm; otherwise there is no difference between arms to estimate and the run stops with one line
naming the empty arm and the clusters of the design without counts. When the evaluation can run but
clusters of the design lack counts in some period, the caller says which, arm by arm.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forlop.coercion.design import ARMS, TrialDesign


@dataclass(frozen=True)
class ArmCoverage:
    """One arm: its clusters in the design, those with counts in every period, and the rest."""

    arm: str
    clusters: tuple[str, ...]
    complete: tuple[str, ...]
    incomplete: tuple[str, ...]


def periods_with_counts(counts: pd.DataFrame, design: TrialDesign) -> pd.DataFrame:
    """Return a cluster x period table of booleans: the cluster has at least one usable month in the period."""
    table = pd.DataFrame(False, index=sorted(design.arms), columns=[p.name for p in design.periods])
    for period in design.periods:
        inside = counts[(counts["month"] >= str(period.first)) & (counts["month"] <= str(period.last))]
        table.loc[table.index.isin(inside["cluster"]), period.name] = True
    return table


def comparable_clusters(table: pd.DataFrame, design: TrialDesign, period: str, arm: str) -> list[str]:
    """Return the clusters of ``arm`` with counts in the baseline and in ``period``."""
    ok = table[design.baseline.name] & table[period]
    return [c for c in design.clusters(arm) if ok[c]]


def first_gap(table: pd.DataFrame, design: TrialDesign) -> tuple[str, str] | None:
    """Return (period, arm) of the first later period with no comparable cluster in an arm, else None."""
    for period in design.later:
        for arm in ARMS:
            if not comparable_clusters(table, design, period.name, arm):
                return period.name, arm
    return None


def arm_coverage(table: pd.DataFrame, design: TrialDesign) -> list[ArmCoverage]:
    """Return, per arm, the clusters with counts in every period and those missing some period."""
    full = table.all(axis=1)
    result = []
    for arm in ARMS:
        clusters = design.clusters(arm)
        result.append(
            ArmCoverage(
                arm, tuple(clusters), tuple(c for c in clusters if full[c]), tuple(c for c in clusters if not full[c])
            )
        )
    return result


def without_counts(table: pd.DataFrame) -> list[str]:
    """Return the clusters of the design with no usable counts in any period."""
    return [c for c in table.index if not table.loc[c].any()]
