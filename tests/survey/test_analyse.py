"""``forlop survey analyse``: scores, frequencies, alpha, models, response rates, covariate codings.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forlop.survey import load
from forlop.survey.alpha import cronbach_alpha
from forlop.survey.frequencies import (
    breakdown_groups,
    frequency_table,
    long_answers,
    scored_breakdowns,
    with_derived_items,
)
from forlop.survey.models import REGRESSION_COLUMNS, fit, model_terms, regressions
from forlop.survey.respondents import build_respondents, covariates, definitions, ticked_codes
from forlop.survey.response import frame_profile, representativeness, response_table
from forlop.survey.scores import index_scores, score_table
from tests.cli import forlop
from tests.survey.fixture import frame_table, write_survey

Q = load()


def responses(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Clean-style responses: every item column, single items as float codes, multiple items as lists."""
    table = pd.DataFrame(rows).reindex(columns=["person_id", "form", *(i.column for i in Q.items)])
    for item in Q.items:
        if item.type == "single":
            table[item.column] = pd.to_numeric(table[item.column])
    return table


def frame(rows: list[tuple]) -> pd.DataFrame:
    columns = ["person_id", "sector", "unit", "region", "sex", "birth_year", "main_diagnosis", "status"]
    return pd.DataFrame(rows, columns=columns)


# --- STAR-P and CONTINUITY9 ---------------------------------------------------------------------------------


def test_star_reversed_items_and_min_items() -> None:
    star = [
        # person 1: R4 = 0 -> 4, R7 = 1 -> 3, R9 = 4 -> 0; the other nine 4: (36 + 4 + 3 + 0) / 12 = 43 / 12
        {"person_id": 1, **{f"R{i}": 4 for i in range(1, 13)}, "R4": 0, "R7": 1, "R9": 4},
        # person 2: five items answered, fewer than six: no score
        {"person_id": 2, "R1": 4, "R2": 4, "R3": 4, "R5": 4, "R6": 4},
        # person 3: six items: 2, 3, R4 1 -> 3, 4, R7 0 -> 4, R9 2 -> 2: 18 / 6 = 3
        {"person_id": 3, "R1": 2, "R2": 3, "R4": 1, "R5": 4, "R7": 0, "R9": 2},
    ]
    scores = index_scores(responses(star), Q)
    assert scores["STAR"].iloc[0] == pytest.approx(43 / 12)
    assert math.isnan(scores["STAR"].iloc[1])
    assert scores["STAR"].iloc[2] == pytest.approx(3.0)
    assert scores["R4"].tolist()[0] == 4 and scores["R9"].tolist()[0] == 0
    stricter = index_scores(responses(star), Q, min_items={"STAR": 12})  # the definitions.yaml override
    assert stricter["STAR"].iloc[0] == pytest.approx(43 / 12) and stricter["STAR"].iloc[1:].isna().all()


def test_continuity9_sum_needs_all_nine_and_uaktuelt_is_missing() -> None:
    items = {"C1": 1, "C2": 2, "C3": 3, "C4": 2, "C7": 1, "C8": 5, "C9": 4, "C11": 3, "C12": 5}
    rows = [
        # reversed (6 - code) except C4, C12: 5 + 4 + 3 + 2 + 5 + 1 + 2 + 3 + 5 = 30; C5, C6, C10 not in the sum
        {"person_id": 1, **items, "C5": 6},
        {"person_id": 2, **items, "C11": 6},  # C11 "Uaktuelt" (6): missing, 8 of 9: no sum
    ]
    scores = index_scores(responses(rows), Q)
    assert scores["CONTINUITY9"].iloc[0] == 30
    assert math.isnan(scores["CONTINUITY9"].iloc[1])
    assert math.isnan(scores["C5"].iloc[0]) and math.isnan(scores["C11"].iloc[1])


def test_score_table_mean_sd_and_t_interval() -> None:
    # PHV values 2, 3, 4: mean 3, sd 1, t(0.975, 2) = 4.302653: 3 -/+ 4.302653 / sqrt(3) = 3 -/+ 2.484138
    people = pd.DataFrame({"person_id": [1, 2, 3, 4], "sector": ["PHV"] * 3 + ["AS"], "STAR": [2.0, 3, 4, np.nan]})
    groups = pd.DataFrame({"person_id": [1, 2, 3, 4], "breakdown": pd.Categorical(["all"] * 4), "group": "all"})
    table = score_table(people, groups, ["STAR"], ("PHV", "TSB", "AS"))
    assert table[["score", "sector", "n", "mean", "sd"]].values.tolist() == [["STAR", "PHV", 3, 3.0, 1.0]]
    assert table["ci_low"].iloc[0] == pytest.approx(3 - 2.484138, abs=1e-5)
    assert table["ci_high"].iloc[0] == pytest.approx(3 + 2.484138, abs=1e-5)


# --- frequencies --------------------------------------------------------------------------------------------


def test_share_with_wilson_interval_and_multi_response_groups() -> None:
    rows = [
        {"person_id": 1, "M1": 1, "L6": [1, 2], "K4": [1, 14]},
        {"person_id": 2, "M1": 1, "L6": [1]},
        {"person_id": 3, "M1": 2, "K4": [1]},
        {"person_id": 4, "M1": 3},
        {"person_id": 5},  # did not answer M1: not in n
    ]
    resp = responses(rows)
    people = pd.DataFrame({"person_id": range(1, 6), "sector": "PHV", "age_group": ["18–24"] * 5})
    groups = breakdown_groups(people, resp, Q)
    table = frequency_table(long_answers(resp, Q), people[["person_id", "sector"]], groups, Q)
    m1 = table[(table["item"] == "M1") & (table["breakdown"] == "all") & (table["sector"] == "PHV")].set_index("option")
    assert m1["n"].tolist() == [4, 4, 4] and m1["count"].tolist() == [2, 1, 1]
    whole = table[(table["item"] == "M1") & (table["breakdown"] == "all") & (table["sector"] == "all")]
    assert whole["count"].tolist() == [2, 1, 1]  # sector "all": only PHV here, so the same counts
    # 2 of 4: Wilson, z = 1.959964: centre 0.5, half-width z*sqrt(1/16 + z^2/64) / (1 + z^2/4) = 0.349961
    assert m1.loc[1, "share"] == 50.0
    assert m1.loc[1, "ci_low"] == pytest.approx(15.0039, abs=1e-3)
    assert m1.loc[1, "ci_high"] == pytest.approx(84.9961, abs=1e-3)
    # diagnosis groups overlap: person 1 is in depression and anxiety; depression n = 2 (persons 1, 2)
    table = table[table["sector"] == "PHV"]
    dep = table[(table["item"] == "M1") & (table["breakdown"] == "diagnosis") & (table["group"] == "depression")]
    assert dep["n"].iloc[0] == 2 and dep.set_index("option").loc[1, "count"] == 2
    anx = table[(table["item"] == "M1") & (table["breakdown"] == "diagnosis") & (table["group"] == "anxiety")]
    assert anx["n"].iloc[0] == 1
    # K4 (multiple): n = those who ticked anything (2); fastlege ticked by both: 100 %, admission 50 %
    k4 = table[(table["item"] == "K4") & (table["breakdown"] == "all") & (table["sector"] == "PHV")].set_index("option")
    assert k4.loc[1, "share"] == 100.0 and k4.loc[14, "share"] == 50.0 and k4.loc[7, "count"] == 0


def test_sector_all_is_the_sum_of_the_sectors() -> None:
    """Sector "all" (002 Fig 6-10, 6-14, 8-2: the whole sample) adds the sectors, also within a group."""
    rows = [
        {"person_id": 1, "H10": 1, "L6": [1]},  # PHV, video, depression
        {"person_id": 2, "H10": 2, "L6": [1, 14]},  # PHV, no video, depression + ADHD
        {"person_id": 3, "H10": 1, "L6": [14]},  # TSB, video, ADHD
        {"person_id": 4, "H10": 1, "L6": [1]},  # AS, video, depression
        {"person_id": 5, "L6": [1]},  # AS, H10 not answered: in no n
    ]
    resp = responses(rows)
    people = pd.DataFrame(
        {"person_id": range(1, 6), "sector": ["PHV", "PHV", "TSB", "AS", "AS"], "age_group": ["18–24"] * 5}
    )
    table = frequency_table(
        long_answers(resp, Q), people[["person_id", "sector"]], breakdown_groups(people, resp, Q), Q
    )
    h10 = table[(table["item"] == "H10") & (table["sector"] == "all")].set_index(["breakdown", "group", "option"])
    # all: 4 answered, 3 video (persons 1, 3, 4): 75 %
    assert h10.loc[("all", "all", 1), "n"] == 4 and h10.loc[("all", "all", 1), "share"] == 75.0
    # depression: persons 1, 2, 4 answered; video 1 and 4: 2 of 3; ADHD: persons 2 (no), 3 (yes): 1 of 2
    assert (h10.loc[("diagnosis", "depression", 1), "count"], h10.loc[("diagnosis", "depression", 1), "n"]) == (2, 3)
    assert h10.loc[("diagnosis", "adhd", 1), "share"] == 50.0
    assert table["sector"].drop_duplicates().tolist() == ["PHV", "TSB", "AS", "all"]


def test_severity_duration_and_treatment_breakdowns() -> None:
    """The derived item L7a_L8a (002 Fig 6-8: lettere/moderate < 5 år = 1, store > 5 år = 2, other = 3,
    ikke relevant = 4) as an item and as the breakdown of K4 (Fig 7-2); H1a as the treatment breakdown."""
    rows = [
        {"person_id": 1, "L7a": 1, "L8a": 3, "K4": [1], "H1a": 1, "L3": 2},  # lettere, 2-5 år: 1
        {"person_id": 2, "L7a": 2, "L8a": 1, "K4": [1, 5], "H1a": 1, "L3": 4},  # moderate, < 1 år: 1
        {"person_id": 3, "L7a": 3, "L8a": 4, "K4": [5], "H1a": 2, "L3": 2},  # store, > 5 år: 2
        {"person_id": 4, "L7a": 3, "L8a": 2, "K4": [1], "H1a": 2, "L3": 3},  # store, 1-2 år: other (3)
        {"person_id": 5, "L7a": 2, "L8a": 4, "H1a": 3},  # moderate, > 5 år: other (3)
        {"person_id": 6, "L7a": 3, "K4": [1]},  # store, years not given: other (3)
        {"person_id": 7, "L7a": 4, "K4": [1]},  # ikke relevant: 4
        {"person_id": 8, "L8a": 4, "K4": [1]},  # L7a not answered: no code
    ]
    derived, extended = with_derived_items(responses(rows), Q)
    assert derived["L7a_L8a"].tolist()[:7] == [1, 1, 2, 3, 3, 3, 4] and math.isnan(derived["L7a_L8a"].iloc[7])
    assert extended.item("L7a_L8a").option(2).label.get("nb") == "Store utfordringer i mer enn 5 år"
    people = pd.DataFrame({"person_id": range(1, 9), "sector": "PHV", "age_group": ["18–24"] * 8})
    groups = breakdown_groups(people, derived, extended)
    table = frequency_table(long_answers(derived, extended), people[["person_id", "sector"]], groups, extended)
    table = table[table["sector"] == "PHV"].set_index(["item", "breakdown", "group", "option"])
    # Fig 6-8: of 7 answering L7a, 2 are mild/moderate < 5 years, 1 severe > 5 years, 3 other, 1 not relevant
    assert [table.loc[("L7a_L8a", "all", "all", c), "count"] for c in (1, 2, 3, 4)] == [2, 1, 3, 1]
    assert table.loc[("L7a_L8a", "all", "all", 2), "n"] == 7
    # Fig 7-2: K4 fastlege (1) in group 1 (persons 1, 2: both) and group 2 (person 3: not): 100 % and 0 %
    assert table.loc[("K4", "severity_duration", "1", 1), "share"] == 100.0
    assert table.loc[("K4", "severity_duration", "2", 1), "count"] == 0
    assert table.loc[("K4", "severity_duration", "2", 5), "share"] == 100.0
    # Fig 6-12/13: L3 in treatment (H1a 1: persons 1, 2) and recently finished (H1a 2: persons 3, 4)
    assert table.loc[("L3", "treatment", "1", 2), "share"] == 50.0 and table.loc[("L3", "treatment", "1", 4), "n"] == 2
    assert table.loc[("L3", "treatment", "2", 2), "count"] == 1 and table.loc[("L3", "treatment", "2", 3), "count"] == 1
    # scores.csv leaves out the breakdowns marked scores: false
    assert set(scored_breakdowns(groups)["breakdown"].cat.categories) == {
        "all",
        "age_group",
        "diagnosis",
        "severity",
        "duration",
    }


def test_ticked_codes_one_row_per_code_indexed_by_its_row() -> None:
    lists = pd.Series([np.array([1, 6]), None, np.array([], dtype=np.int64), [3]], index=[10, 11, 12, 13], name="L6")
    long = ticked_codes(lists)  # through Arrow
    assert long.tolist() == [1, 6, 3] and long.index.tolist() == [10, 10, 13] and long.dtype == "int64"
    text = ticked_codes(pd.Series([["1", "6"], None, ["3"]]))  # text codes: through Series.explode
    assert text.tolist() == [1, 6, 3] and text.index.tolist() == [0, 0, 2]
    assert ticked_codes(pd.Series([np.nan, np.nan])).empty  # an item nobody answered


# --- Cronbach's alpha ---------------------------------------------------------------------------------------


def test_alpha_hand_worked() -> None:
    # item variances 5/3, 2/3, 11/12 (sum 13/4); totals 6, 8, 10, 13: variance 107/12
    # alpha = 3/2 * (1 - (13/4) / (107/12)) = 3/2 * 68/107 = 102/107; the row with a gap is left out
    items = pd.DataFrame({"a": [1, 2, 3, 4, 1], "b": [2, 3, 3, 4, np.nan], "c": [3, 3, 4, 5, 2]})
    alpha, n = cronbach_alpha(items)
    assert alpha == pytest.approx(102 / 107) and n == 4


# --- models -------------------------------------------------------------------------------------------------


def test_ols_slope_by_hand_and_against_lstsq() -> None:
    # x 0..3, y 1, 3, 2, 5: Sxy = 5.5, Sxx = 5: slope 1.1, intercept 2.75 - 1.65 = 1.1; R2 = 1.1 * 5.5 / 8.75
    data = pd.DataFrame({"y": [1.0, 3, 2, 5, np.nan], "x": [0.0, 1, 2, 3, 7]})
    table = fit(data, "y", ["x"], "ols").set_index("term")
    assert table.loc["x", "estimate"] == pytest.approx(1.1) and table.loc["Intercept", "estimate"] == pytest.approx(1.1)
    assert table["n"].iloc[0] == 4 and table["r2"].iloc[0] == pytest.approx(6.05 / 8.75)
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "y"])
    data.loc[3, "a"] = np.nan  # listwise deletion: 49 rows
    table = fit(data, "y", ["a", "b"], "ols").set_index("term")
    used = data.dropna()
    design = np.column_stack([np.ones(len(used)), used["a"], used["b"]])
    coef = np.linalg.lstsq(design, used["y"].to_numpy(), rcond=None)[0]
    assert table.loc["b", "estimate"] == pytest.approx(coef[2]) and table["n"].iloc[0] == 49


def test_logit_odds_ratio_of_a_two_by_two_table() -> None:
    # x = 1: 6 yes, 2 no; x = 0: 3 yes, 6 no: OR = (6/2) / (3/6) = 6; se = sqrt(1/6 + 1/2 + 1/3 + 1/6)
    y = [1] * 6 + [0] * 2 + [1] * 3 + [0] * 6
    x = [1] * 8 + [0] * 9
    table = fit(pd.DataFrame({"y": y, "x": x}, dtype=float), "y", ["x"], "logit").set_index("term")
    se = math.sqrt(1 / 6 + 1 / 2 + 1 / 3 + 1 / 6)
    assert table.loc["x", "estimate"] == pytest.approx(6.0, rel=1e-5)
    assert table.loc["x", "ci_low"] == pytest.approx(math.exp(math.log(6) - 1.959964 * se), rel=1e-4)
    assert table.loc["Intercept", "estimate"] == pytest.approx(0.5, rel=1e-5)  # odds 3/6 when x = 0
    assert math.isnan(table["r2"].iloc[0]) and table["n"].iloc[0] == 17


def test_fit_equals_the_formula_api_and_drops_a_constant_covariate() -> None:
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(5)
    data = pd.DataFrame({"a": rng.normal(size=80), "b": rng.integers(0, 2, 80).astype(float), "c": 1.0})
    data["y"] = data["a"] + rng.normal(size=80)
    data["z"] = (data["y"] > 0).astype(float)
    data.loc[[4, 9], "b"] = np.nan
    for outcome, kind, api in (("y", "ols", smf.ols), ("z", "logit", smf.logit)):
        table = fit(data, outcome, ["a", "b", "c"], kind).set_index("term")  # c constant: no row
        reference = api(f"{outcome} ~ a + b", data=data.dropna()).fit(**({"disp": 0} if kind == "logit" else {}))
        assert list(table.index) == ["Intercept", "a", "b"] and table["n"].iloc[0] == 78
        estimate = np.exp(reference.params) if kind == "logit" else reference.params
        assert np.allclose(table["estimate"], estimate, rtol=1e-9, atol=0)
        assert np.allclose(table["p_value"], reference.pvalues, rtol=1e-9, atol=0)


def test_all_eleven_models_per_sector_on_random_respondents() -> None:
    rng = np.random.default_rng(7)
    n = 600
    spec_terms = model_terms("T7_1")
    data = pd.DataFrame({t: rng.integers(0, 2, n).astype(float) for t in spec_terms})
    data["municipal_services"] = rng.integers(0, 4, n).astype(float)
    data["star"] = rng.uniform(0, 4, n)
    data["sector"] = rng.choice(["PHV", "TSB", "AS"], n)
    for name in ("needs_more_follow_up", "video", "tailored", "treatment_plan"):
        data[name] = rng.integers(0, 2, n).astype(float)
    for name in ("H11", "U1", "U2", "U3"):
        data[name] = rng.integers(1, 6, n).astype(float)
    data["STAR"], data["CONTINUITY9"] = data["star"], rng.integers(9, 46, n).astype(float)
    data.loc[:9, "U1"] = np.nan  # listwise: ten fewer in T12_1
    table = regressions(data, progress=False)
    assert list(table.columns) == REGRESSION_COLUMNS
    assert table.groupby(["model", "sector"]).ngroups == 33
    n_t12 = table[(table["model"] == "T12_1")].groupby("sector")["n"].first()
    assert n_t12.sum() == n - 10
    assert "coordination" not in table.loc[table["model"] == "T9_3", "term"].tolist()
    assert "star" not in table.loc[table["model"] == "T10_1", "term"].tolist()
    assert table.loc[table["model"] == "T8_1", "r2"].isna().all()


# --- covariate codings --------------------------------------------------------------------------------------


def test_covariate_codings() -> None:
    reg = frame(
        [
            (1, "PHV", "A HF", "Vest", "F", 1998, "F32.1", "answered"),  # age 25
            (2, "TSB", "A HF", "Nord", "M", 1950, "F10.2", "answered"),  # age 73 -> 66-99
            (3, "AS", None, "Andre", "F", 1980, None, "answered"),
        ]
    )
    rows = [
        # finished: PHV reads H1a first (2 = recently finished); duration H7 = 2 (1-2 mnd) -> under 2 months
        {"person_id": 1, "form": "PHV_TSB", "H1a": 2, "H7": 2, "L7a": 4, "L6": [10, 11, 16], "K4": [3, 5, 7, 4],
         "K8": 2, "K9": 1, "B3": 3, "B6": 2},
        # TSB reads H1b first (1 = in treatment) though H1a says 2; H5 = 3: 3-6 months; L8a 4: over five years
        {"person_id": 2, "form": "PHV_TSB", "H1a": 2, "H1b": 1, "H5": 3, "L7a": 3, "L8a": 4, "L6": [1, 2, 3, 9],
         "K4": [15]},
        # AS: H5 = 6 (1-2 år) is "more than 6 months"; H1a = 4 (1-2 samtaler) counts as finished; region Andre
        {"person_id": 3, "form": "AS", "H1a": 4, "H5": 6, "L7a": 2, "L8a": 1},
    ]  # fmt: skip
    people = build_respondents(reg, responses(rows), Q)
    c = people.set_index("person_id")
    assert c["finished"].tolist() == [1.0, 0.0, 1.0]
    assert c["duration_under_2"].tolist() == [1.0, 0.0, 0.0] and c["duration_3_6"].tolist() == [0.0, 1.0, 0.0]
    assert c["over_five_years"].tolist() == [0.0, 1.0, 0.0]  # person 1: L7a "Ikke relevant" -> 0
    assert c["severe"].tolist() == [0.0, 1.0, 0.0]
    # L6 10 + 11 count once, 16 (vet ikke) not: one diagnosis; person 2: four; person 3: empty -> missing
    assert c["diagnoses_2"].tolist()[:2] == [0.0, 0.0] and c["diagnoses_4"].tolist()[:2] == [0.0, 1.0]
    assert math.isnan(c.loc[3, "diagnoses_2"])
    assert c["municipal_services"].tolist()[:2] == [3.0, 0.0] and c["outreach_team"].tolist()[:2] == [1.0, 0.0]
    assert math.isnan(c.loc[3, "municipal_services"])  # K4 empty
    assert c.loc[1, "coordination"] == 1.0 and math.isnan(c.loc[2, "coordination"])
    assert c["higher_education"].tolist()[0] == 1.0 and c["lives_alone"].tolist()[0] == 0.0
    assert c["age_25_35"].tolist() == [1.0, 0.0, 0.0] and c["age_66_99"].tolist() == [0.0, 1.0, 0.0]
    assert c["region_north"].tolist()[:2] == [0.0, 1.0] and math.isnan(c.loc[3, "region_north"])
    assert c["female"].tolist() == [1.0, 0.0, 1.0] and c["age_group"].tolist() == ["25–35", "66–75", "36–45"]
    assert c.loc[3, "unit"] is None or pd.isna(c.loc[3, "unit"])
    assert set(definitions()["covariates"]) >= {"sex_source", "finished", "duration"}
    assert list(covariates.__annotations__)  # a public function with types


# --- response rates and representativeness ------------------------------------------------------------------


def test_response_rates_of_the_fixture_frame() -> None:
    clean = frame_table()
    clean = clean[clean["sector"] != "XYZ"]  # validation rejects person 17
    table = response_table(clean).set_index(["sector", "unit"])
    # PHV: 10 in the frame; answered 1, 2, 6, 7, 9, 11, 15; declined 10, no answer 13, unreachable 14
    phv = table.loc[("PHV", "all")]
    assert (phv["frame"], phv["reached"], phv["answered"]) == (10, 9, 7)
    assert phv["rate_of_frame"] == 70.0 and phv["rate_of_reached"] == pytest.approx(700 / 9)
    total = table.loc[("all", "all")]  # 16 rows, 13 answered, 1 unreachable
    assert (total["frame"], total["answered"]) == (16, 13) and total["rate_of_reached"] == pytest.approx(1300 / 15)
    assert ("AS", "all") in table.index and not any(s == "AS" and u != "all" for s, u in table.index)
    assert table.loc[("PHV", "Sykehuset Innlandet HF"), "rate_of_frame"] == 0.0


def test_frame_profile_of_the_error_population() -> None:
    """002 Fig 4-4, 4-5: frame and unreachable by register sex and age group, per sector."""
    clean = frame_table()
    clean = clean[clean["sector"] != "XYZ"]
    profile = frame_profile(clean)
    table = profile[profile["by"] == ""].set_index(["sector", "dimension", "group"])
    # PHV: women 1, 6, 9, 10, 13, 15 (6), men 2, 7, 11, 14 (4); only 14 (man, born 1979: 44, 36–45) unreachable
    assert table.loc[("PHV", "sex", "F"), ["frame", "unreachable"]].tolist() == [6, 0]
    assert table.loc[("PHV", "sex", "M"), ["frame", "unreachable"]].tolist() == [4, 1]
    assert table.loc[("PHV", "age_group", "36–45"), "unreachable"] == 1
    # PHV ages (2023 - birth year): 33, 43, 23, 28, 24, 22, 35, 40, 44, 29
    assert table.loc[("PHV", "age_group", "18–24"), "frame"] == 3  # 2000, 1999, 2001
    assert table.loc[("PHV", "age_group", "25–35"), "frame"] == 4  # 1990, 1995, 1988, 1994
    assert table.loc[("PHV", "age_group", "36–45"), "frame"] == 3  # 1980, 1983, 1979
    assert table.xs("AS", level="sector")["unreachable"].sum() == 0
    # answered (Tab 4-4): AS Midt-Norge person 4, Nord person 5, Vest person 12
    assert table.loc[("AS", "region", "Nord"), ["frame", "answered"]].tolist() == [1, 1]
    assert table.loc[("PHV", "region", "Sør-Øst"), ["frame", "unreachable", "answered"]].tolist() == [6, 1, 3]


def test_frame_profile_by_region_and_sex() -> None:
    """002 Tab 4-4: the frame split by sex within region (rows with by = sex), adding up to the region rows."""
    clean = frame_table()
    clean = clean[clean["sector"] != "XYZ"]
    nowhere = clean[clean["person_id"].astype(str) == "12"].assign(person_id="18", region=None, sex="M")  # no region
    profile = frame_profile(pd.concat([clean, nowhere], ignore_index=True))
    cross = profile[profile["by"] == "sex"]
    assert set(cross["dimension"]) == {"region"}
    cross = cross.set_index(["sector", "group", "by_group"])[["frame", "unreachable", "answered"]]
    # PHV Sør-Øst: women 1 (answered), 9 (answered), 10 (declined), 13 (no answer); men 11 (answered), 14 (unreachable)
    assert cross.loc[("PHV", "Sør-Øst", "F")].tolist() == [4, 0, 2]
    assert cross.loc[("PHV", "Sør-Øst", "M")].tolist() == [2, 1, 1]
    assert cross.loc[("PHV", "Vest", "M")].tolist() == [1, 0, 1]  # person 2 (15 is a woman)
    # AS: three women, one per region, all answered; the man without a region is "unknown" (Tab 4-4 "Ukjent")
    assert cross.xs("AS", level="sector")["frame"].to_dict() == {
        ("Midt-Norge", "F"): 1,
        ("Nord", "F"): 1,
        ("Vest", "F"): 1,
        ("unknown", "M"): 1,
    }
    one = profile[profile["by"] == ""].set_index(["sector", "dimension", "group"])
    sums = cross.groupby(level=["sector", "group"]).sum()
    for (sector, region), row in sums.iterrows():
        assert row.tolist() == one.loc[(sector, "region", region), ["frame", "unreachable", "answered"]].tolist()


def test_representativeness_population_shares_beside_respondents() -> None:
    people = pd.DataFrame(
        {
            "person_id": [1, 2], "sector": "PHV", "sex": ["F", "M"], "age_group": ["18–24", "25–35"],
            "unit": "A HF", "region": "Vest", "main_diagnosis": ["F32.1", "F41.0"],
        }
    )  # fmt: skip
    population = pd.DataFrame(
        {
            "sector": "PHV", "period": "2023", "sex": ["F", "M", None, None, None],
            "age": [None, None, "20", "30", "18-24"], "unit": None, "diagnosis_group": None,
            "count": [60, 40, 10, 30, 5],
        }
    )  # fmt: skip
    table = representativeness(people, population)
    table = table[table["by"] == ""].set_index(["dimension", "group"])
    assert table.loc[("sex", "F"), "population_share"] == 60.0 and table.loc[("sex", "F"), "respondent_share"] == 50
    # ages: 20 and "18-24" are 18–24 (10 + 5), 30 is 25–35: 15 / 45 and 30 / 45
    assert table.loc[("age_group", "18–24"), "population"] == 15
    assert table.loc[("age_group", "25–35"), "population_share"] == pytest.approx(200 / 3)
    assert table.loc[("diagnosis_group", "anxiety"), "respondents"] == 1  # F41.0 by the Tab 4-7 crosswalk


def test_representativeness_of_two_periods_and_the_diagnosis_by_sex_cross() -> None:
    """002 §4.3: a population of two periods; Tab 4-8/4-9: diagnosis group by sex (rows with by = sex)."""
    people = pd.DataFrame(
        {
            "person_id": [1, 2], "sector": "PHV", "sex": ["F", "M"], "age_group": ["18–24", "25–35"],
            "unit": "A HF", "region": "Vest", "main_diagnosis": ["F32.1", "F41.0"],
        }
    )  # fmt: skip
    population = pd.DataFrame(
        {
            "sector": "PHV",
            "period": ["2022"] * 6 + ["2023-02/2023-04"] * 3,
            "sex": ["F", "M", "F", "M", "F", "M", "F", "F", "M"],
            "age": [None] * 6 + ["20", "30", "20"],
            "unit": None,
            "diagnosis_group": [None, None, "depression", "depression", "anxiety", "anxiety", None, None, None],
            "count": [90, 60, 50, 20, 30, 30, 10, 20, 15],
        }
    )
    table = representativeness(people, population)
    one = table[table["by"] == ""].set_index(["period", "dimension", "group"])
    # 2022: the sex margin (90 / 60), not the sum of the diagnosis rows (80 / 50)
    assert one.loc[("2022", "sex", "F"), ["population", "population_share", "respondents"]].tolist() == [90, 60, 1]
    # Feb-Apr 2023 has no sex margin: its sex x age rows summed, F 10 + 20, M 15
    assert one.loc[("2023-02/2023-04", "sex", "F"), "population"] == 30
    assert one.loc[("2023-02/2023-04", "sex", "M"), "population_share"] == pytest.approx(100 / 3)
    # diagnosis groups only in 2022 (summed over sex: 70 and 60 of 130); the respondents beside 2022 only
    assert one.loc[("2022", "diagnosis_group", "depression"), "population"] == 70
    assert one.loc[("2022", "diagnosis_group", "anxiety"), "population_share"] == pytest.approx(6000 / 130)
    assert ("2023-02/2023-04", "diagnosis_group", "depression") not in one.index
    # ages only in Feb-Apr 2023 (20 -> 18–24: 10 + 15; 30 -> 25–35: 20); region (no population) beside the last period
    assert one.loc[("2023-02/2023-04", "age_group", "18–24"), "population"] == 25
    assert ("2022", "age_group", "18–24") not in one.index
    assert (
        one.loc[("2023-02/2023-04", "region", "Vest"), "respondents"] == 2
        and ("2022", "region", "Vest") not in one.index
    )
    cross = table[table["by"] == "sex"].set_index(["period", "group", "by_group"])
    assert set(cross.index.get_level_values("period")) == {"2022"}
    assert cross.loc[("2022", "depression", "F"), "population"] == 50
    assert cross.loc[("2022", "depression", "F"), "population_share"] == pytest.approx(5000 / 130)  # of 130
    assert cross.loc[("2022", "depression", "F"), "respondents"] == 1  # person 1: F32.1, a woman
    assert cross.loc[("2022", "anxiety", "F"), "respondents"] == 0
    assert cross.loc[("2022", "anxiety", "M"), "respondent_share"] == 50.0


# --- the command --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("analyse")
    result = forlop("survey", "analyse", "--data", str(write_survey(base / "data")), "--out", str(base / "out"),
                    "--lang", "en")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # Four respondents cannot be raked to the frame's margins: one warning line, no weighted.csv, the rest written.
    assert "Warning: no weights and no weighted.csv: PHV: raking stopped" in result.stdout
    assert "4 respondents analysed, 10 files written" in result.stdout
    return base / "out"


def test_command_writes_the_contract_files(analysed: Path) -> None:
    assert (analysed / "validated" / "clean" / "survey_responses.parquet").is_file()
    columns = {
        "response.csv": "sector,unit,frame,unreachable,reached,declined,no_answer,answered,rate_of_frame,"
        "rate_of_reached",
        "frequencies.csv": "item,option,sector,breakdown,group,n,count,share,ci_low,ci_high",
        "scores.csv": "score,sector,breakdown,group,n,mean,sd,ci_low,ci_high",
        "alpha.csv": "index,population,n,n_items,alpha",
        "regressions.csv": "model,sector,term,estimate,ci_low,ci_high,p_value,n,r2",
    }
    for name, header in columns.items():
        assert (analysed / name).read_text(encoding="utf-8").splitlines()[0] == header
    people = pd.read_parquet(analysed / "respondents.parquet")
    assert list(people.columns[:7]) == ["person_id", "sector", "unit", "region", "sex", "age_group", "weight"]
    assert people["weight"].isna().all()
    assert not (analysed / "weighted.csv").exists()
    assert (analysed / "units.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "score,sector,unit,n,observed,expected,adjusted,ci_low,ci_high,flag"
    )
    scores = pd.read_csv(analysed / "scores.csv")
    star = scores[(scores["score"] == "STAR") & (scores["breakdown"] == "all")]
    assert star["mean"].tolist() == [2.5]  # person 1: all R = 3, R4, R7, R9 reversed to 1: 30 / 12


def test_command_bad_input_is_one_line(tmp_path: Path) -> None:
    result = forlop("survey", "analyse", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("nothing: mappen finnes ikke")  # the one error line


def test_another_questionnaire_without_002s_items(tmp_path: Path) -> None:
    """Covariates, outcomes and breakdowns whose 002 items are absent are missing; the rest is analysed."""
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(
        """
survey: small
forms: [PHV_TSB, AS]
scales:
  YN: [{code: 1, nb: "Ja", en: "Yes"}, {code: 2, nb: "Nei", en: "No"}]
  S3: [{code: 0, nb: "Aldri", en: "Never"}, {code: 1, nb: "Av og til", en: "Sometimes"},
       {code: 2, nb: "Alltid", en: "Always"}]
items:
  - {id: M1, section: M, type: single, text: {nb: "Plan", en: "Plan"}, scale: YN}
  - {id: R1, section: R, type: single, text: {nb: a, en: a}, scale: S3}
  - {id: R2, section: R, type: single, text: {nb: b, en: b}, scale: S3}
indices:
  STAR: {name: {nb: S, en: S}, items: [R1, R2], score: mean, range: [0, 2], reverse: [R2], min_items: 2}
""",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir()
    frame_table().to_csv(data / "survey_frame.csv", index=False)
    pd.DataFrame(
        {"person_id": [1, 2, 3], "form": "PHV_TSB", "answered_on": "2023-06-12", "M1": [1, 2, 1], "R1": [2, 1, 0],
         "R2": [0, 1, ""]}
    ).to_csv(data / "survey_responses.csv", index=False)  # fmt: skip
    result = forlop("survey", "analyse", "--data", str(data), "--out", str(tmp_path / "out"),
                    "--questionnaire", str(questionnaire), "--lang", "en")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    freq = pd.read_csv(tmp_path / "out" / "frequencies.csv")
    m1 = freq[(freq["item"] == "M1") & (freq["sector"] == "PHV") & (freq["breakdown"] == "all")]
    assert m1["count"].tolist() == [1, 1]  # persons 1, 2 are PHV (Ja, Nei); person 3 is TSB
    assert set(freq["breakdown"]) == {"all", "age_group"}  # no L6, L7a, L8a: no other breakdown
    scores = pd.read_csv(tmp_path / "out" / "scores.csv")
    star = scores[(scores["score"] == "STAR") & (scores["breakdown"] == "all")]
    assert star["mean"].tolist() == [1.5]  # PHV: (2 + 2) / 2 = 2 and (1 + 1) / 2 = 1; person 3 lacks R2
