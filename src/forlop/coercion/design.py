"""Read a trial design (trial.yaml) and monthly cluster counts (counts.csv) for the trial evaluation.

The formats are those of issue 6 (DESIGN.md "coercion/"): trial.yaml names each cluster's arm
(``intervention`` or ``control``) and the first and last month (YYYY-MM) of each period, the first
period being the baseline; counts.csv has one row per cluster and month with the columns cluster,
month (YYYY-MM), events and population (inhabitants in that month).

Unusable input stops with ``InputError`` (one line, exit code 2). Single unusable rows of counts.csv
(bad month, negative or non-integer count, unknown cluster, duplicate cluster-month) are returned with
their reason so that the caller writes them to ``rejected/counts.csv``; they are never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forlop.errors import InputError, read_user_csv, read_user_yaml
from forlop.i18n import t

ARMS = ("intervention", "control")
COUNT_COLUMNS = ("cluster", "month", "events", "population")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """One trial period: a name and its first and last month (inclusive)."""

    name: str
    first: pd.Period
    last: pd.Period


@dataclass(frozen=True)
class TrialDesign:
    """Clusters with their arm, and the periods in order (the first is the baseline)."""

    arms: dict[str, str]
    periods: tuple[Period, ...]

    @property
    def baseline(self) -> Period:
        """The first period."""
        return self.periods[0]

    @property
    def later(self) -> tuple[Period, ...]:
        """The periods compared with the baseline, in order."""
        return self.periods[1:]

    def clusters(self, arm: str) -> list[str]:
        """Return the clusters of one arm, sorted."""
        return sorted(c for c, a in self.arms.items() if a == arm)


def _month(value: object, file: str, where: str, lang: str | None = None) -> pd.Period:
    text = str(value).strip()
    if not _MONTH.match(text):
        raise InputError(file, t("coercion.design.month", lang, where=where), example=text)
    return pd.Period(text, freq="M")


def read_design(path: Path, lang: str | None = None) -> TrialDesign:
    """Read trial.yaml: ``arms`` (cluster -> intervention/control) and ``periods`` (name -> [first, last]).

    Rules: at least one cluster in each arm; at least two periods; each period's first month not after
    its last; periods in order and not overlapping.
    """
    file = str(path)
    raw = read_user_yaml(path, lang)
    if not isinstance(raw, dict) or not isinstance(raw.get("arms"), dict) or not isinstance(raw.get("periods"), dict):
        raise InputError(file, t("coercion.design.shape", lang))
    arms = {str(cluster): str(arm).strip().lower() for cluster, arm in raw["arms"].items()}
    for cluster, arm in arms.items():
        if arm not in ARMS:
            raise InputError(file, t("coercion.design.arm", lang, cluster=cluster), example=arm)
    for arm in ARMS:
        if arm not in arms.values():
            raise InputError(file, t("coercion.design.empty_arm", lang, arm=arm))
    periods: list[Period] = []
    for name, bounds in raw["periods"].items():
        if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
            raise InputError(file, t("coercion.design.period_shape", lang, name=name), example=str(bounds))
        first = _month(bounds[0], file, f"periods: {name}", lang)
        last = _month(bounds[1], file, f"periods: {name}", lang)
        if last < first:
            raise InputError(file, t("coercion.design.period_order", lang, name=name), example=f"[{first}, {last}]")
        if periods and first <= periods[-1].last:
            raise InputError(file, t("coercion.design.period_overlap", lang, name=name, previous=periods[-1].name))
        periods.append(Period(str(name), first, last))
    if len(periods) < 2:
        raise InputError(file, t("coercion.design.too_few_periods", lang))
    return TrialDesign(arms=arms, periods=tuple(periods))


def read_counts(path: Path, design: TrialDesign, outcome: str = "rate", lang: str | None = None,
                encoding: str = "utf-8") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read counts.csv; return (usable rows, rejected rows with a ``reason`` and ``row`` number).

    The file is read by ``forlop.errors.read_user_csv`` (``encoding``, ',' or ';' between fields).

    ``row`` is the data row number as ``forlop validate`` counts it (1 = the first row after the header),
    and the rejected rows keep the file's columns followed by ``reason`` and ``row``, as validate writes them.

    Usable rows have cluster (text), month (text YYYY-MM, which sorts as time), events and population (int, events >= 0,
    population > 0), a cluster named in the design, and one row per cluster and month. Rows in months
    outside every period are usable but not used by the evaluation. For ``outcome="share"`` the
    population column is the denominator: 0 is allowed, but events may not exceed it.
    """
    file = str(path)
    raw = read_user_csv(path, encoding=encoding, lang=lang)
    for column in COUNT_COLUMNS:
        if column not in raw.columns:
            raise InputError(file, t("input.missing_column", lang), column=column, example=",".join(raw.columns))
    raw = raw[list(COUNT_COLUMNS)].copy()
    # data row number as `forlop validate` gives it: 1-based, the header not counted (extract/sources.py)
    raw["row"] = range(1, len(raw) + 1)
    reason = pd.Series("", index=raw.index)
    bad_month = ~raw["month"].str.strip().str.match(_MONTH)
    reason[bad_month] = "month is not YYYY-MM"
    for column in ("events", "population"):
        bad = ~raw[column].str.strip().str.fullmatch(r"\d+") & (reason == "")
        reason[bad] = f"{column} is not a whole number >= 0"
    unknown = ~raw["cluster"].isin(list(design.arms)) & (reason == "")
    reason[unknown] = "cluster is not in the trial design"
    ok = reason == ""
    events = pd.to_numeric(raw["events"].where(ok), errors="coerce")
    population = pd.to_numeric(raw["population"].where(ok), errors="coerce")
    if outcome == "share":
        reason[ok & (events > population)] = "events exceed the denominator (population column)"
    else:
        reason[ok & (population == 0)] = "population is 0"
    ok = reason == ""
    duplicate = ok & raw[ok].duplicated(["cluster", "month"], keep="first").reindex(raw.index, fill_value=False)
    reason[duplicate] = "second row for the same cluster and month"
    ok = reason == ""
    rejected = raw[~ok].assign(reason=reason[~ok])[[*COUNT_COLUMNS, "reason", "row"]]
    used = raw[ok].drop(columns="row").copy()
    used["month"] = used["month"].str.strip()
    used["events"] = used["events"].astype("int64")
    used["population"] = used["population"].astype("int64")
    if used.empty:
        raise InputError(file, t("coercion.counts.no_rows", lang),
                         example=str(rejected["reason"].iloc[0]) if len(rejected) else None)
    return used.reset_index(drop=True), rejected.reset_index(drop=True)
