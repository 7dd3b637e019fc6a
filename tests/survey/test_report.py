"""The survey report: 002's threshold with complementary cells (hand-made OUT folder), 002's table
layout, absent files, one-line errors, Excel, and the page in headless Chromium."""

from __future__ import annotations

import html as htmllib
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from forlop.errors import InputError
from forlop.privacy import Line, attack
from forlop.survey.published import RULE, hide_frequencies
from forlop.survey.report import build_report, spec
from tests.cli import forlop
from tests.survey import report_fixture

STAR = "*"


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(f'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [
        [htmllib.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in _cells(html, table_id)}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return report_fixture.write(tmp_path_factory.mktemp("survey") / "out")


@pytest.fixture(scope="module")
def english(results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    result = build_report(results, folder / "r.html", folder / "r.xlsx", lang="en", unit="A")
    return result, result.html.read_text(encoding="utf-8")


def test_primary_and_complementary_cells_are_hidden(english):
    _, html = english
    m1 = _rows(html, "figure-9-8")  # Figure 9-8: M1, has a treatment plan
    # PHV 40 / 55 / 5 of 100: "Don't know" 5 is small (primary); Yes 40 goes with it (complementary),
    # else 100 - 55 - 40 would give the 5 back. TSB 20 / 20 / 10 of 50 is shown; AS n = 8 hides all.
    assert m1["Yes"] == [STAR, "40", STAR]
    assert m1["No"] == ["55", "40", STAR]
    assert m1["Don't know"] == [STAR, "20", STAR]
    assert m1["n"] == ["100", "50", STAR]
    assert "Figure 9-8 Do you have a treatment plan? Per cent within sector. n=*" in html  # 100 + 50 + 8 hidden
    video = _rows(html, "figure-8-1")  # H10 = yes by age group, PHV: 12 of 30 and 3 of 70 (small)
    assert video["18–24"][0] == STAR and video["25–35"][0] == STAR  # 3 primary, 12 = 15 - 3 complementary
    assert video["Total"][0] == "15"
    services = _rows(html, "figure-7-1")  # K4, multiple choice, PHV n = 100
    assert services["GP"][0] == STAR  # 92 of 100: the 8 who did not tick it are few
    assert services["Outreach team (e.g. ACT, FACT or similar)"][0] == STAR  # 7
    assert services["NAV – finances / housing"][:2] == ["30", "0"]  # TSB: nobody ticked it (no row)
    assert services["GP"][1:] == ["50", ""]  # AS: no answers at all, blank rather than hidden
    assert _rows(html, "figure-item")["Yes"] == ["15", "40", ""]  # H10: PHV and TSB; the total column is not shown
    relation = _rows(html, "figure-10-2")  # STAR mean by diagnosis; overlapping groups, no line
    assert relation["Depression"][0] == "3.20" and relation["Total"] == ["3.10", "3.00", STAR]
    assert relation["Schizophrenia/Schizotypal disorder/Paranoid disorders"][0] == STAR  # n = 4


def test_figures_by_severity_and_duration_combined(english):
    """002 Fig 6-8, 6-9 (the derived item L7a_L8a) and 7-2 (K4 by its groups 1 and 2)."""
    _, html = english
    shares = _rows(html, "figure-6-8")  # PHV 20 / 30 / 50 of 100; TSB 0 / 15 / 35 of 50
    assert shares["Severe problems for more than 5 years"][:2] == ["30", "30"]
    assert shares["Mild or moderate problems for under 5 years"][:2] == ["20", "0"] and shares["n"][:2] == ["100", "50"]
    ages = _rows(html, "figure-6-9")  # of the 30 severe > 5 years in PHV: 12 aged 18-24 (40 %), 18 aged 25-35
    assert ages["18–24"][:2] == ["40", STAR] and ages["25–35"][:2] == ["60", STAR]  # TSB: 7 and 8, small
    assert ages["n"][:2] == ["30", "15"]
    services = _cells(html, "figure-7-2")
    assert services[0][1:] == [
        "Mild or moderate problems for under 5 years (%)",
        "Severe problems for more than 5 years (%)",
    ]
    rows = {r[0]: r[1:] for r in services[1:]}
    assert rows["NAV – finances / housing"] == ["33", "25"]  # 10 of 30, 10 of 40; the rest group (3) not shown
    assert rows["GP"] == [STAR, STAR] and rows["n"] == ["30", "40"]  # 27 of 30, 36 of 40: 3 and 4 did not tick


def test_figures_by_treatment_status_and_for_the_whole_sample(english):
    """002 Fig 6-12/6-13 (L3 by H1a), 8-2 (sector "all") beside 8-3, 11-3 (C1-C12 by diagnosis), 4-3."""
    _, html = english
    assert (
        _rows(html, "figure-6-12")["Good"][0] == "43" and _rows(html, "figure-6-13")["Good"][0] == "40"
    )  # 30/70, 12/30
    assert (
        "Figure 6-13 How is your mental health at present? Answers of patients who recently finished treatment" in html
    )
    whole = _rows(html, "figure-8-2")  # one column, the three sectors together
    assert whole["ADHD/ADD"] == ["50"] and whole["Total"] == ["23"]  # 35 of 70; 35 of 150
    by_sector = _rows(html, "figure-8-3")
    # depression: TSB's 4 of 20 is small; PHV's 30 and the whole sample's 34 would give it back (34 - 30),
    # so one of the two is hidden as well (sectors add up to "all")
    assert by_sector["Depression"][1] == STAR
    assert by_sector["Depression"][0] == STAR or whole["Depression"] == [STAR]
    grid = _cells(html, "figure-11-3")
    assert grid[0] == ["Diagnosis group", "C1", "C2"]
    assert grid[1] == ["Depression", "3.40", "2.90"] and grid[2] == ["Schizophrenia", STAR, ""] and grid[3][1] == "3.30"
    assert "The results have no numbers for C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12 × diagnosis, TSB" in html
    errors = _rows(html, "figure-4-3")  # frame 1000 / 300 / 100 of 1400; unreachable 45 / 20 / 2 of 67
    assert errors["Mental health care"] == ["71", "67"] and errors["Private specialist"] == ["7", STAR]
    assert errors["Substance-use treatment (TSB)"][1] == STAR  # 20 = 67 - 45 - 2 would give the 2 back
    sexes = _rows(html, "figure-4-4")  # per sector: frame %, unreachable %
    assert sexes["Female"] == ["60", "44", "33", STAR] and sexes["Male"] == ["40", "56", "67", STAR]  # 20/45; TSB 3
    assert _rows(html, "figure-4-5")["18–24"] == ["67"]  # 30 of PHV's 45 unreachable; TSB has no ages
    assert _rows(html, "figure-4-2")["25–35"] == ["70"]  # 700 of PHV's 1000 in the frame
    # Tab 4-4, AS by region and sex: men 20 + 5, women 50 + 25; answered 6 + 2 (small). Nord's 5 men are small;
    # with every total shown (rows 70, 30; columns 25, 75) a reader of the 2 x 2 table needs one more cell in
    # Nord's row, one in the men's column and so one in each of the others: all four are hidden
    regions = _cells(html, "table-4-4")
    assert regions[1] == [
        "Health region", "Male", "Female", "Total pop.", "Share of total pop. (%)", "Number in the sample",
        "Share of the sample (%)",
    ]  # fmt: skip
    regions = _rows(html, "table-4-4")
    assert regions["Vest"] == [STAR, STAR, "70", "70.0", STAR, STAR]
    assert regions["Nord"] == [STAR, STAR, "30", "30.0", STAR, STAR]
    assert regions["Total"] == ["25", "75", "100", "100.0", STAR, STAR]


def test_complement_leaves_the_hidden_count_undetermined():
    freq = report_fixture.frequencies()
    pub = hide_frequencies(freq, multiple={"K4"}, partitions={"age_group"})
    phv = pub[(pub["item"] == "M1") & (pub["sector"] == "PHV")].sort_values("option")
    assert phv["hidden"].tolist() == [True, False, True]
    values = np.array([40, 55, 5, 100], dtype=float)
    low, high = attack(values, np.array([True, False, True, False]), [Line((0, 1, 2), 3)], RULE)
    assert (low[2], high[2]) == (1, 44)  # "don't know" could be anything from 1 to 44
    h10 = pub[(pub["item"] == "H10") & (pub["breakdown"] == "age_group")]
    assert h10["hidden"].all() and not h10["n_hidden"].any()  # the groups' n (30, 70) are not small


def test_a_figure_of_one_group_publishes_only_that_group():
    """002 Fig 6-13 shows the answers of one treatment status. Hand-worked: all 60/40 of 100; groups
    1: 30/20, 2: 25/15, 3: 5/5 (3 small counts). With every group published, group 3's fives are hidden
    (and complements). With only group 2 published, groups 1 and 3 are one unpublished rest (35/25 of 60,
    not small), so nothing of group 2 is hidden and the fives are published nowhere."""
    from forlop.survey.report import published

    rows = [("all", "all", 60, 40), ("treatment", "1", 30, 20), ("treatment", "2", 25, 15), ("treatment", "3", 5, 5)]
    freq = pd.DataFrame(
        [
            {"item": "L3", "sector": "PHV", "breakdown": b, "group": g, "option": o, "count": c, "n": a + z}
            for b, g, a, z in rows
            for o, c in (("1", a), ("2", z))
        ]
    )
    every = hide_frequencies(freq, set(), {"treatment"}, published={("L3", "treatment", None)})
    assert every.loc[every["group"] == "3", "hidden"].all() and every["hidden"].sum() > 2
    one = hide_frequencies(freq, set(), {"treatment"}, published={("L3", "treatment", "2")})
    assert one.groupby("group")["hidden"].all().to_dict() == {"1": True, "2": False, "3": True, "all": False}
    assert not one["n_hidden"][one["group"].isin(["2", "all"])].any()
    assert ("L3", "treatment", "2") in published("item") and ("L3", "treatment", None) not in published("item")


def test_response_table_of_002(english):
    _, html = english
    table = _rows(html, "table-4-1")
    assert table["Mental health care"] == ["1,000", "955", "45", "95", "760", "100", "10", "10"]
    private = table["Private specialist"]
    assert private[0] == "100" and private[2] == STAR and private[5] == STAR  # 2 unreachable, 8 answered
    assert table["Total"][0] == "1,400"
    units = _rows(html, "table-4-2")
    assert units["A"] == ["600", "60.0", "60", "60.0"] and units["B"] == ["400", "40.0", "40", "40.0"]
    assert "4-2" in html and '<tr class="hl"><td>A</td>' in html  # --unit A is marked


def test_representativeness_of_002_chapter_4(english):
    _, html = english
    sex = _rows(html, "table-4-5")
    assert sex["Female"] == ["600", "60.0", "70", "70.0", "120", "40.0", STAR, STAR]  # TSB: 44 of 50, 6 men
    assert sex["Male"] == ["400", "40.0", "30", "30.0", "180", "60.0", STAR, STAR]
    assert sex["Total"] == ["1,000", "100.0", "100", "100.0", "300", "100.0", "50", "100.0"]
    assert _rows(html, "table-4-6")["Vest"] == ["", "", "100", "100.0"]  # no register population: blank
    assert _rows(html, "figure-4-6")["Female"] == sex["Female"]  # the figure of table 4-5's numbers
    assert _rows(html, "figure-4-10")["Vest"] == ["", "", "100", "100.0"]  # one sector per figure: PHV
    assert _cells(html, "figure-4-10")[0] == ["", "Mental health care"]
    assert "figure-4-11" not in html  # TSB: no region rows in the results
    # Tab 4-9 (PHV, all of 2022) by diagnosis group and sex: anxiety's 4 men are small; every total is shown,
    # so the four cells of the 2 x 2 table go (as Tab 4-4 above); the groups in 002's order (anxiety first)
    cells = _cells(html, "table-4-9")
    assert cells[0] == ["", "Mental health care"] and cells[1][1:] == ["Male", "Female", "Total"]
    table = _rows(html, "table-4-9")
    assert [r[0] for r in cells[2:]] == ["Anxiety disorder", "Depression", "Total"]
    assert table["Anxiety disorder"] == [STAR, STAR, "20"] and table["Depression"] == [STAR, STAR, "80"]
    assert table["Total"] == ["34", "66", "100"]
    # Tab 4-8 is of Feb-Apr 2023 (period last), which has no diagnosis rows here
    assert "The results have no numbers for diagnosis_group × sex, 2023-02/2023-04" in html
    assert "table-4-8" not in html


def test_regression_tables_have_002s_layout(english):
    _, html = english
    cells = _cells(html, "table-9-1")
    assert cells[0] == ["", "Mental health care", "Substance-use treatment (TSB)", "Private specialist"]
    assert cells[1][1:4] == ["Odds ratio", "P>|t|", "[95 % conf. interval]"]  # the interval spans two columns
    assert '<th colspan="2">[95 % conf. interval]</th>' in html
    rows = {r[0]: r[1:] for r in cells[2:]}
    assert "Intercept" not in rows  # 002 prints no constant
    assert rows["Sex (female=1)"][:4] == ["0.876", "0.003", "0.802", "0.956"]
    assert rows["Therapist relationship (STAR)"][:2] == ["10.600", "<0.001"]
    assert rows["Sex (female=1)"][8:] == [STAR] * 4  # AS: N = 8
    assert rows["N"][0] == "N=100" and rows["N"][4] == "N=50" and rows["N"][8] == STAR
    ols = {r[0]: r[1:] for r in _cells(html, "table-10-1")[2:]}
    assert ols["R²"][0] == "0.09" and _cells(html, "table-10-1")[1][1] == "Coef."


def test_additions_are_marked(english):
    _, html = english
    weighted = _rows(html, "table-weighted")
    assert weighted["STAR, Mental health care"] == ["100", "3.10", "0.060", "2.98–3.22", "3.05", "0.070", "2.91–3.19"]
    assert weighted["STAR, Private specialist"] == [STAR] * 7
    assert html.count("Addition in Forløp: Units compared") == 2  # PHV and TSB
    phv = _rows(html, "figure-units")
    assert phv["B"] == ["40", "2.90", "3.10", "2.90 (2.70–2.98)", "Lower than national"]
    tsb = _rows(html, "figure-units-2")
    assert tsb["C"] == [STAR] * 5 and tsb["D"] == [STAR] * 5  # 5 answers; 45 = 50 - 5 complementary
    assert 'class="addition-mark"' in html


def test_funnel_limits_are_those_of_units_funnel_csv(english):
    """PHV's funnel draws units_funnel.csv's limits (hi95 at n = 10: 3.4099); TSB has none: no figure."""
    _, html = english
    assert html.count('"y": [3.4098975') == 1 and html.count('"y": [2.7901024') == 1  # hi95 and lo95 at n = 10


def test_chapters_follow_002(english):
    result, html = english
    titles = re.findall(r"<h2 id=\"([a-z]+)\"", html)[:-1]  # the last: choices where 002 is silent
    assert titles == [c["id"] for c in spec()["chapters"]]
    assert titles[:9] == [
        "response",
        "sample",
        "challenges",
        "services",
        "video",
        "quality",
        "relationship",
        "continuity",
        "benefit",
    ]
    reader = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    assert "SINTEF (2024): Nasjonal bruker- og pasientundersøkelse" in reader
    assert not re.search(r"(?<![\d.,])(?<!\d )\b002\b", reader)  # the publication is named, not keyed
    assert "The results have no numbers for T7_1." in reader  # a model absent from regressions.csv
    assert result.figures == reader.count('class="figure"')


def test_norwegian_is_the_default(results, tmp_path):
    result = build_report(results, tmp_path / "r.html")
    html = result.html.read_text(encoding="utf-8")
    assert "Respons og representativitet" in html and "Tillegg i Forløp" in html
    assert _rows(html, "table-4-1")["Psykisk helsevern"][0] == "1\u00a0000"


def test_absent_file_leaves_a_note(results, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for path in results.iterdir():
        if path.name not in ("weighted.csv", "regressions.csv"):
            (out / path.name).write_bytes(path.read_bytes())
    html = build_report(out, tmp_path / "r.html", lang="en").html.read_text(encoding="utf-8")
    assert html.count("The results file regressions.csv is not in the results folder") == 11  # eleven models
    assert "The results file weighted.csv is not in the results folder" in html
    assert _rows(html, "figure-9-8")["No"][0] == "55"


def test_excel_has_the_same_tables(english):
    result, _ = english
    book = load_workbook(result.xlsx)
    assert {"figure-9-8", "table-4-1", "table-9-1", "table-weighted", "figure-units"} <= set(book.sheetnames)
    sheet = [[c.value for c in row] for row in book["figure-9-8"].iter_rows()]
    assert sheet[0][0].startswith("Figure 9-8 Do you have a treatment plan?")
    assert sheet[2] == ["Yes", STAR, "40", STAR] and sheet[5] == ["n", "100", "50", STAR]
    assert len(book.sheetnames) == result.tables


def test_bad_input_is_one_line(results, tmp_path):
    with pytest.raises(InputError, match="--unit"):
        build_report(results, tmp_path / "r.html", unit="Nowhere")
    with pytest.raises(InputError, match="no results"):
        build_report(tmp_path / "missing", tmp_path / "r.html", lang="en")
    broken = tmp_path / "broken"
    broken.mkdir()
    report_fixture.scores().drop(columns=["sd"]).to_csv(broken / "scores.csv", index=False)
    with pytest.raises(InputError, match=r"scores\.csv: column 'sd'"):
        build_report(broken, tmp_path / "r.html", lang="en")
    run = forlop("survey", "report", "--results", str(tmp_path / "missing"), "--html", str(tmp_path / "r.html"))
    assert run.exit_code == 2 and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_command_line(results, tmp_path):
    run = forlop(
        "survey",
        "report",
        "--results",
        str(results),
        "--html",
        str(tmp_path / "r.html"),
        "--xlsx",
        str(tmp_path / "r.xlsx"),
        "--lang",
        "en",
        "--unit",
        "B",
    )
    assert run.exit_code == 0, run.stderr
    assert "Report written" in run.stdout and (tmp_path / "r.xlsx").exists()


@pytest.mark.browser
def test_report_in_chromium(results, tmp_path):
    from tests.browser import check_page

    result = build_report(results, tmp_path / "r.html", lang="nb", unit="A")
    html = result.html.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html
    check = check_page(
        result.html,
        tmp_path / "r.png",
        timeout_ms=60000,
        evaluate={"tables": "() => document.querySelectorAll('table').length"},
    )
    assert check.console_errors == [] and check.failed_or_external_requests == []
    stats = check.figure_stats
    assert stats["plotly_loaded"] is True and stats["graphs"] == result.figures
    assert stats["drawn"] == stats["graphs"] and stats["empty"] == []
    assert check.evaluated["tables"] == result.tables
    assert check.screenshot is not None and check.screenshot.stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.browser
def test_report_of_the_synthetic_survey(tmp_path):
    """synth (small) -> analyse -> report: every chapter renders; no shown share rests on a small count,
    and no option column of a single-choice item hides exactly one of its cells (n included)."""
    from forlop.survey.report import published
    from tests.browser import check_page

    assert forlop("survey", "synth", "--scale", "small", "--out", str(tmp_path / "data")).exit_code == 0
    assert forlop("survey", "analyse", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")).exit_code == 0
    result = build_report(tmp_path / "out", tmp_path / "r.html", tmp_path / "r.xlsx", lang="nb")
    html = result.html.read_text(encoding="utf-8")
    assert html.count("Resultatfilen") == 0 or "weighted.csv" in html  # only the additions may lack their files
    assert result.tables > 60 and result.figures > 50
    freq = pd.read_csv(tmp_path / "out" / "frequencies.csv", dtype={"group": str, "item": str})
    freq["option"] = freq["option"].astype(str)
    multiple = {"K4", "K4b", "L6"}
    pub = hide_frequencies(freq, multiple, {"age_group", "severity", "duration"}, published=published("item"))
    shown = pub[~pub["hidden"]]
    rest = shown["n"] - shown["count"]
    assert not (RULE.is_small(shown["count"]) | RULE.is_small(shown["n"]) | RULE.is_small(rest)).any()
    whole = pub[(pub["breakdown"] == "all") & ~pub["item"].isin(multiple)]
    for _, column in whole.groupby(["item", "sector"]):
        hidden = int(column["hidden"].sum()) + int(column["n_hidden"].iloc[0])
        assert hidden != 1 or column["count"].where(column["hidden"]).sum() == 0
    check = check_page(result.html, tmp_path / "r.png", timeout_ms=120000)
    assert check.console_errors == [] and check.failed_or_external_requests == []
    assert check.figure_stats["drawn"] == check.figure_stats["graphs"] == result.figures
