"""Benchmark: the pathway engine on the national synthetic extract (and a larger one).

For each extract it times three jobs, each in a fresh Python process (so peak memory, ru_maxrss,
is that job's own), and reports the median of ``--runs`` runs:

- ``engine``: the whole ``build_pathways`` on DuckDB (cohort, every per-patient column and every
  indicator of the catalogue, confidence intervals and cumulative incidence included);
- ``engine_headline``: the same Ibis/DuckDB code restricted to the headline indicators (share with
  an outpatient contact within 7 and 30 days, median days to the first one);
- ``pandas``: a plain pandas implementation of those headline indicators (vectorised pandas, the
  way an analyst would write it: read the tables, merge stays, select the cohort, find the first
  follow-up contact). Its numbers are checked against the engine's.

Events per second = input event rows (specialist episodes + primary care claims + municipal
decisions) / wall time. The machine is shared and noisy: read the medians.

    .venv/bin/python benchmarks/pathways.py [--runs 3] [--scale national] [--scale 155870]
        [--clean DIR ...]   # reuse validated clean/ folders, one per --scale, in the same order
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np, pandas as pd
clean, job, year = Path(sys.argv[1]), sys.argv[2], 2020
started = time.perf_counter()
if job == "engine":
    from forlop.pathways.pipeline import build_pathways
    result = build_pathways(clean, year)
    ind = result.indicators.set_index(["indicator", "breakdown", "group"])["value"]
    numbers = [ind[("outpatient_share_7d", "all", "all")], ind[("outpatient_share_30d", "all", "all")],
               ind[("outpatient_days_to_first_median", "all", "all")]]
elif job == "engine_headline":
    import ibis
    from forlop.engine import connect, read_tables
    from forlop.pathways.pipeline import TABLES
    from forlop.pathways.stays import merge_stays
    from forlop.pathways.cohort import build_cohort
    from forlop.pathways.events import point_events
    con = connect("duckdb")
    tables = read_tables(con, clean, TABLES)
    stays = con.create_table("stays", merge_stays(tables["specialist_episodes"]).to_pyarrow(), temp=True)
    cohort = build_cohort(tables, stays, year).patients
    cohort = con.create_table("cohort", cohort.select("person_id", "day0_n", "index_end").to_pyarrow(), temp=True)
    ev = point_events(tables, cohort)
    ev = ev.filter((ev.service == "outpatient") & (ev.d >= 1))
    first = ev.group_by("person_id").aggregate(first=ev.d.min()).to_pandas()["first"]
    n = cohort.count().to_pyarrow().as_py()
    numbers = [(first <= 7).sum() / n, (first <= 30).sum() / n, float(first.quantile(0.5))]
else:
    cols = ["episode_id", "person_id", "sector", "care_level", "start", "end", "main_diagnosis", "other_diagnoses"]
    ep = pd.read_parquet(clean / "specialist_episodes.parquet", columns=cols)
    persons = pd.read_parquet(clean / "persons.parquet")
    y0, y1 = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
    ep["start_date"], ep["end_date"] = ep["start"].dt.normalize(), ep["end"].dt.normalize()
    # stays: PHV inpatient episodes merged when the next starts by the day after the latest end
    st = ep[(ep.sector == "PHV") & (ep.care_level == 1)].sort_values(["person_id", "start", "episode_id"]).copy()
    st["open_end"] = st["end_date"].fillna(pd.Timestamp("2262-01-01"))
    st["prev_end"] = st.groupby("person_id")["open_end"].transform(lambda s: s.cummax().shift())
    st["stay"] = (st["prev_end"].isna() | (st["start_date"] > st["prev_end"] + pd.Timedelta(days=1))).astype(int)
    st["stay"] = st.groupby("person_id")["stay"].cumsum()
    stays = st.groupby(["person_id", "stay"]).agg(start=("start", "min"), end=("end", "max"),
                                                   any_open=("end", lambda s: s.isna().any())).reset_index()
    stays.loc[stays.any_open, "end"] = pd.NaT
    # cohort: adults with a qualifying PHV diagnosis in the year and a stay ending in the year
    inyear = ep[(ep.sector == "PHV") & (ep.start_date <= y1) & (ep.end_date.isna() | (ep.end_date >= y0))]
    other = inyear[["person_id", "other_diagnoses"]].explode("other_diagnoses").rename(columns={"other_diagnoses": "code"})
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
    op = ep.loc[ep.care_level == 3, ["person_id", "start", "start_date"]].merge(index[["person_id", "end", "day0"]], on="person_id")
    op["d"] = (op["start_date"] - op["day0"]).dt.days
    op = op[(op.d >= 1) & (op.d <= 365) & (op.start >= op.end)]
    first = op.groupby("person_id")["d"].min()
    n = len(index)
    numbers = [(first <= 7).sum() / n, (first <= 30).sum() / n, float(first.quantile(0.5))]
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "numbers": [float(x) for x in numbers]}))
"""

JOBS = ("engine", "engine_headline", "pandas")


def _events(clean: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(clean / f"{t}.parquet").metadata.num_rows
               for t in ("specialist_episodes", "primary_care_claims", "municipal_services"))


def _prepare(scale: str, folder: Path) -> Path:
    python = sys.executable
    forlop = str(Path(python).with_name("forlop"))
    print(f"[pathways bench] synth --scale {scale}", file=sys.stderr, flush=True)
    subprocess.run([forlop, "synth", "--scale", scale, "--seed", "2020", "--out", str(folder / "extract")],
                   check=True, capture_output=True)
    print(f"[pathways bench] validate", file=sys.stderr, flush=True)
    subprocess.run([forlop, "validate", "--data", str(folder / "extract"), "--out", str(folder / "validated")],
                   check=True, capture_output=True)
    return folder / "validated" / "clean"


def run(scale: str, runs: int, jobs: tuple[str, ...], clean: Path | None = None) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="forlop-bench-") as tmp:
        clean = clean or _prepare(scale, Path(tmp))
        events = _events(clean)
        for job in jobs:
            results = []
            for i in range(runs):
                print(f"[pathways bench] {scale} {job} run {i + 1}/{runs}", file=sys.stderr, flush=True)
                done = subprocess.run([sys.executable, "-c", CHILD, str(clean), job], check=True,
                                      capture_output=True, text=True)
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            seconds = statistics.median(r["seconds"] for r in results)
            rows.append({
                "scale": scale, "job": job, "events": events, "seconds": round(seconds, 2),
                "peak_mb": round(statistics.median(r["peak_mb"] for r in results)),
                "events_per_s": round(events / seconds), "numbers": results[0]["numbers"],
            })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", action="append", help="national (default) and/or a number of cohort patients")
    parser.add_argument("--jobs", default=",".join(JOBS))
    parser.add_argument("--clean", type=Path, action="append",
                        help="use this validated clean/ folder for the matching --scale instead of building one")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "pathways.json")
    args = parser.parse_args()
    rows = []
    scales = args.scale or ["national"]
    cleans = args.clean or [None] * len(scales)
    for scale, clean in zip(scales, cleans):
        rows += run(scale, args.runs, tuple(args.jobs.split(",")), clean)
    print(f"{'scale':>9} {'job':>16} {'events':>10} {'seconds':>8} {'peak MB':>8} {'events/s':>10}  headline (7d, 30d, median)")
    for r in rows:
        print(f"{r['scale']:>9} {r['job']:>16} {r['events']:>10} {r['seconds']:>8} {r['peak_mb']:>8} {r['events_per_s']:>10}  "
              + ", ".join(f"{x:.4f}" for x in r["numbers"]))
    for scale in {r["scale"] for r in rows}:
        by = {r["job"]: r for r in rows if r["scale"] == scale}
        if "pandas" in by and "engine_headline" in by:
            print(f"{scale}: pandas / engine_headline time = {by['pandas']['seconds'] / by['engine_headline']['seconds']:.1f}x; "
                  f"pandas / full engine = {by['pandas']['seconds'] / by['engine']['seconds']:.1f}x"
                  if "engine" in by else "")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
