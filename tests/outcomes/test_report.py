"""The outcome report: privacy of the published numbers (fixture), Excel, and the page in headless Chromium."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from forlop.errors import InputError
from forlop.outcomes.analyse import run_analysis
from forlop.outcomes.report import build_report
from forlop.outcomes.synth import write_synthetic
from forlop.privacy import SYMBOL
from tests.outcomes import fixture


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(f'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.fixture(scope="module")
def fixture_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fx")
    run_analysis(fixture.write(folder / "data", "csv"), folder / "out")
    return folder / "out"


def test_small_numbers_are_hidden(fixture_results, tmp_path):
    result = build_report(fixture_results, tmp_path / "r.html", tmp_path / "r.xlsx", lang="en", service="A")
    html = result.html.read_text(encoding="utf-8")
    access = {row[0]: row[1:] for row in _cells(html, "access-service")[1:]}
    # referrals: A 7, B 6, all 13 are shown; assessed: A 7 of 7 (rest 0, shown), B 5 of 6 (rest 1: hidden)
    assert access["A"][0] == "7" and access["B"][0] == "6" and access["All"][0] == "13"
    assert access["A"][1] == "100.0" and access["B"][1] == SYMBOL
    outcomes = {row[0]: row[1:] for row in _cells(html, "outcomes-service")[1:]}
    assert outcomes["A"][2] == SYMBOL and outcomes["All"][2] == SYMBOL  # recovery 2 of 4 and 3 of 7: small
    work = _cells(html, "work")
    assert all(c in (SYMBOL, "0") for row in work[1:] for c in row[1:])  # every transition is one person
    assert 'class="hl"' in html  # service A is highlighted
    assert "must never be published" not in html and "Referral 1" not in html  # no client chart here
    reader = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    assert not re.search(r"(?<![\d.,])(?<!\d )\b00[0-4]\b", reader)  # publications are named, not keyed
    assert "Helsedirektoratet (2013): Utprøving av «Rask psykisk helsehjelp» (IAPT) i Norge" in reader
    book = load_workbook(tmp_path / "r.xlsx")
    assert {"access-service", "outcomes-service", "casemix", "work", "outcomes"} <= set(book.sheetnames)
    published = pd.read_excel(tmp_path / "r.xlsx", sheet_name="outcomes")
    shown = published[~published["hidden"] & published["unit"].eq("count")]
    assert not shown["value"].between(1, 4).any()
    shares = published[~published["hidden"] & published["unit"].eq("share")]
    rest = shares["denominator"] - shares["numerator"]
    assert not (shares["numerator"].between(1, 4) | shares["denominator"].between(1, 4) | rest.between(1, 4)).any()


def test_unknown_service_is_one_line(fixture_results, tmp_path):
    with pytest.raises(InputError, match="--service"):
        build_report(fixture_results, tmp_path / "r.html", service="Nowhere")


def test_missing_results_is_one_line(tmp_path):
    with pytest.raises(InputError, match=r"outcomes\.csv"):
        build_report(tmp_path, tmp_path / "r.html")


@pytest.mark.browser
def test_synthetic_report_in_chromium(tmp_path):
    from tests.browser import check_page

    data = write_synthetic(tmp_path / "data", seed=2013)
    run_analysis(data, tmp_path / "out")
    result = build_report(tmp_path / "out", tmp_path / "r.html", lang="nb", service="Molde")
    html = result.html.read_text(encoding="utf-8")
    assert "<script src" not in html and "https://" not in html.split("</script>")[-1]
    check = check_page(
        result.html,
        tmp_path / "r.png",
        timeout_ms=60000,
        evaluate={
            "tables": "() => document.querySelectorAll('table').length",
            "highlighted": "() => document.querySelectorAll('tr.hl').length",
        },
    )
    assert check.console_errors == [] and check.failed_or_external_requests == []
    stats = check.figure_stats
    assert stats["plotly_loaded"] is True and stats["graphs"] == result.figures == 5  # funnel + 2 x (all, Molde)
    assert stats["drawn"] == stats["graphs"] and stats["empty"] == []
    assert check.evaluated["tables"] >= result.tables
    assert check.evaluated["highlighted"] >= 4  # Molde in access, outcomes, case mix, completeness, readings
    assert "Bedring %" in html and "Traktdiagram" in html
