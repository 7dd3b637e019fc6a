"""Raking to the frame and raked means with R survey's variance, on examples worked by hand.

The 2 x 2 example (sex x age, one unit; sector PHV): 8 respondents, 20 frame rows.

====  ===  ===  =====  ==============  =================
row   sex  age  STAR   respondents     frame rows (cell)
====  ===  ===  =====  ==============  =================
1     F    A    4      F,A: 1          F,A: 7
2-3   F    B    2, 3   F,B: 2          F,B: 5
4-6   M    A    1,2,3  M,A: 3          M,A: 5
7-8   M    B    0, 2   M,B: 2          M,B: 3
====  ===  ===  =====  ==============  =================

Frame margins: F 12, M 8; A 12, B 8. Raking (IPF) keeps the sample's odds ratio (1 x 2)/(2 x 3) = 1/3
and meets the margins; with T = weighted F,A cell: T (8 - 12 + T) = (1/3)(12 - T)(12 - T), i.e.
2T^2 + 12T - 144 = 0, T = 6; the raked table is F,A 6, F,B 6, M,A 6, M,B 2, so the weights are
6 (F,A), 3 (F,B), 2 (M,A), 1 (M,B) (base weight 20 / 8 = 2.5).

Raked mean: (6*4 + 3*(2+3) + 2*(1+2+3) + 1*(0+2)) / 20 = 53/20 = 2.65.
R's variance (svymean on the raked design; module doc of forlop.survey.weights): u = (y - 2.65)/20;
residual r of u from the unweighted least squares fit on 1, F, A: coefficients -123/1400, 3/35,
33/560; z = w r = (9/140, -51/560, 33/560, -3/28, -1/140, 13/140, -5/112, 31/560) (sum 0);
var = 8/7 * sum z^2 = 6437/137200, se = 0.2166031154. (Exact fractions, computed apart from the module.)
Unweighted: mean 17/8 = 2.125, sum of squares 10.875, se = sqrt(10.875 / 7 / 8) = 0.4406772.

Row 8 without a score (domain estimation): raked mean (53 - 2)/(20 - 1) = 51/19; z_8 = 0 but row 8 stays
in the projection and in n = 8; coefficients -405/5054, 202/2527, 255/5054; var = 3049768/44700103,
se = 0.2612035888. Unweighted: 15/7, se = sqrt(38/147) = 0.5084323.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.errors import DataError
from forlop.survey import weights as weights_module
from forlop.survey.weights import (
    COLUMNS,
    projection_limit,
    rake,
    rake_design,
    raked_mean,
    weighted_estimates,
)

Z975 = 1.959963984540054
SAMPLE = [("F", "A", 4), ("F", "B", 2), ("F", "B", 3), ("M", "A", 1), ("M", "A", 2), ("M", "A", 3),
          ("M", "B", 0), ("M", "B", 2)]  # fmt: skip
FRAME_CELLS = [("F", "A", 7), ("F", "B", 5), ("M", "A", 5), ("M", "B", 3)]


def _respondents(sample=SAMPLE, sector: str = "PHV", unit: str | None = "U1", start: int = 1) -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": range(start, start + len(sample)), "sector": sector, "unit": unit, "region": "Vest",
        "sex": [r[0] for r in sample], "age_group": [r[1] for r in sample],
        "STAR": [float(r[2]) if r[2] is not None else np.nan for r in sample],
    })  # fmt: skip


def _frame(cells=FRAME_CELLS, sector: str = "PHV", unit: str | None = "U1") -> pd.DataFrame:
    rows = [(s, a) for s, a, k in cells for _ in range(k)]
    frame = pd.DataFrame(rows, columns=["sex", "age_group"])
    frame["sector"], frame["unit"], frame["region"] = sector, unit, "Vest"
    return frame


def _settings(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    changed = {**weights_module.settings(), **changes}
    monkeypatch.setattr(weights_module, "settings", lambda: changed)


def test_raking_reaches_the_hand_worked_weights_and_the_frame_margins() -> None:
    respondents = _respondents()
    w = rake(respondents, _frame())
    assert w.index.equals(respondents.index)
    np.testing.assert_allclose(w.to_numpy(), [6, 3, 3, 2, 2, 2, 1, 1], atol=1e-5)
    assert w.groupby(respondents["sex"]).sum().to_dict() == pytest.approx({"F": 12, "M": 8}, abs=2e-5)
    assert w.groupby(respondents["age_group"]).sum().to_dict() == pytest.approx({"A": 12, "B": 8}, abs=2e-5)
    assert w.sum() == pytest.approx(20)


def test_raked_and_unweighted_means_with_r_standard_errors() -> None:
    respondents = _respondents()
    table = weighted_estimates(respondents, rake(respondents, _frame()), ["STAR"])
    assert list(table.columns) == COLUMNS
    plain, raked = table.iloc[0], table.iloc[1]
    assert (plain["design"], raked["design"], plain["sector"], plain["n"], raked["n"]) == (
        "unweighted", "raked", "PHV", 8, 8)  # fmt: skip
    assert plain["estimate"] == pytest.approx(2.125)
    assert plain["se"] == pytest.approx(0.4406772, abs=1e-7)
    assert plain["ci_low"] == pytest.approx(2.125 - Z975 * 0.44067723, abs=1e-6)
    assert raked["estimate"] == pytest.approx(2.65, abs=1e-6)
    assert raked["se"] == pytest.approx(np.sqrt(6437 / 137200), rel=1e-6)  # 0.2166031154
    assert raked["ci_high"] == pytest.approx(2.65 + Z975 * 0.2166031154, abs=1e-6)


def test_missing_score_is_a_domain_the_row_stays_in_the_raked_design() -> None:
    respondents = _respondents(SAMPLE[:-1] + [("M", "B", None)])
    table = weighted_estimates(respondents, rake(respondents, _frame()), ["STAR"]).set_index("design")
    assert table.loc["unweighted", "n"] == table.loc["raked", "n"] == 7
    assert table.loc["unweighted", "estimate"] == pytest.approx(15 / 7)
    assert table.loc["unweighted", "se"] == pytest.approx(np.sqrt(38 / 147))  # 0.5084323
    assert table.loc["raked", "estimate"] == pytest.approx(51 / 19, abs=1e-6)
    assert table.loc["raked", "se"] == pytest.approx(np.sqrt(3049768 / 44700103), rel=1e-6)  # 0.2612035888
    # dropping the row instead (a re-raked subset) would give another figure: R keeps it with weight 0
    assert table.loc["raked", "se"] != pytest.approx(0.2166031154, rel=1e-3)


def test_one_sweep_of_the_projection_is_r_s_step_and_ten_reach_the_limit() -> None:
    """One sweep (z <- z - v mean_cell(z / v), sex then age) by hand with the weights 6, 3, 2, 1:
    var = 2161/35000 (se 0.2484811); R's ten sweeps and the least-squares limit give 0.2166031."""
    respondents = _respondents()
    group = rake_design(respondents, _frame()).groups["PHV"]
    y = respondents["STAR"].to_numpy(dtype=float)
    assert raked_mean(y, group, sweeps=1)[1] == pytest.approx(np.sqrt(2161 / 35000), rel=1e-6)
    # the limit uses the final weights in every step, R the weights of each step of the last raking sweep:
    # they differ by the raking tolerance (weights within about 1e-7 of 6, 3, 2, 1)
    assert raked_mean(y, group)[1] == pytest.approx(projection_limit(y, group)[1], rel=1e-6)


def test_a_single_margin_is_post_stratification() -> None:
    """3 F (STAR 1, 2, 3) and 2 M (4, 8); frame F 6, M 14, one age group, one unit: weights 2 and 7,
    mean (2*6 + 7*12)/20 = 4.8; z = (-0.1, 0, 0.1, -0.7, 0.7), var = 5/4 * 1.0 = 1.25, which is the
    post-stratified variance n/(n-1) sum_g (N_g/N)^2 sum_(i in g) (y_i - mean_g)^2 / n_g^2
    = 5/4 * (0.09 * 2/9 + 0.49 * 8/4)."""
    respondents = _respondents([("F", "A", 1), ("F", "A", 2), ("F", "A", 3), ("M", "A", 4), ("M", "A", 8)])
    w = rake(respondents, _frame([("F", "A", 6), ("M", "A", 14)]))
    np.testing.assert_allclose(w.to_numpy(), [2, 2, 2, 7, 7])
    raked = weighted_estimates(respondents, w, ["STAR"]).set_index("design").loc["raked"]
    assert raked["estimate"] == pytest.approx(4.8)
    assert raked["se"] == pytest.approx(np.sqrt(1.25))


def test_each_sector_is_its_own_design_and_as_is_raked_by_region() -> None:
    """AS: (F, Vest, 3), (F, Nord, 2), (M, Nord, 1); frame F,Vest 2, F,Nord 2, M,Nord 6: sex F 4 / M 6 and
    region Vest 2 / Nord 8 give weights 2, 2, 6 (mean (6 + 4 + 6)/10 = 1.6); PHV as in the 2 x 2 example."""
    as_ = _respondents([("F", "A", 3), ("F", "A", 2), ("M", "A", 1)], sector="AS", unit=None, start=9)
    as_["region"] = ["Vest", "Nord", "Nord"]
    respondents = pd.concat([_respondents(), as_], ignore_index=True)
    frame_as = _frame([("F", "A", 4), ("M", "A", 6)], sector="AS", unit=None)
    frame_as["region"] = ["Vest", "Vest"] + ["Nord"] * 8
    raking = rake_design(respondents, pd.concat([_frame(), frame_as], ignore_index=True))
    assert list(raking.groups) == ["AS", "PHV"]
    assert raking.groups["AS"].margins == ("sex", "age_group", "region")
    assert raking.groups["PHV"].margins == ("sex", "age_group", "unit")
    np.testing.assert_allclose(raking.weights, [6, 3, 3, 2, 2, 2, 1, 1, 2, 2, 6], atol=1e-5)
    table = weighted_estimates(respondents, raking.weights, ["STAR"], raking=raking)
    assert list(table["sector"]) == ["AS", "AS", "PHV", "PHV"]
    assert table.loc[1, "estimate"] == pytest.approx(1.6, abs=1e-6)


def test_pooled_raking_meets_sector_and_place_margins() -> None:
    """by_sector=False: one design, base weight 30/11; margins sector, sex, age_group and place
    (unit, or region for AS): frame PHV 20 (place PHV:U1), AS 10 (AS:Vest 2, AS:Nord 8)."""
    as_ = _respondents([("F", "A", 3), ("F", "A", 2), ("M", "A", 1)], sector="AS", unit=None, start=9)
    as_["region"] = ["Vest", "Nord", "Nord"]
    respondents = pd.concat([_respondents(), as_], ignore_index=True)
    frame_as = _frame([("F", "A", 4), ("M", "A", 6)], sector="AS", unit=None)
    frame_as["region"] = ["Vest", "Vest"] + ["Nord"] * 8
    raking = rake_design(respondents, pd.concat([_frame(), frame_as], ignore_index=True), by_sector=False)
    w = raking.weights
    assert list(raking.groups) == ["all"]
    assert w.groupby(respondents["sector"]).sum().to_dict() == pytest.approx({"AS": 10, "PHV": 20}, abs=1e-4)
    assert w.groupby(respondents["sex"]).sum().to_dict() == pytest.approx({"F": 16, "M": 14}, abs=1e-4)
    assert w.iloc[8] == pytest.approx(2, abs=1e-4)  # AS:Vest has one respondent and 2 frame rows
    assert set(weighted_estimates(respondents, w, ["STAR"], raking=raking)["sector"]) == {"all"}


def test_margins_that_cannot_both_be_met_stop_with_one_line() -> None:
    """AS respondents (F, Vest) and (M, Nord) against frame F 3 / M 7 and Vest 4 / Nord 6: sex fixes the
    region, so every sweep ends at F 4, M 6 (region last): R's rule sees no change after sweep 2 and
    accepts sex 1 row off target; here that stops the run."""
    as_ = _respondents([("F", "A", 3), ("M", "A", 1)], sector="AS", unit=None)
    as_["region"] = ["Vest", "Nord"]
    frame = _frame([("F", "A", 3), ("M", "A", 7)], sector="AS", unit=None)
    frame["region"] = ["Vest"] * 4 + ["Nord"] * 6
    with pytest.raises(DataError) as error:
        rake(as_, frame)
    assert str(error.value) == (
        "AS: raking stopped after 2 sweeps but a margin is 1 off the frame (tolerance 0.001): the margins "
        "contradict each other among the respondents"
    )


def test_maxit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, maxit=2)
    with pytest.raises(DataError, match="did not converge in 2 sweeps"):
        rake(_respondents(), _frame())


def test_a_frame_category_without_respondents_stops_under_the_error_rule() -> None:
    respondents = _respondents([("F", "A", 1), ("F", "B", 2)])
    with pytest.raises(DataError) as error:
        rake(respondents, _frame())
    assert str(error.value) == (
        "PHV, raking margin sex: category 'M' has 8 frame rows and no respondents (rule 'error' in survey/weights.yaml)"
    )


def test_a_respondent_category_the_frame_lacks_stops() -> None:
    respondents = _respondents([("F", "A", 1), ("X", "B", 2)])
    with pytest.raises(DataError, match="category 'X' has 1 respondents but no frame rows"):
        rake(respondents, _frame())


def test_unit_without_respondents_is_pooled_with_the_smallest_unit_into_other() -> None:
    """Frame: units U1 10, U2 6, U3 2 (all F, A); respondents: 2 in U1 (STAR 1, 3), 2 in U2 (2, 4).
    U3 has none: 'other' = U3 + the smallest unit with respondents (U2), 8 frame rows: weights 5 and 4."""
    respondents = _respondents([("F", "A", 1), ("F", "A", 3), ("F", "A", 2), ("F", "A", 4)])
    respondents["unit"] = ["U1", "U1", "U2", "U2"]
    frame = _frame([("F", "A", 18)])
    frame["unit"] = ["U1"] * 10 + ["U2"] * 6 + ["U3"] * 2
    raking = rake_design(respondents, frame)
    np.testing.assert_allclose(raking.weights, [5, 5, 4, 4])
    assert raking.groups["PHV"].collapsed == {"unit": {"U2": "other", "U3": "other"}}


def test_empty_age_band_merges_with_its_smaller_neighbour() -> None:
    """Bands 18–24 (frame 3), 25–35 (frame 4, no respondent), 36–45 (frame 5): 25–35 joins 18–24 (3 < 5);
    the cell 18–24+25–35 has 7 frame rows and 1 respondent, 36–45 5 rows and 1 respondent."""
    respondents = _respondents([("F", "18–24", 1), ("F", "36–45", 3)])
    frame = _frame([("F", "18–24", 3), ("F", "25–35", 4), ("F", "36–45", 5)])
    raking = rake_design(respondents, frame)
    np.testing.assert_allclose(raking.weights, [7, 5])
    assert raking.groups["PHV"].collapsed == {"age_group": {"18–24": "18–24+25–35", "25–35": "18–24+25–35"}}


def test_missing_margin_value_is_its_own_category() -> None:
    respondents = _respondents([("F", "A", 1), ("F", None, 2)])
    frame = _frame([("F", "A", 3)])
    frame.loc[3] = {"sex": "F", "age_group": None, "sector": "PHV", "unit": "U1", "region": "Vest"}
    np.testing.assert_allclose(rake(respondents, frame), [3, 1])


def test_weighted_estimates_need_the_raking_record() -> None:
    respondents = _respondents()
    w = rake(respondents, _frame())
    with pytest.raises(DataError, match="need the raking of rake"):
        weighted_estimates(respondents, pd.Series(w.to_numpy(), index=w.index), ["STAR"])
    with pytest.raises(DataError, match="not the ones the raking gave"):
        weighted_estimates(respondents, w * 2, ["STAR"], raking=w.attrs["raking"])
