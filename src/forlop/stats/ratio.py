"""Confidence intervals of a ratio of sums over patients (contacts that are ambulant, readmissions
that are acute, ...), where the counted events cluster within patients.

Rule (docs/definitions.md, "Ratios of event counts"): the ratio of group g is
``R = sum(y_i) / sum(x_i)`` over the patients i of g with at least one event in the denominator
(``x_i > 0``). Its standard error treats the patient, not the contact, as the unit that was
sampled: the delta-method (Taylor linearisation) variance of a ratio estimator,

    Var(R) = n / (n - 1) * sum((y_i - R x_i)^2) / (sum x_i)^2,      n = patients with x_i > 0,

and the 95% interval is ``R +- z(0.975) * SE``, clipped to [0, 1] when the ratio is a share. This is
exactly the slope of a weighted least-squares fit of ``y_i = b x_i`` with weights ``1 / x_i`` and
its HC1 (cluster = patient) sandwich standard error in statsmodels; the test checks the two agree.
It is written out here as sums per group (``np.bincount``) because fitting one statsmodels model per
indicator and group would cost seconds at national scale for the same numbers. With contacts taken
as independent (a Wilson interval on the contact counts) the interval is too narrow whenever some
patients have many contacts.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri  # the normal quantile, without importing scipy.stats


def ratio_ci(
    y: np.ndarray, x: np.ndarray, groups: np.ndarray, n_groups: int, alpha: float = 0.05, share: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sum y, sum x, ratio, ci_low, ci_high) per group code ``0 .. n_groups - 1``.

    ``y``, ``x``: per-patient counts; ``groups``: each patient's group code. A group whose
    denominator is 0 has no ratio (NaN); one with a single patient has no interval (NaN).
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    groups = np.asarray(groups)
    sum_y = np.bincount(groups, weights=y, minlength=n_groups)
    sum_x = np.bincount(groups, weights=x, minlength=n_groups)
    n = np.bincount(groups, weights=(x > 0).astype(float), minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(sum_x > 0, sum_y / sum_x, np.nan)
        residual = np.where(x > 0, y - ratio[groups] * x, 0.0)
        ss = np.bincount(groups, weights=residual**2, minlength=n_groups)
        variance = np.where(n > 1, n / (n - 1) * ss / sum_x**2, np.nan)
    half = ndtri(1 - alpha / 2) * np.sqrt(variance)
    low, high = ratio - half, ratio + half
    if share:
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return sum_y, sum_x, ratio, low, high
