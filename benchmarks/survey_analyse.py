"""Benchmark: ``forlop survey analyse`` at the size of 002 (130 908 in the frame, 33 458 answers).

Two jobs, each in a fresh Python process (so peak memory, ru_maxrss, is that job's own), median of
``--runs`` runs:

- ``analyse``: ``forlop survey analyse`` as a function (``run_analysis``): validation of the three
  tables (DuckDB, rejected rows, summary), the respondents frame with every index score and the
  covariates of 002 §3.5, response rates and representativeness, frequencies of every item x sector x
  breakdown with Wilson intervals, scores with t intervals, Cronbach's alpha, the eleven models x three
  sectors, respondents.parquet;
- ``pandas``: a plain pandas/statsmodels script as an analyst would write it: one frequency table (U2 by
  sector, Fig 12-3) and one model (U3 on the STAR-P mean and sex in PHV, OLS with the formula API). Its
  U2 counts are checked against ``frequencies.csv`` (the script exits non-zero if they differ).

Time is wall clock from the start of the job's process, library imports included. The data are
``forlop survey synth --seed 2023`` (national scale). Results: ``--out`` (JSON) and the same name with
``.md``. The machine is shared and noisy: read the medians and the load average.

    .venv/bin/python benchmarks/survey_analyse.py [--runs 3] [--data DIR]
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

CHILD = r"""
import json, resource, sys, tempfile, time
started = time.perf_counter()
from pathlib import Path
data, job = Path(sys.argv[1]), sys.argv[2]
if job == "analyse":
    import pandas as pd
    from forlop.survey.analyse import run_analysis
    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        result = run_analysis(data, Path(out), lang="en", progress=False)
        f = pd.read_csv(Path(out) / "frequencies.csv")
        u2 = f[(f["item"] == "U2") & (f["breakdown"] == "all") & (f["sector"] != "all")]  # not the sum of sectors
        counts = {f"{r.sector}:{r.option}": int(r.count) for r in u2.itertuples()}
        rows = len(f) + len(pd.read_csv(Path(out) / "regressions.csv"))
else:
    import numpy as np
    import pandas as pd
    import statsmodels.formula.api as smf
    imported = time.perf_counter()
    frame = pd.read_parquet(data / "survey_frame.parquet", columns=["person_id", "sector", "sex"])
    resp = pd.read_parquet(data / "survey_responses.parquet")
    d = resp.merge(frame, on="person_id")
    u2 = d.dropna(subset=["U2"]).groupby(["sector", "U2"]).size()
    counts = {f"{s}:{int(o)}": int(c) for (s, o), c in u2.items()}
    r = d[[f"R{i}" for i in range(1, 13)]].astype(float)
    for item in ("R4", "R7", "R9"):
        r[item] = 4 - r[item]
    d["star"] = r.mean(axis=1).where(r.notna().sum(axis=1) >= 6)
    d["female"] = (d["sex"] == "F").astype(float)
    model = smf.ols("U3 ~ star + female", data=d[d["sector"] == "PHV"].dropna(subset=["U3", "star"])).fit()
    rows = len(u2) + len(model.params)
finished_at = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": finished_at - started, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "import_seconds": imported - started, "peak_mb": usage.ru_maxrss / 1024,
                  "rows_out": rows, "counts": counts}))
"""

JOBS = ("analyse", "pandas")
LABELS = {
    "analyse": "`forlop survey analyse`: validation, respondents, response rates, all frequencies and scores with "
    "CIs, alpha, 11 models x 3 sectors",
    "pandas": "plain pandas/statsmodels script: one frequency table (U2 by sector), one OLS model",
}


def _prepare(folder: Path) -> Path:
    forlop(
        "survey analyse bench",
        "survey synth --seed 2023",
        "survey",
        "synth",
        "--seed",
        "2023",
        "--out",
        str(folder / "data"),
    )
    return folder / "data"


def run(runs: int, data: Path | None = None) -> tuple[list[dict], float, tuple[int, int]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="forlop-bench-") as tmp:
        data = data or _prepare(Path(tmp))
        frame, answers = parquet_rows(data, ("survey_frame", "survey_responses"))
        load = os.getloadavg()[0]
        counts: dict[str, dict] = {}
        for job in JOBS:
            results = fresh_process_runs(CHILD, [str(data), job], runs, f"survey analyse bench {job}")
            counts[job] = results[0]["counts"]
            rows.append({"job": job, "rows_out": results[0]["rows_out"], **medians(results)})
        wanted = {k: v for k, v in counts["analyse"].items() if v}
        if wanted != counts["pandas"]:
            raise SystemExit(f"analysis and pandas baseline disagree on the U2 counts: {counts}")
    add_ratios(rows)
    return rows, load, (frame, answers)


def markdown(rows: list[dict], load: float, runs: int, inputs: tuple[int, int]) -> str:
    title = (
        f"Survey analysis at 002's size ({inputs[0]:,} in the frame, {inputs[1]:,} answers): median of {runs} runs "
        "per job, each in a fresh process (written by `benchmarks/survey_analyse.py`)."
    )
    lines = [title, "", "| job | time s | CPU s | peak MB | ratio to pandas |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {LABELS[r['job']]} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_mb']:,} | {r['ratio_to_pandas']}x |"
        )
    lines += [
        "",
        import_line(rows),
        "- CPU s = user + system time of the process (all threads). Peak MB = maximum resident set size.",
        (
            "- Ratio to pandas = pandas time / job time. The baseline computes one table and one model without "
            "validation, so the ratio compares unequal work; both give the same U2 counts per sector (checked)."
        ),
        machine_line(load, rows),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="Reuse a folder written by `forlop survey synth`.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "survey_analyse.json")
    args = parser.parse_args()
    rows, load, inputs = run(args.runs, args.data)
    write_results(args.out, rows, markdown(rows, load, args.runs, inputs))


if __name__ == "__main__":
    main()
