"""Benchmark: ``forlop survey synth`` at national scale (130 908 in the frame, 33 458 answers).

One job, ``synth``: :func:`forlop.survey.synth.write_synthetic` (frame, responses with every item, the
latent-variable models and their calibration, population aggregates, three Parquet files written), each
run in a fresh Python process (so peak memory, ru_maxrss, is the job's own), median of ``--runs`` runs.
Each run checks its output: frame and response row counts of 002 Tab 4-1. Results: ``--out`` (JSON) and
the same name with ``.md``. The machine is shared and noisy: read the medians and the load average.

    .venv/bin/python benchmarks/survey_synth.py [--runs 3] [--seed 2023]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from runs import fresh_process_runs, machine_line, medians, write_results

CHILD = r"""
import json, resource, sys, tempfile, time
started = time.perf_counter()
from pathlib import Path
import pyarrow.parquet as pq
from forlop.survey.synth import write_synthetic
imported = time.perf_counter()
with tempfile.TemporaryDirectory() as out:
    write_synthetic(Path(out), seed=int(sys.argv[1]), scale="national")
    finished_at = time.perf_counter()
    rows = [pq.ParquetFile(Path(out) / f"{t}.parquet").metadata.num_rows
            for t in ("survey_frame", "survey_responses", "survey_population")]
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": finished_at - started, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "import_seconds": imported - started, "peak_mb": usage.ru_maxrss / 1024, "rows": rows}))
"""


def run(runs: int, seed: int) -> tuple[dict, float]:
    load = os.getloadavg()[0]
    results = fresh_process_runs(CHILD, [str(seed)], runs, "survey synth bench")
    rows = results[0]["rows"]
    if rows[:2] != [130_908, 33_458]:
        raise SystemExit(f"unexpected row counts (frame, responses, population): {rows}")
    return {"job": "synth", "rows": rows, **medians(results)}, load


def markdown(row: dict, load: float, runs: int, seed: int) -> str:
    frame, responses, population = row["rows"]
    lines = [
        (
            f"Synthetic national survey (`forlop survey synth --scale national --seed {seed}`): median of {runs} "
            "runs, each in a fresh process (written by `benchmarks/survey_synth.py`)."
        ),
        "",
        "| job | time s | CPU s | peak MB | frame rows | responses | population rows |",
        "|---|---|---|---|---|---|---|",
        (
            "| `forlop survey synth`: frame, 86 items with latent models and calibration, 3 Parquet files | "
            f"{row['seconds']} | {row['cpu_seconds']} | {row['peak_mb']:,} | {frame:,} | {responses:,} | "
            f"{population:,} |"
        ),
        "",
        (
            "- Time is wall clock from process start until the files are written, imports included (median "
            f"{row['import_seconds']} s)."
        ),
        "- CPU s = user + system time of the process; on a loaded machine wall time grows while CPU time stays.",
        "- Peak MB is the process's maximum resident set size (ru_maxrss).",
        machine_line(load, [row]),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "survey_synth.json")
    args = parser.parse_args()
    row, load = run(args.runs, args.seed)
    write_results(args.out, row, markdown(row, load, args.runs, args.seed))


if __name__ == "__main__":
    main()
