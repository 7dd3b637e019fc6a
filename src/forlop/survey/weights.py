"""Non-response weights (raking to the frame) and design-based means as R's ``survey`` package gives them.

Rules (docs/definitions.md, "Non-response weights"; settings in ``weights.yaml``):

- **Weights** (:func:`rake`): within each sector the respondents start with the base weight
  frame rows / respondents and are raked (iterative proportional fitting) to the frame's margins of
  sex, age group and unit (region for AS). One sweep post-stratifies to each margin in turn
  (w <- w * frame count of the cell / weighted respondents of the cell); sweeps stop when no margin
  table changes by ``epsilon`` or more since the previous sweep, exactly the loop of R's
  ``rake()`` (survey 4.5, surveyrep.R), which calls ``postStratify()`` once per margin and sweep.
  A margin category with frame rows and no respondents is collapsed by the rule of ``weights.yaml``
  or stops the run with one line; so does a group that does not converge in ``maxit`` sweeps.
- **Means** (:func:`weighted_estimates`): per sector and score, the unweighted mean (R
  ``svydesign(ids = ~1)``: se = sd / sqrt(n)) and the raked mean sum(w y) / sum(w) with the
  linearisation variance of R's ``svymean()`` on the raked design:

  1. influence value of every respondent of the sector, z_i = w_i (y_i - mean) / sum(w) over
     the respondents with a score, and z_i = 0 for a respondent without one (``na.rm = TRUE`` on a
     calibrated design keeps the row with weight 0: domain estimation, R's ``[.survey.design2``);
  2. the raking margins are removed from z as R's ``svyrecvar()`` does for a ``"raking"``
     post-stratum list: 10 sweeps of, for each margin k in raking order,
     z <- z - v_k * mean_cell(z / v_k), where v_k are the weights right after margin k was
     post-stratified in the last raking sweep and mean_cell is the plain (unweighted) mean over the
     respondents of the cell, those without a score included;
  3. var = n / (n - 1) * sum((z_i - mean(z))^2) over all n respondents of the sector (one stage,
     with replacement, no strata: R's ``onestage()``), se = sqrt(var); interval estimate +- z_0.975 se
     (R ``confint()``, df = Inf).

  At convergence every v_k equals the final weight w, and the sweeps of step 2 converge to
  z_i = w_i r_i, with r the residual of the unweighted least-squares fit of z / w on the indicators
  of all margin categories: the residual form of Deville and Sarndal's raking-ratio variance with
  equal base weights in the sector (:func:`projection_limit`, which the tests compare).

Why hand-written: no maintained Python library gives the raked-design linearisation variance.
samplics 0.6.1 rakes, but its ``TaylorEstimator`` treats the weights as fixed and its
``CalibrateEstimator`` is an empty stub; svy 0.35 likewise treats raked weights as fixed in Taylor
variances (it accounts for calibration only through replicate weights). The raking loop is written out
because R's variance needs the weights after every step of the last sweep, which no raking library
returns. The unweighted mean, its se and interval come from statsmodels ``DescrStatsW``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.weightstats import DescrStatsW

from forlop.datafile import package_yaml
from forlop.errors import DataError

COLUMNS = ["score", "sector", "design", "estimate", "se", "ci_low", "ci_high", "n"]
POOLED = "all"


@cache
def settings() -> dict:
    """``weights.yaml`` as a dict (see the file for what each entry means)."""
    return package_yaml("forlop.survey", "weights.yaml")


@dataclass(eq=False)
class RakedGroup:
    """One raked design (a sector, or all respondents): what R's raked design object holds."""

    name: str
    index: pd.Index
    margins: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    step_weights: tuple[np.ndarray, ...]
    weights: np.ndarray
    sweeps: int
    frame_rows: int
    collapsed: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(eq=False)
class Raking:
    """The weights of :func:`rake` (``weights``, aligned with the respondents) and one record per group."""

    weights: pd.Series
    groups: dict[str, RakedGroup]


def _require(table: pd.DataFrame, name: str, columns: list[str]) -> None:
    for column in columns:
        if column not in table.columns:
            raise DataError("survey.weights.column", table=name, column=column)


def _labels(values: pd.Series) -> pd.Series:
    missing = settings()["missing_label"]
    return values.astype(object).where(values.notna(), missing).astype(str)


def _order_key(label: str) -> tuple[float, str]:
    match = re.search(r"\d+", label)
    return (float(match.group()) if match else float("inf"), label)


def _collapse_other(frame: pd.Series, resp: pd.Series, empty: list[str], group: str, margin: str) -> dict[str, str]:
    other = settings()["other_label"]
    pool = set(empty) | ({other} if other in frame.index else set())
    candidates = sorted((c for c in frame.index if c not in pool), key=lambda c: (frame[c], c))
    while resp.reindex(sorted(pool)).fillna(0).sum() == 0:
        if not candidates:
            raise DataError("survey.weights.cannot_collapse", group=group, margin=margin)
        pool.add(candidates.pop(0))
    return dict.fromkeys(pool, other)


def _collapse_adjacent(frame: pd.Series, resp: pd.Series, group: str, margin: str) -> dict[str, str]:
    cells = [[c] for c in sorted(frame.index, key=_order_key)]

    def count(cell: list[str], table: pd.Series) -> float:
        return float(table.reindex(cell).fillna(0).sum())

    while True:
        empty = [i for i, cell in enumerate(cells) if count(cell, resp) == 0]
        if not empty:
            break
        if len(cells) == 1:
            raise DataError("survey.weights.cannot_collapse", group=group, margin=margin)
        i = empty[0]
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(cells)]
        j = min(neighbours, key=lambda k: (count(cells[k], frame), k))
        low, high = min(i, j), max(i, j)
        cells[low : high + 1] = [cells[low] + cells[high]]
    return {c: "+".join(cell) for cell in cells if len(cell) > 1 for c in cell}


def _cells(frame: pd.Series, resp: pd.Series, group: str, margin: str) -> tuple[dict[str, str], pd.Series]:
    """(collapse mapping, frame count per raking cell) of one margin of one group."""
    frame_counts = frame.value_counts()
    resp_counts = resp.value_counts()
    unknown = [c for c in resp_counts.index if c not in frame_counts.index]
    if unknown:
        raise DataError("survey.weights.not_in_frame", group=group, margin=margin, category=unknown[0],
                        n=int(resp_counts[unknown[0]]))  # fmt: skip
    empty = sorted(c for c in frame_counts.index if c not in resp_counts.index)
    mapping: dict[str, str] = {}
    if empty:
        rule = settings()["collapse"].get(margin, "error")
        if rule == "other":
            mapping = _collapse_other(frame_counts, resp_counts, empty, group, margin)
        elif rule == "adjacent":
            mapping = _collapse_adjacent(frame_counts, resp_counts, group, margin)
        else:
            raise DataError("survey.weights.empty_cell", group=group, margin=margin, category=empty[0],
                            frame=int(frame_counts[empty[0]]), rule=rule)  # fmt: skip
    population = frame_counts.groupby(lambda c: mapping.get(c, c)).sum()
    return mapping, population


def _ipf(
    base: np.ndarray, codes: list[np.ndarray], totals: list[np.ndarray], group: str
) -> tuple[np.ndarray, list[np.ndarray], int]:
    """R's ``rake()`` loop: (final weights, weights after each margin of the last sweep, sweeps)."""
    s = settings()
    epsilon = float(s["epsilon"])
    if epsilon < 1:  # R: control$epsilon * sum(weights(design, "sampling"))
        epsilon *= float(base.sum())
    w = base.copy()
    old = [np.bincount(c, weights=w, minlength=len(p)) for c, p in zip(codes, totals)]
    delta = float("inf")
    for sweep in range(1, int(s["maxit"]) + 1):
        steps = []
        for c, p in zip(codes, totals):
            w = w * (p / np.bincount(c, weights=w, minlength=len(p)))[c]
            steps.append(w)
        new = [np.bincount(c, weights=w, minlength=len(p)) for c, p in zip(codes, totals)]
        delta = max(float(np.max(np.abs(a - b))) for a, b in zip(new, old))
        if delta < epsilon:
            # R stops here. Its rule compares sweeps, not margins: margins that contradict each other in
            # the respondents repeat the same end-of-sweep tables and "converge" off target. Check them.
            tolerance = float(s["margin_tolerance"]) * float(base.sum())
            gaps = [float(np.max(np.abs(a - p))) for a, p in zip(new, totals)]
            if max(gaps) > tolerance:
                raise DataError("survey.weights.off_margin", group=group, sweeps=sweep, gap=max(gaps),
                                tolerance=tolerance)  # fmt: skip
            return w, steps, sweep
        old = new
    raise DataError("survey.weights.not_converged", group=group, maxit=int(s["maxit"]), delta=delta, epsilon=epsilon)


def _groups(
    respondents: pd.DataFrame, frame: pd.DataFrame, by_sector: bool
) -> list[tuple[str, pd.DataFrame, pd.DataFrame, list[str]]]:
    s = settings()
    if not by_sector:

        def with_place(table: pd.DataFrame) -> pd.DataFrame:
            table = table.copy()
            place = table["unit"].where(table["sector"] != "AS", table["region"])
            table["place"] = table["sector"].astype(str) + ":" + _labels(place)
            return table

        return [(POOLED, with_place(respondents), with_place(frame), list(s["pooled_margins"]))]
    out = []
    frame_sectors = set(frame["sector"].dropna().astype(str))
    for sector in sorted(respondents["sector"].astype(str).unique()):
        rows = respondents.loc[respondents["sector"].astype(str) == sector]
        if sector not in frame_sectors:
            raise DataError("survey.weights.unknown_sector", group=sector, n=len(rows))
        margins = list(s["margins"].get(sector, s["margins"]["default"]))
        out.append((sector, rows, frame.loc[frame["sector"].astype(str) == sector], margins))
    return out


def rake_design(respondents: pd.DataFrame, frame: pd.DataFrame, by_sector: bool = True) -> Raking:
    """Rake the respondents to the frame's margins; the weights and, per group, what the variance needs.

    ``respondents``: one row per respondent with sector, sex, age_group, unit, region (survey-analyse's
    respondents frame); ``frame``: every frame row with the same columns. ``by_sector``: one raked
    design per sector (margins ``weights.yaml: margins``); False: all respondents as one design
    (``pooled_margins``). Stops with one line (:class:`~forlop.errors.DataError`) for a missing column,
    a sector or category of a respondent that the frame lacks, a frame category without respondents
    under the ``error`` collapse rule, and a raking that does not converge.
    """
    s = settings()
    needed = sorted({"sector", *[m for ms in s["margins"].values() for m in ms]} - {"place"})
    _require(respondents, "respondents", needed)
    _require(frame, "frame", needed)
    if respondents["sector"].isna().any():
        raise DataError("survey.weights.column", table="respondents", column="sector")
    weights = pd.Series(np.nan, index=respondents.index, name="weight")
    groups: dict[str, RakedGroup] = {}
    for name, rows, frame_rows, margins in _groups(respondents, frame, by_sector):
        codes, totals, collapsed = [], [], {}
        for margin in margins:
            mapping, population = _cells(_labels(frame_rows[margin]), _labels(rows[margin]), name, margin)
            cell = _labels(rows[margin]).map(lambda c, m=mapping: m.get(c, c))
            codes.append(pd.Categorical(cell, categories=population.index).codes.astype(np.intp))
            totals.append(population.to_numpy(dtype=float))
            if mapping:
                collapsed[margin] = mapping
        base = np.full(len(rows), len(frame_rows) / len(rows))
        final, steps, sweeps = _ipf(base, codes, totals, name)
        weights.loc[rows.index] = final
        groups[name] = RakedGroup(name=name, index=rows.index, margins=tuple(margins), codes=tuple(codes),
                                  step_weights=tuple(steps), weights=final, sweeps=sweeps,
                                  frame_rows=len(frame_rows), collapsed=collapsed)  # fmt: skip
    return Raking(weights=weights, groups=groups)


def rake(respondents: pd.DataFrame, frame: pd.DataFrame, by_sector: bool = True) -> pd.Series:
    """The raked weight of every respondent (index of ``respondents``); rules in :func:`rake_design`.

    The raking record that :func:`weighted_estimates` needs for R's variance travels in
    ``weights.attrs["raking"]``; a caller that stores the weights elsewhere passes
    ``rake_design(...)`` to ``weighted_estimates(..., raking=...)`` instead.
    """
    raking = rake_design(respondents, frame, by_sector)
    weights = raking.weights.copy()
    weights.attrs["raking"] = raking
    return weights


def raked_mean(y: np.ndarray, group: RakedGroup, sweeps: int | None = None) -> tuple[float, float]:
    """(mean, se) of ``y`` (NaN = missing) on one raked design, as R's ``svymean(na.rm = TRUE)``."""
    sweeps = int(settings()["variance_sweeps"]) if sweeps is None else sweeps
    w = group.weights
    seen = np.isfinite(y)
    if not seen.any():
        return float("nan"), float("nan")
    total = float(w[seen].sum())
    mean = float((w[seen] * y[seen]).sum() / total)
    z = np.where(seen, w * (np.where(seen, y, 0.0) - mean) / total, 0.0)
    for _ in range(sweeps):
        for codes, v in zip(group.codes, group.step_weights):
            u = z / v
            z = z - v * (np.bincount(codes, weights=u) / np.bincount(codes))[codes]
    n = len(z)
    if n < 2:
        return mean, float("nan")
    return mean, float(np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()))


def projection_limit(y: np.ndarray, group: RakedGroup) -> tuple[float, float]:
    """(mean, se) with the sweeps of :func:`raked_mean` taken to their limit and the final weights in every
    step: z / w replaced by its residual from the unweighted least-squares fit (numpy ``lstsq``) on the
    indicators of every margin category. Equal to R's result once the raking has converged; a check."""
    w = group.weights
    seen = np.isfinite(y)
    total = float(w[seen].sum())
    mean = float((w[seen] * y[seen]).sum() / total)
    u = np.where(seen, (np.where(seen, y, 0.0) - mean) / total, 0.0)
    x = np.column_stack([np.eye(int(c.max()) + 1)[c] for c in group.codes])
    residual = u - x @ np.linalg.lstsq(x, u, rcond=None)[0]
    z = w * residual
    n = len(z)
    return mean, float(np.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum()))


def weighted_estimates(respondents: pd.DataFrame, weights: pd.Series, scores: list[str],
                       raking: Raking | None = None) -> pd.DataFrame:  # fmt: skip
    """Unweighted and raked mean of every score per raked group: the rows of ``OUT/weighted.csv``.

    Columns ``COLUMNS``: score, sector (``all`` for a pooled raking), design (``unweighted``,
    ``raked``), estimate, se, ci_low, ci_high, n (respondents with the score). Unweighted: R
    ``svymean(~y, svydesign(ids = ~1, data = d), na.rm = TRUE)`` = mean, sd / sqrt(n) (statsmodels
    ``DescrStatsW``); raked: :func:`raked_mean`. Intervals estimate +- z_(1 - alpha/2) se.
    """
    raking = raking if raking is not None else weights.attrs.get("raking")
    if not isinstance(raking, Raking):
        raise DataError("survey.weights.no_raking")
    _require(respondents, "respondents", list(scores))
    alpha = float(settings()["alpha"])
    z = float(norm.ppf(1 - alpha / 2))
    rows = []
    for score in scores:
        for name, group in raking.groups.items():
            given = weights.reindex(group.index).to_numpy(dtype=float)
            if not np.allclose(given, group.weights, rtol=1e-9, atol=0):
                raise DataError("survey.weights.mismatch", group=name)
            y = respondents.loc[group.index, score].to_numpy(dtype=float)
            seen = y[np.isfinite(y)]
            n = int(seen.size)
            if n:
                stats = DescrStatsW(seen)
                plain, plain_se = float(stats.mean), float(stats.std_mean) if n > 1 else float("nan")
            else:
                plain, plain_se = float("nan"), float("nan")
            estimate, se = raked_mean(y, group)
            for design, value, error in (("unweighted", plain, plain_se), ("raked", estimate, se)):
                rows.append({"score": score, "sector": name, "design": design, "estimate": value, "se": error,
                             "ci_low": value - z * error, "ci_high": value + z * error, "n": n})  # fmt: skip
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["n"] = out["n"].astype(int)
    return out
