"""The client chart's expected course and off-track flag, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.outcomes.client import client_figure, expected_course, off_track, scored_sessions


def _totals() -> pd.DataFrame:
    """12 clients starting at PHQ-9 12 (band 4: 12-14): clients 0-10 fall, client 99 stays high."""
    rows = []
    second = {i: i for i in range(11)} | {99: 14}
    third = {i: max(i - 1, 0) for i in range(10)} | {10: 5, 99: 14}
    for rid in list(range(11)) + [99]:
        for number, total in enumerate([12, second[rid], third[rid]]):
            rows.append(
                {
                    "referral_id": rid,
                    "session_on": pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * number),
                    "kind": "treatment",
                    "phq": float(total),
                    "gad": np.nan,
                }
            )
    return pd.DataFrame(rows)


def test_expected_course_percentiles():
    scored = scored_sessions(_totals())
    assert set(scored["band"]) == {4}
    course = expected_course(scored).set_index(["measure", "band", "session"])
    # session 2: 0..10 and 14 -> sorted index 9.9 -> 9 + 0.9 * (10 - 9) = 9.9; median (5 + 6) / 2
    assert course.loc[("phq", 4, 2), "p90"] == pytest.approx(9.9)
    assert course.loc[("phq", 4, 2), "p50"] == pytest.approx(5.5)
    # session 3: 0 0 1 2 3 4 5 5 6 7 8 14 -> 7 + 0.9 * (8 - 7) = 7.9
    assert course.loc[("phq", 4, 3), "p90"] == pytest.approx(7.9)
    assert course.loc[("phq", 4, 1), ["p10", "p50", "p90", "clients"]].tolist() == [12, 12, 12, 12]


def test_off_track_needs_two_consecutive_sessions_above():
    scored = scored_sessions(_totals())
    flags = off_track(scored, expected_course(scored))
    # client 99: 14 > 9.9 and 14 > 7.9 -> off track; client 10: 10 > 9.9 but 5 < 7.9 -> on track;
    # client 9: 9 < 9.9, then 8 > 7.9 -> one session only
    assert flags[flags].index.tolist() == [99]


def test_client_figure_has_the_client_and_the_expected_course():
    scored = scored_sessions(_totals())
    fig = client_figure(99, scored, expected_course(scored), lang="en")
    names = [trace.name for trace in fig.data]
    assert "client's scores" in names and "expected course, median" in names
    scores = next(trace for trace in fig.data if trace.name == "client's scores")
    assert list(scores.y) == [12, 14, 14]


def test_client_command_writes_an_internal_page(tmp_path):
    from typer.testing import CliRunner

    from forlop.cli import app
    from forlop.outcomes.analyse import run_analysis
    from tests.outcomes import fixture

    run_analysis(fixture.write(tmp_path / "data", "csv"), tmp_path / "out")
    client = ["outcomes", "client", "--results", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*client, "--referral", "1", "--html", str(tmp_path / "c.html"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "On track."  # 13 referrals: no band has 10 clients, so no course to be off
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "must never be published" in page and "Referral 1: PHQ-9 and GAD-7" in page
    unknown = CliRunner().invoke(app, [*client, "--referral", "77", "--html", str(tmp_path / "d.html")])
    assert unknown.exit_code != 0
