"""An independent calibration counter for the synthetic survey: plain pandas/numpy/statsmodels over the files.

It reads only a survey directory (survey_frame.parquet, survey_responses.parquet, survey_population.parquet)
and the targets file
``src/forlop/survey/synth_targets.csv`` (published figures of 002, reading guide §6), and imports nothing
of ``forlop.survey``: shares, scores, Cronbach's alpha and the §3.5 regression models are written here
from 002 and the reading guide, so a mistake in the synthesis or in the analysis code is not repeated here.

Rules used here (002 §3.4.1, §3.5; reading guide §3-4):
- shares among the respondents of the sector who answered the item (filtered items: among those shown);
  a multi-choice answer counts for every code it holds;
- STAR-P: R1-R12 coded 0-4, R4, R7, R9 reversed (4 - code), mean of the answered items when at least 6;
- CONTINU-UM: code 6 ("uaktuelt") missing; the positively worded items reversed (6 - code) so that higher
  is better; C4, C6, C12 as coded; the 9-item sum (without C5, C6, C10) only with all nine answered;
- Cronbach's alpha over the respondents with every item of the scale answered (hand-written: the formula
  is four lines and statsmodels has none);
- the §3.5 model per sector with statsmodels' formula API (OLS, or logit for binary outcomes), listwise
  deletion; terms named as in the targets file.
- counts of the frame by two columns (``region&sex``, values ``Vest&M``) and of the register population
  (population ``register:PERIOD``): the rows of that period that give exactly the variable's columns
  (sex, age, unit, diagnosis_group; the others empty), summed; ``*`` as a value: any.

Run: ``python -m tests.survey.counter --data DIR --write docs/survey_calibration.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

TARGETS = Path(__file__).resolve().parents[2] / "src" / "forlop" / "survey" / "synth_targets.csv"
SURVEY_YEAR = 2023
AGE_BANDS = {
    "18-24": (18, 24),
    "25-35": (25, 35),
    "36-45": (36, 45),
    "46-55": (46, 55),
    "56-65": (56, 65),
    "66-75": (66, 75),
    "76+": (76, 200),
}
STAR_ITEMS = [f"R{i}" for i in range(1, 13)]
STAR_REVERSED = {"R4", "R7", "R9"}
CONT_ITEMS = [f"C{i}" for i in range(1, 13)]
CONT_AS_CODED = {"C4", "C6", "C12"}
CONT_NINE = ["C1", "C2", "C3", "C4", "C7", "C8", "C9", "C11", "C12"]
MULTI = {"K4", "K4b", "L6"}
TERMS = [
    "female",
    "age_25_35",
    "age_36_45",
    "age_46_55",
    "age_56_65",
    "age_66_99",
    "higher_edu",
    "own_income",
    "lives_alone",
    "over_5_years",
    "severe",
    "dx_2",
    "dx_3",
    "dx_4plus",
    "municipal",
    "outreach",
    "day_centre",
    "work_scheme",
    "admission",
    "coordination",
    "recently_ended",
    "dur_lt2",
    "dur_3_6",
    "star",
    "region_so",
    "region_midt",
    "region_nord",
]
#: model id -> (outcome column, logit?, include star as a covariate?)
MODELS = {
    "T7_1": ("need_more", True, True),
    "T8_1": ("video", True, True),
    "T8_2": ("H11", False, True),
    "T9_1": ("tailored", True, True),
    "T9_2": ("plan", True, True),
    "T10_1": ("star", False, False),
    "T11_1": ("continuity9", False, True),
    "T12_1": ("U1", False, True),
    "T12_2": ("U2", False, True),
    "T12_3": ("U3", False, True),
}


def targets(path: Path = TARGETS) -> pd.DataFrame:
    """The targets file as a table (comment lines skipped)."""
    return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)


def read(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame with age and age_group, respondents: responses joined to their frame row)."""
    frame = pd.read_parquet(data / "survey_frame.parquet")
    frame["age"] = SURVEY_YEAR - frame.birth_year
    frame["age_group"] = None
    for label, (low, high) in AGE_BANDS.items():
        frame.loc[frame.age.between(low, high), "age_group"] = label
    responses = pd.read_parquet(data / "survey_responses.parquet")
    people = responses.merge(frame, on="person_id", how="left", validate="one_to_one")
    for item in MULTI:  # one 0/1 column per code ("K4#14"), split once
        dummies = people[item].astype("object").str.get_dummies(sep=";").astype(float)
        people = people.join(dummies.add_prefix(f"{item}#"))
    return frame, people


POPULATION_COLUMNS = ["sex", "age", "unit", "diagnosis_group"]


def register_count(population: pd.DataFrame, period: str, sector: str, variable: str, value: str) -> float:
    """Persons in the register population of ``period`` and ``sector`` (``all``: every sector) with the
    values of ``variable`` (columns joined by ``&``; ``*`` any), over the rows giving exactly those columns."""
    if population.empty:
        return float("nan")
    columns, values = variable.split("&"), value.split("&")
    rows = _sector(population[population.period == period], sector)
    given = {c: rows[c].notna() & (rows[c].astype(str).str.strip() != "") for c in POPULATION_COLUMNS}
    keep = pd.Series(True, index=rows.index)
    for c in POPULATION_COLUMNS:
        keep &= given[c] if c in columns else ~given[c]
    for c, v in zip(columns, values):
        if v != "*":
            keep &= rows[c].astype(str) == v
    return float(rows.loc[keep, "count"].sum())


def _codes(value: str) -> list[int]:
    return [int(v) for v in value.split(";") if v != ""]


def _has(rows: pd.DataFrame, item: str, codes: list[int]) -> pd.Series:
    """1/0 where answered (any of ``codes``; a multi-choice answer: any code of its list), NaN where empty."""
    column = rows[item]
    if item in MULTI:
        hit = pd.concat([rows.get(f"{item}#{c}", pd.Series(0.0, index=rows.index)) for c in codes], axis=1).max(axis=1)
        return hit.where(column.notna())
    return column.isin(codes).astype(float).where(column.notna())


def star_score(people: pd.DataFrame) -> pd.Series:
    items = pd.DataFrame({i: (4 - people[i] if i in STAR_REVERSED else people[i]).astype(float) for i in STAR_ITEMS})
    return items.mean(axis=1).where(items.notna().sum(axis=1) >= 6)


def continuity_items(people: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for i in CONT_ITEMS:
        v = people[i].astype(float).where(people[i] != 6)
        out[i] = v if i in CONT_AS_CODED else 6 - v
    return pd.DataFrame(out)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """alpha = k / (k - 1) x (1 - sum of item variances / variance of the sum), complete cases."""
    complete = items.dropna()
    k = complete.shape[1]
    return k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def covariates(people: pd.DataFrame) -> pd.DataFrame:
    """The covariates of 002 §3.5 from the raw answers and the frame (reading guide §4)."""
    p = people
    x = pd.DataFrame(index=p.index)
    x["female"] = (p.sex == "F").astype(float)
    for name, (low, high) in {
        "age_25_35": (25, 35),
        "age_36_45": (36, 45),
        "age_46_55": (46, 55),
        "age_56_65": (56, 65),
        "age_66_99": (66, 200),
    }.items():
        x[name] = p.age.between(low, high).astype(float)
    x["higher_edu"] = _has(p, "B3", [3])
    x["own_income"] = _has(p, "B5", [1])
    x["lives_alone"] = _has(p, "B6", [1])
    over5 = _has(p, "L8a", [4])
    x["over_5_years"] = over5.where(p.L7a != 4, 0.0)
    x["severe"] = _has(p, "L7a", [3])
    n_dx = sum(p.get(f"L6#{c}", 0.0) for c in range(1, 16)).where(p.L6.notna())  # "Vet ikke" (16) not counted
    x["dx_2"], x["dx_3"], x["dx_4plus"] = [(n_dx == k).astype(float).where(n_dx.notna()) for k in (2, 3)] + [
        (n_dx >= 4).astype(float).where(n_dx.notna())
    ]
    k4 = {c: _has(p, "K4", [c]) for c in (4, 5, 6, 7, 8, 10, 11, 14)}
    x["municipal"] = k4[5] + k4[6] + k4[7] + k4[10]
    x["outreach"], x["day_centre"], x["work_scheme"], x["admission"] = k4[4], k4[8], k4[11], k4[14]
    coord = pd.concat([p[i] for i in ("K8", "K9", "K10")], axis=1)
    x["coordination"] = (coord == 1).any(axis=1).astype(float).where(coord.notna().any(axis=1))
    in_treatment = (p.H1a == 1) | (p.H1b == 1)
    x["recently_ended"] = (~in_treatment & ((p.H1a == 2) | (p.H1b == 2))).astype(float)
    duration = p.H5.fillna(p.H7)
    x["dur_lt2"] = duration.isin([1, 2]).astype(float).where(duration.notna())
    x["dur_3_6"] = (duration == 3).astype(float).where(duration.notna())
    x["star"] = star_score(p)
    known = p.region.isin(["Sør-Øst", "Midt-Norge", "Nord", "Vest"])
    for name, value in (("region_so", "Sør-Øst"), ("region_midt", "Midt-Norge"), ("region_nord", "Nord")):
        x[name] = (p.region == value).astype(float).where(known)
    x["need_more"] = _has(p, "K6", [2, 3])
    x["video"] = _has(p, "H10", [1])
    x["tailored"] = _has(p, "M4", [1])
    x["plan"] = _has(p, "M1", [1])
    x["H11"], x["U1"], x["U2"], x["U3"] = (p[i].astype(float) for i in ("H11", "U1", "U2", "U3"))
    nine = continuity_items(p)[CONT_NINE]
    x["continuity9"] = nine.sum(axis=1).where(nine.notna().all(axis=1))
    return x


def fit(x: pd.DataFrame, model: str) -> pd.DataFrame:
    """Coefficients (odds ratios for logit) with 95 % CIs of a §3.5 model on one sector's respondents."""
    outcome, logit, with_star = MODELS[model]
    terms = [t for t in TERMS if (with_star or t != "star") and x[t].notna().any() and x[t].nunique() > 1]
    data = x[[outcome, *terms]].dropna()
    formula = f"{outcome} ~ {' + '.join(terms)}"
    result = smf.logit(formula, data).fit(disp=0, maxiter=200) if logit else smf.ols(formula, data).fit()
    table = pd.concat([result.params, result.conf_int()], axis=1)
    table.columns = ["estimate", "ci_low", "ci_high"]
    return np.exp(table) if logit else table


def _sector(table: pd.DataFrame, sector: str) -> pd.DataFrame:
    if sector == "all":
        return table
    return table[table.sector.isin(sector.split("+"))]


def achieved(target: pd.Series, frame: pd.DataFrame, people: pd.DataFrame, cache: dict) -> float:
    """The synthetic value of one target row."""
    kind, variable, value = target.kind, target.variable, target.value
    if target.population == "model":
        key = (target.sector, variable)
        if key not in cache:
            x = cache.setdefault(("x", target.sector), covariates(_sector(people, target.sector)))
            cache[key] = fit(x, variable)
        return float(cache[key].loc[value, "estimate"])
    if target.population.startswith("register:"):
        return register_count(cache["register"], target.population.split(":", 1)[1], target.sector, variable, value)
    if target.population in ("frame", "reached", "unreachable", "respondents"):
        key = (target.population, target.sector)
        if key not in cache:
            rows = _sector(frame, target.sector)
            cache[key] = {
                "frame": lambda: rows,
                "reached": lambda: rows[rows.status != "unreachable"],
                "unreachable": lambda: rows[rows.status == "unreachable"],
                "respondents": lambda: rows[rows.status == "answered"],
            }[target.population]()
        rows = cache[key]
        if kind == "count" and "&" in variable:  # two frame columns: region&sex, Vest&M
            hit = pd.Series(True, index=rows.index)
            for column, v in zip(variable.split("&"), value.split("&")):
                hit &= (rows[column].fillna("") == v) | (v == "*")
            return float(hit.sum())
        if kind == "count":
            return float(len(rows) if variable == "all" else (rows[variable].fillna("") == value).sum())
        if kind == "mean":
            return float(rows[variable].mean())
        return 100 * float((rows[variable].fillna("") == value).mean())
    rows = cache.setdefault(("answers", target.sector), _sector(people, target.sector))
    if kind == "alpha":
        items = rows[STAR_ITEMS].astype(float) if variable == "STAR" else continuity_items(rows)
        if variable == "STAR":
            items = items.apply(lambda c: 4 - c if c.name in STAR_REVERSED else c)
        return cronbach_alpha(items)
    if kind == "lowest":
        means = continuity_items(rows).mean()
        return float(set(means.nsmallest(2).index) == set(value.split(";")))
    if kind == "order":
        means = [rows[i].astype(float).mean() for i in variable.split(";")]
        return float(all(a > b for a, b in itertools.pairwise(means)))
    if variable == "coordination":
        coord = rows[["K8", "K9", "K10"]]
        flags = (coord == 1).any(axis=1).astype(float).where(coord.notna().any(axis=1))
    elif "&" in variable:
        (a, ca), (b, cb) = (part.split("=") for part in variable.split("&"))
        flags = (_has(rows, a, [int(ca)]) * _has(rows, b, [int(cb)]).fillna(0)).where(rows[a].notna())
    else:
        item = variable
        if "|" in variable:
            item, condition = variable.split("|")
            column, code = condition.split("=")
            rows = rows[rows[column] == int(code)]
        flags = _has(rows, item, _codes(value))
    return 100 * float(flags.mean())


def within(target: pd.Series, value: float, ci: tuple[float, float] = (np.nan, np.nan)) -> bool:
    """Whether ``value`` meets the target row (rules in the header of the targets file); a model term also
    when the published value lies in the synthetic estimate's 95 % CI (a small cell cannot pin it closer)."""
    kind, tol = target.kind, float(target.tolerance)
    if np.isnan(value):
        return False
    if kind == "range":
        low, high = (float(v) for v in target.target.split(":"))
        return low - tol <= value <= high + tol
    goal = float(target.target)
    if kind == "share_min":
        return value >= goal - tol
    if kind == "share_max":
        return value <= goal + tol
    in_ci = bool(ci[0] <= goal <= ci[1])
    if kind == "coef":
        return bool(np.sign(value) == np.sign(goal) and (abs(value - goal) <= tol * abs(goal) or in_ci))
    if kind == "odds_ratio":
        same_side = np.sign(np.log(value)) == np.sign(np.log(goal))
        return bool(same_side and (abs(np.log(value / goal)) <= tol * abs(np.log(goal)) or in_ci))
    if kind in ("lowest", "order"):
        return value == 1
    return abs(value - goal) <= tol + 1e-9


def _one_blas_thread():
    """BLAS on one thread while fitting: on a shared 2-core machine its threads make the fits 5-10x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it the fits only take longer
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def count(data: Path, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target beside its synthetic value and whether it is within tolerance."""
    table = targets() if table is None else table.copy()
    frame, people = read(data)
    population = data / "survey_population.parquet"
    cache: dict = {"register": pd.read_parquet(population) if population.is_file() else pd.DataFrame()}
    with _one_blas_thread():
        table["achieved"] = [achieved(row, frame, people, cache) for row in table.itertuples()]
    ci = [
        tuple(cache[(row.sector, row.variable)].loc[row.value, ["ci_low", "ci_high"]])
        if row.population == "model"
        else (np.nan, np.nan)
        for row in table.itertuples()
    ]
    table["ci_low"], table["ci_high"] = [c[0] for c in ci], [c[1] for c in ci]
    table["ok"] = [within(row, row.achieved, c) for row, c in zip(table.itertuples(), ci)]
    return table


def _number(kind: str, value: float, low: float = np.nan, high: float = np.nan) -> str:
    if kind in ("coef", "odds_ratio"):
        return f"{value:.3f} ({low:.3f}–{high:.3f})"
    if kind == "count":
        return f"{value:.0f}"
    if kind in ("lowest", "order"):
        return "yes" if value == 1 else "no"
    return f"{value:.3f}" if kind in ("alpha", "coef", "odds_ratio") else f"{value:.1f}"


def markdown(table: pd.DataFrame, seed: int) -> str:
    """The calibration table as markdown: target, published, synthetic, within tolerance."""
    from forlop.citations import markdown_sources

    lines = [
        "# Calibration of the synthetic national survey",
        "",
        *markdown_sources(["002"]),
        "",
        f"`forlop survey synth --scale national --seed {seed}`, counted from the Parquet files by",
        "`tests/survey/counter.py` (independent of `forlop.survey`). Targets and tolerances:",
        "`src/forlop/survey/synth_targets.csv` (the figures of the reading guide §6): counts exactly, shares",
        "±2 percentage points (a range or bound as 002 prints it), Cronbach's alpha ±0.03, model coefficients",
        "with the published sign and within 50 % (odds ratios: of the log odds) or, for a small cell, with the",
        "published value inside the synthetic 95 % CI (shown after the estimate). Regenerate with",
        "`.venv/bin/python -m tests.survey.counter --data DIR --write docs/survey_calibration.md`.",
        "",
        f"**{int(table.ok.sum())} of {len(table)} figures within tolerance.**",
        "",
        "| target | source | kind | sector | variable | value | published | synthetic | tolerance | within |",
        "|---|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for r in table.itertuples():
        value = str(r.value).replace("|", "\\|")
        variable = str(r.variable).replace("|", "\\|")
        lines.append(
            f"| {r.id} | {r.source} | {r.kind} | {r.sector} | {variable} | {value} | {r.target} | "
            f"{_number(r.kind, r.achieved, r.ci_low, r.ci_high)} | {r.tolerance} | {'yes' if r.ok else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare a synthetic survey with the published figures of 002.")
    parser.add_argument("--data", type=Path, required=True, help="folder written by forlop survey synth")
    parser.add_argument("--write", type=Path, help="also write the table as markdown here")
    parser.add_argument("--seed", type=int, default=2023, help="seed the survey was built with (for the heading)")
    args = parser.parse_args(argv)
    result = count(args.data)
    pd.set_option("display.max_rows", 2000, "display.width", 200)
    failed = result[~result.ok]
    print(failed[["id", "kind", "variable", "value", "target", "achieved"]].to_string(index=False))
    print(f"{int(result.ok.sum())} of {len(result)} within tolerance")
    if args.write:
        args.write.write_text(markdown(result, args.seed), encoding="utf-8")
    return 0 if failed.empty else 1


if __name__ == "__main__":
    sys.exit(main())
