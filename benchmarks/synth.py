"""Benchmark: building and writing the synthetic national extract.

Each run is a fresh Python process that (1) builds and writes the extract (``forlop synth``'s
work) and reports its wall time, peak resident memory (ru_maxrss right after the job) and events
per second, then (2) runs a plain pandas baseline in the same process: the outpatient contacts of
the cohort's follow-up year written the way one would without vectorising, a Python loop per
patient appending rows to a DataFrame-able list, on the same plans. The ratio compares events per
second. The machine is shared and noisy: the table reports the median of the runs.

    .venv/bin/python benchmarks/synth.py [--runs 3] [--scale national]
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
from forlop.synth.extract import write_synthetic_extract
from forlop.synth.targets import targets, parameters
from forlop.synth.cohort import build_cohort
from forlop.synth.plans import plan_services

out, scale = Path(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
summary = write_synthetic_extract(out, scale=scale, seed=2020)
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

# Plain pandas baseline: the follow-up outpatient contacts, one patient at a time.
rng = np.random.default_rng(2020)
cohort = build_cohort(rng, targets(), parameters(), int(sys.argv[3]))
plan = plan_services(rng, cohort, targets(), parameters())["outpatient"]
started = time.perf_counter()
rows = []
for i, row in enumerate(cohort.itertuples()):
    for k in range(int(plan.count[i])):
        day = plan.first_day[i] if k == 0 else plan.first_day[i] + int(rng.integers(0, 366 - plan.first_day[i]))
        start = pd.Timestamp(row.index_end) + pd.Timedelta(days=int(day), minutes=int(rng.integers(480, 960)))
        rows.append({"person_id": i, "sector": "PHV", "care_level": 3, "start": start,
                     "end": start + pd.Timedelta(minutes=45), "main_diagnosis": "F20.0"})
frame = pd.DataFrame(rows)
frame.to_parquet(out / "baseline.parquet")
baseline_seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "events": summary.events, "persons": summary.persons,
                  "baseline_seconds": baseline_seconds, "baseline_events": len(frame)}))
"""


def run_once(scale: str, cohort: int) -> dict:
    """Run one measured build in a fresh process and return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([sys.executable, "-c", CHILD, folder, scale, str(cohort)], capture_output=True,
                                text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", default="national")
    args = parser.parse_args()
    from forlop.synth.extract import cohort_size

    runs = []
    for number in range(1, args.runs + 1):
        runs.append(run_once(args.scale, cohort_size(args.scale)))
        print(f"run {number}/{args.runs}: {runs[-1]['seconds']:.1f} s", file=sys.stderr)
    seconds = statistics.median(r["seconds"] for r in runs)
    peak = statistics.median(r["peak_mb"] for r in runs)
    events = runs[0]["events"]
    rate = statistics.median(r["events"] / r["seconds"] for r in runs)
    base_rate = statistics.median(r["baseline_events"] / r["baseline_seconds"] for r in runs)
    lines = [
        (f"Synthetic extract, scale {args.scale}: {runs[0]['persons']:,} persons, {events:,} event rows "
        f"(median of {args.runs} runs)"),
        "",
        "| job | time (s) | peak memory (MB) | events per second | ratio to pandas baseline |",
        "|---|---|---|---|---|",
        (f"| forlop synth (build + write Parquet) | {seconds:.1f} | {peak:.0f} | {rate:,.0f} | "
         f"{rate / base_rate:.0f}x |"),
        (f"| plain pandas baseline (loop per patient, outpatient contacts only) | "
        f"{statistics.median(r['baseline_seconds'] for r in runs):.1f} | (same process) | {base_rate:,.0f} | 1x |"),
    ]
    text = "\n".join(lines)
    print(text)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"synth_{args.scale}.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
