"""Benchmark: coercion rates (issue 6) on the national synthetic extract.

Three jobs, each in a fresh Python process (so peak memory, ru_maxrss, is that job's own), median of
``--runs`` runs:

- ``engine_hc_year``: ``coercion_rates`` by health community and year (all four measures, crude and
  age-sex standardised rates with their CIs) on DuckDB;
- ``engine_municipality_month``: the same by municipality and month (the largest table: every
  municipality x month x measure);
- ``pandas``: a plain pandas implementation of one measure, involuntary admissions (PHV inpatient
  episodes merged into stays; a stay with a coercion referral is one admission, dated by its start) by
  health community and year, crude rate per 10 000 adults: the way an analyst would write it. Its
  event counts per health community and year are checked against the engine's (the script exits
  non-zero if they differ).

Time is wall clock from the start of the job's process, library imports included. Rows per second =
input rows read (specialist episodes + coercion decisions + residence + population) / that time.
Results: ``--out`` (JSON) and the same name with ``.md``. The machine is shared and noisy: read the
medians.

    .venv/bin/python benchmarks/coercion.py [--runs 3] [--clean DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from runs import (
    add_ratios,
    fresh_process_runs,
    import_line,
    machine_line,
    medians,
    parquet_rows,
    validated_extract,
    write_results,
)

CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
from pathlib import Path
clean, job = Path(sys.argv[1]), sys.argv[2]
if job.startswith("engine"):
    from forlop.coercion.rates import coercion_rates
    from forlop.coercion.rates_run import read_tables
    imported = time.perf_counter()
    by, period = ("health_community", "year") if job == "engine_hc_year" else ("municipality", "month")
    rates, _, _ = coercion_rates(read_tables(clean), by=by, period=period)
    rows = len(rates)
    adm = rates[rates["measure"] == "involuntary_admissions"]
    counts = {f"{a}|{p}": int(e) for a, p, e in zip(adm["area"], adm["period"], adm["events"]) if e > 0}
else:
    import pandas as pd
    imported = time.perf_counter()
    ep = pd.read_parquet(clean / "specialist_episodes.parquet",
                         columns=["person_id", "sector", "care_level", "start", "end", "coercion_referral"])
    st = ep[(ep.sector == "PHV") & (ep.care_level == 1)].copy()
    st["start_date"], st["end_date"] = st["start"].dt.normalize(), st["end"].dt.normalize()
    st = st.sort_values(["person_id", "start"])
    # a stay: episodes that overlap or start by the day after the latest end so far (open end absorbs all)
    st["latest_end"] = st["end_date"].fillna(pd.Timestamp("2262-01-01")).groupby(st["person_id"]).cummax()
    prev = st.groupby("person_id")["latest_end"].shift()
    st["stay"] = (prev.isna() | (st["start_date"] > prev + pd.Timedelta(days=1))).astype(int)
    st["stay"] = st.groupby("person_id")["stay"].cumsum()
    st["referral"] = st["coercion_referral"].fillna(False).astype(bool)
    grouped = st.groupby(["person_id", "stay"])
    stays = grouped.agg(date=("start_date", "min"), referral=("referral", "max")).reset_index()
    adm = stays[stays["referral"]].copy()
    adm["year"] = adm["date"].dt.year
    persons = pd.read_parquet(clean / "persons.parquet", columns=["person_id", "birth_year"])
    res = pd.read_parquet(clean / "residence.parquet", columns=["person_id", "year", "municipality"])
    # highest municipality number per person and year (sort + drop_duplicates: groupby max on strings is slow)
    res = res.sort_values(["person_id", "year", "municipality"]).drop_duplicates(["person_id", "year"], keep="last")
    geo = pd.read_parquet(clean / "geography.parquet", columns=["municipality", "health_community"])
    adm = adm.merge(persons, on="person_id").merge(res, on=["person_id", "year"]).merge(geo, on="municipality")
    adm = adm[adm["year"] - adm["birth_year"] >= 18]
    pop = pd.read_parquet(clean / "population.parquet", columns=["municipality", "year", "age", "count"])
    pop = pop[pop["age"] >= 18].merge(geo, on="municipality")
    pop = pop.groupby(["health_community", "year"], as_index=False)["count"].sum()
    events = adm.groupby(["health_community", "year"], as_index=False).size().rename(columns={"size": "events"})
    out = pop.merge(events, on=["health_community", "year"], how="left").fillna({"events": 0})
    out = out[out["year"].isin(adm["year"].unique())]
    out["crude"] = out["events"] / out["count"] * 10_000
    rows = len(out)
    counts = {f"{a}|{y}": int(e) for a, y, e in zip(out["health_community"], out["year"], out["events"]) if e > 0}
finished = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": finished - started, "import_seconds": imported - started, "peak_mb": peak_mb,
                  "rows_out": rows, "counts": counts}))
"""

JOBS = ("engine_hc_year", "engine_municipality_month", "pandas")
LABELS = {
    "engine_hc_year": "engine: `coercion_rates` by health community x year (4 measures, crude + standardised, CIs)",
    "engine_municipality_month": (
        "engine: `coercion_rates` by municipality x month (4 measures, crude + standardised, CIs)"
    ),
    "pandas": "plain pandas baseline: involuntary admissions by health community x year, crude rate",
}


def run(runs: int, clean: Path | None = None) -> tuple[list[dict], float]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="forlop-bench-") as tmp:
        clean = clean or validated_extract(Path(tmp), "national", "coercion bench")
        inputs = sum(parquet_rows(clean, ("specialist_episodes", "coercion_decisions", "residence", "population")))
        load = os.getloadavg()[0]
        counts: dict[str, dict] = {}
        for job in JOBS:
            results = fresh_process_runs(CHILD, [str(clean), job], runs, f"coercion bench {job}")
            counts[job] = results[0]["counts"]
            row = {"job": job, "input_rows": inputs, "rows_out": results[0]["rows_out"], **medians(results)}
            row["rows_per_second"] = round(inputs / statistics.median(r["seconds"] for r in results))
            rows.append(row)
        if counts["engine_hc_year"] != counts["pandas"]:
            raise SystemExit(
                "engine and pandas baseline disagree on involuntary admissions per health community and year"
            )
    add_ratios(rows)
    return rows, load


def markdown(rows: list[dict], load: float, runs: int) -> str:
    lines = [
        (
            f"Coercion rates on the national synthetic extract: median of {runs} runs per job, each in a fresh "
            "process (written by `benchmarks/coercion.py`)."
        ),
        "",
        "| job | input rows | output rows | time s | peak MB | input rows/s | ratio to pandas |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {LABELS[r['job']]} | {r['input_rows']:,} | {r['rows_out']:,} | {r['seconds']} | "
            f"{r['peak_mb']:,} | {r['rows_per_second']:,} | {r['ratio_to_pandas']}x |"
        )
    lines += [
        "",
        "- Input rows = specialist episodes + coercion decisions + residence + population rows of the clean extract.",
        import_line(rows),
        "- Peak MB is the process's maximum resident set size (ru_maxrss).",
        (
            "- Ratio to pandas = pandas time / job time (above 1: faster than pandas). The baseline computes one "
            "measure's crude rate; the engine all four measures with crude and standardised rates and their "
            "CIs, so the ratio compares unequal work. The involuntary admissions per health community and year "
            "are identical in the engine and the baseline (checked by the script)."
        ),
        machine_line(load, rows),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clean", type=Path, help="Reuse a validated clean/ folder of the national extract.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "coercion.json")
    args = parser.parse_args()
    rows, load = run(args.runs, args.clean)
    write_results(args.out, rows, markdown(rows, load, args.runs))


if __name__ == "__main__":
    main()
