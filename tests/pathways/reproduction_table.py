"""Write the pathway engine's reproduction of 001 tables 1-12, table A, §4.1, §4.2 and §4.7 as markdown.

The same comparison as test_national.py (which requires every figure within tolerance), kept as a
readable table for the closing note and docs: 001's published value beside the engine's.

    .venv/bin/python -m tests.pathways.reproduction_table CLEAN_DIR docs/pathways_reproduction.md
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from forlop.citations import markdown_sources
from forlop.pathways.pipeline import build_pathways
from forlop.synth.targets import calibration_targets
from tests.pathways.test_national import observed, within


def markdown(clean: Path) -> str:
    """Run the engine on ``clean`` and return the comparison as a markdown document."""
    started = time.perf_counter()
    result = build_pathways(clean, 2020)
    seconds = time.perf_counter() - started
    rows, hits = [], 0
    for row in calibration_targets().itertuples():
        ours = observed(result, str(row.table), row.measure, row.group)
        ok = within(float(row.value), ours, row.kind)
        hits += ok
        rows.append(f"| {row.table} | {row.measure} | {row.group} | {row.kind} | {row.value:g} | {ours:.4g} | "
                    f"{'yes' if ok else 'NO'} |")
    head = [
        "# The pathway engine on the national synthetic extract, beside 001",
        "",
        *markdown_sources(["001"]),
        "",
        ("`forlop synth --scale national --seed 2020`, validated, then `build_pathways` (DuckDB) in "
        f"{seconds:.1f} s. Published value (001) beside the engine's number; shares in %. Tolerances as "
        "for the calibration (counts ±3%, shares ±2 points, means, medians and rates ±15%)."),
        "Regenerate: `.venv/bin/python -m tests.pathways.reproduction_table CLEAN_DIR docs/pathways_reproduction.md`.",
        "",
        f"**{hits} of {len(rows)} figures within tolerance.**",
        "",
        "| 001 table | measure | group | kind | 001 | Forløp | within |",
        "|---|---|---|---|---:|---:|---|",
    ]
    return "\n".join(head + rows) + "\n"


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(markdown(Path(sys.argv[1])), encoding="utf-8")
