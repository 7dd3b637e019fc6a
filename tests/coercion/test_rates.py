"""Coercion rates on the hand-made extract of conftest.py (answers worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from forlop.coercion.rates import coercion_rates
from forlop.coercion.rates_run import read_tables, run_rates


def rates_of(clean_dir, by="municipality", period="year"):
    rates, _, excluded = coercion_rates(read_tables(clean_dir), by=by, period=period)
    return rates.set_index(["measure", "area", "period"]), excluded


def test_yearly_counts(clean_dir):
    rates, _ = rates_of(clean_dir)
    events = rates["events"]
    # 0301: person 1 has two involuntary admissions (March, merged with a next-day transfer; September,
    # flag on the receiving episode), person 2 one; the child (person 4) is outside the adult measure.
    assert events[("involuntary_admissions", "0301", "2020")] == 3
    assert events[("persons_admitted", "0301", "2020")] == 2
    # referrals: person 1's two stays + person 2's outpatient referral and stay = 4
    assert events[("referrals", "0301", "2020")] == 4
    # confirmed: person 1 March (observation the next day) + both of person 2's (care the same day) = 3;
    # person 1 September is not (decision 4 days after the start).
    assert events[("confirmed_referrals", "0301", "2020")] == 3
    # 4601: person 3 (PHV only; the TSB stay is not counted) and person 5 (ongoing stay)
    assert events[("involuntary_admissions", "4601", "2020")] == 2
    assert events[("referrals", "4601", "2020")] == 2
    # person 3's treatment_without_consent does not confirm; person 5's observation on 1 Dec does
    assert events[("confirmed_referrals", "4601", "2020")] == 1


def test_crude_and_standardised_rates(clean_dir):
    rates, _ = rates_of(clean_dir)
    row = rates.loc[("involuntary_admissions", "0301", "2020")]
    # 10 000 adults (children left out): 3 / 10 000 x 10 000 = 3.0
    assert row["population"] == 10_000
    assert row["crude"] == pytest.approx(3.0)
    # Standard = both areas' adults: F30-39 8000 (0.40), M30-39 7000 (0.35), M70-79 5000 (0.25).
    # 0301 has no M70-79 population, so its weights are 0.40/0.75 and 0.35/0.75:
    # 0.5333 x 2/6000 + 0.4667 x 1/4000 = 0.00029444 -> 2.944 per 10 000
    assert row["rate"] == pytest.approx((0.4 / 0.75 * 2 / 6000 + 0.35 / 0.75 * 1 / 4000) * 1e4)
    row = rates.loc[("involuntary_admissions", "4601", "2020")]
    # 4601: 0.40 x 0/2000 + 0.35 x 1/3000 + 0.25 x 1/5000 = 0.00016667 -> 1.667 per 10 000
    assert row["rate"] == pytest.approx(1.6667, abs=1e-4)
    # exact Poisson CI of 2 events in 10 000 person-years: chi2(0.025; 4)/2 = 0.2422, chi2(0.975; 6)/2 = 7.2247
    assert row["crude_low"] == pytest.approx(0.2422, abs=1e-4)
    assert row["crude_high"] == pytest.approx(7.2247, abs=1e-4)


def test_excluded_events_are_counted_with_reason(clean_dir):
    _, excluded = rates_of(clean_dir)
    table = excluded.set_index(["measure", "reason"])["events"]
    # person 6 has no residence in 2020: one admission, one person, one referral, nothing confirmed
    assert table[("involuntary_admissions", "no residence in the event year")] == 1
    assert table[("referrals", "no residence in the event year")] == 1
    assert ("confirmed_referrals", "no residence in the event year") not in table.index


def test_monthly_rates_are_annualised_and_complete(clean_dir):
    rates, _ = rates_of(clean_dir, period="month")
    # every month of 2020 for both municipalities, zero months included
    assert len(rates.loc["involuntary_admissions"]) == 24
    row = rates.loc[("involuntary_admissions", "0301", "2020-03")]
    # 1 event in 10 000 / 12 person-years: 1 / 833.33 x 10 000 = 12.0 per 10 000 per year
    assert row["events"] == 1
    assert row["crude"] == pytest.approx(12.0)
    assert rates.loc[("involuntary_admissions", "0301", "2020-02"), "events"] == 0


def test_by_region(clean_dir):
    rates, _ = rates_of(clean_dir, by="region", period="quarter")
    # Helse Vest = 4601: person 3 in Q2, person 5 in Q4; a quarter is 10 000 / 4 = 2500 person-years
    assert rates.loc[("involuntary_admissions", "Helse Vest", "2020Q2"), "events"] == 1
    assert rates.loc[("involuntary_admissions", "Helse Vest", "2020Q4"), "crude"] == pytest.approx(4.0)


def test_rates_command_writes_trial_counts(clean_dir, tmp_path):
    out = tmp_path / "out"
    run_rates(clean_dir, out, by="municipality", period="month")
    counts = pd.read_csv(out / "trial_counts" / "involuntary_admissions.csv", dtype={"cluster": str})
    assert list(counts.columns) == ["cluster", "month", "events", "population"]
    assert len(counts) == 24
    assert counts.set_index(["cluster", "month"]).loc[("0301", "2020-09"), "events"] == 1
    assert (counts["population"] == 10_000).all()
    assert (out / "report.html").exists() is False  # the report is written by the command, not run_rates


def _zero_population(clean_dir, rows) -> None:
    """Set the population count of (municipality, sex, age) ``rows`` to 0 in the clean extract."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pq.read_table(clean_dir / "population.parquet").to_pandas()
    for municipality, sex, age in rows:
        hit = (frame["municipality"] == municipality) & (frame["sex"] == sex) & (frame["age"] == age)
        frame.loc[hit, "count"] = 0
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), clean_dir / "population.parquet")


def test_events_in_a_stratum_with_zero_population_are_excluded(clean_dir):
    # 4601 M aged 70 set to 0 people: person 5 (M, born 1950) has 1 admission, 1 referral (confirmed)
    # and is 1 person admitted there; none of it can enter a rate, all of it is listed.
    _zero_population(clean_dir, [("4601", "M", 70)])
    rates, excluded = rates_of(clean_dir)
    table = excluded.set_index(["measure", "reason"])["events"]
    for measure in ("involuntary_admissions", "persons_admitted", "referrals", "confirmed_referrals"):
        assert table[(measure, "no population in stratum")] == 1
    row = rates.loc[("involuntary_admissions", "4601", "2020")]
    # person 3 only: 1 event in 5000 adults -> crude 2.0; standard F30-39 8000, M30-39 7000 (M70-79 0):
    # 8/15 x 0/2000 + 7/15 x 1/3000 = 0.00015556 -> 1.5556 per 10 000
    assert row["events"] == 1
    assert row["population"] == 5000
    assert row["crude"] == pytest.approx(2.0)
    assert row["rate"] == pytest.approx(7 / 15 / 3000 * 1e4)


def test_area_without_population_has_no_rate_and_its_events_are_excluded(clean_dir, tmp_path):
    # All of 4601 set to 0 people (the synthetic extract's municipality 1832 of issue "Shared foundations"):
    # person 3 (1 admission, 1 referral) and person 5 (1 admission, 1 confirmed referral) are listed.
    _zero_population(clean_dir, [("4601", "F", 30), ("4601", "M", 30), ("4601", "M", 70)])
    rates, excluded = rates_of(clean_dir)
    assert "4601" not in set(rates.index.get_level_values("area"))
    table = excluded.set_index(["measure", "reason"])["events"]
    assert table[("involuntary_admissions", "no population in stratum")] == 2
    assert table[("referrals", "no population in stratum")] == 2
    assert table[("confirmed_referrals", "no population in stratum")] == 1
    assert table[("persons_admitted", "no population in stratum")] == 2
    # and the CLI's excluded.csv says the same
    run_rates(clean_dir, tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "excluded.csv").set_index(["measure", "reason"])["events"]
    assert written[("involuntary_admissions", "no population in stratum")] == 2
