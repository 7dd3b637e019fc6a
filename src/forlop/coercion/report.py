"""The coercion report: one self-contained HTML file (no network), Norwegian by default.

Sections: the trial (effects, arm and cluster rates per period, the figure) when a trial folder is
given, and the latest period's rates by area when a rates folder is given. Small-cell suppression
(DESIGN.md "Privacy") uses ``forlop.privacy``: counts of 1-4 are hidden with every rate built
on them, and complementary cells are hidden so that no hidden count follows from a total (the lines
are: clusters of an arm -> the arm's total in each period; areas -> the total in each measure).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

from forlop.citations import references
from forlop.coercion.design import read_counts, read_design
from forlop.coercion.trial_plot import trial_figure
from forlop.errors import InputError, read_user_csv
from forlop.html import render
from forlop.i18n import default_language, format_number, t
from forlop.privacy import Line, suppress
from forlop.progress import say

DASH = "–"


def _num(value: float, digits: int = 1, lang: str | None = None) -> str:
    """A number in the report's language: decimal comma in nb, point in en (``report.tables.fmt``),
    with a true minus sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return format_number(float(value), digits, lang or default_language(), DASH).replace("-", "−")


def _p(value: float, lang: str | None = None) -> str:
    """A p-value with 3 decimals, or "<0,001" (nb) / "<0.001" (en)."""
    if value is None or math.isnan(value):
        return DASH
    return "<" + _num(0.001, 3, lang) if value < 0.001 else _num(value, 3, lang)


def suppress_trial(cluster_rates: pd.DataFrame, arm_rates: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (hidden mask of cluster rows, hidden mask of arm rows): each arm-period is a line."""
    n = len(cluster_rates)
    values = np.concatenate([cluster_rates["events"].to_numpy(float), arm_rates["events"].to_numpy(float)])
    lines = []
    for j, arm_row in enumerate(arm_rates.itertuples()):
        parts = np.flatnonzero(
            ((cluster_rates["arm"] == arm_row.arm) & (cluster_rates["period"] == arm_row.period)).to_numpy()
        )
        lines.append(Line(components=tuple(int(i) for i in parts), total=n + j))
    hidden = suppress(values, lines).suppressed
    return hidden[:n], hidden[n:]


def suppress_areas(events: np.ndarray) -> np.ndarray:
    """Return the hidden mask of [areas..., total] where the last cell is the sum of the others."""
    n = len(events) - 1
    return suppress(np.asarray(events, dtype=float), [Line(components=tuple(range(n)), total=n)]).suppressed


def _read_result(path: Path, columns: list[str], dtype: dict | None = None, lang: str | None = None) -> pd.DataFrame:
    """Read a results CSV written by `coercion trial` or `coercion rates`; InputError if unusable."""
    if not Path(path).exists():
        raise InputError(str(path), t("coercion.report.not_found", lang))
    table = read_user_csv(path, dtype=dtype, keep_default_na=True, lang=lang)
    for column in columns:
        if column not in table.columns:
            raise InputError(
                str(path), t("coercion.report.old_column", lang), column=column, example=",".join(table.columns)
            )
    if table.empty:
        raise InputError(str(path), t("coercion.report.no_rows", lang))
    return table


def _trial_context(trial_dir: Path, lang: str) -> dict:
    effects = _read_result(
        trial_dir / "effects.csv",
        ["baseline", "period", "estimate", "ci_low", "ci_high", "p_value", "permutation_p", "effect_size", "unit"],
        {"baseline": str, "period": str},
        lang,
    )
    outcome = "share" if effects["unit"].iloc[0] == "percentage points" else "rate"
    arm_rates = _read_result(
        trial_dir / "arm_rates.csv", ["arm", "period", "events", "rate", "ci_low", "ci_high"], lang=lang
    )
    cluster_rates = _read_result(
        trial_dir / "cluster_rates.csv",
        ["cluster", "arm", "period", "events", "rate", "ci_low", "ci_high"],
        {"cluster": str},
        lang,
    )
    hide_cluster, hide_arm = suppress_trial(cluster_rates, arm_rates)
    effect_rows = [
        {
            "comparison": t("coercion.report.comparison", lang, baseline=r.baseline, period=r.period),
            "estimate": _num(r.estimate, lang=lang),
            "ci": f"{_num(r.ci_low, lang=lang)} ; {_num(r.ci_high, lang=lang)}",
            "p": _p(r.p_value, lang),
            "perm": _p(r.permutation_p, lang),
            "es": _num(r.effect_size, lang=lang),
        }
        for r in effects.itertuples()
    ]
    arm_rows = [
        {
            "arm": t(f"coercion.arm.{r.arm}", lang),
            "period": r.period,
            "events": DASH if h else str(int(r.events)),
            "rate": DASH if h else _num(r.rate, lang=lang),
            "ci": DASH if h else f"{_num(r.ci_low, lang=lang)} ; {_num(r.ci_high, lang=lang)}",
        }
        for r, h in zip(arm_rates.itertuples(), hide_arm)
    ]
    cluster_rows = [
        {
            "cluster": r.cluster,
            "arm": t(f"coercion.arm.{r.arm}", lang),
            "period": r.period,
            "events": DASH if h else str(int(r.events)),
            "rate": DASH if h else _num(r.rate, lang=lang),
            "ci": DASH if h else f"{_num(r.ci_low, lang=lang)} ; {_num(r.ci_high, lang=lang)}",
        }
        for r, h in zip(cluster_rates.itertuples(), hide_cluster)
    ]
    figure = ""
    design_file = trial_dir / "design_used.yaml"
    counts_file = trial_dir / "counts_used.csv"
    if design_file.exists() and counts_file.exists():
        design = read_design(design_file, lang)
        counts, _ = read_counts(counts_file, design, outcome, lang)
        figure = pio.to_html(
            trial_figure(counts, design, lang, outcome),
            full_html=False,
            include_plotlyjs=True,
            config={"displayModeBar": False},
        )
    return {
        "effects": effect_rows,
        "arms": arm_rows,
        "clusters": cluster_rows,
        "figure": figure,
        "intro": t(f"coercion.report.trial_intro_{outcome}", lang),
    }


def _rates_context(rates_dir: Path, lang: str, period: str | None = None) -> dict:
    rates = _read_result(
        rates_dir / "rates.csv",
        [
            "measure",
            "area",
            "period",
            "events",
            "person_years",
            "crude",
            "crude_low",
            "crude_high",
            "rate",
            "rate_low",
            "rate_high",
        ],
        {"area": str, "period": str},
        lang,
    )
    periods = sorted(rates["period"].unique())
    if period is not None and period not in periods:
        raise InputError(
            str(rates_dir / "rates.csv"),
            t("coercion.report.no_period", lang, period=period),
            column="period",
            example=", ".join(periods[-5:]),
        )
    latest = period or periods[-1]
    sections = []
    for measure, part in rates[rates["period"] == latest].groupby("measure", sort=False):
        part = part.sort_values("area")
        events = np.append(part["events"].to_numpy(float), part["events"].sum())
        hidden = suppress_areas(events)
        total_events, total_years = float(part["events"].sum()), float(part["person_years"].sum())
        rows = []
        for r, h in zip(part.itertuples(), hidden[:-1]):
            crude = f"{_num(r.crude, lang=lang)} ({_num(r.crude_low, lang=lang)} ; {_num(r.crude_high, lang=lang)})"
            rate = f"{_num(r.rate, lang=lang)} ({_num(r.rate_low, lang=lang)} ; {_num(r.rate_high, lang=lang)})"
            rows.append(
                {
                    "area": r.area,
                    "events": DASH if h else str(int(r.events)),
                    "crude": DASH if h else crude,
                    "rate": DASH if h else rate,
                }
            )
        total = {
            "area": t("coercion.col.total", lang),
            "events": DASH if hidden[-1] else str(int(total_events)),
            "crude": DASH if hidden[-1] else _num(total_events / total_years * 10_000, lang=lang),
            "rate": "",
        }
        sections.append({"title": t(f"coercion.measure.{measure}", lang), "rows": rows, "total": total})
    return {"period": latest, "sections": sections}


def write_report(
    out: Path,
    trial_dir: Path | None = None,
    rates_dir: Path | None = None,
    lang: str | None = None,
    period: str | None = None,
) -> Path:
    """Write the coercion report to ``out`` (one offline HTML file) and return its path.

    The rates section shows ``period`` (e.g. ``2020``), by default the latest period of rates.csv.
    """
    lang = lang or default_language()
    context = {
        "lang": lang,
        "t": lambda key, **v: t(key, lang, **v),
        "trial": _trial_context(Path(trial_dir), lang) if trial_dir else None,
        "rates": _rates_context(Path(rates_dir), lang, period) if rates_dir else None,
        # The measures (confirmed referrals) and the trial's estimand follow the ReCoN trial (000).
        "sources": references(["000"], lang),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render("forlop.coercion", "report.html.j2", **context), encoding="utf-8")
    say(t("coercion.report.done", lang, path=out))
    return out
