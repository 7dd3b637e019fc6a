"""Random allocation of clusters to the two arms of a cluster-randomised trial (stratified, seeded).

Rule: within each stratum (all clusters form one stratum when none is given), the clusters sorted by
name are shuffled with numpy's seeded generator and the first half goes to the intervention arm. When
a stratum has an odd number of clusters, its extra cluster goes to the arm that has fewer clusters so
far (a coin toss from the same generator when they are equal), so the arms differ by at most one.
The same clusters, strata and seed always give the same allocation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def allocate(clusters: Mapping[str, str] | list[str], seed: int) -> dict[str, str]:
    """Return cluster -> ``intervention``/``control``; ``clusters`` is a list or cluster -> stratum."""
    strata = dict(clusters) if isinstance(clusters, Mapping) else {str(c): "" for c in clusters}
    rng = np.random.default_rng(seed)
    arms: dict[str, str] = {}
    size = {"intervention": 0, "control": 0}
    for stratum in sorted(set(strata.values())):
        members = sorted(c for c, s in strata.items() if s == stratum)
        order = [members[i] for i in rng.permutation(len(members))]
        half = len(order) // 2
        picked = order[:half]
        rest = order[half:]
        if len(order) % 2 and (
            size["intervention"] < size["control"]
            or (size["intervention"] == size["control"] and rng.random() < 0.5)
        ):
            picked = order[: half + 1]
            rest = order[half + 1 :]
        for cluster in picked:
            arms[cluster] = "intervention"
        for cluster in rest:
            arms[cluster] = "control"
        size["intervention"] += len(picked)
        size["control"] += len(rest)
    return dict(sorted(arms.items()))
