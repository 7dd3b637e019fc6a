"""Years in the report: captions follow the cohort year of the results, the population year of the
rates defaults to it, and a population year the extract does not have is one line and exit code 2.

Fixture: tests/report/fixtures/results (a 2020 cohort, pathways_run.json year 2020), copied and
given another year where a test needs one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from forlop.errors import InputError
from forlop.report.build import build_report
from forlop.report.data import read_cohort_year, read_results
from forlop.report.spec import load_spec, text, with_years
from tests.cli import forlop

FIXTURE = Path(__file__).parent / "fixtures" / "results"


def _item(spec: dict, item_id: str) -> dict:
    return next(i for s in spec["sections"] for i in s["items"] if i["id"] == item_id)


def _results(tmp_path: Path, year: int | None) -> Path:
    """A copy of the fixture whose pathways_run.json says ``year`` (None: no such file)."""
    results = tmp_path / "results"
    shutil.copytree(FIXTURE, results)
    run = results / "pathways_run.json"
    if year is None:
        run.unlink()
    else:
        run.write_text(json.dumps({"year": year, "keep_deaths": False}), encoding="utf-8")
    return results


def test_with_years_fills_the_tokens_and_leaves_the_rest() -> None:
    spec = with_years(load_spec(), 2019, 2021)
    t0 = _item(spec, "prior_contact")
    # T0: the three years before Y = 2019 are 2016-2018
    assert "(2016–2018 for 2019)" in text(t0, "nb")
    assert "(2016–2018 for 2019)" in text(t0, "en")
    assert [text(r, "nb") for r in t0["rows"][:3]] == [
        "Kontakt tre år før (2016) (%)", "Kontakt to år før (2017) (%)", "Kontakt året før (2018) (%)"]
    assert "psykisk helsevern i 2019 blant" in text(_item(spec, "table1"), "nb")
    assert "mental health care in 2019 among" in text(_item(spec, "table1"), "en")
    assert "(befolkningen i 2021)" in text(_item(spec, "rates"), "nb")
    assert "(population of 2021)" in text(_item(spec, "rates"), "en")
    # other placeholders are for their own code; 001's own comparison year stays 2019 = 001's
    assert "{k}" in text(_item(spec, "funnels"), "nb") and "{label}" in text(_item(spec, "funnels"), "nb")
    assert "{symbol}" in text(spec["suppression_note"], "nb")
    assert text(spec["not_included"][2]["what"], "nb") == "Sammenligning med utvalget fra 2019 (001 §4.1, §4.3)"
    # no token is left anywhere in the spec
    assert "{year" not in json.dumps(spec, ensure_ascii=False)
    assert "{population_year}" not in json.dumps(spec, ensure_ascii=False)
    # the cached spec itself is untouched
    assert "{year}" in text(_item(load_spec(), "table1"), "nb")


def test_captions_follow_the_cohort_year(tmp_path: Path) -> None:
    results = _results(tmp_path, 2019)
    page = build_report(results, tmp_path / "nb.html").html.read_text(encoding="utf-8")
    assert "Tabell 1. Utskrivningsdiagnose på avsluttet døgnopphold i psykisk helsevern i 2019 blant" in page
    assert "de tre årene før utvalgsåret (2016–2018 for 2019)" in page
    assert "Tabell A. Antall pasienter med alvorlige psykiske lidelser som ble utskrevet fra døgnbehandling " \
           "i psykisk helsevern i 2019." in page
    assert "helsevern i 2020" not in page  # no caption of the report claims 2020 any more
    assert "Sammenligning med utvalget fra 2019" in page  # 001's own comparison keeps its year
    page_en = build_report(results, tmp_path / "en.html", lang="en").html.read_text(encoding="utf-8")
    assert "Table 1. Discharge diagnosis of the completed inpatient stay in mental health care in 2019" in page_en
    assert "(2016–2018 for 2019)" in page_en


def test_cohort_year_from_patients_when_not_recorded(tmp_path: Path) -> None:
    results = _results(tmp_path, None)
    # nothing records the year: one clear error, not a guessed 2020
    with pytest.raises(InputError) as error:
        read_cohort_year(results, "en")
    assert "pathways_run.json" in str(error.value) and "cohort year" in str(error.value)
    # outputs from before pathways_run.json: every index stay ends in Y (001 §4.1), here 2019
    pd.DataFrame({"index_end": pd.to_datetime(["2019-03-20 11:00", "2019-12-31 23:00", "2019-01-01 08:00"]),
                  "sex": ["F", "M", "F"]}).to_parquet(results / "patients.parquet")
    assert read_cohort_year(results) == 2019


def _extract_and_patients(tmp_path: Path) -> tuple[Path, Path]:
    """Results with 60 Oslo patients aged 30-39 (30 F, 30 M) and an extract whose population of
    Oslo (0301) aged 18+ is 60 000 in 2020 and 80 000 in 2021 (children are never counted)."""
    results = _results(tmp_path, 2020)
    pd.DataFrame({"health_community": ["Oslo"] * 60, "region": ["Helse Sør-Øst"] * 60,
                  "age_group": ["30-39"] * 60, "sex": ["F"] * 30 + ["M"] * 30,
                  "coercion": [False] * 60, "substance_use": [False] * 60}).to_parquet(results / "patients.parquet")
    data = tmp_path / "extract"
    data.mkdir()
    rows = []
    for year, adults in ((2020, 30_000), (2021, 40_000)):
        for sex in ("F", "M"):
            rows.append({"year": year, "municipality": "0301", "sex": sex, "age": 35, "count": adults})
            rows.append({"year": year, "municipality": "0301", "sex": sex, "age": 10, "count": 9_999})
    pd.DataFrame(rows).to_csv(data / "population.csv", index=False)
    return results, data


def test_population_year_defaults_to_the_cohort_year(tmp_path: Path) -> None:
    results, data = _extract_and_patients(tmp_path)
    res = read_results(results, data)
    assert (res.cohort_year, res.population_year) == (2020, 2020)  # not the latest year, 2021
    assert res.population["population"].sum() == 60_000  # 2 x 30 000 adults; the 10-year-olds left out
    later = read_results(results, data, 2021)
    assert (later.cohort_year, later.population_year) == (2020, 2021)
    assert later.population["population"].sum() == 80_000


def test_rates_caption_and_crude_rate_use_the_cohort_year(tmp_path: Path) -> None:
    results, data = _extract_and_patients(tmp_path)
    result = build_report(results, tmp_path / "r.html", tmp_path / "r.xlsx", data=data)
    page = result.html.read_text(encoding="utf-8")
    assert "Tabell S1. Pasienter per 10 000 innbyggere 18 år og eldre (befolkningen i 2020)" in page
    assert "18 år og eldre (befolkningen i 2020): alders- og kjønnsstandardisert rate" in page  # figure S0
    from openpyxl import load_workbook

    body = {r[0]: r for r in load_workbook(result.xlsx)["rates"].iter_rows(min_row=6, values_only=True)}
    # Oslo: 60 patients / 60 000 adults in 2020 x 10 000 = 10.0 per 10 000 (2021 would give 7.5)
    assert body["Oslo"][1] == 60
    assert str(body["Oslo"][2]).startswith("10,0 (")


def test_population_year_not_in_extract_is_exit_2(tmp_path: Path) -> None:
    results, data = _extract_and_patients(tmp_path)
    with pytest.raises(InputError) as error:
        read_results(results, data, 1999, lang="en")
    assert str(error.value).endswith("no population for 1999 in the extract; years with population: "
                                     "2020–2021 (choose one with --year)")
    run = forlop("report", "--results", str(results), "--html", str(tmp_path / "r.html"), "--data", str(data),
                 "--year", "1999")
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("forlop: ") and "population.csv" in last
    assert "ingen befolkningstall for 1999 i uttrekket; år med befolkningstall: 2020–2021" in last
    assert not (tmp_path / "r.html").exists()
