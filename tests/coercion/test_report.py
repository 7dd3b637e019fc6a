"""The coercion report: small-cell suppression, one offline HTML file that opens without errors."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from forlop.coercion.report import suppress_trial
from tests.cli import forlop as run_cli
from tests.coercion.test_trial import write_trial


def cells(html: str, table_id: str) -> list[list[str]]:
    """Return the text cells of the rows of one table of the report."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("<tr>")[2:]]


@pytest.fixture()
def trial_out(tmp_path):
    counts, design = write_trial(tmp_path)
    table = pd.read_csv(counts)
    # cluster A's baseline count becomes 3: a small cell
    table.loc[(table["cluster"] == "A") & (table["month"] == "2018-01"), "events"] = 3
    table.to_csv(counts, index=False)
    out = tmp_path / "out"
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(out))
    assert done.exit_code == 0, done.stderr
    return out


def test_small_cluster_count_and_its_complement_are_hidden(trial_out):
    cluster = pd.read_csv(trial_out / "cluster_rates.csv")
    arm = pd.read_csv(trial_out / "arm_rates.csv")
    hide_cluster, hide_arm = suppress_trial(cluster, arm)
    hidden = set(cluster.loc[hide_cluster, ["cluster", "period"]].itertuples(index=False, name=None))
    # A baseline = 3 (primary). Its line is "A + B = intervention arm at baseline (33)"; with A alone hidden
    # it would be 33 - 30, so B baseline (the only other component) is hidden too. The arm total stays:
    # A + B = 33 with A, B >= 1 leaves A anywhere in 1..32.
    assert hidden == {("A", "baseline"), ("B", "baseline")}
    assert not hide_arm.any()
    html = (trial_out / "report.html").read_text(encoding="utf-8")
    rows = {(r[0], r[2]): r for r in cells(html, "cluster-rates")}
    assert rows[("A", "baseline")][3:5] == ["–", "–"]
    assert rows[("B", "baseline")][3:5] == ["–", "–"]
    assert rows[("C", "baseline")][3] == "25"
    arm_rows = {(r[0], r[1]): r for r in cells(html, "arm-rates")}
    assert arm_rows[("Tiltak", "baseline")][2] == "33"


def test_effects_table_in_report_matches_effects_csv(trial_out):
    effects = pd.read_csv(trial_out / "effects.csv")
    html = (trial_out / "report.html").read_text(encoding="utf-8")
    row = cells(html, "effects")[0]
    # A 3 -> 14 (+11), B 30 -> 26 (-4); C +2, D 0: effect = 1 - 3.5 = -2.5 (the intervention arm rose more)
    assert effects.loc[0, "estimate"] == pytest.approx(-2.5, abs=1e-4)
    # the period names are the user's (trial.yaml); the words around them come from messages.yaml (nb)
    assert row[0] == "fra baseline til intervention"
    assert row[1] == "−2,5"


def test_english_report_uses_decimal_points(trial_out, tmp_path):
    """--lang en: the same effect as -2.5 (decimal point), not "−2,5" (nb)."""
    done = run_cli("coercion", "report", "--trial", str(trial_out), "--out", str(tmp_path / "en.html"), "--lang", "en")
    assert done.exit_code == 0, done.stderr
    row = cells((tmp_path / "en.html").read_text(encoding="utf-8"), "effects")[0]
    assert row[1] == "−2.5"


def test_rates_report_hides_small_areas(clean_dir, tmp_path):
    out = tmp_path / "rates"
    done = run_cli("coercion", "rates", "--data", str(clean_dir), "--out", str(out), "--lang", "en")
    assert done.exit_code == 0, done.stderr
    assert "Computing rates by municipality and year" in done.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html.split("<h3>Involuntary admissions</h3>", 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in section.split("<tr")[2:]]
    # 0301 has 3 and 4601 has 2 involuntary admissions (both 1-4): hidden; the total 5 is shown,
    # since 3 + 2 = 5 with both >= 1 leaves each anywhere in 1..4.
    assert rows[0][:2] == ["0301", "–"] and rows[1][:2] == ["4601", "–"]
    assert rows[2][1] == "5"


@pytest.mark.browser
def test_report_opens_offline_without_errors(trial_out, tmp_path):
    from tests.browser import check_page

    page = check_page(trial_out / "report.html", screenshot_path=tmp_path / "report.png")
    assert page.console_errors == []
    assert page.failed_or_external_requests == []
    assert page.figure_stats["graphs"] == 1 and page.figure_stats["drawn"] == 1
    assert page.screenshot is not None and page.screenshot.exists()


def test_report_without_results_is_one_line_exit_2(tmp_path):
    done = run_cli("coercion", "report", "--trial", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.html"))
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        (f"forlop: {tmp_path / 'nothing' / 'effects.csv'}: finnes ikke: oppgi utdatamappen til "
        "`forlop coercion trial`/`rates`")
    ]
