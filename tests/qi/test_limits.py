"""Hand-worked centre lines and limits for every chart type.

The qicharts2 reference (test_qic_reference.py) covers run, I, MR, C, U, P, G and T charts;
Xbar and S have no case there (they need raw subgroup data), so they are checked here
against hand arithmetic with Montgomery's constants, as are small cases of every type.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from forlop.qi import qic
from forlop.qi.limits import a3, b3, b4, c4


def test_constants_match_montgomery_tables() -> None:
    # c4(2) = sqrt(2/1) * Gamma(1) / Gamma(1/2) = sqrt(2/pi) = 0.7979; c4(3) = sqrt(pi)/2 = 0.8862
    # A3(3) = 3 / (0.8862 * sqrt(3)) = 1.954; B4(3) = 1 + 3 sqrt(1 - pi/4) / 0.8862 = 2.568; B3(6) = 0.030
    assert c4(np.array([2, 3]))[0] == pytest.approx(math.sqrt(2 / math.pi))
    assert c4(np.array([3]))[0] == pytest.approx(math.sqrt(math.pi) / 2)
    assert a3(np.array([3]))[0] == pytest.approx(1.954, abs=5e-4)
    assert b4(np.array([3]))[0] == pytest.approx(2.568, abs=5e-4)
    assert b3(np.array([3, 6]))[0] == 0 and b3(np.array([6]))[0] == pytest.approx(0.030, abs=5e-4)
    assert np.isnan(c4(np.array([1]))[0])


def test_xbar_and_s_equal_subgroups() -> None:
    # Subgroups: {1,2,3} mean 2 sd 1; {2,4,6} mean 4 sd 2; {3,3,3} mean 3 sd 0.
    # Xbar: CL = (3*2 + 3*4 + 3*3) / 9 = 3; sigma = mean sd = (1+2+0)/3 = 1;
    # A3(3) = 3 / (sqrt(pi)/2 * sqrt(3)) = 1.954410 -> UCL 4.954410, LCL 1.045590.
    # S: CL = 1; B4(3) = 1 + 3 * sqrt(1 - pi/4) / (sqrt(pi)/2) = 2.568170, B3(3) = 0.
    x = [1, 1, 1, 2, 2, 2, 3, 3, 3]
    y = [1, 2, 3, 2, 4, 6, 3, 3, 3]
    xbar = qic(x, y, chart="xbar").points
    assert xbar["y"].tolist() == [2, 4, 3]
    assert xbar["cl"].iloc[0] == pytest.approx(3)
    assert xbar["ucl"].iloc[0] == pytest.approx(4.954410, abs=1e-6)
    assert xbar["lcl"].iloc[0] == pytest.approx(1.045590, abs=1e-6)
    s = qic(x, y, chart="s").points
    assert s["y"].tolist() == [1, 2, 0]
    assert s["cl"].iloc[0] == pytest.approx(1)
    assert s["ucl"].iloc[0] == pytest.approx(2.568170, abs=1e-6)
    assert s["lcl"].iloc[0] == 0


def test_xbar_and_s_varying_subgroups() -> None:
    # Add {4,6}: mean 5, sd sqrt(2). Pooled sd = sqrt((2*1 + 2*4 + 2*0 + 1*2) / (2+2+2+1))
    # = sqrt(12/7) = 1.309307; CL = (6 + 12 + 9 + 10) / 11 = 3.363636;
    # A3(2) = 3 / (sqrt(2/pi) * sqrt(2)) = 2.658681 -> UCL of the pair = 3.363636 + 2.658681 * 1.309307 = 6.844667.
    # S: CL = 1.309307, B4(2) = 1 + 3 sqrt(1 - 2/pi) / sqrt(2/pi) = 3.266532 -> UCL 1.309307 * 3.266532 = 4.276894.
    x = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4]
    y = [1, 2, 3, 2, 4, 6, 3, 3, 3, 4, 6]
    xbar = qic(x, y, chart="xbar").points
    assert xbar["cl"].iloc[0] == pytest.approx(37 / 11)
    assert xbar["ucl"].iloc[3] == pytest.approx(6.844667, abs=1e-5)
    s = qic(x, y, chart="s").points
    assert s["cl"].iloc[0] == pytest.approx(math.sqrt(12 / 7))
    assert s["ucl"].iloc[3] == pytest.approx(4.276894, abs=1e-5)


def test_i_mr_and_screening() -> None:
    # I: y = 1, 3, 2, 4: CL 2.5; moving ranges 2, 1, 2 -> mean 5/3 (none above 3.267 x 5/3);
    # sigma = (5/3) / 1.128 = 1.477541 -> UCL 6.932624, LCL -1.932624.
    i = qic([1, 3, 2, 4], chart="i").points
    assert i["ucl"].iloc[0] == pytest.approx(6.932624, abs=1e-6)
    assert i["lcl"].iloc[0] == pytest.approx(-1.932624, abs=1e-6)
    # MR of the same: CL 5/3, UCL 3.267 * 5/3 = 5.445, LCL 0; the first point has no MR.
    mr = qic([1, 3, 2, 4], chart="mr").points
    assert np.isnan(mr["y"].iloc[0]) and mr["ucl"].iloc[0] == pytest.approx(5.445)
    assert not mr["runs_signal"].any()
    # Screening: y = 0,1,0,1,0,20: MRs 1,1,1,1,20, mean 4.8, limit 3.267 * 4.8 = 15.68 drops 20;
    # mean MR 1 -> sigma 0.886525; CL 22/6 -> UCL 3.666667 + 2.659574 = 6.326241 and
    # LCL 3.666667 - 2.659574 = 1.007093: 20 is above, and the 0s and 1s are all below.
    # Unscreened: sigma 4.8/1.128 = 4.255319 -> UCL 16.432624.
    y = [0, 1, 0, 1, 0, 20]
    screened = qic(y, chart="i").points
    assert screened["ucl"].iloc[0] == pytest.approx(6.326241, abs=1e-6)
    assert screened["lcl"].iloc[0] == pytest.approx(1.007093, abs=1e-6)
    assert screened["sigma_signal"].tolist() == [True] * 6
    assert qic(y, chart="i", screened_mr=False).points["ucl"].iloc[0] == pytest.approx(16.432624, abs=1e-6)


def test_attribute_charts() -> None:
    # C: 2, 4, 6 -> CL 4, sigma 2, UCL 10, LCL max(4 - 6, 0) = 0.
    c = qic([2, 4, 6], chart="c").points
    assert (c["cl"].iloc[0], c["ucl"].iloc[0], c["lcl"].iloc[0]) == (4, 10, 0)
    # U: 1/10 and 3/30 -> CL 4/40 = 0.1; sigma sqrt(0.1/10) = 0.1 and sqrt(0.1/30) = 0.057735
    # -> UCL 0.4 and 0.273205, LCL 0 (0.1 - 0.3 < 0 and 0.1 - 0.173 < 0).
    u = qic([1, 2], [1, 3], [10, 30], chart="u").points
    assert u["ucl"].tolist() == pytest.approx([0.4, 0.273205], abs=1e-6)
    assert u["lcl"].tolist() == [0, 0]
    # P: same counts; sigma sqrt(0.1 * 0.9 / 10) = 0.094868 and sqrt(0.09/30) = 0.054772
    # -> UCL 0.384605 and 0.264317; times 100 (multiply) for percent.
    p = qic([1, 2], [1, 3], [10, 30], chart="p", multiply=100).points
    assert p["ucl"].tolist() == pytest.approx([38.4605, 26.4317], abs=1e-4)
    assert p["cl"].iloc[0] == pytest.approx(10)
    # G: 1, 3, 8 -> mean 4, sigma sqrt(4 * 5) = 4.472136, UCL 4 + 13.416408 = 17.416408,
    # LCL 0, centre line = median 3.
    g = qic([1, 3, 8], chart="g").points
    assert (g["cl"].iloc[0], g["lcl"].iloc[0]) == (3, 0)
    assert g["ucl"].iloc[0] == pytest.approx(17.416408, abs=1e-6)


def test_t_chart_transform() -> None:
    # y = 1, 2^3.6, 3^3.6 -> transformed 1, 2, 3: I chart CL 2, MR 1, 1 -> sigma 1/1.128;
    # UCL (2 + 3/1.128)^3.6 = 4.659574^3.6, CL 2^3.6 = 12.125733, LCL 2 - 2.66 < 0 -> 0.
    y = [1, 2**3.6, 3**3.6]
    t = qic(y, chart="t").points
    assert t["cl"].iloc[0] == pytest.approx(2**3.6)
    assert t["ucl"].iloc[0] == pytest.approx((2 + 3 / 1.128) ** 3.6)
    assert t["lcl"].iloc[0] == 0
    with pytest.raises(ValueError, match="greater than zero"):
        qic([3, 0, 2], chart="t")


def test_baseline_parts_exclude_target_notes() -> None:
    # Run chart of 1, 2, 100, 3, 4 with point 3 excluded: median of 1, 2, 3, 4 = 2.5.
    run = qic([1, 2, 100, 3, 4], chart="run", exclude=[3], target=2, notes=[None, None, "outlier", None, None])
    assert run.points["cl"].iloc[0] == 2.5
    assert run.points["target"].iloc[0] == 2
    assert run.points["notes"].iloc[2] == "outlier"
    assert not run.points["include"].iloc[2]
    # Freeze on 3 points of 1, 2, 3, 10, 11: median of 1, 2, 3 = 2 for all five points.
    frozen = qic([1, 2, 3, 10, 11], chart="run", freeze=3).points
    assert frozen["cl"].tolist() == [2] * 5
    # Split after point 3: part 1 median 2, part 2 median (10 + 11) / 2 = 10.5; freeze is ignored.
    split = qic([1, 2, 3, 10, 11], chart="run", part=[3], freeze=2)
    assert split.points["cl"].tolist() == [2, 2, 2, 10.5, 10.5]
    assert split.summary["part"].tolist() == [1, 2]


def test_categorical_x_has_no_runs_signal_and_bad_arguments() -> None:
    # 12 rising values: a runs signal with numeric x (see test_anhoej), none with categories.
    y = list(range(1, 13))
    assert qic(list(range(12)), y).points["runs_signal"].all()
    assert not qic([f"k{i:02d}" for i in range(12)], y).points["runs_signal"].any()
    with pytest.raises(ValueError, match="needs a denominator"):
        qic([1, 2], [1, 2], chart="p")
    with pytest.raises(ValueError, match="not one of"):
        qic([1, 2], chart="xyz")
    with pytest.raises(ValueError, match="exclude"):
        qic([1, 2], exclude=[5])
