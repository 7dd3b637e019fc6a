"""Read and validate a registry extract: usable rows to ``clean/``, bad rows with a reason to ``rejected/``.

The rules are DESIGN.md's "Input contract" and its bad-input rules, as data in ``contract.yaml``
(explained in docs/definitions.md, "Reading and validating an extract"):

- fatal (``InputError``, one line, exit code 2): a missing table, a missing column, an empty file,
  a file that is not UTF-8 or cannot be read, a column where no value parses (wrong type), a
  required column with no values, a required table with no rows;
- a bad row (missing or unparseable value, unknown person or municipality, duplicate key, end
  before start) goes to ``rejected/<table>.csv`` with its reason and row number;
- for every table rows read = rows used + rows rejected (``validation_summary.csv``).

All checks are DuckDB SQL over the files; Python only builds the SQL and reads the counts.
Nothing is written to ``out_dir`` unless the whole extract could be read: results are staged in
a hidden folder and moved into place at the end, and old results are removed at the start.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

from forlop.errors import InputError, check_encoding
from forlop.extract.checks import check_table, known_warnings
from forlop.extract.contract import Table, contract, processing_order
from forlop.extract.output import move_into_place, remove_old_results, write_table
from forlop.extract.rules import prepare_keys
from forlop.extract.sources import Source, drop_source, open_source, sql_text
from forlop.extract.summary import SUMMARY_FILE, TableCounts, ValidationSummary, write_summary
from forlop.i18n import t
from forlop.progress import say

__all__ = ["SUMMARY_FILE", "TableCounts", "ValidationSummary", "default_out_dir", "validate_extract"]

_STAGE = ".forlop-validate-tmp"


def default_out_dir(data_dir: Path) -> Path:
    """Return the default output folder: ``<DATA>_validated`` beside the extract folder.

    Beside, not inside, so the extract folder holds only the extract; named after it, so two
    extracts in one folder (demo and national) do not overwrite each other's results.
    """
    data_dir = Path(data_dir).resolve()
    return data_dir.parent / f"{data_dir.name}_validated"


def _open_all(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    lang: str | None,
    progress: bool,
    warnings: list[str],
    encoding: str = "utf-8",
    utf8_dir: Path | None = None,
) -> dict[str, Source]:
    """Open every table's file: the cheap fatal checks (missing table or column, empty, encoding) first."""
    tables = contract()
    sources = {}
    for name in processing_order():
        say(t("extract.step.read", lang, table=name), progress)
        sources[name] = source = open_source(con, data_dir, tables[name], lang, encoding, utf8_dir)
        if source.extra:
            warnings.append(t("extract.warning.extra_columns", lang, table=name, columns=", ".join(source.extra)))
        if source.rows == 0:
            if not tables[name].may_be_empty:
                raise InputError(str(source.path), t("extract.no_rows", lang))
            warnings.append(t("extract.warning.no_rows", lang, table=name))
    return sources


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: Source,
    id_types: dict[str, bool],
    stage: Path,
    lang: str | None,
    warnings: list[str],
) -> TableCounts:
    """Check one table and write its clean and rejected rows to ``stage``; return its counts."""
    try:
        check_table(con, table, source, id_types, lang)
        counts = write_table(con, table, source, stage, lang)
    except duckdb.Error as error:  # e.g. a Parquet page that is not UTF-8 or is cut short
        detail = str(error).strip().splitlines()[0].strip()
        raise InputError(str(source.path), t("extract.unreadable", lang, detail=detail)) from None
    warnings += known_warnings(con, table, lang)
    if counts.rows_read and counts.rows_rejected * 2 > counts.rows_read:
        warnings.append(
            t(
                "extract.warning.mostly_rejected",
                lang,
                table=table.name,
                rejected=counts.rows_rejected,
                read=counts.rows_read,
            )
        )
    if any(c.ref == table.name for other in contract().values() for c in other.columns):
        prepare_keys(con, table)  # what later tables' refs are checked against
    con.execute(f"DROP TABLE chk_{table.name}")
    con.execute(f"DROP TABLE rej_{table.name}")
    drop_source(con, source)
    return counts


def validate_extract(
    data_dir: Path, out_dir: Path, lang: str | None = None, progress: bool = False, encoding: str = "utf-8"
) -> ValidationSummary:
    """Validate the extract in ``data_dir`` and write ``clean/``, ``rejected/`` and the summary to ``out_dir``.

    Raises ``InputError`` for a fatal problem (see the module docstring); rows are never dropped
    silently: every row read is either in ``clean/<table>.parquet`` or in ``rejected/<table>.csv``.
    Tables are done one at a time in ``processing_order()`` (persons and geography before the
    tables that refer to them), so only one table is held in memory. ``encoding``: of the CSV files
    (default UTF-8, as the contract says; e.g. ``cp1252``: each CSV is then read from a UTF-8 copy).
    """
    started = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise InputError(str(data_dir), t("extract.no_folder", lang))
    check_encoding(encoding, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_old_results(out_dir)
    stage = out_dir / _STAGE
    shutil.rmtree(stage, ignore_errors=True)
    for folder in ("clean", "rejected", "duckdb", "utf8"):
        (stage / folder).mkdir(parents=True)
    warnings: list[str] = []
    id_types: dict[str, bool] = {}
    counts: dict[str, TableCounts] = {}
    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory = {sql_text(str(stage / 'duckdb'))}")
        sources = _open_all(con, data_dir, lang, progress, warnings, encoding, stage / "utf8")
        for name in processing_order():
            say(t("extract.step.check", lang, table=name), progress)
            counts[name] = _validate_table(con, contract()[name], sources[name], id_types, stage, lang, warnings)
        con.close()
        counts = {name: counts[name] for name in contract()}  # contract order for people
        write_summary(stage / SUMMARY_FILE, counts)
        move_into_place(stage, out_dir)
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    return ValidationSummary(
        out_dir=out_dir,
        tables=counts,
        id_types={k: "int64" if v else "string" for k, v in id_types.items()},
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )
