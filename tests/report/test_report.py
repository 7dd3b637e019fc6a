"""The report from a small hand-made indicators.csv: tables, suppression, Excel, HTML, CLI.

Fixture (tests/report/fixtures/results): 166 patients; diagnosis groups 40, 30, 3 (severe
depression), 20, 0, 25, 15, 12, 6 (symptom), 8, 7; regions Helse Sør-Øst 100 (Oslo 60, Østfold
40), Helse Vest 45 (Helse Bergen), Helse Midt-Norge 15 (St. Olavs), Helse Nord 6 (Finnmark).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from forlop.report.build import build_report
from forlop.report.data import Results, read_results
from forlop.report.publish import Publisher
from forlop.report.spec import diagnosis_order, load_spec
from forlop.privacy import Line, attack
from forlop.report.tables import build_geo_table, build_table
from forlop.report.usage import published_breakdowns
from tests.cli import forlop

FIXTURE = Path(__file__).parent / "fixtures" / "results"


@pytest.fixture(scope="module")
def pub() -> Publisher:
    return Publisher(read_results(FIXTURE), published=published_breakdowns(load_spec()))


def _item(item_id: str) -> dict:
    return next(i for s in load_spec()["sections"] for i in s["items"] if i["id"] == item_id)


def test_table1_hides_the_small_cell_and_one_complement(pub: Publisher) -> None:
    table = build_table(_item("table1"), pub, "nb")
    shown = {row[0].split(" (")[0]: row[1:] for row in table.rows}
    # Severe depression (3) is 1-4. Alone in its column it would be 166 minus the others, so
    # the smallest other positive group is hidden too: symptom diagnoses (6) (missing is 7,
    # other 8). Its share goes with it (block). Nothing else is hidden.
    assert shown["Alvorlig depresjon"] == ["–", "–"]
    assert shown["Symptomdiagnoser"] == ["–", "–"]
    assert shown["Ikke registrert"] == ["7", "4"]  # 7/166 = 4.2 %
    assert shown["Schizofreni"] == ["40", "24"]  # 40/166 = 24.1 %
    assert shown["Andre psykotiske lidelser"] == ["0", "0"]  # zero is published
    assert table.rows[-1] == ["Total", "166", "100"]
    assert table.hidden == 4


def test_table4_hides_shares_whose_rest_is_small(pub: Publisher) -> None:
    table = build_table(_item("table4"), pub, "nb")
    shown = {row[0]: row[1:] for row in table.rows}
    # A share is hidden when its numerator, denominator or rest (denominator - numerator) is 1-4:
    # schizophrenia 36/40 (rest 4), severe depression 3/3, personality 17/20 (rest 3), other
    # affective 22/25 (rest 3), anxiety 12/15 (rest 3), symptom 5/6 (rest 1), other 2/8,
    # missing 6/7 (rest 1). Other psychotic (0 patients) has no mean or median: the row's block
    # goes. Shown: bipolar 25/30 (rest 5) and substance 12/12 (rest 0), and the Total.
    for group, cells in shown.items():
        if group not in ("Bipolar lidelse", "Ruslidelser", "Total"):
            assert cells == ["–", "–", "–", "–"], group
    assert shown["Bipolar lidelse"] == ["25", "83", "27", "19"]  # 25/30 = 83.3 %
    assert shown["Ruslidelser"] == ["12", "100", "34", "23"]
    assert shown["Total"] == ["140", "84", "30", "22"]  # 140/166 = 84.3 %


def test_geography_pattern_by_hand(pub: Publisher) -> None:
    # outpatient_share_30d: Finnmark 3/6 and Helse Nord 3/6 are small (numerator 3, rest 3).
    # Regions add up to Norway (113): Nord alone hidden -> the smallest other region, Midt-Norge
    # (9), is hidden too. Health communities add up to Norway: Finnmark alone -> St. Olavs (9).
    # Then every line has two hidden cells: Nord + Midt = 113 - 72 - 29 = 12, each in [1, 11].
    hidden = {g for g in ("Helse Sør-Øst", "Helse Vest", "Helse Midt-Norge", "Helse Nord")
              if pub.hidden("outpatient_share_30d", "region", g)}
    assert hidden == {"Helse Midt-Norge", "Helse Nord"}
    hcs = {g for g in ("Oslo", "Østfold", "Helse Bergen", "St. Olavs og kommunene", "Finnmark")
           if pub.hidden("outpatient_share_30d", "health_community", g)}
    assert hcs == {"St. Olavs og kommunene", "Finnmark"}
    assert pub.value("outpatient_share_30d", "all", "all", "numerator") == 113


def _published_column(table, j: int, truth: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of column j as a reader sees them. A hidden cell gets placeholder 1 (the attacker
    knows it is >= 1) or 0 if it truly is 0 (the attacker is told which hidden cells are zero:
    the stricter attacker of docs/definitions.md)."""
    values, hidden = [], []
    for row, true in zip(table.rows, truth):
        cell = row[j].replace("\u00a0", "").replace(" ", "")
        hidden.append(cell == "–")
        values.append((1.0 if true > 0 else 0.0) if cell == "–" else float(cell.replace(",", ".")))
    return np.array(values), np.array(hidden)


@pytest.mark.parametrize("table_id", ["table1", "table2", "table4"])
def test_recovery_attack_on_published_tables_fails(pub: Publisher, table_id: str) -> None:
    table = build_table(_item(table_id), pub, "nb")
    n_rows = len(table.rows)
    line = [Line(tuple(range(n_rows - 1)), n_rows - 1)]  # the groups add up to the Total row
    spec_columns = _item(table_id)["columns"]
    groups = [g for g in diagnosis_order() if pub.results.get(spec_columns[0]["indicator"], "diagnosis_group", g)]
    attacked = 0
    for j, col in enumerate(spec_columns, start=1):
        if col["show"] != "n":
            continue
        truth = [pub.results.get(col["indicator"], "diagnosis_group", g).numerator for g in groups] + [np.inf]
        values, hidden = _published_column(table, j, truth)
        low, high = attack(values, hidden, line)
        for i in np.flatnonzero(hidden):
            attacked += 1
            assert high[i] - low[i] >= 1, f"{table_id} row {table.rows[i][0]} recovered as {low[i]}"
    assert attacked >= 2


def test_recovery_attack_on_table_a_fails(pub: Publisher) -> None:
    table = build_geo_table(_item("tableA"), pub, "nb")
    rows = [r[1:] for r in table.rows]
    values = np.array([[1.0 if c == "–" else 0.0 if c == "" else float(c.replace(" ", "").replace("\u00a0", ""))
                        for c in r] for r in rows])
    # Empty: not in the fixture's indicators.csv (it has no crossed region/health community x diagnosis
    # rows), so not published: unknowns >= 0 to the attacker.
    free = np.array([[c == "" for c in r] for r in rows])
    hidden = np.array([[c == "–" for c in r] for r in rows]) | free
    n_rows, n_cols = values.shape
    # Rows: Sør-Øst, Vest, Midt, Nord, (Bosted ukjent if any), Hele landet, then the 19 health
    # communities of 001. Regions (and unknown residence) add up to Hele landet, which is table 1's
    # cohort: 166 = 100 + 45 + 15 + 6 (the fixture has no unknown residence).
    country = [r[0] for r in table.rows].index("Hele landet")
    assert country == 4 and table.rows[country][1] == "166"
    lines = [Line(tuple(i * n_cols + j for j in range(1, n_cols)), i * n_cols) for i in range(n_rows)]
    for j in range(n_cols):
        lines.append(Line(tuple(i * n_cols + j for i in range(country)), country * n_cols + j))
    assert hidden.any()
    low, high = attack(values.ravel(), hidden.ravel(), lines, free=free.ravel())
    for c in np.flatnonzero(hidden.ravel() & ~free.ravel()):
        assert high[c] - low[c] >= 1


def test_excel_one_sheet_per_table_with_title_source_definition(tmp_path: Path) -> None:
    result = build_report(FIXTURE, tmp_path / "r.html", tmp_path / "t.xlsx")
    wb = load_workbook(result.xlsx)
    assert "table1" in wb.sheetnames and "tableA" in wb.sheetnames and "table4" in wb.sheetnames
    ws = wb["table1"]
    assert ws["A1"].value.startswith("Tabell 1. Utskrivningsdiagnose")
    # the source row names the publication (publications.yaml), not the seed file's key
    assert ws["A2"].value.startswith("Kilde: Helsedirektoratet 2023, «Forløp etter døgnbehandling i psykisk helsevern», "
                                     "tabell 1.")
    assert "001" not in ws["A2"].value
    sources = [r[0] for r in wb["Kilder"].iter_rows(min_row=2, values_only=True)]
    assert sources == ["Helsedirektoratet (2023): Forløp etter døgnbehandling i psykisk helsevern for pasienter med "
                       "alvorlige psykiske lidelser. Styringsinformasjon til helsefellesskapene. https://www."
                       "helsedirektoratet.no/rapporter/forlop-etter-dognbehandling-i-psykisk-helsevern-for-pasienter-"
                       "med-alvorlige-psykiske-lidelser."]
    assert ws["A3"].value.startswith("Definisjon: Utskrivningsdiagnose")
    body = {r[0]: r[1:] for r in ws.iter_rows(min_row=6, values_only=True)}
    assert body["Alvorlig depresjon (F32.2, F32.3, F33.2, F33.3)"] == ("–", "–")
    assert body["Schizofreni (F20, F25)"][0] == 40  # a number, not text
    assert body["Total"][0] == 166


def test_geo_figure_leaves_unpublished_cells_empty_not_suppressed(tmp_path: Path) -> None:
    """001 figures 27-41 show diagnosis groups per region only: the health-community cells of the
    diagnosis rows are empty (not published), and only "–" cells count as suppressed."""
    result = build_report(FIXTURE, tmp_path / "r.html", tmp_path / "t.xlsx")
    wb = load_workbook(result.xlsx)
    ws = wb["figure27"]
    assert ws["A3"].value.startswith("Definisjon: Diagnosegruppene vises per region")
    header = [c.value for c in ws[5]]
    body = {r[0]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    oslo, sor_ost = header.index("Oslo"), header.index("Helse Sør-Øst")
    schizo = body["Schizofreni"]
    assert schizo[oslo] is None  # empty cell: not published by design
    # The all-patients bar is published per health community: Oslo 48 of 60 = 80 %, Helse Sør-Øst 72 of 100.
    assert body["Alle pasienter"][oslo] == pytest.approx(80)
    assert body["Alle pasienter"][sor_ost] == pytest.approx(72)
    # Per region the diagnosis groups are published cells; the fixture has no region x diagnosis rows
    # for this indicator, so the cell shows the symbol, not an empty (unpublished) cell.
    assert schizo[sor_ost] == "–"
    # The report's count of suppressed cells is exactly the number of "–" cells in the workbook.
    dashes = sum(v == "–" for name in wb.sheetnames for row in wb[name].iter_rows(min_row=6, values_only=True)
                 for v in row[1:])
    assert result.hidden_cells == dashes


def test_html_is_self_contained_and_lists_what_is_missing(tmp_path: Path) -> None:
    result = build_report(FIXTURE, tmp_path / "r.html")
    page = result.html.read_text(encoding="utf-8")
    assert "<script src" not in page and "<link " not in page and "@import" not in page
    assert page.count("Plotly.newPlot") == result.figures > 0
    # Order follows 001: table 1 before table 2 before figure 3 before table 4 ... before table A.
    positions = [page.index(f'id="{i}"') for i in ("table1", "table2", "table4", "figure27", "tableA")]
    assert positions == sorted(positions)
    # Items the fixture has no numbers for are listed as not shown, with the reason.
    assert any("Figur 9." in what for what, _ in result.missing)
    assert "Ikke vist: ingen publiserbare tall" in page
    assert "Sammenligning med utvalget fra 2019" in page


def test_english_and_health_community(tmp_path: Path) -> None:
    result = build_report(FIXTURE, tmp_path / "r.html", lang="en", health_community="Oslo")
    page = result.html.read_text(encoding="utf-8")
    assert "Table 1. Discharge diagnosis" in page
    assert "Table H1. Oslo compared with South-Eastern Norway RHA and Norway" in page


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "results"
    bad.mkdir()
    (bad / "indicators.csv").write_text("indicator,breakdown,group,numerator,denominator,value,unit\n"
                                        "patients,all,all,x,,166,count\n", encoding="utf-8")
    run = forlop("report", "--results", str(bad), "--html", str(tmp_path / "r.html"))
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    assert "column 'numerator': ikke et tall i rad 2" in run.stderr
    ok = forlop("report", "--results", str(FIXTURE), "--html", str(tmp_path / "ok.html"))
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.strip().endswith(str((tmp_path / "ok.html").resolve()))


def test_health_community_table_shows_medians_in_whole_days() -> None:
    """Table H1: shares in whole per cent, medians of days as whole days (not "5,0"), means with one
    decimal. Hand-made numbers: Oslo 20 of 40 patients (50 %), median 5 days over 30 patients with a
    contact, mean 12.25 contacts (490 over 40)."""
    from forlop.report.community import community_section

    rows = []
    for b, g in [("health_community", "Oslo"), ("region", "Helse Sør-Øst"), ("all", "all")]:
        rows += [
            ("outpatient_share_30d", b, g, 20, 40, 0.5, "share"),
            ("outpatient_days_to_first_median", b, g, 30, 30, 5.0, "median"),
            ("outpatient_contacts_mean", b, g, 490, 40, 12.25, "mean"),
        ]
    frame = pd.DataFrame(rows, columns=["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit"])
    results = Results(indicators=frame, flow=pd.DataFrame())
    spec = {"sections": [{"items": [
        {"id": "f27", "kind": "geo", "source": "001 figur 27", "indicator": "outpatient_share_30d", "show": "pct",
         "title_nb": "Figur 27. Andel med poliklinisk kontakt", "title_en": "Figure 27. Share with outpatient contact"},
        {"id": "f33", "kind": "geo", "source": "001 figur 33", "indicator": "outpatient_days_to_first_median",
         "show": "value", "title_nb": "Figur 33. Median dager", "title_en": "Figure 33. Median days"},
        {"id": "f37", "kind": "geo", "source": "001 figur 37", "indicator": "outpatient_contacts_mean",
         "show": "value", "title_nb": "Figur 37. Gjennomsnitt kontakter", "title_en": "Figure 37. Mean contacts"},
    ]}]}
    table, _, _ = community_section("Oslo", spec, Publisher(results), "nb")
    assert [row[1:] for row in table.rows] == [["50", "50", "50"], ["5", "5", "5"], ["12,2", "12,2", "12,2"]]


def test_geography_figures_round_as_the_definitions_say() -> None:
    """docs/definitions.md "Rounding": rates per 10 000 one decimal, medians and means whole numbers,
    001 figures 39-40 (GP consultations, out-of-hours contacts) one decimal."""
    from forlop.report.figures import _decimals_for

    rows = [("patients_per_10000", "all", "all", 100, 50_000, 20.0, "rate_per_10000"),
            ("outpatient_days_to_first_median", "all", "all", 90, 90, 5.0, "median"),
            ("outpatient_n_mean", "all", "all", 900, 90, 10.0, "mean")]
    frame = pd.DataFrame(rows, columns=["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit"])
    pub = Publisher(Results(indicators=frame, flow=pd.DataFrame()))
    assert [_decimals_for(pub, i, "value") for i, *_ in rows] == [1, 0, 0]
    assert _decimals_for(pub, "patients_per_10000", "pct") == 0
    assert {_item(f)["decimals"] for f in ("figure39", "figure40")} == {1}
    assert "decimals" not in _item("figure37") and "decimals" not in _item("figure33")
