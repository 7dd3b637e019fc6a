"""From an extract to a trial: `coercion rates --by municipality --period month` feeds `coercion trial`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import Result

from tests.cli import forlop as run_cli


def _trial(tmp_path: Path, counts: Path, *options: str) -> tuple[Result, Path]:
    """``coercion trial`` of ``counts``: 0301 intervention, 4601 control, baseline January-June 2020, later
    July-December; the run and its --out folder."""
    design = tmp_path / "trial.yaml"
    design.write_text(
        'arms:\n  "0301": intervention\n  "4601": control\nperiods:\n'
        "  baseline: [2020-01, 2020-06]\n  later: [2020-07, 2020-12]\n",
        encoding="utf-8",
    )
    out = tmp_path / "trial"
    return run_cli(
        "coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(out), *options
    ), out


def test_monthly_counts_feed_the_trial(clean_dir, tmp_path):
    rates = tmp_path / "rates"
    done = run_cli("coercion", "rates", "--data", str(clean_dir), "--out", str(rates), "--period", "month")
    assert done.exit_code == 0, done.stderr
    assert "Beregner rater per kommune og måned" in done.stderr  # Norwegian by default, no English words
    done, out = _trial(tmp_path, rates / "trial_counts" / "involuntary_admissions.csv")
    assert done.exit_code == 0, done.stderr
    effects = pd.read_csv(out / "effects.csv")
    # 6 months of 10 000 adults = 5 000 person-years. 0301 (intervention): March + April = 2 in the first
    # half (4.0 per 10 000), September = 1 in the second (2.0): change -2. 4601 (control): May = 1 (2.0),
    # November = 1 (2.0): change 0. Effect = 0 - (-2) = 2.0.
    assert effects.loc[0, "estimate"] == pytest.approx(2.0, abs=1e-3)
    # One cluster per arm leaves no degrees of freedom: no CI, and the notes say why (Norwegian by default),
    # and stderr says where the notes are.
    assert effects.loc[0, ["ci_low", "ci_high"]].isna().all()
    assert "Ingen frihetsgrader igjen" in (out / "notes.txt").read_text(encoding="utf-8")
    assert f"1 merknader om modelltilpasningen: {out / 'notes.txt'}" in done.stderr


def test_bad_by_is_one_line_exit_2(clean_dir, tmp_path):
    done = run_cli("coercion", "rates", "--data", str(clean_dir), "--out", str(tmp_path / "o"), "--by", "county")
    assert done.exit_code == 2
    assert done.stderr.strip() == "forlop: --by: 'county' er ikke en av 'municipality', 'health_community', 'region'"


def test_confirmed_share_counts_and_share_trial(clean_dir, tmp_path):
    rates = tmp_path / "rates"
    assert (
        run_cli("coercion", "rates", "--data", str(clean_dir), "--out", str(rates), "--period", "month").exit_code == 0
    )
    share = pd.read_csv(rates / "trial_counts" / "confirmed_share.csv", dtype={"cluster": str})
    share = share.set_index(["cluster", "month"])
    # 0301: March 1 referral, confirmed; April 2 referrals (outpatient + stay), both confirmed;
    # September 1 referral, not confirmed (decision 4 days later). 4601 November: 1 of 1.
    assert share.loc[("0301", "2020-03")].tolist() == [1, 1]
    assert share.loc[("0301", "2020-04")].tolist() == [2, 2]
    assert share.loc[("0301", "2020-09")].tolist() == [0, 1]
    assert share.loc[("4601", "2020-11")].tolist() == [1, 1]
    done, out = _trial(tmp_path, rates / "trial_counts" / "confirmed_share.csv", "--outcome", "share")
    assert done.exit_code == 0, done.stderr
    effects = pd.read_csv(out / "effects.csv")
    # 0301: 3/3 = 100% -> 0/1 = 0%: change -100. 4601: 0/1 (May, person 3 not confirmed) = 0% -> 1/1 = 100%:
    # change +100. Effect = 100 - (-100) = 200 percentage points.
    assert effects.loc[0, "estimate"] == pytest.approx(200.0, abs=1e-6)
    assert effects.loc[0, "unit"] == "percentage points"
