"""``qic()``: one entry point for run and control charts, modelled on qicharts2's ``qic()``.

Steps (qicharts2 0.8.x, ``qic()`` and ``qic.agg()``):

1. Rows with a missing x are dropped; with a denominator, a row missing y or n loses both.
2. Rows are grouped into subgroups by x (sorted by x): y_sum, y_length, y_mean, y_sd, n;
   the plotted y is y_sum / n with a denominator, else the mean of the subgroup.
3. Subgroups get their position (1-based), their part (``part`` = last position of each part
   before a split), a baseline flag (position <= ``freeze``; ignored when ``part`` is given)
   and an include flag (position not in ``exclude``).
4. Per part: centre line and limits from the baseline, included subgroups (``limits.py``),
   then the Anhøj rules on the included subgroups (``anhoej.py``).
5. y and the lines are multiplied by ``multiply``; infinite limits become missing.
6. sigma signal = y above the UCL or below the LCL. The runs signal is not given for MR
   charts or when x is categorical (neither numbers nor dates), as in qicharts2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forlop.errors import DataError
from forlop.qi.anhoej import runs_analysis
from forlop.qi.limits import CHART_FUNCTIONS, CHART_TYPES

NEEDS_DENOMINATOR = ("p", "u")

SUMMARY_COLUMNS = [
    "part", "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings",
    "n_crossings_min", "runs_signal", "avg_lcl", "cl", "avg_ucl", "sigma_signals",
]


@dataclass
class QicResult:
    """A computed chart.

    ``points``: one row per subgroup: x, y (as plotted, times ``multiply``), n, cl, lcl, ucl,
    target, notes, part, baseline, include, runs_signal, sigma_signal, and the runs analysis
    of the point's part (n_useful, longest_run, longest_run_max, n_crossings,
    n_crossings_min). ``summary``: one row per part (``SUMMARY_COLUMNS``).
    """

    chart: str
    points: pd.DataFrame
    summary: pd.DataFrame
    multiply: float = 1
    freeze: int | None = None
    title: str | None = None
    ylab: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def plot(self, title: str | None = None, ylab: str | None = None, lang: str | None = None) -> Any:
        """Return a plotly figure of the chart (see ``forlop.qi.plot``)."""
        from forlop.qi.plot import qic_figure

        return qic_figure(self, title=title or self.title, ylab=ylab or self.ylab, lang=lang)


def _is_ordered_axis(x: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(x) or pd.api.types.is_datetime64_any_dtype(x))


def _positions(values: Sequence[int] | int | None, name: str, size: int, low: int) -> list[int]:
    if values is None:
        return []
    items = [values] if isinstance(values, (int, np.integer)) else list(values)
    out = []
    for item in items:
        if not float(item).is_integer() or not low <= int(item) <= size:
            raise DataError("qi.qic.position", name=name, item=item, low=low, high=size)
        out.append(int(item))
    return out


def make_parts(part: list[int], size: int) -> np.ndarray:
    """Part number (1, 2, ...) per position; ``part`` holds the last position of each part
    before a split (qicharts2 ``makeparts``)."""
    cuts = sorted({0, *[p for p in part if 0 <= p < size]})
    return np.repeat(np.arange(1, len(cuts) + 1), np.diff([*cuts, size]))


def aggregate(x: pd.Series, y: pd.Series, n: pd.Series | None, notes: pd.Series | None) -> pd.DataFrame:
    """Group raw rows into subgroups by x (step 1-2 of the module docstring)."""
    d = pd.DataFrame({"x": x.to_numpy(), "y": pd.to_numeric(y, errors="raise").to_numpy(float)})
    d["n"] = np.nan if n is None else pd.to_numeric(n, errors="raise").to_numpy(float)
    d["notes"] = "" if notes is None else notes.fillna("").astype(str).to_numpy()
    d = d[d["x"].notna()]
    if n is not None:
        incomplete = d["y"].isna() | d["n"].isna()
        d.loc[incomplete, ["y", "n"]] = np.nan
    grouped = d.groupby("x", sort=True, dropna=True)
    out = pd.DataFrame(
        {
            "y_sum": grouped["y"].agg(lambda v: v.iloc[0] if len(v) == 1 else v.sum(min_count=0)),
            "y_length": grouped["y"].count().astype(int),
            "y_mean": grouped["y"].mean(),
            "y_sd": grouped["y"].std(ddof=1),
            "n": grouped["n"].sum(min_count=1) if n is not None else np.nan,
            "notes": grouped["notes"].agg(lambda v: " | ".join(s for s in dict.fromkeys(v) if s)),
        }
    ).reset_index()
    if n is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["y"] = grouped["y"].sum().to_numpy() / grouped["n"].sum().to_numpy()
        out.loc[out["n"].isna(), "y"] = np.nan
    else:
        out["y"] = out["y_mean"]
    return out


def qic(
    x: Sequence[Any] | pd.Series,
    y: Sequence[float] | pd.Series | None = None,
    n: Sequence[float] | pd.Series | None = None,
    chart: str = "run",
    freeze: int | None = None,
    part: Sequence[int] | int | None = None,
    exclude: Sequence[int] | int | None = None,
    target: float | None = None,
    notes: Sequence[str] | pd.Series | None = None,
    multiply: float = 1,
    cl: float | None = None,
    screened_mr: bool = True,
    title: str | None = None,
    ylab: str | None = None,
) -> QicResult:
    """Compute a run or control chart the way qicharts2's ``qic()`` does.

    ``x``: subgroup (date, number or category); ``y``: value or numerator; ``n``: denominator
    (needed by P and U charts); ``chart``: one of ``CHART_TYPES``; ``freeze``: number of
    baseline points the lines are computed from; ``part``: last position of each part before
    a split (lines are recomputed per part); ``exclude``: 1-based positions left out of the
    calculations (still plotted); ``target``: a target line; ``notes``: text per row;
    ``multiply``: factor for y and lines (100 for percent, 10 000 per 10 000 bed days);
    ``cl``: a fixed centre line instead of a computed one; ``screened_mr``: screen moving
    ranges in I and T charts (qicharts2 option ``qic.screenedmr``, on when qicharts2 is attached;
    on here too).

    Raises ``ValueError`` with a readable message for unusable arguments.
    """
    chart = chart.lower()
    if chart not in CHART_TYPES:
        raise DataError("qi.qic.chart_type", chart=chart, charts=", ".join(CHART_TYPES))
    if y is None:
        y, x = x, list(range(1, len(x) + 1))
    x = pd.Series(x).reset_index(drop=True)
    y = pd.Series(y).reset_index(drop=True)
    if len(x) != len(y):
        raise DataError("qi.qic.lengths")
    n = None if n is None else pd.Series(n).reset_index(drop=True)
    if chart in NEEDS_DENOMINATOR and n is None:
        raise DataError("qi.qic.needs_n", chart=chart.upper())
    notes = None if notes is None else pd.Series(notes).reset_index(drop=True)

    d = aggregate(x, y, n, notes)
    size = len(d)
    if size == 0:
        raise DataError("qi.qic.no_points")
    part_positions = _positions(part, "part", size - 1, 1)
    excluded = set(_positions(exclude, "exclude", size, 1))
    if freeze is not None:
        _positions(freeze, "freeze", size, 1)
    freeze_at = size if (freeze is None or part_positions) else int(freeze)

    d["xx"] = np.arange(1, size + 1)
    d["part"] = make_parts(part_positions, size)
    d["baseline"] = d["xx"] <= freeze_at
    d["include"] = ~d["xx"].isin(excluded)
    d["target"] = np.nan if target is None else float(target)
    chart_function = CHART_FUNCTIONS[chart]
    ordered = _is_ordered_axis(d["x"])

    pieces, summaries = [], []
    for number, piece in d.groupby("part", sort=True):
        piece = piece.copy()
        base = (piece["baseline"] & piece["include"]).to_numpy()
        lines = chart_function(piece, base, cl=cl, screened_mr=screened_mr)
        include = piece["include"].to_numpy()
        runs = runs_analysis(lines.y[include], lines.cl[include])
        piece["y"] = lines.y * multiply
        piece["cl"] = lines.cl * multiply
        piece["lcl"] = np.where(np.isfinite(lines.lcl), lines.lcl * multiply, np.nan)
        piece["ucl"] = np.where(np.isfinite(lines.ucl), lines.ucl * multiply, np.nan)
        with np.errstate(invalid="ignore"):
            piece["sigma_signal"] = ((piece["y"] > piece["ucl"]) | (piece["y"] < piece["lcl"])).fillna(False)
        show_runs = ordered and chart != "mr"
        piece["runs_signal"] = bool(runs.signal and show_runs)
        for key in ("n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
            piece[key] = getattr(runs, key)
        pieces.append(piece)
        summaries.append(
            {
                "part": int(number),
                "n_obs": runs.n_obs,
                "n_useful": runs.n_useful,
                "longest_run": runs.longest_run,
                "longest_run_max": runs.longest_run_max,
                "n_crossings": runs.n_crossings,
                "n_crossings_min": runs.n_crossings_min,
                "runs_signal": bool(runs.signal and show_runs),
                "avg_lcl": float(np.nanmean(piece["lcl"])) if piece["lcl"].notna().any() else np.nan,
                "cl": float(np.nanmean(piece["cl"])) if piece["cl"].notna().any() else np.nan,
                "avg_ucl": float(np.nanmean(piece["ucl"])) if piece["ucl"].notna().any() else np.nan,
                "sigma_signals": int(piece["sigma_signal"].sum()),
            }
        )
    points = pd.concat(pieces, ignore_index=True)
    points["sigma_signal"] = points["sigma_signal"].astype(bool)
    points["notes"] = points["notes"].replace("", None)
    columns = [
        "x", "y", "n", "cl", "lcl", "ucl", "target", "notes", "part", "xx", "baseline", "include",
        "runs_signal", "sigma_signal", "n_useful", "longest_run", "longest_run_max", "n_crossings",
        "n_crossings_min", "y_sum", "y_length",
    ]
    return QicResult(
        chart=chart,
        points=points[columns],
        summary=pd.DataFrame(summaries, columns=SUMMARY_COLUMNS),
        multiply=multiply,
        freeze=None if freeze is None or part_positions else int(freeze),
        title=title,
        ylab=ylab,
    )
