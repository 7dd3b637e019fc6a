"""Case-mix adjustment: expected recovery from the logistic model, O/E, too few, funnel position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.outcomes.casemix import casemix
from forlop.stats import classify


def _referrals(seed: int = 1) -> pd.DataFrame:
    """Two services with the same true model but different start severity, and a tiny third one."""
    rng = np.random.default_rng(seed)
    rows = []
    for service, mean, n in (("mild", 11, 2000), ("severe", 17, 2000), ("tiny", 14, 19)):
        phq = np.clip(np.round(rng.normal(mean, 3, n)), 10, 27)
        gad = np.clip(np.round(rng.normal(mean - 2, 3, n)), 0, 21)
        p = 1 / (1 + np.exp(-(4.0 - 0.25 * phq - 0.05 * gad)))
        rows.append(
            pd.DataFrame(
                {
                    "service": service,
                    "phq_first": phq,
                    "gad_first": gad,
                    "age": rng.integers(18, 70, n),
                    "sex": rng.choice(["F", "M"], n),
                    "work_start": rng.choice(["working", "sick_leave", None], n),
                    "source": rng.choice(["self", "gp"], n),
                    "recovered": pd.array(rng.random(n) < p, dtype="boolean"),
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    extra = frame.iloc[:5].assign(recovered=pd.array([pd.NA] * 5, dtype="boolean"))  # not in the denominator
    return pd.concat([frame, extra], ignore_index=True)


def test_case_mix_explains_the_crude_difference():
    table, p0 = casemix(_referrals())
    t = table.set_index("service")
    assert t.loc["mild", "crude_rate"] - t.loc["severe", "crude_rate"] > 0.25  # crude rates far apart
    for service in ("mild", "severe"):
        assert t.loc[service, "ratio_low"] < 1 < t.loc[service, "ratio_high"]  # same once adjusted
        assert t.loc[service, "ratio"] == pytest.approx(t.loc[service, "observed"] / t.loc[service, "expected"])
        assert t.loc[service, "adjusted_rate"] == pytest.approx(t.loc[service, "ratio"] * p0)
    # a logistic model with an intercept reproduces the total: sum of expected = sum of observed
    assert t["expected"].sum() == pytest.approx(t["observed"].sum(), rel=1e-6)
    assert t.loc[["mild", "severe", "tiny"], "cases"].tolist() == [2000, 2000, 19]
    assert p0 == pytest.approx(t["observed"].sum() / 4019)


def test_too_few_and_funnel_position():
    table, p0 = casemix(_referrals())
    t = table.set_index("service")
    assert bool(t.loc["tiny", "too_few"]) and t.loc["tiny", "funnel"] == "too_few"
    assert np.isnan(t.loc["tiny", "ratio"])
    assert not t.loc["mild", "too_few"]
    expected = classify([t.loc["mild", "adjusted_rate"] * 2000], [2000], p0)[0]
    assert t.loc["mild", "funnel"] == expected
