"""DESIGN.md "Engine": the same extract through DuckDB and through Spark (Ibis PySpark backend)
must give identical indicators.csv (byte for byte) and the same pathway table."""

from __future__ import annotations

import pandas as pd
import pytest

from forlop.pathways.pipeline import build_pathways, write_outputs
from tests.pathways.conftest import write_extract
from tests.pathways.scenario import ROWS

pytestmark = pytest.mark.spark


def test_duckdb_and_spark_give_identical_indicators(tmp_path):
    clean = write_extract(tmp_path / "clean", ROWS)
    outputs = {}
    for backend in ("duckdb", "pyspark"):
        result = build_pathways(clean, 2020, backend=backend)
        write_outputs(result, tmp_path / backend)
        outputs[backend] = result
    duck = (tmp_path / "duckdb" / "indicators.csv").read_bytes()
    spark = (tmp_path / "pyspark" / "indicators.csv").read_bytes()
    assert len(duck.splitlines()) > 1000  # the whole catalogue, not an empty table
    assert duck == spark
    assert (tmp_path / "duckdb" / "cohort_flow.csv").read_bytes() == (
        tmp_path / "pyspark" / "cohort_flow.csv"
    ).read_bytes()
    pd.testing.assert_frame_equal(outputs["duckdb"].patients, outputs["pyspark"].patients)
