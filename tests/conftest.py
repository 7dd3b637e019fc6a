"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def national_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national synthetic extract (``forlop synth --scale national --seed 2020``, Parquet), built
    once per test session (~6 s, ~5 million events) and shared by every test that needs it. Read only:
    a test writes its own output elsewhere (``validate_extract`` writes to its ``out`` folder)."""
    from forlop.synth.extract import write_synthetic_extract

    folder = tmp_path_factory.mktemp("national") / "extract"
    write_synthetic_extract(folder, scale="national", seed=2020, fmt="parquet", progress=False)
    return folder


@pytest.fixture(scope="session", autouse=True)
def sql_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQL cache (forlop.engine.sqlcache) of the whole run, in its own temporary folder: the suite
    neither reads what earlier runs compiled nor writes to the user's ~/.cache. Subprocesses inherit it."""
    import os

    folder = tmp_path_factory.mktemp("sqlcache")
    os.environ["FORLOP_CACHE"] = str(folder)
    return folder
