"""Shared by the benchmark scripts: run one job several times, each in a fresh Python process."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def fresh_process_runs(child: str, args: list[str], runs: int, tag: str) -> list[dict]:
    """Run ``python -c child *args`` ``runs`` times; return the JSON each run prints last.

    A fresh process per run, so ``ru_maxrss`` is the job's own peak memory and every run pays for
    its own imports. Progress (time, memory, load average) goes to stderr, prefixed with ``tag``.
    """
    results = []
    for i in range(runs):
        print(f"[{tag}] run {i + 1}/{runs}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-c", child, *args], check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(
            f"[{tag}]   {results[-1]['seconds']:.2f} s, {results[-1]['peak_mb']:.0f} MB, "
            f"load average {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
            flush=True,
        )
    return results
