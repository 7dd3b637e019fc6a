"""Benchmark: the pathway engine on the national synthetic extract (and a larger one).

For each extract it times three jobs, each in a fresh Python process (so peak memory, ru_maxrss,
is that job's own), and reports the median of ``--runs`` runs:

- ``cli``: the whole command ``forlop pathways --data EXTRACT --out OUT`` (validation of the extract,
  the engine, writing the outputs), as a user runs it;
- ``engine``: the whole ``build_pathways`` on DuckDB (cohort, every per-patient column and every
  indicator of the catalogue, confidence intervals and cumulative incidence included);
- ``engine_headline``: the same Ibis/DuckDB code restricted to the headline indicators (share with
  an outpatient contact within 7 and 30 days, median days to the first one): stays, cohort
  selection (``select_index_stays``, no patient attributes) and outpatient contacts only;
- ``pandas``: a plain pandas implementation of those headline indicators (vectorised pandas, the
  way an analyst would write it: read the tables, merge stays, select the cohort, find the first
  follow-up contact). Its numbers are checked against the engine's.

``cli`` and ``engine`` run as a user's second run does: the cache (``forlop.cache``: compiled SQL, parsed
data files) in a fresh folder per benchmark, filled by one untimed run first, and for ``cli`` the
validation of that run used again (``forlop.extract.reuse``). ``cli_nocache`` and ``engine_nocache``
run as a first run: ``FORLOP_CACHE=off`` (every query compiled) and, for ``cli``, a new OUT folder
(the extract validated).

Time is wall clock from the start of the job's process, library imports included (each job pays
for its own: ibis, DuckDB and lifelines for the engine, pandas for the baseline). Events per
second = input event rows (specialist episodes + primary care claims + municipal decisions) / that
time. The jobs must give exactly the same headline numbers (the script exits non-zero otherwise).
Results go to ``--out`` (JSON) and the same name with ``.md`` (the markdown table). The machine is
shared and noisy: read the medians.

    .venv/bin/python benchmarks/pathways.py [--runs 3] [--scale national] [--scale 155870] [--scale persons:10]
        [--clean DIR ...]   # reuse validated clean/ folders, one per --scale, in the same order
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from runs import forlop, fresh_process_runs, medians, parquet_rows, validated_extract

CHILD = r"""
import json, resource, shutil, sys, time
if sys.argv[2] == "cli_nocache":  # a first run: no earlier validation in OUT to use again (untimed)
    shutil.rmtree(sys.argv[3], ignore_errors=True)
started = time.perf_counter()  # before any library import: every job pays for its own imports
from pathlib import Path
clean, job, year = Path(sys.argv[1]), sys.argv[2], 2020
if job in ("cli", "cli_nocache"):
    from forlop.cli import main
    imported = time.perf_counter()
    out = Path(sys.argv[3])
    sys.argv = ["forlop", "pathways", "--data", str(clean.parent.parent / "extract"), "--out", str(out)]
    try:
        main()
    except SystemExit as stop:
        if stop.code:
            raise
    finished = time.perf_counter()
    import csv
    with open(out / "indicators.csv", encoding="utf-8") as f:
        ind = {(r["indicator"], r["breakdown"], r["group"]): float(r["value"]) for r in csv.DictReader(f)}
    numbers = [ind[("outpatient_share_7d", "all", "all")], ind[("outpatient_share_30d", "all", "all")],
               ind[("outpatient_days_to_first_median", "all", "all")]]
elif job in ("engine", "engine_nocache"):
    from forlop.pathways.pipeline import build_pathways
    imported = time.perf_counter()
    result = build_pathways(clean, year)
    ind = result.indicators.set_index(["indicator", "breakdown", "group"])["value"]
    numbers = [ind[("outpatient_share_7d", "all", "all")], ind[("outpatient_share_30d", "all", "all")],
               ind[("outpatient_days_to_first_median", "all", "all")]]
elif job == "engine_headline":
    from forlop.engine import connect, read_tables
    from forlop.engine.backend import materialize
    from forlop.pathways.cohort import select_index_stays
    from forlop.pathways.events import point_events
    from forlop.pathways.stays import merge_stays
    imported = time.perf_counter()
    con = connect("duckdb")
    tables = read_tables(con, clean, ["persons", "specialist_episodes"])
    stays = materialize(merge_stays(tables["specialist_episodes"]), "forlop_stays")
    cohort = select_index_stays(tables, stays, year).index.select("person_id", "day0_n", index_end="end")
    ev = point_events(tables, cohort, services=("outpatient",))
    ev = ev.filter(ev.d >= 1)
    first = ev.group_by("person_id").aggregate(first=ev.d.min()).to_pandas()["first"]
    n = cohort.count().to_pyarrow().as_py()
    numbers = [(first <= 7).sum() / n, (first <= 30).sum() / n, float(first.quantile(0.5))]
else:
    import pandas as pd
    imported = time.perf_counter()
    cols = ["episode_id", "person_id", "sector", "care_level", "start", "end", "main_diagnosis", "other_diagnoses"]
    ep = pd.read_parquet(clean / "specialist_episodes.parquet", columns=cols)
    persons = pd.read_parquet(clean / "persons.parquet", columns=["person_id", "birth_year", "death_date"])
    y0, y1 = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
    ep["start_date"], ep["end_date"] = ep["start"].dt.normalize(), ep["end"].dt.normalize()
    # stays: PHV inpatient episodes merged when the next starts by the day after the latest end so far
    st = ep[(ep.sector == "PHV") & (ep.care_level == 1)].sort_values(["person_id", "start", "episode_id"]).copy()
    st["open_end"] = st["end_date"].fillna(pd.Timestamp("2262-01-01"))
    st["latest_end"] = st.groupby("person_id")["open_end"].cummax()
    st["prev_end"] = st.groupby("person_id")["latest_end"].shift()
    st["stay"] = (st["prev_end"].isna() | (st["start_date"] > st["prev_end"] + pd.Timedelta(days=1))).astype(int)
    st["stay"] = st.groupby("person_id")["stay"].cumsum()
    st["open"] = st["end"].isna()
    stays = st.groupby(["person_id", "stay"]).agg(start=("start", "min"), end=("end", "max"),
                                                   any_open=("open", "any")).reset_index()
    stays.loc[stays.any_open, "end"] = pd.NaT
    # cohort: adults with a qualifying PHV diagnosis in the year and a stay ending in the year
    inyear = ep[(ep.sector == "PHV") & (ep.start_date <= y1) & (ep.end_date.isna() | (ep.end_date >= y0))]
    other = inyear[["person_id", "other_diagnoses"]].explode("other_diagnoses")
    other = other.rename(columns={"other_diagnoses": "code"})
    codes = pd.concat([inyear[["person_id", "main_diagnosis"]].rename(columns={"main_diagnosis": "code"}), other])
    codes["code"] = codes["code"].str.replace(".", "", regex=False).str.upper()
    prefixes = ("F20", "F25", "F30", "F31", "F32", "F33") + tuple(f"F6{i}" for i in range(10))
    qualified = set(codes.loc[codes["code"].fillna("").str.startswith(prefixes), "person_id"])
    adults = set(persons.loc[year - persons.birth_year >= 18, "person_id"])
    ended = stays[stays["end"].notna() & (stays["end"].dt.year == year) & stays.person_id.isin(qualified & adults)]
    index = ended.sort_values(["person_id", "end", "start", "stay"]).groupby("person_id").head(1)
    index = index.merge(persons[["person_id", "death_date"]], on="person_id")
    index["day0"] = index["end"].dt.normalize()
    died = pd.to_datetime(index["death_date"]) <= index["day0"] + pd.Timedelta(days=365)
    index = index[~died]
    # first outpatient contact in days 1-365, not before the discharge time
    op = ep.loc[ep.care_level == 3, ["person_id", "start", "start_date"]]
    op = op.merge(index[["person_id", "end", "day0"]], on="person_id")
    op["d"] = (op["start_date"] - op["day0"]).dt.days
    op = op[(op.d >= 1) & (op.d <= 365) & (op.start >= op.end)]
    first = op.groupby("person_id")["d"].min()
    n = len(index)
    numbers = [(first <= 7).sum() / n, (first <= 30).sum() / n, float(first.quantile(0.5))]
if job not in ("cli", "cli_nocache"):
    finished = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": finished - started, "import_seconds": imported - started, "peak_mb": peak_mb,
                  "numbers": [round(float(x), 8) for x in numbers]}))
"""

JOBS = ("cli", "cli_nocache", "engine", "engine_nocache", "engine_headline", "pandas")
#: Jobs run with the SQL cache off; the others with a warm one (see the module docstring).
NO_CACHE = ("cli_nocache", "engine_nocache")


def _cut_extract(persons: int, folder: Path) -> None:
    """Write the synthetic extract of the smallest scale (50 cohort patients), cut to its first ``persons``
    people (by id, all their rows; population and geography whole): the small run of issue 14."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from forlop.synth.extract import build_tables, write_tables

    tables = build_tables(50, seed=1)
    ids = sorted(set(tables["specialist_episodes"].column("person_id").to_pylist()))[:persons]
    for name, table in tables.items():
        if "person_id" in table.column_names:
            kept = pa.array(ids, table.column("person_id").type)
            tables[name] = table.filter(pc.is_in(table.column("person_id"), value_set=kept))
    write_tables(tables, folder)


def _prepare(scale: str, folder: Path) -> Path:
    """The validated clean/ folder of the extract for ``scale`` (see ``--scale``), built in ``folder``."""
    if not scale.startswith("persons:"):
        return validated_extract(folder, scale, "pathways bench")
    print(f"[pathways bench] extract of {scale}", file=sys.stderr, flush=True)
    _cut_extract(int(scale.split(":")[1]), folder / "extract")
    forlop(
        "pathways bench", "validate", "validate", "--data", str(folder / "extract"), "--out", str(folder / "validated")
    )
    return folder / "validated" / "clean"


def run(scale: str, runs: int, jobs: tuple[str, ...], clean: Path | None = None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="forlop-bench-") as tmp:
        clean = clean or _prepare(scale, Path(tmp))
        events = sum(parquet_rows(clean, ("specialist_episodes", "primary_care_claims", "municipal_services")))
        has_extract = (clean.parent.parent / "extract").is_dir()
        for job in jobs:
            if job.startswith("cli") and not has_extract:
                continue  # --clean without its extract beside it: nothing to run the command on
            out = str(Path(tmp) / "out")
            if job in NO_CACHE:
                env = {"FORLOP_CACHE": "off"}
            else:
                env = {"FORLOP_CACHE": str(Path(tmp) / "sqlcache")}
                fresh_process_runs(CHILD, [str(clean), job, out], 1, f"pathways bench {scale} {job} (warm-up)", env)
            tag = f"pathways bench {scale} {job}"
            results = fresh_process_runs(CHILD, [str(clean), job, out], runs, tag, env)
            row = {"scale": scale, "job": job, "events": events, **medians(results)}
            row["events_per_s"] = round(events / statistics.median(r["seconds"] for r in results))
            row["numbers"] = results[0]["numbers"]
            rows.append(row)
    return rows


def _ratios(rows: list[dict]) -> None:
    """Add ``ratio_to_pandas`` (pandas time / job time, same scale) where the pandas job ran."""
    for row in rows:
        pandas = [r for r in rows if r["scale"] == row["scale"] and r["job"] == "pandas"]
        row["ratio_to_pandas"] = round(pandas[0]["seconds"] / row["seconds"], 2) if pandas else None


def _check_numbers(rows: list[dict]) -> list[str]:
    """Scales where the jobs disagree on a headline number (they must agree exactly)."""
    return sorted(
        {r["scale"] for r in rows if any(o["numbers"] != r["numbers"] for o in rows if o["scale"] == r["scale"])}
    )


def _scale_label(scale: str) -> str:
    """'national', '10x national (155,870 patients)' for a number of cohort patients, '10 persons' for persons:10."""
    if scale.startswith("persons:"):
        return f"{scale.split(':')[1]} persons (cut from scale 50)"
    if not scale.isdigit():
        return scale
    from forlop.synth.cohort import NATIONAL_COHORT

    return f"{int(scale) / NATIONAL_COHORT:.0f}x national ({int(scale):,} patients)"


def markdown(rows: list[dict], runs: int, load: tuple[float, float]) -> str:
    """The result table as markdown (benchmarks/results/pathways.md)."""
    labels = {
        "cli": "`forlop pathways` command, run again (validation and compiled SQL used again)",
        "cli_nocache": "`forlop pathways` command, first run (validation, engine, outputs; no cache)",
        "engine": "engine: whole `build_pathways` (cohort, pathway table, every indicator), compiled SQL kept",
        "engine_nocache": "engine: whole `build_pathways`, first run (no cache)",
        "engine_headline": "engine, headline indicators only (same Ibis code)",
        "pandas": "plain pandas baseline, headline indicators (vectorised)",
    }
    lines = [
        (
            f"Pathway engine on the synthetic extract: median of {runs} runs per job, each in a fresh process "
            "(written by `benchmarks/pathways.py`)."
        ),
        "",
        "| scale | job | events | time s | whole process s | peak MB | events/s | ratio to pandas |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "" if r["ratio_to_pandas"] is None else f"{r['ratio_to_pandas']:.1f}x"
        lines.append(
            f"| {_scale_label(r['scale'])} | {labels.get(r['job'], r['job'])} | {r['events']:,} | {r['seconds']:.2f} | "
            f"{r['process_seconds']:.2f} | "
            f"{r['peak_mb']:,} | {r['events_per_s']:,} | {ratio} |"
        )
    lines += [
        "",
        "- Events = input event rows: specialist episodes + primary care claims + municipal decisions.",
        "- Time is wall clock from process start, library imports included (ibis/DuckDB/lifelines for the engine, "
        "pandas for the baseline); import time per job (median, s): "
        + ", ".join(f"{r['scale']} {r['job']} {r['import_seconds']:.1f}" for r in rows)
        + ".",
        "- Whole process = the same run timed from outside: the Python interpreter's start and exit included.",
        "- Peak MB is the process's maximum resident set size (ru_maxrss).",
        (
            "- Ratio to pandas = pandas time / job time on the same extract (above 1 means faster than pandas). "
            "The pandas baseline computes only the headline, so the like-for-like ratio is the headline row's; "
            "the whole engine's ratio compares the full catalogue (every indicator of indicators.yaml in every "
            "breakdown, with confidence intervals and Aalen-Johansen fits) with the headline alone."
        ),
        "- Headline numbers (share with an outpatient contact within 7 and 30 days, median days to the first): "
        + "; ".join(
            f"{scale}: " + ", ".join(f"{x:.4f}" for x in next(r["numbers"] for r in rows if r["scale"] == scale))
            for scale in dict.fromkeys(r["scale"] for r in rows)
        )
        + ". Every job gives the same three numbers to 8 decimals (checked by the script; `cli` reads them from "
        "indicators.csv, written to 10 significant digits).",
        f"- The machine has {os.cpu_count()} cores shared with other work (1-minute load average {load[0]:.2f} "
        "at the start, "
        f"{load[1]:.2f} at the end); single runs vary by up to a factor 2, so read the medians. Runs per job (s): "
        + "; ".join(f"{r['scale']} {r['job']} " + "/".join(str(x) for x in r["runs"]) for r in rows)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--scale",
        action="append",
        help="national (default), a number of cohort patients, or persons:N (an extract of N people)",
    )
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument(
        "--clean",
        type=Path,
        action="append",
        help="use this validated clean/ folder for the matching --scale instead of building one",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).with_name("results") / "pathways.json",
        help="JSON result; the markdown table goes beside it with suffix .md",
    )
    args = parser.parse_args()
    rows = []
    scales = args.scale or ["national"]
    cleans = args.clean or [None] * len(scales)
    load_start = os.getloadavg()[0]
    for scale, clean in zip(scales, cleans):
        rows += run(scale, args.runs, tuple(args.jobs.split(",")), clean)
    load = (load_start, os.getloadavg()[0])
    _ratios(rows)
    print(
        f"{'scale':>9} {'job':>16} {'events':>10} {'seconds':>8} {'peak MB':>8} {'events/s':>10} {'ratio':>6}  "
        "headline (7d, 30d, median)"
    )
    for r in rows:
        ratio = "" if r["ratio_to_pandas"] is None else f"{r['ratio_to_pandas']:.1f}x"
        print(
            f"{r['scale']:>9} {r['job']:>16} {r['events']:>10} {r['seconds']:>8} {r['peak_mb']:>8} "
            f"{r['events_per_s']:>10} {ratio:>6}  " + ", ".join(f"{x:.4f}" for x in r["numbers"])
        )
    disagree = _check_numbers(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(rows, args.runs, load))
    if disagree:
        sys.exit(f"[pathways bench] the jobs disagree on the headline numbers for: {', '.join(disagree)}")


if __name__ == "__main__":
    main()
