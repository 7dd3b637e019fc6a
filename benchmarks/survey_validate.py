"""Benchmark: ``forlop survey validate`` at the size of 002 (130 908 in the frame, 33 458 responses).

Not the calibrated synthetic survey (that is a later item of the survey issue): uniform random codes
per item that respect the questionnaire's forms and filters, so that every row is valid except the
``--bad`` rows, which get a code the item does not have. Writes CSV (the slower input) to a temporary
folder, validates it in this process, prints wall time, peak memory (ru_maxrss) and the counts.

    .venv/bin/python benchmarks/survey_validate.py [--bad 100] [--seed 2023]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forlop.survey import load, validate_survey

FRAME = {"PHV": 87_424, "TSB": 17_257, "AS": 26_227}  # 002 Tab 4-1, total population
ANSWERED = {"PHV": 21_346, "TSB": 3_199, "AS": 8_913}  # 002 Tab 4-1, respondents


def _survey(folder: Path, bad: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sectors = np.repeat(list(FRAME), list(FRAME.values()))
    status = np.full(len(sectors), "no_answer", dtype=object)
    for sector, n in ANSWERED.items():
        status[np.flatnonzero(sectors == sector)[:n]] = "answered"
    frame = pd.DataFrame(
        {
            "person_id": np.arange(1, len(sectors) + 1),
            "sector": sectors,
            "unit": np.where(sectors == "AS", "", "Helse Bergen HF"),
            "region": "Vest",
            "sex": rng.choice(["F", "M"], len(sectors)),
            "birth_year": rng.integers(1930, 2005, len(sectors)),
            "main_diagnosis": "",
            "status": status,
        }
    )
    frame.to_csv(folder / "survey_frame.csv", index=False)
    answered = frame[frame["status"] == "answered"]
    n = len(answered)
    forms = np.where(answered["sector"].to_numpy() == "AS", "AS", "PHV_TSB")
    table: dict[str, object] = {"person_id": answered["person_id"].to_numpy(), "form": forms}
    table["answered_on"] = "2023-06-12"
    values: dict[str, np.ndarray] = {}
    q = load()
    for item in q.items:
        if item.type == "text":
            column = np.where(rng.random(n) < 0.02, "Fritekst", "")
        elif item.type == "year":
            column = rng.integers(item.minimum or 1930, (item.maximum or 2005) + 1, n).astype(str)
        else:
            codes = np.full(n, "", dtype=object)
            for form in q.forms:
                on_form = forms == form
                offered = item.codes_on(form) if form in item.forms else ()
                if offered:
                    picked = rng.choice(offered, on_form.sum()).astype(str)
                    if item.type == "multiple":
                        second = rng.choice(offered, on_form.sum()).astype(str)
                        picked = np.char.add(np.char.add(picked, ";"), second)
                    codes[on_form] = picked
            if item.filter is not None:
                target = values[item.filter.item]
                shown = np.zeros(n, dtype=bool)
                for code in item.filter.codes:
                    shown |= np.array([str(code) in str(v).split(";") for v in target])
                codes[~shown] = ""
            column = codes
        values[item.id] = column
        table[item.column] = column
    responses = pd.DataFrame(table)
    responses.loc[: bad - 1, "U1"] = "9"
    responses.to_csv(folder / "survey_responses.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bad", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "out"
        data.mkdir()
        _survey(data, args.bad, args.seed)
        started = time.perf_counter()
        summary = validate_survey(data, out, lang="en")
        seconds = time.perf_counter() - started
    for line in summary.lines("en")[:-1]:
        print(line)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"validate_survey: {seconds:.1f} s wall, peak memory of the process {peak:.0f} MB")


if __name__ == "__main__":
    main()
