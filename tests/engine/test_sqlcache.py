"""The SQL cache (forlop.engine.sqlcache, forlop.engine.backend): same key for the same query in any
process, another key for any difference, results equal with the cache cold, warm and off."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import ibis
import pandas as pd
import pytest
from ibis.backends.sql import SQLBackend

from forlop import cache
from forlop.engine import connect, sqlcache
from forlop.engine.backend import materialize
from forlop.pathways.pipeline import build_pathways
from tests.pathways.conftest import write_extract
from tests.pathways.scenario import ROWS

ROOT = Path(__file__).resolve().parents[2]


def _table(name: str = "forlop_t", kind: str = "int64") -> ibis.Table:
    columns = {"person_id": kind, "code": "string", "year": "int64", "sector": "string", "level": "string"}
    return ibis.table(columns, name=name)


def _query(table: ibis.Table, year: int = 2020, codes: tuple[str, ...] = ("F20", "F31")) -> ibis.Table:
    """A query with a set inside (drop() keeps a frozenset of columns) and literals."""
    picked = table.filter((table.year == year) & table.code.isin(codes))
    return picked.drop("year", "code", "sector", "level").distinct()


def _rows() -> pd.DataFrame:
    rows = {"person_id": [1, 2, 2], "code": ["F20", "F31", "X"], "year": 2020, "sector": "PHV", "level": "a"}
    return pd.DataFrame(rows)


def _key(expr: ibis.Expr, limit: object = None) -> str:
    key = sqlcache.expression_key(expr, dialect="duckdb", limit=limit)
    assert key is not None
    return key


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FORLOP_CACHE", str(folder))
    return folder


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL string Ibis itself compiles (not served from the cache)."""
    done: list[str] = []
    original = SQLBackend.compile

    def counting(self, expr, /, **kwargs):  # noqa: ANN001, ANN202 - Ibis's own signature
        sql = original(self, expr, **kwargs)
        done.append(sql)
        return sql

    monkeypatch.setattr(SQLBackend, "compile", counting)
    return done


def test_the_key_is_the_same_in_processes_with_different_set_orders() -> None:
    # Python orders a set by its members' hashes, which change with PYTHONHASHSEED; the key may not.
    script = (
        "from tests.engine.test_sqlcache import _key, _query, _table\n"
        "print(_key(_query(_table())))\n"
        "print(list(_query(_table()).op().parent.columns_to_drop))\n"
    )
    outputs = []
    for seed in ("1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        outputs.append(done.stdout.splitlines())
    keys = {lines[0] for lines in outputs}
    orders = {lines[1] for lines in outputs}
    assert len(keys) == 1
    assert len(keys.pop()) == 64
    assert len(orders) > 1  # the set's own order did change between the processes


def test_any_difference_in_the_query_gives_another_key() -> None:
    base = _key(_query(_table()))
    assert _key(_query(_table())) == base  # built again from scratch: same key
    others = [
        _key(_query(_table(), year=2021)),  # a literal
        _key(_query(_table(), codes=("F20", "F32"))),  # a member of a list
        _key(_query(_table(), codes=("F31", "F20"))),  # the order of a list
        _key(_query(_table(name="forlop_u"))),  # the table's name
        _key(_query(_table(kind="int32"))),  # a column's type in the schema
        _key(_query(_table()), limit=10),  # the row limit
        _key(_query(_table()).select("person_id")),  # one more step
    ]
    assert base not in others
    assert len(set(others)) == len(others)
    assert sqlcache.expression_key(_query(_table()), dialect="pyspark") != base


def test_compile_stores_ibis_sql_and_reads_it_back(cache_dir: Path, compiles: list[str]) -> None:
    con = connect("duckdb")
    con.create_table("forlop_t", _rows())
    query = _query(con.table("forlop_t"))
    first = con.compile(query)
    assert compiles == [first]
    stored = cache_dir / "sql" / _key(query)
    checksum = hashlib.sha256(first.encode()).hexdigest()
    assert stored.read_text(encoding="utf-8") == f"forlop cache sql {_key(query)} {checksum}\n{first}"
    assert oct(cache_dir.stat().st_mode & 0o777) == oct((cache_dir / "sql").stat().st_mode & 0o777) == "0o700"
    assert con.compile(_query(con.table("forlop_t"))) == first
    assert len(compiles) == 1  # the second time from the file
    assert sorted(query.to_pandas()["person_id"]) == [1, 2]
    # a file edited after it was written does not match its checksum: compiled anew and rewritten
    stored.write_text(f"forlop cache sql {_key(query)} {checksum}\nSELECT 7 AS person_id", encoding="utf-8")
    assert con.compile(query) == first
    assert len(compiles) == 2
    assert stored.read_text(encoding="utf-8").endswith(first)


def test_a_file_that_does_not_belong_to_the_key_is_compiled_anew(cache_dir: Path, compiles: list[str]) -> None:
    con = connect("duckdb")
    query = _query(_table())
    key = _key(query)
    (cache_dir / "sql").mkdir(mode=0o700, parents=True)
    cache_dir.chmod(0o700)
    checksum = hashlib.sha256(b"SELECT 1").hexdigest()
    (cache_dir / "sql" / key).write_text(f"forlop cache sql {'0' * 64} {checksum}\nSELECT 1", encoding="utf-8")
    sql = con.compile(query)
    assert compiles == [sql]
    assert sqlcache.read(key) == sql


def test_a_folder_others_can_write_to_is_not_used(cache_dir: Path, compiles: list[str]) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    con = connect("duckdb")
    con.compile(_query(_table()))
    con.compile(_query(_table()))
    assert len(compiles) == 2
    assert list(cache_dir.iterdir()) == []


def test_off_switches_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]) -> None:
    monkeypatch.setenv("FORLOP_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_root() is None
    con = connect("duckdb")
    con.compile(_query(_table()))
    con.compile(_query(_table()))
    assert len(compiles) == 2
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORLOP_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_root() == tmp_path / "forlop"


def test_only_the_most_recently_used_files_are_kept(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_FILES", 3)
    for i in range(5):
        sqlcache.write(f"{i:064d}", f"SELECT {i}")
        os.utime(cache_dir / "sql" / f"{i:064d}", (1_000_000 + i, 1_000_000 + i))
    (cache_dir / "sql" / "notes.txt").write_text("not the cache's", encoding="utf-8")
    sqlcache.write(f"{9:064d}", "SELECT 9")
    assert sorted(p.name[-1:] for p in (cache_dir / "sql").iterdir()) == ["3", "4", "9", "t"]
    assert sqlcache.read(f"{4:064d}") == "SELECT 4"
    assert sqlcache.read(f"{0:064d}") is None


def test_materialize_keeps_a_fixed_name_on_duckdb(cache_dir: Path) -> None:
    con = connect("duckdb")
    con.create_table("forlop_t", _rows())
    kept = materialize(_query(con.table("forlop_t")), "forlop_kept")
    assert kept.op().name == "forlop_kept"
    assert sorted(kept.to_pandas()["person_id"]) == [1, 2]
    again = materialize(_query(con.table("forlop_t")).filter(lambda t: t.person_id > 1), "forlop_kept")
    assert again.to_pandas()["person_id"].tolist() == [2]  # replaced, not refused


def test_pathways_are_the_same_with_the_cache_cold_warm_and_off(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]
) -> None:
    extract = write_extract(tmp_path / "extract", ROWS)
    cold = build_pathways(extract, 2020)
    compiled_cold = len(compiles)
    warm = build_pathways(extract, 2020)
    assert compiled_cold >= 8  # every query of the run was compiled once ...
    assert len(compiles) == compiled_cold  # ... and not again
    assert len(list((cache_dir / "sql").iterdir())) == compiled_cold
    with_deaths = build_pathways(extract, 2020, keep_deaths=True)
    assert len(compiles) > compiled_cold  # another selection is another query
    monkeypatch.setenv("FORLOP_CACHE", "off")
    off = build_pathways(extract, 2020)
    for result in (warm, off):
        pd.testing.assert_frame_equal(result.patients, cold.patients)
        pd.testing.assert_frame_equal(result.indicators, cold.indicators)
        assert result.flow.equals(cold.flow)
    assert len(with_deaths.patients) > len(cold.patients)


def test_reading_an_entry_makes_it_the_most_recently_used(cache_dir: Path) -> None:
    sqlcache.write("a" * 64, "SELECT 1")
    entry = cache_dir / "sql" / ("a" * 64)
    os.utime(entry, (1_000_000, 1_000_000))
    assert sqlcache.read("a" * 64) == "SELECT 1"
    assert entry.stat().st_mtime > 1_000_000


def test_a_subfolder_others_can_write_to_is_not_used(cache_dir: Path) -> None:
    (cache_dir / "sql").mkdir(parents=True)
    cache_dir.chmod(0o700)
    (cache_dir / "sql").chmod(0o777)
    sqlcache.write("b" * 64, "SELECT 1")
    assert sqlcache.read("b" * 64) is None
    assert list((cache_dir / "sql").iterdir()) == []


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORLOP_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_root() is None
    assert sqlcache.read("c" * 64) is None
    sqlcache.write("c" * 64, "SELECT 1")  # no error


def test_the_folder_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORLOP_CACHE", "~/c")
    assert cache.cache_root() == tmp_path / "home" / "c"
    monkeypatch.setenv("FORLOP_CACHE", "rel")
    assert cache.cache_root() == tmp_path / "rel"
    monkeypatch.setenv("FORLOP_CACHE", "on")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/xdg")  # not absolute: ignored (XDG specification)
    assert cache.cache_root() == tmp_path / "home" / ".cache" / "forlop"


def test_the_backend_keys_the_row_limit_and_ibis_default_limit(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = connect("duckdb")
    con.create_table("forlop_n", pd.DataFrame({"n": range(100)}))
    table = con.table("forlop_n")
    assert con.compile(table, limit=3) != con.compile(table)
    assert len(table.execute(limit=3)) == 3
    assert len(table.execute()) == 100
    monkeypatch.setattr(ibis.options.sql, "default_limit", 3)
    assert len(table.execute()) == 3  # execute() asks for limit="default"
    monkeypatch.setattr(ibis.options.sql, "default_limit", None)
    assert len(table.execute()) == 100  # not the SQL stored while the default was 3


def test_user_defined_functions_are_compiled_every_time(cache_dir: Path) -> None:
    con = connect("duckdb")
    con.create_table("forlop_s", pd.DataFrame({"s": ["aBc"]}))
    table = con.table("forlop_s")
    results = []
    for name in ("upper", "lower"):  # two functions of the same Python name and module

        @ibis.udf.scalar.builtin(name=name)
        def change(s: str) -> str: ...

        query = table.select(s=change(table.s))
        assert sqlcache.expression_key(query, dialect="duckdb") is None
        results.append(query.to_pandas()["s"].tolist())
    assert results == [["ABC"], ["abc"]]
    assert not (cache_dir / "sql").exists() or list((cache_dir / "sql").iterdir()) == []


def test_materialize_keeps_ibis_types_and_runs_its_hooks(cache_dir: Path) -> None:
    con = connect("duckdb")
    con.create_table("forlop_w", pd.DataFrame({"g": [1, 1, 2], "n": [1, 2, 3]}))
    table = con.table("forlop_w")
    running = table.mutate(total=table.n.sum().over(ibis.window(group_by="g", order_by="n")))
    kept = materialize(running, "forlop_running")
    assert kept.schema() == running.schema()
    assert str(kept.schema()["total"]) == "int64"  # DuckDB alone would make the running sum a decimal
    assert kept.to_pandas()["total"].dtype == "int64"

    @ibis.udf.scalar.python
    def plus_one(n: int) -> int:
        return n + 1

    with_udf = materialize(table.select(m=plus_one(table.n)), "forlop_udf")  # the UDF registered first
    assert sorted(with_udf.to_pandas()["m"]) == [2, 3, 4]
