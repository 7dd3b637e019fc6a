"""Every indicator of outcomes.csv is defined in docs/definitions.md, and every threshold is read from the data file."""

from __future__ import annotations

import re
from pathlib import Path

from forlop.outcomes.definitions import definitions, measures
from forlop.outcomes.indicators import indicator_order

DOCS = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"


def _section() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return text[text.index("## Outcome monitoring (003)") :]


def test_every_indicator_is_defined():
    ids = set(re.findall(r"`([a-z0-9_]+)`", _section()))
    assert [i for i in indicator_order() if i not in ids] == []


def test_thresholds_come_from_the_data_file():
    assert {k: (m.caseness, m.reliable_change) for k, m in measures().items()} == {"phq": (10, 6), "gad": (8, 4)}
    assert definitions()["wait_days"] == {"seen_within_6_weeks": 42, "seen_within_18_weeks": 126}
    assert definitions()["finished_min_treatment_sessions"] == 2
    assert definitions()["min_finished_cases"] == 20
