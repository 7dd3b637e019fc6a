"""Every indicator of 001 chapters 4-8, driven by the catalogue ``indicators.yaml``.

Each catalogue entry names a ``measure`` and its parameters; this module turns the per-patient
pathway table into per-patient numerator/denominator or value columns for that measure, and then
aggregates them for every group of every breakdown the entry lists. Output: the long
``indicators.csv`` of DESIGN.md (indicator, breakdown, group, numerator, denominator, value, unit)
plus ci_low, ci_high. Shares are proportions 0-1 with a Wilson 95% interval (ratios of event
counts over patients: a delta-method interval with the patient as cluster, ``forlop.stats.ratio``);
rates per 10 000 have an exact Poisson interval. Means, medians and percentiles are over the patients in the
denominator (patients with at least one event, as in 001); see ``stats.QUANTILE_METHOD``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from forlop.datafile import package_yaml
from forlop.stats import QUANTILE_METHOD, cumulative_incidence, poisson_rate, ratio_ci, wilson

COLUMNS = ["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit", "ci_low", "ci_high"]
FIRST_CONTACT_SERVICES = ["outpatient", "readmission", "gp_contact", "out_of_hours"]
NO_SERVICE_SET = ["outpatient", "readmission", "gp_contact", "out_of_hours", "municipal", "act_fact"]
PRIOR_YEARS = ["phv_contact_y_minus_1", "phv_contact_y_minus_2", "phv_contact_y_minus_3"]
QUANTILES = {"median": 0.5, "p25": 0.25, "p75": 0.75, "p95": 0.95}


@cache
def catalogue() -> dict[str, Any]:
    """The indicator catalogue (src/forlop/pathways/indicators.yaml)."""
    return package_yaml("forlop.pathways", "indicators.yaml")


def _yes_no(flag: pd.Series) -> pd.Series:
    return np.where(flag.astype(bool), "yes", "no")


def breakdown_labels(p: pd.DataFrame) -> dict[str, pd.Series]:
    """Group label of every patient for every breakdown of the catalogue ('missing' when unknown)."""
    simple = {
        "all": pd.Series("all", index=p.index),
        "diagnosis_group": p["diagnosis_group"].fillna("missing"),
        "substance_use": pd.Series(_yes_no(p["substance_use"]), index=p.index),
        "coercion": pd.Series(_yes_no(p["coercion"]), index=p.index),
        "discharge_ready": pd.Series(_yes_no(p["discharge_ready"]), index=p.index),
        "sex": p["sex"].fillna("missing"),
        "age_group": p["age_group"].fillna("missing"),
        "health_community": p["health_community"].fillna("missing"),
        "region": p["region"].fillna("missing"),
        "psych_contact_30d": psych_contact_30d(p),
        "act_fact_30d": pd.Series(_yes_no(p["days_to_first_act_fact"].fillna(999) <= 30), index=p.index),
        "readmission_365d": pd.Series(_yes_no(p["n_readmission"] > 0), index=p.index),
    }
    for name in [b["name"] for b in catalogue()["breakdowns"]]:
        if "_x_" in name:
            left, right = name.split("_x_")
            simple[name] = simple[left].astype(str) + "|" + simple[right].astype(str)
    return simple


def psych_contact_30d(p: pd.DataFrame) -> pd.Series:
    """001 figure 19: 'readmission' within 30 days, else 'outpatient_only', else 'none'."""
    readmitted = p["days_to_first_readmission"].fillna(999) <= 30
    outpatient = p["days_to_first_outpatient"].fillna(999) <= 30
    return pd.Series(
        np.where(readmitted, "readmission", np.where(outpatient, "outpatient_only", "none")), index=p.index
    )


def first_contact(p: pd.DataFrame) -> pd.Series:
    """001 figure 14: the services (outpatient, readmission, GP, out-of-hours) on the first day with any of them."""
    days = pd.DataFrame({s: p[f"days_to_first_{s}"].astype("float64") for s in FIRST_CONTACT_SERVICES})
    first = days.min(axis=1)
    labels = pd.Series("none", index=p.index, dtype=object)
    has = first.notna()
    parts = [np.where(days[s].eq(first) & has, s, "") for s in FIRST_CONTACT_SERVICES]
    joined = ["_and_".join(x for x in row if x) for row in zip(*parts)]
    labels[has] = pd.Series(joined, index=p.index)[has]
    return labels


class Patients:
    """The per-patient pathway table as NumPy columns, each converted once (``col``), for the per-patient
    columns of every indicator (``per_patient``).

    Counts (``n_*``, ``months_*``) stay integers, days (``days_to_first_*``, nullable) become float64 with
    NaN for "never", flags stay bool, labels stay objects. Working on arrays rather than on the frame's
    Series: pandas' fixed cost per operation (index alignment, a new Series per result), over the ~1 300
    operations of the ~370 indicators, was a quarter of a small ``forlop pathways`` run (issue 14).
    """

    def __init__(self, p: pd.DataFrame) -> None:
        self.frame = p
        self.n = len(p)
        self._columns: dict[str, np.ndarray] = {}
        self._derived: dict[str, np.ndarray] = {}

    def col(self, name: str) -> np.ndarray:
        """Column ``name`` as an array (nullable integers as float64 with NaN)."""
        if name not in self._columns:
            series = self.frame[name]
            if not isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
                self._columns[name] = series.to_numpy()
            elif series.dtype.kind in "iuf":
                self._columns[name] = series.to_numpy(dtype="float64", na_value=np.nan)
            else:  # nullable text: None for missing, as in an object column
                self._columns[name] = series.to_numpy(dtype=object, na_value=None)
        return self._columns[name]

    def days(self, service: str) -> np.ndarray:
        """Days from discharge to the first ``service`` (float64, NaN when none)."""
        return self.col(f"days_to_first_{service}").astype("float64", copy=False)

    def within(self, service: str, days: int) -> np.ndarray:
        """A first ``service`` by day ``days`` (no service: False)."""
        return self.days(service) <= days

    def derived(self, name: str) -> np.ndarray:
        """A cached per-patient array that several indicators use (flags, subsets, labels)."""
        if name not in self._derived:
            self._derived[name] = self._derive(name)
        return self._derived[name]

    def _derive(self, name: str) -> np.ndarray:
        col = self.col
        if name == "first_contact":
            return first_contact(self.frame).to_numpy(dtype=object)
        if name == "psych_contact_30d":
            return psych_contact_30d(self.frame).to_numpy(dtype=object)
        flags = {
            "residence_known": lambda: ~pd.isna(col("municipality")),
            "female": lambda: col("sex") == "F",
            "outpatient_day0": lambda: col("n_outpatient_day0") > 0,
            "outpatient_30d": lambda: self.within("outpatient", 30),
            # 001 §4.2: PHV contact in each of / none of the three years before Y
            "phv_contact_all_3_years_before": lambda: np.logical_and.reduce([self.flag(c) for c in PRIOR_YEARS]),
            "phv_contact_none_3_years_before": lambda: ~np.logical_or.reduce([self.flag(c) for c in PRIOR_YEARS]),
            # subsets of patients (``among``)
            "municipal": lambda: col("n_municipal") > 0,
            "readmission": lambda: col("n_readmission") > 0,
            "municipal_after_discharge": lambda: (
                (col("n_municipal") > 0) & ~col("municipal_before_discharge").astype(bool)
            ),
            "readmission_30d": lambda: self.within("readmission", 30),
        }
        return np.asarray(flags[name]())

    def flag(self, name: str) -> np.ndarray:
        """The patient flag ``name`` of a ``flag_share`` indicator (a bool column, or a rule above)."""
        if name in ("substance_use", "coercion", "discharge_ready", "municipal_before_discharge", *PRIOR_YEARS):
            return self.col(name).astype(bool)
        return self.derived(name)

    def among(self, name: str | None) -> np.ndarray:
        """The patients an indicator is about (``among``; None: everyone)."""
        if name is None:
            return np.ones(self.n, dtype=bool)
        if name == "outpatient_30d":
            return self.col("n_outpatient_30d") > 0
        return self.derived(name)


def _count_column(p: Patients, service: str) -> np.ndarray:
    if service == "collaboration_meeting_30d_incl_day0":
        return p.col("n_collaboration_meeting_30d_incl_day0")
    return p.col(f"n_{service}")


def _float(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="float64")


def per_patient(entry: dict[str, Any], p: Patients) -> tuple[str, Any, Any]:
    """Per-patient arrays of one indicator: ('share', hit, among), ('stat', values, stat), ('ratio', num, den) ...

    ``among`` None means every patient; a 'stat' value is NaN for a patient outside the denominator.
    """
    m = entry["measure"]
    service = entry.get("service", "")
    if m == "share_within":
        return "share", p.within(service, entry["days"]), None
    if m == "share_within_incl_day0":
        return "share", (p.col(f"n_{service}_day0") > 0) | p.within(service, entry["days"]), None
    if m == "share_in_month":
        bit = 1 << (entry["month"] - 1)
        return "share", (p.col(f"months_{service}") & bit) > 0, None
    if m == "count_stat":
        n = _float(p.col(f"n_{service}"))
        return "stat", np.where(n > 0, n, np.nan), entry["stat"]
    if m == "days_to_first":
        return "stat", p.days(service), entry["stat"]
    if m == "value_stat":
        values = _float(p.col(entry["column"]))
        return "stat", np.where(p.among(entry.get("among")), values, np.nan), entry["stat"]
    if m == "count_category":
        n = _count_column(p, service)
        k = entry["category"]
        hit = n > 3 if k == "gt3" else n == int(k)
        return "share", hit, n > 0
    if m == "ratio_of_sums":
        return "ratio", _float(p.col(entry["numerator"])), _float(p.col(entry["denominator"]))
    if m == "sum":
        return "sum", _float(p.col(entry["column"])), None
    if m == "flag_share":
        among = p.among(entry.get("among"))
        return "share", p.flag(entry["flag"]) & among, among
    if m == "no_services":
        any_service = np.logical_or.reduce([p.within(s, entry["days"]) for s in NO_SERVICE_SET])
        return "share", ~any_service, None
    if m == "first_month":
        first = p.days(service)
        month = np.minimum(first // 30 + 1, 12)
        return "share", month == entry["month"], ~np.isnan(first)
    if m == "first_contact":
        key = "_and_".join(entry["services"]) or "none"
        return "share", p.derived("first_contact") == key, None
    if m == "category_share":
        return "share", p.derived(entry["column"]) == entry["category"], None
    if m in ("patients", "patients_share", "patients_per_10000", "cumulative_incidence"):
        return m, None, None
    raise ValueError(f"unknown measure {m} in indicators.yaml ({entry['id']})")


def _rows(entry: dict, breakdown: str, groups: pd.Index, num, den, value, low=None, high=None) -> dict[str, np.ndarray]:
    """Columns of the indicator rows of one entry and breakdown (one row per group)."""
    n = len(groups)

    def arr(x: Any) -> np.ndarray:
        # Series.to_numpy directly: np.asarray on a Series goes through pandas' attribute lookup, which
        # over the ~1000 calls of a run cost a tenth of a second (issue 14, small runs).
        if x is None:
            return np.full(n, np.nan)
        if isinstance(x, pd.Series | pd.Index):
            return x.to_numpy(dtype=float)
        return np.asarray(x, dtype=float)

    labels = groups.to_numpy(dtype=object) if isinstance(groups, pd.Index) else np.asarray(groups, dtype=object)
    return {
        "indicator": np.full(n, entry["id"], dtype=object),
        "breakdown": np.full(n, breakdown, dtype=object),
        "group": np.array([str(x) for x in labels], dtype=object),
        "numerator": arr(num),
        "denominator": arr(den),
        "value": arr(value),
        "unit": np.full(n, entry["unit"], dtype=object),
        "ci_low": arr(low),
        "ci_high": arr(high),
    }


def _with_wilson(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Mark ``rows`` (a share: numerator of denominator) for the 95% Wilson interval, which
    ``compute_indicators`` fills in for all marked rows at once."""
    rows["_wilson"] = np.ones(len(rows["indicator"]), dtype=bool)
    return rows


def _share_matrices(shares: list[dict], prepared: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-patient 0/1 numerator and denominator of every share indicator: one row per share (built once;
    int8, so that the matrices and their sorted copies in ``_group_sums`` stay small at national scale)."""
    num = np.zeros((len(shares), n), dtype=np.int8)
    den = np.ones((len(shares), n), dtype=np.int8)
    for j, e in enumerate(shares):
        _, hit, among = prepared[e["id"]]
        if among is None:
            num[j] = hit
        else:
            num[j] = hit & among
            den[j] = among
    return num, den


def _group_sums(rows: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of per-patient 0/1 rows (one per indicator) for each group code 0 ... n_groups-1 (every code
    occurs): an (indicators x groups) int64 matrix, summed in int64 (exact). The patients are sorted by
    group once and each group's block summed (``np.add.reduceat``), all rows in one call."""
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(n_groups))
    return np.add.reduceat(rows[:, order], starts, axis=1, dtype=np.int64)


def _stat_frames(entries: list[dict], prepared: dict) -> dict[str, tuple[list[str], np.ndarray]]:
    """Per-patient values of every 'stat' indicator, one (ids, patients x ids matrix) per statistic."""
    frames: dict[str, dict[str, np.ndarray]] = {}
    for e in entries:
        kind, values, stat = prepared[e["id"]]
        if kind == "stat":
            frames.setdefault(stat, {})[e["id"]] = values
    return {stat: (list(columns), np.column_stack(list(columns.values()))) for stat, columns in frames.items()}


def _grouped_stats(
    stat: str, ids: list[str], values: np.ndarray, codes: np.ndarray, n_groups: int
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """(count, value, sum or None) per group code of every indicator ``ids`` (the columns of ``values``):
    the mean, or the quantile of ``QUANTILES[stat]`` with ``QUANTILE_METHOD``, over the non-missing values,
    in one pandas groupby for all of them."""
    grouped = pd.DataFrame(values, columns=ids).groupby(codes)
    count = grouped.count().reindex(range(n_groups), fill_value=0).to_numpy()
    if stat == "mean":
        value = grouped.mean().reindex(range(n_groups)).to_numpy()
        total: np.ndarray | None = grouped.sum().reindex(range(n_groups)).to_numpy()
    else:
        value = grouped.quantile(QUANTILES[stat], interpolation=QUANTILE_METHOD).reindex(range(n_groups)).to_numpy()
        total = None
    return {i: (count[:, j], value[:, j], None if total is None else total[:, j]) for j, i in enumerate(ids)}


def compute_indicators(p: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Return the long indicator table for every catalogue entry and breakdown (see the module docstring).

    The per-patient columns of every indicator are built once, as arrays (``Patients``, ``per_patient``).
    Per breakdown the group labels are coded once (``pd.factorize``, groups in sorted order): shares are
    0/1 rows counted per group in one matrix product, statistics of one kind in one grouped quantile/mean.
    The arithmetic is the same as one indicator at a time with ``groupby``.
    """
    labels = breakdown_labels(p)
    entries = catalogue()["indicators"]
    patients = Patients(p)
    prepared = {e["id"]: per_patient(e, patients) for e in entries}
    share_entries = [e for e in entries if prepared[e["id"]][0] == "share"]
    share_num, share_den = _share_matrices(share_entries, prepared, len(p))
    share_row = {e["id"]: j for j, e in enumerate(share_entries)}
    stat_frames = _stat_frames(entries, prepared)
    cuminc_days: dict[str, list[int]] = {}
    for e in entries:
        if e["measure"] == "cumulative_incidence":
            cuminc_days.setdefault(e["service"], []).append(e["days"])
    out: list[dict[str, np.ndarray]] = []
    for breakdown, g in labels.items():
        chosen = [e for e in entries if breakdown in e["breakdowns"]]
        if not chosen:
            continue
        codes, uniques = pd.factorize(g.astype(str), sort=True)
        groups = np.asarray(uniques, dtype=object)
        n_groups = len(groups)
        counts = np.bincount(codes, minlength=n_groups)
        shares = [share_row[e["id"]] for e in chosen if e["id"] in share_row]
        share_n = dict(zip(shares, _group_sums(share_num[shares], codes, n_groups)))
        share_d = dict(zip(shares, _group_sums(share_den[shares], codes, n_groups)))
        stats: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
        for stat, (ids, values) in stat_frames.items():
            wanted = [i for i in ids if breakdown in catalogue_entry(i)["breakdowns"]]
            if wanted:
                columns = [ids.index(i) for i in wanted]
                stats.update(_grouped_stats(stat, wanted, values[:, columns], codes, n_groups))
        cuminc: dict[str, dict[str, dict[int, float]]] = {}
        for e in chosen:
            kind, a, b = prepared[e["id"]]
            if kind == "share":
                n, d = share_n[share_row[e["id"]]], share_d[share_row[e["id"]]]
                keep = d > 0
                n, d = n[keep], d[keep]
                out.append(_with_wilson(_rows(e, breakdown, groups[keep], n, d, n / d)))
            elif kind == "stat":
                d, value, num = stats[e["id"]]
                keep = d > 0
                out.append(_rows(e, breakdown, groups[keep], None if num is None else num[keep], d[keep], value[keep]))
            elif kind == "ratio":  # events cluster within patients: delta-method interval over patients
                n, d, ratio, low, high = ratio_ci(a, b, codes, n_groups)
                keep = d > 0
                out.append(_rows(e, breakdown, groups[keep], n[keep], d[keep], ratio[keep], low[keep], high[keep]))
            elif kind == "sum":
                total = np.bincount(codes, weights=a, minlength=n_groups)
                out.append(_rows(e, breakdown, groups, total, None, total))
            elif kind == "patients":
                out.append(_rows(e, breakdown, groups, counts, None, counts))
            elif kind == "patients_share":
                if "_x_" in breakdown:
                    parent_counts = labels[breakdown.split("_x_")[0]].astype(str).value_counts()
                    d = np.array([parent_counts[x.split("|")[0]] for x in groups])
                else:
                    d = np.full(n_groups, len(p))
                out.append(_with_wilson(_rows(e, breakdown, groups, counts, d, counts / d)))
            elif kind == "patients_per_10000":
                out.append(_rate_rows(e, breakdown, pd.Series(counts, index=pd.Index(groups)), population))
            elif kind == "cumulative_incidence":
                service = e["service"]
                if service not in cuminc:
                    cuminc[service] = _cuminc_by_group(service, cuminc_days[service], codes, groups, patients)
                estimates = cuminc[service]
                cuminc_groups = pd.Index(sorted(estimates))
                position = {x: i for i, x in enumerate(groups)}
                dens = [int(counts[position[x]]) for x in cuminc_groups]
                out.append(
                    _rows(e, breakdown, cuminc_groups, None, dens, [estimates[x][e["days"]] for x in cuminc_groups])
                )
    table = pd.DataFrame({c: np.concatenate([o[c] for o in out]) for c in COLUMNS})
    # The Wilson intervals of every share row in one vectorised call: the same numbers as one call per
    # indicator and breakdown, without the fixed cost of ~900 calls (a visible share of a small run).
    wilson_rows = np.concatenate([o.get("_wilson", np.zeros(len(o["indicator"]), dtype=bool)) for o in out])
    if wilson_rows.any():
        low, high = wilson(table["numerator"].to_numpy()[wilson_rows], table["denominator"].to_numpy()[wilson_rows])
        table.loc[wilson_rows, "ci_low"], table.loc[wilson_rows, "ci_high"] = low, high
    order = {e["id"]: i for i, e in enumerate(entries)}
    table["_order"] = table["indicator"].map(order)
    table = table.sort_values(["_order", "breakdown", "group"], kind="stable").drop(columns="_order")
    return table[COLUMNS].reset_index(drop=True)


@cache
def catalogue_entry(indicator_id: str) -> dict[str, Any]:
    """The catalogue entry of one indicator."""
    return next(e for e in catalogue()["indicators"] if e["id"] == indicator_id)


def _rate_rows(entry: dict, breakdown: str, counts: pd.Series, population: pd.DataFrame) -> dict[str, np.ndarray]:
    """Patients per 10 000 inhabitants 18+ (001 figure 2); patients without residence only in 'all'."""
    if breakdown == "all":
        exposure = pd.Series(population["population"].sum(), index=counts.index)
    else:
        exposure = population.groupby(breakdown)["population"].sum().reindex(counts.index)
    keep = exposure.notna() & (exposure > 0)
    c, x = counts[keep], exposure[keep]
    rate, low, high = poisson_rate(c.values, x.values)
    return _rows(entry, breakdown, c.index, c, x, rate, low, high)


def _cuminc_by_group(
    service: str, days: list[int], codes: np.ndarray, groups: np.ndarray, p: Patients
) -> dict[str, dict[int, float]]:
    """Aalen-Johansen cumulative incidence by each day in ``days``, death competing, for every group (one
    lifelines fit per group with a death; a group without deaths is counted, see below)."""
    event = p.days(service)
    death = p.col("days_to_death").astype("float64", copy=False)
    n_groups = len(groups)
    size = np.bincount(codes, minlength=n_groups)
    deaths = np.bincount(codes, weights=~np.isnan(death), minlength=n_groups)
    # No death, so no competing risk, and everyone without the event is censored after the last day
    # (stats.cumulative_incidence): the Aalen-Johansen estimate is then exactly the share with the event by
    # day X (the Kaplan-Meier product telescopes to (n - events) / n). Counted here rather than fitted:
    # without --keep-deaths the cohort has no deaths, and lifelines' fixed cost per fit (~30 ms, 18 groups)
    # was a large part of a run on a small extract.
    by_day = {x: np.bincount(codes, weights=event <= x + 0.5, minlength=n_groups) for x in days}
    result = {}
    for k, group in enumerate(groups):
        if size[k] == 0:
            continue
        if deaths[k] == 0:
            result[str(group)] = {x: float(by_day[x][k] / size[k]) for x in days}
        else:
            index = p.frame.index[codes == k]
            sub = p.frame.loc[index, [f"days_to_first_{service}", "days_to_death"]]
            result[str(group)] = cumulative_incidence(sub[f"days_to_first_{service}"], sub["days_to_death"], days)
    return result
