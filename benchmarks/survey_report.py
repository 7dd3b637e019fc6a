"""Benchmark: ``forlop survey report`` on the national synthetic survey (130 908 in the frame, 33 458 answers).

One job, ``report`` (``build_report``: read the OUT files, the privacy layer with 002's threshold and its
complementary cells, every table and figure of 002 chapters 4-12 and the additions, HTML with plotly
inlined, the Excel file), in a fresh Python process per run (so peak memory, ru_maxrss, is the job's
own), median of ``--runs`` runs. Target (issue 11): report <= 15 s.

The OUT folder is ``--results`` (written by ``forlop survey analyse``) or, without it, made once here:
``forlop survey synth --seed 2023`` then ``forlop survey analyse`` (both must be on the path). Time is
wall clock from the start of the process, library imports included. Results: ``--out`` (JSON) and the
same name with ``.md``. The machine is shared and noisy: read the medians and the load average.

    .venv/bin/python benchmarks/survey_report.py [--runs 3] [--results OUT]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from runs import fresh_process_runs, machine_line, medians, write_results

CHILD = r"""
import json, resource, sys, tempfile, time
started = time.perf_counter()
from pathlib import Path
from forlop.survey.report import build_report
imported = time.perf_counter()
results = Path(sys.argv[1])
with tempfile.TemporaryDirectory() as tmp:
    out = build_report(results, Path(tmp) / "survey.html", Path(tmp) / "survey.xlsx", lang="nb")
    size = out.html.stat().st_size
finished_at = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": finished_at - started, "import_seconds": imported - started,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "tables": out.tables, "figures": out.figures, "hidden": out.hidden_cells, "html_mb": size / 1e6}))
"""


def _results(folder: Path) -> Path:
    command = [sys.executable, "-m", "forlop.cli", "survey"]
    for args in (
        ["synth", "--seed", "2023", "--out", str(folder / "data")],
        ["analyse", "--data", str(folder / "data"), "--out", str(folder / "out")],
    ):
        print(f"[survey report bench] forlop survey {args[0]}", file=sys.stderr, flush=True)
        subprocess.run(command + args, check=True, capture_output=True)
    return folder / "out"


def run(runs: int, results: Path | None) -> tuple[dict, float, int]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = results or _results(Path(tmp))
        answered = 0
        response = folder / "response.csv"
        if response.exists():
            import pandas as pd

            table = pd.read_csv(response)
            answered = int(table.loc[table["sector"].astype(str) == "all", "answered"].sum())
        files = sorted(p.name for p in folder.glob("*.csv"))
        measured = fresh_process_runs(CHILD, [str(folder)], runs, "survey report bench")
    row = {
        "job": "report",
        **medians(measured),
        "tables": measured[0]["tables"],
        "figures": measured[0]["figures"],
        "hidden_cells": measured[0]["hidden"],
        "html_mb": round(measured[0]["html_mb"], 1),
        "files": files,
    }
    return row, load, answered


def markdown(row: dict, load: float, runs: int, answered: int) -> str:
    lines = [
        (
            f"Survey report on the national synthetic survey ({answered:,} answers): median of {runs} runs, each in "
            "a fresh process (written by `benchmarks/survey_report.py`). Target: report <= 15 s."
        ),
        "",
        "| job | time s | CPU s | import s | peak MB | tables | figures | hidden cells | HTML MB |",
        "|---|---|---|---|---|---|---|---|---|",
        (
            f"| `forlop survey report` (HTML + Excel) | {row['seconds']} | {row['cpu_seconds']} | "
            f"{row['import_seconds']} | {row['peak_mb']:,} | {row['tables']} | {row['figures']} | "
            f"{row['hidden_cells']:,} | {row['html_mb']} |"
        ),
        "",
        "- Time is wall clock from process start, library imports included; CPU s = user + system time.",
        "- Peak MB is the process's maximum resident set size (ru_maxrss).",
        "- OUT files read: " + ", ".join(row["files"]) + ".",
        machine_line(load, [row]),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", type=Path, help="Reuse an OUT folder written by `forlop survey analyse`.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "survey_report.json")
    args = parser.parse_args()
    row, load, answered = run(args.runs, args.results)
    write_results(args.out, row, markdown(row, load, args.runs, answered))


if __name__ == "__main__":
    main()
