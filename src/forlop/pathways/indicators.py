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
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from forlop.stats import QUANTILE_METHOD, cumulative_incidence, poisson_rate, ratio_ci, wilson

COLUMNS = ["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit", "ci_low", "ci_high"]
FIRST_CONTACT_SERVICES = ["outpatient", "readmission", "gp_contact", "out_of_hours"]
NO_SERVICE_SET = ["outpatient", "readmission", "gp_contact", "out_of_hours", "municipal", "act_fact"]
PRIOR_YEARS = ["phv_contact_y_minus_1", "phv_contact_y_minus_2", "phv_contact_y_minus_3"]
QUANTILES = {"median": 0.5, "p25": 0.25, "p75": 0.75, "p95": 0.95}


@cache
def catalogue() -> dict[str, Any]:
    """The indicator catalogue (src/forlop/pathways/indicators.yaml)."""
    with resources.files("forlop.pathways").joinpath("indicators.yaml").open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


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


def _within(p: pd.DataFrame, service: str, days: int) -> pd.Series:
    return p[f"days_to_first_{service}"].astype("float64").le(days).fillna(False)


def _among(p: pd.DataFrame, name: str | None) -> pd.Series:
    everyone = pd.Series(True, index=p.index)
    subsets = {
        None: everyone,
        "municipal": p["n_municipal"] > 0,
        "readmission": p["n_readmission"] > 0,
        "municipal_after_discharge": (p["n_municipal"] > 0) & ~p["municipal_before_discharge"],
        "readmission_30d": _within(p, "readmission", 30),
        "outpatient_30d": p["n_outpatient_30d"] > 0,
    }
    return subsets[name]


def _flag(p: pd.DataFrame, name: str) -> pd.Series:
    flags = {
        "residence_known": p["municipality"].notna(),
        "substance_use": p["substance_use"].astype(bool),
        "coercion": p["coercion"].astype(bool),
        "female": p["sex"] == "F",
        "discharge_ready": p["discharge_ready"].astype(bool),
        "municipal_before_discharge": p["municipal_before_discharge"].astype(bool),
        "outpatient_day0": p["n_outpatient_day0"] > 0,
        "outpatient_30d": _within(p, "outpatient", 30),
        # 001 §4.2: PHV contact in each of / none of the three years before Y
        "phv_contact_y_minus_1": p["phv_contact_y_minus_1"].astype(bool),
        "phv_contact_y_minus_2": p["phv_contact_y_minus_2"].astype(bool),
        "phv_contact_y_minus_3": p["phv_contact_y_minus_3"].astype(bool),
        "phv_contact_all_3_years_before": p[PRIOR_YEARS].astype(bool).all(axis=1),
        "phv_contact_none_3_years_before": ~p[PRIOR_YEARS].astype(bool).any(axis=1),
    }
    return flags[name]


def _count_column(p: pd.DataFrame, service: str) -> pd.Series:
    if service == "collaboration_meeting_30d_incl_day0":
        return p["n_collaboration_meeting_30d_incl_day0"]
    return p[f"n_{service}"]


def per_patient(entry: dict[str, Any], p: pd.DataFrame, derived: dict[str, pd.Series]) -> tuple[str, Any, Any]:
    """Per-patient columns of one indicator: ('share', num, den), ('stat', values, stat), ('ratio', num, den) ...

    ``derived`` holds the per-patient columns that several indicators share (first contact, 001
    figure 14; type of mental health contact in 30 days, figure 19).
    """
    m = entry["measure"]
    service = entry.get("service", "")
    if m == "share_within":
        return "share", _within(p, service, entry["days"]), None
    if m == "share_within_incl_day0":
        return "share", (p[f"n_{service}_day0"] > 0) | _within(p, service, entry["days"]), None
    if m == "share_in_month":
        bit = 1 << (entry["month"] - 1)
        return "share", (p[f"months_{service}"] & bit) > 0, None
    if m == "count_stat":
        n = p[f"n_{service}"].astype("float64")
        return "stat", n.where(n > 0), entry["stat"]
    if m == "days_to_first":
        return "stat", p[f"days_to_first_{service}"].astype("float64"), entry["stat"]
    if m == "value_stat":
        values = p[entry["column"]].astype("float64")
        return "stat", values.where(_among(p, entry.get("among"))), entry["stat"]
    if m == "count_category":
        n = _count_column(p, service)
        k = entry["category"]
        hit = n > 3 if k == "gt3" else n == int(k)
        return "share", hit, n > 0
    if m == "ratio_of_sums":
        return "ratio", p[entry["numerator"]], p[entry["denominator"]]
    if m == "sum":
        return "sum", p[entry["column"]], None
    if m == "flag_share":
        among = _among(p, entry.get("among"))
        return "share", _flag(p, entry["flag"]) & among, among
    if m == "no_services":
        any_service = pd.concat([_within(p, s, entry["days"]) for s in NO_SERVICE_SET], axis=1).any(axis=1)
        return "share", ~any_service, None
    if m == "first_month":
        first = p[f"days_to_first_{service}"].astype("float64")
        month = np.minimum(first // 30 + 1, 12)
        return "share", month.eq(entry["month"]), first.notna()
    if m == "first_contact":
        key = "_and_".join(entry["services"]) or "none"
        return "share", derived["first_contact"].eq(key), None
    if m == "category_share":
        column = derived[entry["column"]]
        return "share", column.eq(entry["category"]), None
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


def _share_matrices(shares: list[dict], prepared: dict, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Per-patient 0/1 numerator and denominator of every share indicator: one row per share (built once)."""
    everyone = pd.Series(True, index=index)
    num = np.zeros((len(shares), len(index)), dtype=np.float64)
    den = np.zeros((len(shares), len(index)), dtype=np.float64)
    for j, e in enumerate(shares):
        _, hit, among = prepared[e["id"]]
        among = everyone if among is None else among
        num[j] = (hit & among).to_numpy(dtype=np.float64)
        den[j] = among.to_numpy(dtype=np.float64)
    return num, den


def _group_sums(row: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of a 0/1 per-patient row for each group code 0 ... n_groups-1, as int64 (exact: counts < 2**53)."""
    return np.bincount(codes, weights=row, minlength=n_groups).astype(np.int64)


def _stat_frames(entries: list[dict], prepared: dict, index: pd.Index) -> dict[str, pd.DataFrame]:
    """Per-patient values of every 'stat' indicator, one frame per statistic (mean, median, p25 ...)."""
    frames: dict[str, dict[str, pd.Series]] = {}
    for e in entries:
        kind, values, stat = prepared[e["id"]]
        if kind == "stat":
            frames.setdefault(stat, {})[e["id"]] = values.to_numpy(dtype="float64")
    return {stat: pd.DataFrame(columns, index=index) for stat, columns in frames.items()}


def compute_indicators(p: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Return the long indicator table for every catalogue entry and breakdown (see the module docstring).

    Per breakdown the group labels are coded once (``pd.factorize``, groups in sorted order) and
    the per-patient columns are built once: shares as 0/1 rows counted per group with
    ``np.bincount``, statistics of one kind in one grouped quantile/mean. The arithmetic is the same
    as one indicator at a time with ``groupby``.
    """
    labels = breakdown_labels(p)
    entries = catalogue()["indicators"]
    derived = {"first_contact": first_contact(p), "psych_contact_30d": labels["psych_contact_30d"]}
    prepared = {e["id"]: per_patient(e, p, derived) for e in entries}
    share_entries = [e for e in entries if prepared[e["id"]][0] == "share"]
    share_num, share_den = _share_matrices(share_entries, prepared, p.index)
    share_column = {e["id"]: j for j, e in enumerate(share_entries)}
    stat_frames = _stat_frames(entries, prepared, p.index)
    cuminc_days: dict[str, list[int]] = {}
    for e in entries:
        if e["measure"] == "cumulative_incidence":
            cuminc_days.setdefault(e["service"], []).append(e["days"])
    cuminc_cache: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
    out: list[dict[str, np.ndarray]] = []
    for breakdown, g in labels.items():
        chosen = [e for e in entries if breakdown in e["breakdowns"]]
        if not chosen:
            continue
        g = g.astype(str)
        codes, uniques = pd.factorize(g, sort=True)
        groups = pd.Index(uniques, dtype=object)

        def relabel(result: pd.DataFrame | pd.Series, groups: pd.Index = groups) -> pd.DataFrame | pd.Series:
            """Group codes 0, 1, ... back to the group labels."""
            result.index = groups[result.index]
            return result

        counts = relabel(pd.Series(np.bincount(codes, minlength=len(groups)), dtype="int64"))
        for e in (e for e in chosen if prepared[e["id"]][0] == "share"):
            j = share_column[e["id"]]
            n, d = _group_sums(share_num[j], codes, len(groups)), _group_sums(share_den[j], codes, len(groups))
            keep = d > 0
            n, d = n[keep], d[keep]
            out.append(_with_wilson(_rows(e, breakdown, groups[keep], n, d, n / d)))
        stat_results: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]] = {}
        for stat, frame in stat_frames.items():
            ids = [e["id"] for e in chosen if prepared[e["id"]][0] == "stat" and prepared[e["id"]][2] == stat]
            if not ids:
                continue
            grouped = frame[ids].groupby(codes)
            if stat == "mean":
                stat_results[stat] = (relabel(grouped.count()), relabel(grouped.mean()), relabel(grouped.sum()))
            else:
                value = grouped.quantile(QUANTILES[stat], interpolation=QUANTILE_METHOD)
                stat_results[stat] = (relabel(grouped.count()), relabel(value), None)
        for e in chosen:
            kind, a, b = prepared[e["id"]]
            if kind == "stat":
                d_all, value_all, num_all = stat_results[b]
                d, value = d_all[e["id"]], value_all[e["id"]]
                num = None if num_all is None else num_all[e["id"]]
                keep = d > 0
                out.append(_rows(e, breakdown, d.index[keep], None if num is None else num[keep], d[keep], value[keep]))
            elif kind == "ratio":  # events cluster within patients: delta-method interval over patients
                n, d, ratio, low, high = ratio_ci(a.to_numpy(dtype=float), b.to_numpy(dtype=float), codes, len(groups))
                keep = d > 0
                out.append(_rows(e, breakdown, groups[keep], n[keep], d[keep], ratio[keep], low[keep], high[keep]))
            elif kind == "sum":
                total = relabel(a.groupby(codes).sum())
                out.append(_rows(e, breakdown, total.index, total, None, total))
            elif kind == "patients":
                out.append(_rows(e, breakdown, counts.index, counts, None, counts))
            elif kind == "patients_share":
                if "_x_" in breakdown:
                    parent = labels[breakdown.split("_x_")[0]].astype(str)
                    parent_counts = parent.value_counts()
                    d = pd.Series([parent_counts[x.split("|")[0]] for x in counts.index], index=counts.index)
                else:
                    d = pd.Series(len(p), index=counts.index)
                out.append(_with_wilson(_rows(e, breakdown, counts.index, counts, d, counts / d)))
            elif kind == "patients_per_10000":
                out.append(_rate_rows(e, breakdown, counts, population))
            elif kind == "cumulative_incidence":
                key = (e["service"], breakdown)
                if key not in cuminc_cache:
                    cuminc_cache[key] = _cuminc_by_group(e["service"], cuminc_days[e["service"]], g, p)
                estimates = cuminc_cache[key]
                cuminc_groups = pd.Index(sorted(estimates))
                dens = [int(counts[x]) for x in cuminc_groups]
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


def _cuminc_by_group(service: str, days: list[int], g: pd.Series, p: pd.DataFrame) -> dict[str, dict[int, float]]:
    """Aalen-Johansen cumulative incidence by each day in ``days``, death competing, for every group (one
    lifelines fit per group with a death; a group without deaths is counted, see below)."""
    result = {}
    columns = p[[f"days_to_first_{service}", "days_to_death"]]  # not the whole table for every group
    for group, index in g.groupby(g).groups.items():
        sub = columns.loc[index]
        if sub["days_to_death"].isna().all():
            # No death, so no competing risk, and everyone without the event is censored after the last
            # day (stats.cumulative_incidence): the Aalen-Johansen estimate is then exactly the share with
            # the event by day X (the Kaplan-Meier product telescopes to (n - events) / n). Counted here
            # rather than fitted: without --keep-deaths the cohort has no deaths, and lifelines' fixed
            # cost per fit (~30 ms, 18 groups) was a large part of a run on a small extract.
            event = sub[f"days_to_first_{service}"].astype("float64").to_numpy()
            result[str(group)] = {x: float((event <= x + 0.5).sum() / len(event)) for x in days}
            continue
        result[str(group)] = cumulative_incidence(sub[f"days_to_first_{service}"], sub["days_to_death"], days)
    return result
