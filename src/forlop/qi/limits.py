"""Centre lines and 3-sigma limits per chart type, for one part of a chart.

The formulas are those of qicharts2 0.8.x (``qic.<type>()`` in its helper functions), which
follow Montgomery, *Introduction to Statistical Quality Control*, and Provost & Murray,
*The Health Care Data Guide* (2011). Each function gets the subgroups of one chart part and
the mask ``base`` of the subgroups that the centre line and limits are computed from
(baseline points that are not excluded) and returns the plotted values, centre line and
limits, all per subgroup.

Written by hand because no maintained Python package reproduces qicharts2's conventions
(baseline, exclusion, per-point P/U limits, the T-chart transform, the G-chart median);
the reference numbers in ``../shared/qi-reference`` are the check.

Subgroup columns used: ``y`` (the plotted value: mean, or sum/n with a denominator),
``y_sum``, ``y_length`` (number of non-missing raw values), ``y_mean``, ``y_sd``, ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from forlop.errors import DataError

# d2 for moving ranges of two (Montgomery table VI): sigma = average moving range / 1.128.
D2_MR = 1.128
# D4 for moving ranges of two: upper limit of the moving range = 3.267 * average MR.
D4_MR = 3.267
# Exponent of the Nelson (1994) transform used by the T chart: y ** (1 / 3.6).
T_EXPONENT = 3.6

from forlop.choices import CHART_TYPES  # noqa: E402  (the --chart values; one list)


@dataclass
class Lines:
    """Plotted values and lines for the subgroups of one part."""

    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray


def _full(value: float, size: int) -> np.ndarray:
    return np.full(size, value, dtype=float)


def _mean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float("nan")


def _median(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else float("nan")


def c4(n: np.ndarray) -> np.ndarray:
    """Bias constant c4(n) = sqrt(2/(n-1)) * Gamma(n/2) / Gamma((n-1)/2); NaN for n <= 1."""
    from scipy.special import gammaln  # here, not at the top: every `forlop` command imports this module

    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    out[ok] = np.sqrt(2 / (n[ok] - 1)) * np.exp(gammaln(n[ok] / 2) - gammaln((n[ok] - 1) / 2))
    return out


def a3(n: np.ndarray) -> np.ndarray:
    """Xbar-chart constant A3 = 3 / (c4(n) * sqrt(n))."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 3 / (c4(n) * np.sqrt(n))


def b3(n: np.ndarray) -> np.ndarray:
    """S-chart lower constant B3 = max(0, 1 - 3 * sqrt(1 - c4^2) / c4)."""
    c = c4(n)
    with np.errstate(invalid="ignore"):
        value = 1 - 3 * np.sqrt(1 - c**2) / c
    return np.where(np.isnan(value), np.nan, np.maximum(0, value))


def b4(n: np.ndarray) -> np.ndarray:
    """S-chart upper constant B4 = 1 + 3 * sqrt(1 - c4^2) / c4."""
    c = c4(n)
    with np.errstate(invalid="ignore"):
        return 1 + 3 * np.sqrt(1 - c**2) / c


def average_moving_range(values: np.ndarray, screened: bool = False) -> float:
    """Mean of |differences| between consecutive values (missing ones ignored).

    With ``screened``, moving ranges above 3.267 x the first average are dropped and the
    average recomputed once (Nelson 1982; Provost & Murray p. 156). This is qicharts2's option
    ``qic.screenedmr``, which the package switches on when it is attached (``.onAttach``);
    the reference numbers (cabg_age_i, cabg_t) are only reproduced with screening, so the
    engine screens by default.
    """
    mr = np.abs(np.diff(values))
    amr = _mean(mr)
    if screened:
        mr = mr[mr < D4_MR * amr]
        amr = _mean(mr)
    return amr


def run_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """Run chart: centre line = median of the baseline values; no limits."""
    y = d["y"].to_numpy(float)
    centre = _median(y[base]) if cl is None else cl
    return Lines(y, _full(centre, len(y)), _full(np.nan, len(y)), _full(np.nan, len(y)))


def i_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, screened_mr: bool = True, **_: object) -> Lines:
    """I (individuals) chart: CL = mean; sigma = average moving range / 1.128 (Montgomery 6.33).

    Moving ranges are taken between consecutive baseline points that are not excluded, and
    screened (see ``average_moving_range``) unless ``screened_mr`` is False.
    """
    y = d["y"].to_numpy(float)
    centre = _mean(y[base]) if cl is None else cl
    sigma = average_moving_range(y[base], screened_mr) / D2_MR
    return Lines(y, _full(centre, len(y)), _full(centre - 3 * sigma, len(y)), _full(centre + 3 * sigma, len(y)))


def mr_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """Moving-range chart: y = |y_i - y_(i-1)|, CL = mean MR, UCL = 3.267 * CL, LCL = 0."""
    raw = d["y"].to_numpy(float)
    y = np.concatenate([[np.nan], np.abs(np.diff(raw))])
    centre = _mean(y[base]) if cl is None else cl
    return Lines(y, _full(centre, len(y)), _full(0.0, len(y)), _full(D4_MR * centre, len(y)))


def _varying_size(d: pd.DataFrame) -> bool:
    return d["y_length"].nunique() > 1


def _pooled_sd(d: pd.DataFrame, base: np.ndarray) -> float:
    """sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1)) over baseline subgroups (Montgomery 6.31)."""
    size = d["y_length"].to_numpy(float)[base]
    sd = d["y_sd"].to_numpy(float)[base]
    ok = ~np.isnan(sd)
    return float(np.sqrt(np.sum((size[ok] - 1) * sd[ok] ** 2) / np.sum(size[ok] - 1)))


def xbar_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """Xbar chart of subgroup means: CL = grand mean weighted by subgroup size (Montgomery 6.30);
    sigma = mean subgroup SD (equal sizes) or pooled SD (varying sizes); limits CL ± A3(n) * sigma.
    """
    size = d["y_length"].to_numpy(float)
    means = d["y_mean"].to_numpy(float)
    if cl is None:
        ok = base & ~np.isnan(means)
        centre = float(np.sum(size[ok] * means[ok]) / np.sum(size[ok]))
    else:
        centre = cl
    sigma = _pooled_sd(d, base) if _varying_size(d) else _mean(d["y_sd"].to_numpy(float)[base])
    factor = a3(size)
    return Lines(means, _full(centre, len(d)), centre - factor * sigma, centre + factor * sigma)


def s_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """S chart of subgroup standard deviations: CL = mean SD (equal sizes, Montgomery 6.29) or
    pooled SD (varying sizes, Montgomery 6.31); LCL = B3(n) * CL, UCL = B4(n) * CL.
    """
    size = d["y_length"].to_numpy(float)
    sd = d["y_sd"].to_numpy(float)
    if cl is None:
        centre = _pooled_sd(d, base) if _varying_size(d) else _mean(sd[base])
    else:
        centre = cl
    return Lines(sd, _full(centre, len(d)), b3(size) * centre, b4(size) * centre)


def t_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, screened_mr: bool = True, **_: object) -> Lines:
    """T chart (time between rare events): I chart of y ** (1/3.6), lines transformed back with
    ** 3.6 (Nelson 1994 via Provost & Murray); a negative or undefined LCL becomes 0.
    """
    y = d["y"].to_numpy(float)
    if np.nanmin(y) <= 0:
        raise DataError("qi.qic.t_positive")
    transformed = d.assign(y=y ** (1 / T_EXPONENT))
    inner = i_chart(transformed, base, None if cl is None else cl ** (1 / T_EXPONENT), screened_mr)
    with np.errstate(invalid="ignore"):
        lcl = np.where(inner.lcl < 0, 0.0, inner.lcl**T_EXPONENT)
    return Lines(y, inner.cl**T_EXPONENT, lcl, inner.ucl**T_EXPONENT)


def p_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """P chart of proportions: CL = sum(numerators) / sum(denominators) over the baseline;
    limits per point CL ± 3 sqrt(CL (1 - CL) / n_i), kept within [0, 1].
    """
    y_sum = d["y_sum"].to_numpy(float)
    n = d["n"].to_numpy(float)
    ok = base & ~np.isnan(y_sum) & ~np.isnan(n)
    centre = float(np.sum(y_sum[ok]) / np.sum(n[ok])) if cl is None else cl
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(centre * (1 - centre) / n)
    ucl = np.minimum(centre + 3 * sigma, 1.0)
    lcl = np.maximum(centre - 3 * sigma, 0.0)
    return Lines(d["y"].to_numpy(float), _full(centre, len(d)), lcl, ucl)


def c_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """C chart of counts: CL = mean count; limits CL ± 3 sqrt(CL), LCL at least 0 (Montgomery 7.17)."""
    y = d["y_sum"].to_numpy(float)
    centre = _mean(y[base]) if cl is None else cl
    sigma = np.sqrt(centre)
    return Lines(y, _full(centre, len(y)), _full(max(centre - 3 * sigma, 0.0), len(y)), _full(centre + 3 * sigma, len(y)))


def u_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """U chart of rates: CL = sum(counts) / sum(exposure) over the baseline; limits per point
    CL ± 3 sqrt(CL / n_i), LCL at least 0 (Montgomery 7.19).
    """
    y_sum = d["y_sum"].to_numpy(float)
    n = d["n"].to_numpy(float)
    ok = base & ~np.isnan(y_sum) & ~np.isnan(n)
    centre = float(np.sum(y_sum[ok]) / np.sum(n[ok])) if cl is None else cl
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(centre / n)
    return Lines(d["y"].to_numpy(float), _full(centre, len(d)), np.maximum(centre - 3 * sigma, 0.0), centre + 3 * sigma)


def g_chart(d: pd.DataFrame, base: np.ndarray, cl: float | None = None, **_: object) -> Lines:
    """G chart (cases between events): limits from the mean m, sigma = sqrt(m (m + 1))
    (Montgomery p. 319), LCL at least 0; the plotted centre line is the median of the baseline
    values (qicharts2), or 0.693 x a given mean (the geometric median, Provost & Murray p. 228).
    """
    y = d["y"].to_numpy(float)
    mean = _mean(y[base]) if cl is None else cl
    sigma = np.sqrt(mean * (mean + 1))
    centre = _median(y[base]) if cl is None else 0.693 * cl
    return Lines(y, _full(centre, len(y)), _full(max(mean - 3 * sigma, 0.0), len(y)), _full(mean + 3 * sigma, len(y)))


class ChartFunction(Protocol):
    """The signature the chart functions share (each ignores the keywords it has no use for)."""

    def __call__(self, d: pd.DataFrame, base: np.ndarray, cl: float | None = None, *, screened_mr: bool = True,
                 **_: object) -> Lines: ...


CHART_FUNCTIONS: dict[str, ChartFunction] = {
    "run": run_chart,
    "i": i_chart,
    "mr": mr_chart,
    "xbar": xbar_chart,
    "s": s_chart,
    "t": t_chart,
    "p": p_chart,
    "c": c_chart,
    "u": u_chart,
    "g": g_chart,
}
