"""Monthly P charts: the series worked out by hand on the fixture, and the QI engine's chart on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.outcomes.charts import charts, monthly, p_chart
from forlop.outcomes.reading import read_tables
from forlop.outcomes.referrals import build_referrals
from forlop.outcomes.synth import synth_tables
from tests.outcomes import fixture


def test_monthly_series_by_hand(tmp_path):
    v = read_tables(fixture.write(tmp_path / "data", "csv"), tmp_path / "out")
    months = monthly(build_referrals(v.referrals, v.sessions))
    rec = months[months["indicator"] == "recovery"]
    got = {
        (s, str(m.date())[:7]): (int(a), int(b))
        for s, m, a, b in rec[["service", "month", "numerator", "denominator"]].itertuples(index=False)
    }
    # recovery base: A: R1 (ended March, recovered), R11 (March, yes), R2, R3 (April, no);
    # B: R6 (April, no), R7 (May, no), R12 (August, yes)
    assert got == {
        ("A", "2024-03"): (2, 2),
        ("A", "2024-04"): (0, 2),
        ("B", "2024-04"): (0, 1),
        ("B", "2024-05"): (0, 1),
        ("B", "2024-08"): (1, 1),
        ("all", "2024-03"): (2, 2),
        ("all", "2024-04"): (0, 3),
        ("all", "2024-05"): (0, 1),
        ("all", "2024-08"): (1, 1),
    }


def test_p_chart_limits_and_reading():
    refs, sessions = synth_tables(2013)
    for c in ("referred_on", "assessed_on", "ended_on"):
        refs[c] = pd.to_datetime(refs[c])
    sessions["session_on"] = pd.to_datetime(sessions["session_on"])
    months = monthly(build_referrals(refs, sessions))
    series = months[(months["indicator"] == "recovery") & (months["service"] == "all")].sort_values("month")
    result = p_chart(series)
    p = result.points
    centre = series["numerator"].sum() / series["denominator"].sum()
    assert p["cl"].iloc[0] == pytest.approx(100 * centre)
    n = series["denominator"].to_numpy(float)
    assert p["ucl"].to_numpy() == pytest.approx(100 * np.minimum(1, centre + 3 * np.sqrt(centre * (1 - centre) / n)))
    done = charts(months, lang="en")
    assert done["recovery"][0][0] == "all" and len(done["recovery"]) == 18
    assert all(
        r.status
        in ("random", "improvement", "worsening", "too_few", "baseline_improvement", "baseline_worsening", "undirected")
        for _, _, r in done["recovery"]
    )
