"""Case-mix adjusted unit comparison and funnel limits, on examples worked by hand.

Example 1 (PHV, covariate x, min_n 3): unit A (x, STAR) = (0, 3), (1, 5), (2, 7), (2, 7); unit B (0, 0),
(1, 1), (0, 0), (1, 2); unit C (0, 1), (2, 5). One more A respondent without x is left out (listwise),
an AS respondent has no unit. National n = 10, mean x 9/10, mean STAR 31/10; OLS slope
Sxy/Sxx = 181/69, intercept 17/23; residual variance 335/138 (sigma 1.5580553).

- A: O = 11/2, E = mean(17/23 + 181/69 x) = 1109/276, adjusted = 31/10 + 11/2 - 1109/276 = 6323/1380
  (4.5818841); residuals mean 409/276, variance 20339/57132, se 0.2983287; t(3) = 3.1824463:
  interval (3.6324687, 5.5312994), above 3.1: higher.
- B: O = 3/4, E = 283/138, adjusted = 2483/1380 (1.7992754); residual variance 33547/57132,
  se 0.3831397: interval (0.5799548, 3.0185960), below 3.1: lower.
- C: n = 2 < 3: too_few, no estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.errors import DataError
from forlop.stats import funnel_limits_mean
from forlop.survey.units import COLUMNS, FUNNEL_COLUMNS, compare_units, design, fit_sectors, unit_funnel

UNITS = {"A": [(0, 3), (1, 5), (2, 7), (2, 7)], "B": [(0, 0), (1, 1), (0, 0), (1, 2)], "C": [(0, 1), (2, 5)]}


def _respondents() -> pd.DataFrame:
    rows = [{"sector": "PHV", "unit": u, "x": float(x), "STAR": float(y)} for u, pts in UNITS.items() for x, y in pts]
    rows.append({"sector": "PHV", "unit": "A", "x": np.nan, "STAR": 9.0})
    rows.append({"sector": "AS", "unit": None, "x": 1.0, "STAR": 2.0})
    return pd.DataFrame(rows)


def test_observed_expected_adjusted_interval_and_flags() -> None:
    table = compare_units(_respondents(), "STAR", ["x"], min_n=3)
    assert list(table.columns) == COLUMNS
    assert list(table["unit"]) == ["A", "B", "C"]  # AS has no unit: no rows
    assert list(table["n"]) == [4, 4, 2]
    assert list(table["flag"]) == ["higher", "lower", "too_few"]
    a, b, c = (table.iloc[i] for i in range(3))
    assert (a["observed"], a["expected"], a["adjusted"]) == pytest.approx((5.5, 1109 / 276, 6323 / 1380))
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((3.6324687, 5.5312994), abs=1e-6)
    assert (b["observed"], b["expected"], b["adjusted"]) == pytest.approx((0.75, 283 / 138, 2483 / 1380))
    assert (b["ci_low"], b["ci_high"]) == pytest.approx((0.5799548, 3.0185960), abs=1e-6)
    assert c[["observed", "expected", "adjusted", "ci_low", "ci_high"]].isna().all()


def test_min_n_defaults_to_thirty() -> None:
    table = compare_units(_respondents(), "STAR", ["x"])
    assert list(table["flag"]) == ["too_few"] * 3


def test_categorical_covariate_expected_from_group_means() -> None:
    """STAR ~ C(sex): unit X F 4, F 6, M 2; unit Y M 0, M 4, F 8. Fitted = sex means F 6, M 2; national 4.
    X: O 4, E 14/3, adjusted 10/3; residuals -2, 0, 0 (mean -2/3, variance 4/3, se 2/3), t(2) 4.3026527:
    interval (0.4648982, 6.2017685), contains 4: as_expected. Y: O 4, E 10/3, adjusted 14/3."""
    data = pd.DataFrame({"sector": "TSB", "unit": ["X", "X", "X", "Y", "Y", "Y"],
                         "sex": ["F", "F", "M", "M", "M", "F"], "STAR": [4.0, 6, 2, 0, 4, 8]})  # fmt: skip
    table = compare_units(data, "STAR", ["sex"], min_n=3).set_index("unit")
    assert table.loc["X", "expected"] == pytest.approx(14 / 3)
    assert table.loc["X", "adjusted"] == pytest.approx(10 / 3)
    assert (table.loc["X", "ci_low"], table.loc["X", "ci_high"]) == pytest.approx((0.4648982, 6.2017685), abs=1e-6)
    assert table.loc["Y", "adjusted"] == pytest.approx(14 / 3)
    assert list(table["flag"]) == ["as_expected", "as_expected"]


def test_no_covariates_adjusted_is_observed() -> None:
    table = compare_units(_respondents(), "STAR", [], min_n=2)
    # without covariates every prediction is the national mean (11 PHV rows now: 40/11)
    assert table["expected"].to_numpy() == pytest.approx([40 / 11] * 3)
    assert table["adjusted"].to_numpy() == pytest.approx(table["observed"].to_numpy())


def test_missing_column_is_one_line() -> None:
    with pytest.raises(DataError, match="respondents: column 'age' is missing"):
        compare_units(_respondents(), "STAR", ["age"])


def test_funnel_limits_around_the_national_mean() -> None:
    """sigma = sqrt(335/138) = 1.5580553; at n = 4: 3.1 -+ 1.959964 * 1.5580553 / 2 = 1.5731342, 4.6268658;
    99.8 %: 3.1 -+ 3.0902323 * 1.5580553 / 2 = 0.6926245, 5.5073755."""
    funnel = unit_funnel(_respondents(), "STAR", ["x"])
    assert list(funnel.columns) == FUNNEL_COLUMNS
    assert list(funnel["n"]) == [1, 2, 3, 4]  # up to the largest unit (A: 4 complete rows)
    row = funnel.set_index("n").loc[4]
    assert (row["target"], row["sigma"]) == pytest.approx((3.1, np.sqrt(335 / 138)))
    assert (row["lo95"], row["hi95"]) == pytest.approx((1.5731342, 4.6268658), abs=1e-6)
    assert (row["lo99.8"], row["hi99.8"]) == pytest.approx((0.6926245, 5.5073755), abs=1e-6)
    assert funnel_limits_mean(0.0, 2.0, np.array([1, 100]))["hi95"].to_numpy() == pytest.approx(
        [2 * 1.959964, 0.2 * 1.959964], abs=1e-6)  # fmt: skip


def test_design_is_the_formula_matrix_and_fits_are_reused() -> None:
    """Intercept, x, then sex as treatment dummies (F first, left out; bool as text "False" < "True"):
    the columns patsy builds for ``1 + x + C(sex) + C(flag)``."""
    data = pd.DataFrame({"x": [0.5, 2.0, 1.0], "sex": ["M", "F", "X"], "flag": [True, False, True]})
    expected = [[1, 0.5, 1, 0, 1], [1, 2.0, 0, 0, 0], [1, 1.0, 0, 1, 1]]
    assert design(data, ["x", "sex", "flag"]).tolist() == expected
    fits = fit_sectors(_respondents(), "STAR", ["x"])
    assert compare_units(_respondents(), "STAR", ["x"], min_n=3, fits=fits).equals(
        compare_units(_respondents(), "STAR", ["x"], min_n=3)
    )
    assert unit_funnel(_respondents(), "STAR", ["x"], fits=fits).equals(unit_funnel(_respondents(), "STAR", ["x"]))
