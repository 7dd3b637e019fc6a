"""Shared by the benchmark scripts: prepare the data, run one job several times, each in a fresh Python process,
and write the table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path


def forlop(tag: str, note: str, *args: str) -> None:
    """Run ``forlop ARGS`` (the console script beside this Python, else ``python -m forlop.cli``) to prepare a
    benchmark's data, its output captured; ``[tag] note`` goes to stderr first. A failure raises."""
    script = Path(sys.executable).with_name("forlop")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "forlop.cli"]
    print(f"[{tag}] {note}", file=sys.stderr, flush=True)
    subprocess.run([*command, *args], check=True, capture_output=True)


def validated_extract(folder: Path, scale: str, tag: str) -> Path:
    """``forlop synth --scale SCALE --seed 2020`` into ``folder``/extract, then ``forlop validate`` into
    ``folder``/validated; returns its clean/ folder."""
    forlop(tag, f"synth --scale {scale}", "synth", "--scale", scale, "--seed", "2020", "--out", str(folder / "extract"))
    forlop(tag, "validate", "validate", "--data", str(folder / "extract"), "--out", str(folder / "validated"))
    return folder / "validated" / "clean"


def parquet_rows(folder: Path, tables: Iterable[str]) -> list[int]:
    """The number of rows of each ``<table>.parquet`` in ``folder``, from the files' metadata."""
    import pyarrow.parquet as pq

    return [pq.ParquetFile(folder / f"{table}.parquet").metadata.num_rows for table in tables]


def fresh_process_runs(
    child: str, args: list[str], runs: int, tag: str, env: dict[str, str] | None = None
) -> list[dict]:
    """Run ``python -c child *args`` ``runs`` times; return the JSON each run prints last.

    A fresh process per run, so ``ru_maxrss`` is the job's own peak memory and every run pays for
    its own imports. Progress (time, memory, load average) goes to stderr, prefixed with ``tag``.
    ``env``: variables set for the runs, beside the benchmark's own environment.
    """
    results = []
    for i in range(runs):
        print(f"[{tag}] run {i + 1}/{runs}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", child, *args],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        results[-1]["process_seconds"] = time.perf_counter() - started  # interpreter start and exit included
        print(
            f"[{tag}]   {results[-1]['seconds']:.2f} s, {results[-1]['peak_mb']:.0f} MB, "
            f"load average {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
            flush=True,
        )
    return results


def medians(results: list[dict]) -> dict:
    """The medians every benchmark table reports, over the runs of one job.

    ``seconds``, ``process_seconds`` (the whole process, timed by the parent), ``import_seconds`` and
    ``cpu_seconds`` (where the child measured them) to 0.01 s,
    ``peak_mb`` to 1 MB, and ``runs``: each run's wall time, so a reader can see the spread.
    """
    row: dict = {}
    for key in ("seconds", "process_seconds", "import_seconds", "cpu_seconds"):
        if key in results[0]:
            row[key] = round(statistics.median(r[key] for r in results), 2)
    row["peak_mb"] = round(statistics.median(r["peak_mb"] for r in results))
    row["runs"] = [round(r["seconds"], 2) for r in results]
    return row


def add_ratios(rows: list[dict], baseline: str = "pandas") -> None:
    """Add ``ratio_to_pandas`` = baseline time / job time to every row (the baseline job's row gives 1)."""
    base = next(r["seconds"] for r in rows if r["job"] == baseline)
    for r in rows:
        r["ratio_to_pandas"] = round(base / r["seconds"], 2)


def import_line(rows: list[dict]) -> str:
    """The markdown note that times include the imports, with each job's median import time."""
    return (
        "- Time is wall clock from process start, library imports included; import time per job (median, s): "
        + ", ".join(f"{r['job']} {r['import_seconds']}" for r in rows)
        + "."
    )


def write_results(out: Path, data: object, text: str) -> None:
    """Write ``out`` (JSON of ``data``) and the markdown table ``text`` beside it (suffix .md), and print it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


def machine_line(load: float, rows: list[dict]) -> str:
    """The markdown footnote on the machine: its cores, the load average at the start, and every run's time
    (per job when there are several), so a reader can judge the medians on a shared machine."""
    if len(rows) == 1:
        runs = "runs (s): " + "/".join(str(x) for x in rows[0]["runs"])
    else:
        runs = "runs per job (s): " + "; ".join(f"{r['job']} " + "/".join(str(x) for x in r["runs"]) for r in rows)
    return (
        f"- The machine has {os.cpu_count()} cores shared with other work (1-minute load average {load:.2f} at the "
        f"start); {runs}."
    )
