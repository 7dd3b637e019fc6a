"""Write a validated table: usable rows to ``clean/<table>.parquet``, bad rows to ``rejected/<table>.csv``.

A row is rejected for its own problems (``chk_<table>.__reason``) and for the row rules of
``rules.py`` (unknown person or municipality, duplicate key, end before start); every reason is
kept, joined by '; '. The rejected file holds the file's own columns as text, then ``reason`` and
``row`` (DESIGN.md, "bad input"). Rows used = rows read - rows rejected is checked on the written
file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from forlop.extract.contract import Table, contract
from forlop.extract.rules import prepare_duplicates, row_rules
from forlop.extract.sources import Source, ident, one_row, sql_text
from forlop.extract.summary import SUMMARY_FILE, TableCounts


def _text_of(column: str, source_type: str) -> str:
    """Return SQL for source column ``s.<column>`` as text, as it was in the file (lists ';'-joined)."""
    col = f"s.{ident(column)}"
    if source_type.endswith("[]"):
        return f"array_to_string({col}, ';') AS {ident(column)}"
    if source_type == "VARCHAR":
        return f"{col} AS {ident(column)}"
    return f"CAST({col} AS VARCHAR) AS {ident(column)}"


def write_table(con: duckdb.DuckDBPyConnection, table: Table, source: Source, stage: Path,
                 lang: str | None) -> TableCounts:
    """Find the rejected rows of ``table``, write clean and rejected files, return the counts."""
    duplicates = prepare_duplicates(con, table)
    rules = row_rules(table, duplicates, lang)
    reason = "NULLIF(concat_ws('; ', " + ", ".join(["c.__reason"] + rules.reasons) + "), '')"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE rej_{table.name} AS SELECT * FROM (SELECT c.__row, {reason} AS reason "
        f"FROM chk_{table.name} c {' '.join(rules.joins)}) WHERE reason IS NOT NULL"
    )
    for name in duplicates:
        con.execute(f"DROP TABLE {name}")
    read = one_row(con, f"SELECT count(*) FROM chk_{table.name}")[0]
    rejected = one_row(con, f"SELECT count(*) FROM rej_{table.name}")[0]
    columns = ", ".join(ident(c.name) for c in table.columns)
    anti = f"ANTI JOIN rej_{table.name} USING (__row)" if rejected else ""
    clean = stage / "clean" / f"{table.name}.parquet"
    con.execute(f"COPY (SELECT {columns} FROM chk_{table.name} {anti}) TO {sql_text(str(clean))} (FORMAT PARQUET)")
    used = one_row(con, f"SELECT count(*) FROM read_parquet({sql_text(str(clean))})")[0]
    if used != read - rejected:  # pragma: no cover - a broken invariant, not bad input
        raise RuntimeError(f"{table.name}: read {read} != used {used} + rejected {rejected}")
    if rejected:
        originals = ", ".join(_text_of(name, kind) for name, kind in _source_columns(con, source))
        path = stage / "rejected" / f"{table.name}.csv"
        con.execute(
            f"COPY (SELECT {originals}, r.reason AS reason, r.__row AS \"row\" FROM {source.view} s "
            f"JOIN rej_{table.name} r USING (__row) ORDER BY r.__row) TO {sql_text(str(path))} (HEADER, DELIMITER ',')"
        )
    return TableCounts(table.name, read, used, rejected)


def _source_columns(con: duckdb.DuckDBPyConnection, source: Source) -> list[tuple[str, str]]:
    """Return (name, DuckDB type) of every column of the source file, in file order."""
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {source.view}").fetchall() if row[0] != "__row"]


def remove_old_results(out_dir: Path) -> None:
    """Remove results of an earlier run (only the files this module writes)."""
    for name in contract():
        (out_dir / "clean" / f"{name}.parquet").unlink(missing_ok=True)
        (out_dir / "rejected" / f"{name}.csv").unlink(missing_ok=True)
    (out_dir / SUMMARY_FILE).unlink(missing_ok=True)


def move_into_place(stage: Path, out_dir: Path) -> None:
    """Move the staged results into ``out_dir`` (a rename within one file system)."""
    for folder in ("clean", "rejected"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        for path in (stage / folder).iterdir():
            path.replace(out_dir / folder / path.name)
    (stage / SUMMARY_FILE).replace(out_dir / SUMMARY_FILE)
