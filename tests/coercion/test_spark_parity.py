"""DESIGN.md "Engine": the coercion rates are the same through DuckDB and through Spark (Ibis PySpark)."""

from __future__ import annotations

import pandas as pd
import pytest

from forlop.coercion.rates import coercion_rates
from forlop.coercion.rates_run import read_tables

pytestmark = pytest.mark.spark


def test_duckdb_and_spark_give_identical_rates(clean_dir):
    results = {}
    for engine in ("duckdb", "pyspark"):
        rates, _, excluded = coercion_rates(read_tables(clean_dir, engine), by="municipality", period="month")
        results[engine] = (rates, excluded)
    pd.testing.assert_frame_equal(results["duckdb"][0], results["pyspark"][0])
    pd.testing.assert_frame_equal(results["duckdb"][1], results["pyspark"][1])
    assert results["duckdb"][0]["events"].sum() > 0
