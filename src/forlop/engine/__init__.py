"""The Ibis connection: DuckDB embedded by default, PySpark (local) for scale (DESIGN.md, "Engine").

Analyses are written once as Ibis expressions; this module only opens a backend and registers the
canonical Parquet tables of a validated extract (``<clean_dir>/<table>.parquet``) on it.
"""

from __future__ import annotations

from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from forlop.choices import ENGINES as BACKENDS  # (the --engine values; one list)
from forlop.errors import InputError
from forlop.i18n import t


def connect(backend: str = "duckdb") -> BaseBackend:
    """Return an Ibis backend: in-memory DuckDB, or PySpark on a local Spark session.

    DuckDB is Ibis's backend with its compiled SQL kept for the next run (``forlop.engine.backend``).

    Spark runs with the session time zone set to UTC so that timestamps are read and compared
    exactly as DuckDB does (no shift between the two backends).
    """
    if backend == "duckdb":
        from forlop.engine.backend import DuckDB

        return DuckDB().connect()
    if backend == "pyspark":
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("forlop")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "3g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return ibis.pyspark.connect(session)
    raise InputError("--engine", t("engine.unknown", engine=backend, engines=", ".join(BACKENDS)))


def read_tables(con: BaseBackend, clean_dir: Path, names: list[str], lang: str | None = None) -> dict[str, ibis.Table]:
    """Register ``<clean_dir>/<name>.parquet`` for each name and return the Ibis tables."""
    tables = {}
    for name in names:
        path = Path(clean_dir) / f"{name}.parquet"
        if not path.exists():
            raise InputError(str(path), t("engine.missing_table", lang))
        tables[name] = con.read_parquet(str(path), table_name=f"forlop_{name}")
    return tables
