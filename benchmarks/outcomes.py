"""Benchmark: outcome monitoring (003) at 10x the pilot's size (100 000 referrals, about 750 000 sessions).

Two jobs, each in a fresh Python process (so peak memory, ru_maxrss, is that job's own), median of
``--runs`` runs:

- ``analyse``: ``forlop outcomes analyse`` as a function (``run_analysis``): validation of both tables
  (DuckDB, rejected rows, summary), the per-referral table, every indicator of ``outcomes.csv`` with its
  breakdowns and CIs, work transitions, the case-mix model, the monthly P-chart series and the expected
  course with the off-track flags, all files written;
- ``pandas``: a plain pandas script computing the overall recovery rate the way an analyst would write
  it (totals only with every item answered, first and last scored attended session, finished = ended
  with >= 2 attended treatment sessions, case at the start, paired on both measures). Its numerator and
  denominator are checked against ``outcomes.csv`` (the script exits non-zero if they differ).

Time is wall clock from the start of the job's process, library imports included. The data are
``forlop outcomes synth --referrals 100000 --seed 2013``. Results: ``--out`` (JSON) and the same name
with ``.md``. The machine is shared and noisy: read the medians and the load average.

    .venv/bin/python benchmarks/outcomes.py [--runs 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from runs import (
    add_ratios,
    forlop,
    fresh_process_runs,
    import_line,
    machine_line,
    medians,
    parquet_rows,
    write_results,
)

REFERRALS = 100_000

CHILD = r"""
import json, resource, sys, tempfile, time
started = time.perf_counter()
from pathlib import Path
data, job = Path(sys.argv[1]), sys.argv[2]
if job == "analyse":
    import pandas as pd
    from forlop.outcomes.analyse import run_analysis
    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = run_analysis(data, Path(out))
        o = pd.read_csv(Path(out) / "outcomes.csv")
        row = o[(o.indicator == "recovery") & (o.breakdown == "all")].iloc[0]
        counts = [int(row.numerator), int(row.denominator)]
        rows = len(o)
else:
    import numpy as np
    import pandas as pd
    imported = time.perf_counter()
    ref = pd.read_parquet(data / "rph_referrals.parquet", columns=["referral_id", "ended_on"])
    ses = pd.read_parquet(data / "rph_sessions.parquet")
    ses = ses[ses["attended"]].copy()
    phq = [f"phq{i}" for i in range(1, 10)]
    gad = [f"gad{i}" for i in range(1, 8)]
    ses["phq"] = ses[phq].sum(axis=1, min_count=9).where(ses[phq].notna().all(axis=1))
    ses["gad"] = ses[gad].sum(axis=1, min_count=7).where(ses[gad].notna().all(axis=1))
    ses["k"] = ses["kind"].map({"assessment": 0, "treatment": 1, "follow_up": 2})
    ses = ses.sort_values(["referral_id", "session_on", "k"])
    per = pd.DataFrame({"n_treat": ses[ses["kind"] == "treatment"].groupby("referral_id").size()})
    for m in ("phq", "gad"):
        g = ses[ses[m].notna()].groupby("referral_id")[m]
        per[m + "_first"], per[m + "_last"], per[m + "_n"] = g.first(), g.last(), g.size()
    r = ref.set_index("referral_id").join(per)
    finished = r["ended_on"].notna() & (r["n_treat"].fillna(0) >= 2)
    paired = (r["phq_n"] >= 2) & (r["gad_n"] >= 2)
    case = (r["phq_first"] >= 10) | (r["gad_first"] >= 8)
    base = finished & paired & case
    recovered = base & (r["phq_last"] < 10) & (r["gad_last"] < 8)
    counts = [int(recovered.sum()), int(base.sum())]
    rows = 1
finished_at = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
peak_mb = usage.ru_maxrss / 1024
print(json.dumps({"seconds": finished_at - started, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "import_seconds": imported - started, "peak_mb": peak_mb,
                  "rows_out": rows, "counts": counts}))
"""

JOBS = ("analyse", "pandas")
LABELS = {
    "analyse": "`forlop outcomes analyse`: validation, per-referral table, all indicators x breakdowns with CIs, "
    "case-mix model, P-chart series, expected course",
    "pandas": "plain pandas script: overall recovery rate only",
}


def _prepare(folder: Path) -> Path:
    forlop(
        "outcomes bench",
        f"outcomes synth --referrals {REFERRALS}",
        *("outcomes", "synth", "--referrals", str(REFERRALS), "--seed", "2013", "--out", str(folder / "data")),
    )
    return folder / "data"


def run(runs: int, data: Path | None = None) -> tuple[list[dict], float, tuple[int, int]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="forlop-bench-") as tmp:
        data = data or _prepare(Path(tmp))
        referrals, sessions = parquet_rows(data, ("rph_referrals", "rph_sessions"))
        load = os.getloadavg()[0]
        counts: dict[str, list] = {}
        for job in JOBS:
            results = fresh_process_runs(CHILD, [str(data), job], runs, f"outcomes bench {job}")
            counts[job] = results[0]["counts"]
            rows.append(
                {
                    "job": job,
                    "rows_out": results[0]["rows_out"],
                    "recovered": counts[job][0],
                    "recovery_denominator": counts[job][1],
                    **medians(results),
                }
            )
        if counts["analyse"] != counts["pandas"]:
            raise SystemExit(f"analysis and pandas baseline disagree on recovery: {counts}")
    add_ratios(rows)
    return rows, load, (referrals, sessions)


def markdown(rows: list[dict], load: float, runs: int, inputs: tuple[int, int]) -> str:
    title = (
        f"Outcome monitoring at 10x the pilot's size ({inputs[0]:,} referrals, {inputs[1]:,} sessions): median "
        f"of {runs} runs per job, each in a fresh process (written by `benchmarks/outcomes.py`)."
    )
    lines = [title, "", "| job | time s | CPU s | peak MB | recovery | ratio to pandas |", "|---|---|---|---|---|---|"]
    for r in rows:
        share = 100 * r["recovered"] / r["recovery_denominator"]
        lines.append(
            f"| {LABELS[r['job']]} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_mb']:,} | "
            f"{r['recovered']:,} / {r['recovery_denominator']:,} = {share:.1f} % | {r['ratio_to_pandas']}x |"
        )
    lines += [
        "",
        import_line(rows),
        (
            "- CPU s = user + system time of the process (all threads; DuckDB uses both cores). On a loaded "
            "machine wall time grows with the load while CPU time stays about the same."
        ),
        "- Peak MB is the process's maximum resident set size (ru_maxrss).",
        (
            "- Ratio to pandas = pandas time / job time (above 1: faster than pandas). The baseline computes one "
            "number without validation; the analysis validates both tables and computes every indicator, so the "
            "ratio compares unequal work. Both give the same recovery numerator and denominator (checked)."
        ),
        machine_line(load, rows),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="Reuse a folder written by `forlop outcomes synth`.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "outcomes.json")
    args = parser.parse_args()
    rows, load, inputs = run(args.runs, args.data)
    write_results(args.out, rows, markdown(rows, load, args.runs, inputs))


if __name__ == "__main__":
    main()
