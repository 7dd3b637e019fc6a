"""The report as a person sees it: headless Chromium (Debian's), every figure drawn, no console
error, no network request, prints to PDF. Uses the hand-made fixture (fast) and, marked slow,
the synthetic demo extract through the pathway engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from forlop.report.build import build_report
from tests.browser import check_page
from tests.cli import forlop

FIXTURE = Path(__file__).parent / "fixtures" / "results"

pytestmark = pytest.mark.browser


def _assert_clean(check) -> None:  # noqa: ANN001
    assert check.console_errors == []
    assert check.failed_or_external_requests == []
    stats = check.figure_stats
    assert stats["plotly_loaded"] is True
    assert stats["graphs"] > 0 and stats["drawn"] == stats["graphs"] and stats["empty"] == []


def test_fixture_report_in_chromium(tmp_path: Path) -> None:
    result = build_report(FIXTURE, tmp_path / "report.html", health_community="Oslo")
    pdf = tmp_path / "report.pdf"
    check = check_page(result.html, tmp_path / "report.png", print_pdf_path=pdf, evaluate={
        "tables": "() => document.querySelectorAll('table').length",
        "highlighted": "() => document.querySelectorAll('tr.hl').length",
    })
    _assert_clean(check)
    assert check.figure_stats["graphs"] == result.figures
    assert check.evaluated["tables"] >= result.tables
    assert check.evaluated["highlighted"] >= 1  # Oslo's rows are marked in the tables
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 10_000


@pytest.mark.slow
def test_demo_report_in_chromium(tmp_path: Path) -> None:
    assert forlop("synth", "--scale", "demo", "--seed", "2020", "--out", str(tmp_path / "x")).exit_code == 0
    assert forlop("pathways", "--data", str(tmp_path / "x"), "--out", str(tmp_path / "p")).exit_code == 0
    run = forlop("report", "--results", str(tmp_path / "p"), "--html", str(tmp_path / "r.html"),
                 "--data", str(tmp_path / "x"))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip().endswith(str((tmp_path / "r.html").resolve()))
    check = check_page(tmp_path / "r.html", tmp_path / "r.png", timeout_ms=60000)
    _assert_clean(check)
    assert check.figure_stats["graphs"] >= 50
