"""A one-line reading of a chart and whether it shows improvement, for the dashboard.

Rules (ours, written down in docs/definitions.md "QI charts"):
- Fewer than ``MIN_POINTS`` (12) points: too few to judge (004 §2.2: "minimum 12
  datapunkter er nødvendige ift. fastlæggelse af medianen").
- A runs signal from an unusually long run: "shift above/below the median since <month>" (or
  "from <month> to <month>" when the run has ended); from too few crossings only: the
  crossings and their limit. Points outside 3-sigma limits (control charts) are added.
- Direction of a signal: the side of the longest run (long-run signal), else the side of the
  median of the points after the start month relative to the centre line, else the side of
  the last point outside the limits.
- Status (``STATUSES``): ``improvement`` when the direction is the indicator's desired
  direction and the signal reaches into the project period (the longest run, or a point
  outside the limits, ends at or after the start month; without a start month the whole
  series is the project period); ``worsening`` for the other direction;
  ``baseline_improvement`` / ``baseline_worsening`` when the signal lies in the baseline only
  (in / against the desired direction); ``undirected`` for a signal without a direction (too
  few crossings with the median of the points after the start on the centre line);
  ``random`` with no signal; ``too_few``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forlop.i18n import month_name, t
from forlop.qi.anhoej import longest_run_span
from forlop.qi.qic import QicResult

MIN_POINTS = 12
STATUSES = ("improvement", "worsening", "baseline_improvement", "baseline_worsening", "undirected", "random",
            "too_few")


@dataclass(frozen=True)
class Reading:
    """The reading of one chart: ``text`` for people and ``status`` for the overview."""

    text: str
    status: str
    direction: int  # +1 up, -1 down, 0 none



def read_chart(result: QicResult, desired: str, start_position: int | None = None, lang: str | None = None) -> Reading:
    """Read ``result`` (one part) for an indicator whose desired direction is 'up' or 'down'.

    ``start_position``: 1-based position of the first month of the project period (None when
    the start is unknown: the whole series is then judged).
    """
    p = result.points
    observed = int(p["y"].notna().sum())
    if observed < MIN_POINTS:
        return Reading(t("qi.reading.too_few", lang, n=observed, minimum=MIN_POINTS), "too_few", 0)
    summary = result.summary.iloc[-1]
    line = t("qi.word.median" if result.chart == "run" else "qi.word.centre", lang)
    first_after = (start_position or 1) - 1
    parts, direction, reaches = [], 0, False
    include = p["include"].to_numpy()
    y = np.where(include, p["y"].to_numpy(float), np.nan)
    if bool(summary["runs_signal"]):
        span = longest_run_span(y, p["cl"].to_numpy(float))
        long_run = summary["longest_run"] > summary["longest_run_max"]
        if long_run and span is not None:
            first, last, side = span
            direction, reaches = side, last >= first_after
            last_useful = int(np.flatnonzero(~np.isnan(y) & (y != p["cl"].to_numpy(float)))[-1])
            key = "shift_above" if side > 0 else "shift_below"
            if last == last_useful:
                parts.append(t(f"qi.reading.{key}", lang, line=line, month=month_name(p["x"].iloc[first], lang)))
            else:
                parts.append(t(f"qi.reading.{key}_until", lang, line=line, month=month_name(p["x"].iloc[first], lang),
                               end=month_name(p["x"].iloc[last], lang)))
        else:
            after = p["y"].iloc[first_after:]
            centre = float(p["cl"].iloc[-1])
            direction = int(np.sign(after.median() - centre)) if after.notna().any() else 0
            reaches = bool(after.notna().any())
            parts.append(t("qi.reading.few_crossings", lang, line=line, crossings=int(summary["n_crossings"]),
                           limit=int(summary["n_crossings_min"])))
    outside = p.index[p["sigma_signal"]]
    if len(outside):
        last = int(outside[-1])
        parts.append(t("qi.reading.outside", lang, count=len(outside), month=month_name(p["x"].iloc[last], lang)))
        if direction == 0:
            direction = 1 if p["y"].iloc[last] > p["ucl"].iloc[last] else -1
        reaches = reaches or last >= first_after
    if not parts:
        return Reading(t("qi.reading.random", lang), "random", 0)
    wanted = 1 if desired == "up" else -1
    if direction == 0:
        status = "undirected"
    else:
        status = "improvement" if direction == wanted else "worsening"
        if not reaches:
            status = f"baseline_{status}"
    return Reading("; ".join(parts), status, direction)
