"""Suppression across indicators: a stacked figure whose segments add up to a published total.

Hand-made, like 001 figure 4: patients with a readmission split by number of readmissions (c1, c2,
c3), per diagnosis group; the figure shows all, schizophrenia and bipolar; anxiety and other
diagnoses are not shown (unknowns to a reader).

            c1  c2  c3 | total (published elsewhere, e.g. table 6)
    all     29  34  20 |  83
    schiz   10  17   3 |  30
    bipolar  8   6   6 |  20
    anxiety  5   5   5 |  15   (not in the figure)
    other    6   6   6 |  18   (not in the figure)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.report.data import Results
from forlop.report.joint import partition_extra, settle
from forlop.report.publish import Publisher
from forlop.privacy import Line, attack

ROWS = [("all", "all"), ("diagnosis_group", "schizophrenia"), ("diagnosis_group", "bipolar"),
        ("diagnosis_group", "anxiety"), ("diagnosis_group", "other")]
COUNTS = {"c1": [29, 10, 8, 5, 6], "c2": [34, 17, 6, 5, 6], "c3": [20, 3, 6, 5, 6]}
TOTALS = [83, 30, 20, 15, 18]
PATIENTS = [330, 100, 80, 70, 80]
ITEM = {"id": "fig", "kind": "stack", "series": ["all", "schizophrenia", "bipolar"],
        "categories": [{"indicator": c} for c in COUNTS],
        "partition": {"indicator": "readmission_share_365d", "field": "numerator"}}
SPEC = {"selected_groups": ["all", "schizophrenia", "bipolar"]}


def _publisher() -> Publisher:
    rows = []
    for k, (b, g) in enumerate(ROWS):
        rows.append(("readmission_share_365d", b, g, TOTALS[k], PATIENTS[k], TOTALS[k] / PATIENTS[k], "share"))
        for c, counts in COUNTS.items():
            rows.append((c, b, g, counts[k], TOTALS[k], counts[k] / TOTALS[k], "share"))
    frame = pd.DataFrame(rows, columns=["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit"])
    return Publisher(Results(indicators=frame, flow=pd.DataFrame()))


def _shown_pattern(pub: Publisher) -> list[str]:
    return ["".join("H" if pub.hidden(c, b, g) else "." for c in COUNTS) for b, g in ROWS[:3]]


def _attack_schizophrenia_c3(pub: Publisher) -> tuple[float, float]:
    """What a reader of the figure (and of the totals) can say about schizophrenia's c3 (true 3)."""
    values = np.array([[*[COUNTS[c][k] for c in COUNTS], TOTALS[k]] for k in range(5)], dtype=float)
    hidden = np.zeros_like(values, dtype=bool)
    for k, (b, g) in enumerate(ROWS[:3]):
        for j, c in enumerate(COUNTS):
            hidden[k, j] = pub.hidden(c, b, g)
    hidden[3:, :3] = True  # the segments of anxiety and other are not in the figure
    lines = [Line((4 * k, 4 * k + 1, 4 * k + 2), 4 * k + 3) for k in range(5)]  # c1 + c2 + c3 = total
    lines += [Line((4 + j, 8 + j, 12 + j, 16 + j), j) for j in range(4)]  # groups add up to all
    low, high = attack(values.ravel(), hidden.ravel(), lines)
    return low[6], high[6]


def test_one_hidden_segment_alone_in_its_bar_is_recovered_without_joint_suppression() -> None:
    pub = _publisher()
    # Per indicator: c3 schizophrenia (3) is 1-4; its column (groups add up to all) gets the
    # smallest other positive group as complement, anxiety (5). Nothing else is hidden.
    assert _shown_pattern(pub) == ["...", "..H", "..."]
    # But the bar: c3 = 30 - 10 - 17 = 3. The attack finds it exactly.
    assert _attack_schizophrenia_c3(pub) == (3.0, 3.0)


def test_joint_suppression_pattern_by_hand_and_the_attack_fails() -> None:
    pub = _publisher()
    # Joint table, first round: schizophrenia's bar has one hidden segment (c3), so the smallest
    # other positive segment of that bar is hidden too: c1 (10 < 17). The columns also hold the
    # unknown cells of anxiety and other, so they need nothing more.
    assert partition_extra(ITEM, SPEC, pub) == {"c1": {("diagnosis_group", "schizophrenia")}}
    rounds = settle(pub, [lambda: partition_extra(ITEM, SPEC, pub)])
    # Round 1 forces c1/schizophrenia (and, per indicator, c1/anxiety as its complement in the
    # column); round 2 finds nothing new.
    assert rounds == 2
    assert _shown_pattern(pub) == ["...", "H.H", "..."]
    # Attack: with x = schizophrenia c1, its c3 = 30 - 17 - x = 13 - x; column c1: anxiety c1 +
    # other c1 = 29 - 8 - x = 21 - x; column c3: anxiety c3 + other c3 = 20 - 6 - (13 - x) = 1 + x;
    # column c2: anxiety c2 + other c2 = 34 - 17 - 6 = 11; rows anxiety = 15, other = 18 (these
    # agree: 21 - x + 1 + x + 11 = 33). Every hidden count >= 1: 13 - x >= 1 gives x <= 12;
    # 1 + x >= 2 gives x >= 1. So c3 = 13 - x lies anywhere in [1, 12]: not recovered.
    assert _attack_schizophrenia_c3(pub) == (1.0, 12.0)
