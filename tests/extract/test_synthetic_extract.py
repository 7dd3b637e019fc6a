"""The synthetic extract of `forlop synth` passes validation whole: every row used, in both formats."""

import time

import pyarrow.parquet as pq
import pytest

from forlop.extract.validate import validate_extract
from forlop.synth.extract import build_tables, write_tables


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_small_synthetic_extract_is_valid(tmp_path, fmt):
    tables = build_tables(200, seed=5)
    write_tables(tables, tmp_path / "data", fmt)
    summary = validate_extract(tmp_path / "data", tmp_path / "out", lang="en")
    assert {n: c.rows_read for n, c in summary.tables.items()} == {n: t.num_rows for n, t in tables.items()}
    assert summary.rows_rejected == 0
    assert summary.warnings == []
    episodes = pq.read_table(tmp_path / "out" / "clean" / "specialist_episodes.parquet")
    assert episodes.num_rows == tables["specialist_episodes"].num_rows


@pytest.mark.slow
def test_the_national_synthetic_extract_is_valid_in_under_a_minute(national_extract, tmp_path):
    started = time.perf_counter()
    summary = validate_extract(national_extract, tmp_path / "out")
    seconds = time.perf_counter() - started
    assert summary.rows_rejected == 0
    assert summary.rows_read > 5_000_000
    assert seconds < 60
