"""The cohort flow table (001 §4.1) hides a small death count with a complement (docs/definitions.md, Report).

The fixture's flow (the engine's cohort_flow.csv of a hand-made extract): 900 persons, 600 with an
SMI diagnosis, 169 with a completed stay, 3 who died within 365 days, a cohort of 166. The 3 is
hidden (1-4). Shown beside it, 169 - 166 would give it back, and the cohort is table 1's total, so
the persons with a completed stay are hidden; then died + cohort = completed leaves died anywhere
in [1, inf).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from forlop.privacy import Line, attack
from forlop.report.data import read_results
from forlop.report.publish import Publisher
from forlop.report.spec import load_spec
from forlop.report.tables import build_flow
from forlop.report.usage import published_breakdowns

FIXTURE = Path(__file__).parent / "fixtures" / "results"


def test_flow_hides_deaths_and_the_completed_stays_not_the_cohort() -> None:
    pub = Publisher(read_results(FIXTURE), published=published_breakdowns(load_spec()))
    spec = load_spec()
    item = next(i for s in spec["sections"] for i in s["items"] if i["id"] == "flow")
    table = build_flow(item, pub, "en", spec["flow_steps"])
    shown = [row[0] for row in table.numbers]
    assert shown == [900.0, 600.0, None, None, 166.0]
    assert [row[1] for row in table.rows][2:4] == ["–", "–"]
    assert table.hidden == 2
    # The attacker's view: the published flow plus died + cohort = completed.
    values = np.array([900, 600, 169, 3, 166], dtype=float)
    hidden = np.array([v is None for v in shown])
    low, high = attack(values, hidden, [Line((3, 4), 2)])
    assert low[3] == 1 and high[3] == np.inf
