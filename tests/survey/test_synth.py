"""The synthetic survey: its structure, that it validates with no rejected row, and (slow) that the national
survey meets every published figure of 002 in synth_targets.csv, counted by tests/survey/counter.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forlop.survey import load, validate_survey
from forlop.survey.synth import _cut, _exact, _men_cells, _sexes, synth_survey, write_synthetic
from tests.cli import forlop
from tests.survey import counter


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("survey") / "small", seed=5, scale="small")


def test_exact_shares_and_cut_by_rank() -> None:
    rng = np.random.Generator(np.random.PCG64(1))
    drawn = _exact(rng, [1, 2, 3], [50, 30, 20], 10)
    assert sorted(drawn.tolist()) == [1] * 5 + [2] * 3 + [3] * 2
    # 1/3 each of 4: the largest remainders go to the first codes (1.33, 1.33, 1.33 -> 2, 1, 1)
    assert sorted(_exact(rng, [1, 2, 3], [1, 1, 1], 4).tolist()) == [1, 1, 2, 3]
    # lowest latent -> first code; half and half
    assert _cut(np.array([5.0, 1.0, 3.0, 2.0]), [0, 1], [50, 50]).tolist() == [1, 0, 1, 0]
    assert _cut(np.array([5.0, 1.0, 3.0, 2.0]), [0, 1], [50, 50], descending=True).tolist() == [0, 1, 0, 1]


def test_men_by_region_and_status_hold_both_margins() -> None:
    """002 Tab 4-4: the men of each region exact, with the men among the answered / unreachable / others."""
    region = np.array(["A", "A", "B", "B", "A", "B", "A", "A", "B", "B"], dtype=object)
    by_status = [np.array([0, 1, 2, 3]), np.array([4, 5]), np.array([6, 7, 8, 9])]  # answered, unreachable, others
    # every man in A: the only way is persons 0, 1 (answered in A), 4 (unreachable in A), 6, 7 (others in A)
    sex = _sexes(10, by_status, [2, 1, 2], region, {"A": 5, "B": 0})
    assert np.flatnonzero(sex == "M").tolist() == [0, 1, 4, 6, 7]
    # A 3, B 2 men; answered 2, unreachable 1, others 2: both margins, whatever cells the fitting picks
    sex = _sexes(10, by_status, [2, 1, 2], region, {"A": 3, "B": 2})
    men = sex == "M"
    assert [int(men[region == r].sum()) for r in "AB"] == [3, 2]
    assert [int(men[order].sum()) for order in by_status] == [2, 1, 2]
    # the cells: capacity A (2, 1, 2), B (2, 1, 2); rows 3 / 2, columns 2 / 1 / 2 -> within capacity
    cells = _men_cells(np.array([[2, 1, 2], [2, 1, 2]]), np.array([3, 2]), np.array([2, 1, 2]))
    assert cells.sum(axis=1).tolist() == [3, 2] and cells.sum(axis=0).tolist() == [2, 1, 2]
    assert (cells <= np.array([[2, 1, 2], [2, 1, 2]])).all() and (cells >= 0).all()


def test_small_survey_has_the_contract_columns(small: Path) -> None:
    frame = pd.read_parquet(small / "survey_frame.parquet")
    responses = pd.read_parquet(small / "survey_responses.parquet")
    population = pd.read_parquet(small / "survey_population.parquet")
    assert list(frame.columns) == [
        "person_id",
        "sector",
        "unit",
        "region",
        "sex",
        "birth_year",
        "main_diagnosis",
        "status",
    ]
    q = load()
    assert list(responses.columns) == ["person_id", "form", "answered_on", *[i.column for i in q.items]]
    assert list(population.columns) == ["sector", "period", "sex", "age", "unit", "diagnosis_group", "count"]
    # small scale: every unit of synth_units.csv with frame // 40 (at least 2) and answered // 40 (at least 1)
    assert len(frame) == 3246 and len(responses) == 821
    assert (frame.status == "answered").sum() == 821
    assert population.loc[population.age.notna(), "count"].sum() == 3246  # the frame by sex, age band and unit
    # 002 Tab 4-9 (all of 2022) divided by 40: PHV depression men 10 804 / 40 = 270.1 -> 270
    cell = population[(population.period == "2022") & (population.diagnosis_group == "depression")]
    assert cell.set_index(["sector", "sex"])["count"].to_dict()[("PHV", "M")] == 270
    assert frame.groupby("sector").unit.nunique().to_dict() == {"AS": 0, "PHV": 43, "TSB": 34}
    assert frame[frame.sector == "AS"].unit.isna().all()
    people = responses.merge(frame, on="person_id")
    assert ((people.sector == "AS") == (people.form == "AS")).all()
    assert people.H8G.notna().sum() > 0 and people.loc[people.form != "AS", "H8G"].isna().all()
    assert people.loc[people.H10 != 1, "H11"].isna().all() and people.loc[people.M1 != 1, "M2"].isna().all()
    assert people.loc[people.F3 != 1, "F4"].isna().all() and people.loc[people.L7a == 4, "L8a"].isna().all()
    assert people.loc[people.form == "PHV_TSB", "H5"].dropna().isin([1, 2, 3, 4]).all()
    assert people.C12.dropna().isin([1, 2, 3, 4, 5]).all()  # C12 has no "uaktuelt"
    assert people.K4.dropna().str.fullmatch(r"\d+(;\d+)*").all() and people.H4.isna().all()


def test_small_survey_validates_with_no_rejected_row(small: Path, tmp_path: Path) -> None:
    summary = validate_survey(small, tmp_path / "out")
    counts = {name: (c.rows_read, c.rows_used, c.rows_rejected) for name, c in summary.tables.items()}
    assert counts["survey_frame"] == (3246, 3246, 0)
    assert counts["survey_responses"] == (821, 821, 0)
    assert summary.rows_rejected == 0


def test_same_seed_same_survey_other_seed_other() -> None:
    a, b, c = (synth_survey(seed, "small")["survey_responses"] for seed in (3, 3, 4))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_cli_writes_and_rejects_a_bad_scale(tmp_path: Path) -> None:
    done = forlop("survey", "synth", "--seed", "2", "--scale", "small", "--out", str(tmp_path / "s"), "--lang", "en")
    assert done.exit_code == 0 and "synthetic survey written to" in done.stderr
    assert len(pd.read_parquet(tmp_path / "s" / "survey_responses.parquet")) == 821
    bad = forlop("survey", "synth", "--scale", "huge", "--out", str(tmp_path / "t"), "--lang", "en")
    assert bad.exit_code == 2 and bad.stderr.strip().count("\n") == 0 and "huge" in bad.stderr


def test_counter_on_the_small_survey(small: Path) -> None:
    """The counter on the small survey: Tab 4-1's counts are national, so they fail at small scale; every
    other figure is measured (a number for every target) and the alpha of STAR-P is of the right size."""
    targets = counter.targets()
    table = counter.count(small, targets[targets.population != "model"])  # models: too few rows at small scale
    assert len(table) == 838 - 47 and table.achieved.notna().all()
    # the register population of 2022 (Tab 4-9) at small scale: 10 804 / 40 -> 270, counted from the sex x group rows
    assert table[table.id == "t4_9_depression_M_PHV"].iloc[0].achieved == 270
    frame_count = table[table.id == "t4_1_frame_all"].iloc[0]
    assert frame_count.achieved == 3246 and not frame_count.ok
    alpha = table[table.id == "s3_4_alpha_star_outpatient"].iloc[0].achieved
    assert 0.85 < alpha < 0.97


@pytest.mark.slow
def test_national_survey_meets_every_target(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path / "national", seed=2023, scale="national")
    summary = validate_survey(data, tmp_path / "out")
    assert summary.rows_rejected == 0
    assert summary.tables["survey_responses"].rows_used == 33458
    frame = pd.read_parquet(data / "survey_frame.parquet")
    # 002 Tab 4-1 exactly: frame, unreachable, declined (§4.1), answered per sector
    counts = frame.groupby(["sector", "status"]).size().unstack()
    assert counts.sum(axis=1).to_dict() == {"AS": 26227, "PHV": 87424, "TSB": 17257}
    assert counts.unreachable.to_dict() == {"AS": 310, "PHV": 5374, "TSB": 1590}
    assert counts.declined.to_dict() == {"AS": 1202, "PHV": 5242, "TSB": 793}
    assert counts.answered.to_dict() == {"AS": 8913, "PHV": 21346, "TSB": 3199}
    # 002 Tab 4-4: the private specialists' frame by region and sex, as printed
    private = frame[frame.sector == "AS"]
    men = private[private.sex == "M"].region.fillna("Ukjent").value_counts().to_dict()
    assert men == {"Sør-Øst": 4978, "Vest": 1518, "Midt-Norge": 703, "Nord": 460, "Ukjent": 4}
    table = counter.count(data)
    assert len(table) == 838
    failures = table[~table.ok]
    assert failures.empty, failures[["id", "kind", "variable", "value", "target", "achieved"]].to_string()
