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

import csv
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from forlop import codes
from forlop.errors import InputError
from forlop.extract.contract import Table, contract, processing_order
from forlop.extract.parse import INT_PATTERN, ColumnSQL, column_sql, text_alias, value_alias
from forlop.extract.rules import prepare_duplicates, prepare_keys, row_rules, sql_message
from forlop.extract.sources import Source, drop_source, ident, load_source, open_source, sql_text
from forlop.i18n import t

SUMMARY_FILE = "validation_summary.csv"
_STAGE = ".forlop-validate-tmp"


@dataclass(frozen=True)
class TableCounts:
    """Rows of one table: read = used + rejected."""

    table: str
    rows_read: int
    rows_used: int
    rows_rejected: int


@dataclass
class ValidationSummary:
    """What ``validate_extract`` found and wrote."""

    out_dir: Path
    tables: dict[str, TableCounts]
    id_types: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean_dir(self) -> Path:
        """Folder of the usable rows, ``<table>.parquet``."""
        return self.out_dir / "clean"

    @property
    def rejected_dir(self) -> Path:
        """Folder of the rejected rows, ``<table>.csv`` (only tables with rejected rows)."""
        return self.out_dir / "rejected"

    @property
    def rows_read(self) -> int:
        """Rows read over all tables."""
        return sum(c.rows_read for c in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        """Rows rejected over all tables."""
        return sum(c.rows_rejected for c in self.tables.values())

    def lines(self, lang: str | None = None) -> list[str]:
        """Return the summary for people: one line per table, where the rejected rows are, warnings."""
        lines = [t("summary.table_line", lang, table=c.table, read=c.rows_read, used=c.rows_used,
                   rejected=c.rows_rejected) for c in self.tables.values()]
        if self.rows_rejected:
            lines.append(t("summary.rejected_where", lang, path=self.rejected_dir))
        lines += [t("extract.warning", lang, text=w) for w in self.warnings]
        lines.append(t("extract.done", lang, path=self.clean_dir, seconds=self.seconds))
        return lines


def default_out_dir(data_dir: Path) -> Path:
    """Return the default output folder: ``<DATA>_validated`` beside the extract folder.

    Beside, not inside, so the extract folder holds only the extract; named after it, so two
    extracts in one folder (demo and national) do not overwrite each other's results.
    """
    data_dir = Path(data_dir).resolve()
    return data_dir.parent / f"{data_dir.name}_validated"


def _progress(enabled: bool, lang: str | None, key: str, **values: object) -> None:
    if enabled:
        print(t(key, lang, **values), file=sys.stderr, flush=True)


def _ids_are_integers(con: duckdb.DuckDBPyConnection, source: Source, column: str) -> bool:
    """Return True when every non-empty value of ``column`` in ``source`` is a whole number."""
    if source.types[column] in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"):
        return True
    text = f"NULLIF(TRIM(CAST({ident(source.columns[column])} AS VARCHAR)), '')"
    all_int = con.execute(
        f"SELECT bool_and(regexp_full_match(x, '{INT_PATTERN}') AND TRY_CAST(x AS BIGINT) IS NOT NULL) "
        f"FROM (SELECT {text} AS x FROM {source.view}) WHERE x IS NOT NULL"
    ).fetchone()[0]
    return all_int is not False


def _decide_id_types(con: duckdb.DuckDBPyConnection, table: Table, source: Source,
                     id_types: dict[str, bool]) -> None:
    """Decide int64 or text for each id column of ``table`` not decided yet (DESIGN.md: ids join).

    An id is decided in the table where it is the key (person_id in persons, episode_id in
    specialist_episodes, claim_id in primary_care_claims), which comes first in processing order;
    every other table then reads that id the same way, so joins work. A referring row whose id does
    not parse as the key's type cannot match a usable key and is rejected.
    """
    for column in table.columns:
        if column.type == "id" and column.name not in id_types:
            id_types[column.name] = _ids_are_integers(con, source, column.name)


def _column_sqls(table: Table, source: Source, id_types: dict[str, bool], lang: str | None) -> list[ColumnSQL]:
    return [column_sql(c, i, source.columns[c.name], source.types[c.name], id_types.get(c.name, True), lang)
            for i, c in enumerate(table.columns)]


def _check_values(con: duckdb.DuckDBPyConnection, table: Table, source: Source, sqls: list[ColumnSQL],
                  lang: str | None) -> None:
    """Create ``chk_<table>``: parsed values and the reasons found in the row's own values."""
    texts = ", ".join(f"{s.text} AS {text_alias(i)}" for i, s in enumerate(sqls))
    values = ", ".join(f"{s.value} AS {value_alias(i)}" for i, s in enumerate(sqls))
    reasons = []
    for i, (column, s) in enumerate(zip(table.columns, sqls)):
        if not column.nullable:
            missing = sql_message("extract.reason.missing", lang, column=sql_text(column.name))
            reasons.append(f"CASE WHEN NOT {s.present} THEN {missing} END")
        if s.bad != "false":
            bad = sql_message("extract.reason.bad_value", lang, column=sql_text(column.name),
                              value=f"left({s.shown}, 40)", what=sql_text(s.what))
            reasons.append(f"CASE WHEN {s.bad} THEN {bad} END")
    outputs = ", ".join(f"{value_alias(i)} AS {ident(c.name)}" for i, c in enumerate(table.columns))
    reason = f"NULLIF(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "NULL::VARCHAR"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE chk_{table.name} AS SELECT __row, {outputs}, {reason} AS __reason "
        f"FROM (SELECT *, {values} FROM (SELECT __row, {texts} FROM {source.view}))"
    )


def _check_types(con: duckdb.DuckDBPyConnection, table: Table, source: Source, sqls: list[ColumnSQL],
                 lang: str | None) -> None:
    """Stop when a column has values but none of them parses (wrong type), or a required column is empty."""
    if source.rows == 0:
        return
    counts = con.execute(
        "SELECT " + ", ".join(f"count({ident(c.name)})" for c in table.columns) + f" FROM chk_{table.name}"
    ).fetchone()
    for index, (column, s, parsed) in enumerate(zip(table.columns, sqls, counts)):
        if parsed > 0 or column.type == "list":
            continue
        alias = text_alias(index)
        first = con.execute(
            f"SELECT __row, CAST({alias} AS VARCHAR) FROM (SELECT __row, {s.text} AS {alias} FROM {source.view}) "
            f"WHERE {alias} IS NOT NULL ORDER BY __row LIMIT 1"
        ).fetchone()
        if first is not None:
            raise InputError(str(source.path), t("extract.wrong_type", lang, what=s.what), column=column.name,
                             example=t("extract.example", lang, row=first[0], value=first[1][:40]))
        if not column.nullable:
            raise InputError(str(source.path), t("extract.no_values", lang), column=column.name)


def _known_warnings(con: duckdb.DuckDBPyConnection, table: Table, lang: str | None) -> list[str]:
    """Return warnings for values outside a code list that are kept (``known:`` in contract.yaml)."""
    warnings = []
    for column in (c for c in table.columns if c.known):
        listed = codes.codes(column.known["codelist"], column.known["column"])
        col = ident(column.name)
        outside = f"CAST({col} AS VARCHAR) NOT IN ({', '.join(sql_text(v) for v in listed)})"
        count, example = con.execute(
            f"SELECT count(*), min(CAST({col} AS VARCHAR)) FROM chk_{table.name} c "
            f"ANTI JOIN rej_{table.name} USING (__row) WHERE {col} IS NOT NULL AND {outside}"
        ).fetchone()
        if count:
            warnings.append(t("extract.warning.known", lang, table=table.name, column=column.name, rows=count,
                              codelist=column.known["codelist"], example=example))
    return warnings


def _text_of(column: str, source_type: str) -> str:
    """Return SQL for source column ``s.<column>`` as text, as it was in the file (lists ';'-joined)."""
    col = f"s.{ident(column)}"
    if source_type.endswith("[]"):
        return f"array_to_string({col}, ';') AS {ident(column)}"
    if source_type == "VARCHAR":
        return f"{col} AS {ident(column)}"
    return f"CAST({col} AS VARCHAR) AS {ident(column)}"


def _write_table(con: duckdb.DuckDBPyConnection, table: Table, source: Source, stage: Path,
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
    read = con.execute(f"SELECT count(*) FROM chk_{table.name}").fetchone()[0]
    rejected = con.execute(f"SELECT count(*) FROM rej_{table.name}").fetchone()[0]
    columns = ", ".join(ident(c.name) for c in table.columns)
    anti = f"ANTI JOIN rej_{table.name} USING (__row)" if rejected else ""
    clean = stage / "clean" / f"{table.name}.parquet"
    con.execute(f"COPY (SELECT {columns} FROM chk_{table.name} {anti}) TO {sql_text(str(clean))} (FORMAT PARQUET)")
    used = con.execute(f"SELECT count(*) FROM read_parquet({sql_text(str(clean))})").fetchone()[0]
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


def _remove_old_results(out_dir: Path) -> None:
    """Remove results of an earlier run (only the files this module writes)."""
    for name in contract():
        (out_dir / "clean" / f"{name}.parquet").unlink(missing_ok=True)
        (out_dir / "rejected" / f"{name}.csv").unlink(missing_ok=True)
    (out_dir / SUMMARY_FILE).unlink(missing_ok=True)


def _move_into_place(stage: Path, out_dir: Path) -> None:
    for folder in ("clean", "rejected"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        for path in (stage / folder).iterdir():
            path.replace(out_dir / folder / path.name)
    (stage / SUMMARY_FILE).replace(out_dir / SUMMARY_FILE)


def validate_extract(data_dir: Path, out_dir: Path, lang: str | None = None,
                     progress: bool = False) -> ValidationSummary:
    """Validate the extract in ``data_dir`` and write ``clean/``, ``rejected/`` and the summary to ``out_dir``.

    Raises ``InputError`` for a fatal problem (see the module docstring); rows are never dropped
    silently: every row read is either in ``clean/<table>.parquet`` or in ``rejected/<table>.csv``.
    """
    started = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise InputError(str(data_dir), t("extract.no_folder", lang))
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_old_results(out_dir)
    stage = out_dir / _STAGE
    shutil.rmtree(stage, ignore_errors=True)
    for folder in ("clean", "rejected", "duckdb"):
        (stage / folder).mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory = {sql_text(str(stage / 'duckdb'))}")
        tables = contract()
        order = processing_order()
        sources: dict[str, Source] = {}
        warnings: list[str] = []
        for name in order:  # every file-level fatal check first: they are cheap
            _progress(progress, lang, "extract.step.read", table=name)
            sources[name] = source = open_source(con, data_dir, tables[name], lang)
            if source.extra:
                warnings.append(t("extract.warning.extra_columns", lang, table=name, columns=", ".join(source.extra)))
            if source.rows == 0:
                if not tables[name].may_be_empty:
                    raise InputError(str(source.path), t("extract.no_rows", lang))
                warnings.append(t("extract.warning.no_rows", lang, table=name))
        referred = {c.ref for table in tables.values() for c in table.columns if c.ref}
        id_types: dict[str, bool] = {}
        counts = {}
        for name in order:  # one table at a time, so only one is held in memory
            table, source = tables[name], sources[name]
            _progress(progress, lang, "extract.step.check", table=name)
            try:
                load_source(con, source, lang)
                _decide_id_types(con, table, source, id_types)
                sqls = _column_sqls(table, source, id_types, lang)
                _check_values(con, table, source, sqls, lang)
                _check_types(con, table, source, sqls, lang)
                counts[name] = _write_table(con, table, source, stage, lang)
            except duckdb.Error as error:  # e.g. a Parquet page that is not UTF-8 or is cut short
                detail = str(error).strip().splitlines()[0].strip()
                raise InputError(str(source.path), t("extract.unreadable", lang, detail=detail)) from None
            warnings += _known_warnings(con, table, lang)
            if counts[name].rows_read and counts[name].rows_rejected * 2 > counts[name].rows_read:
                warnings.append(t("extract.warning.mostly_rejected", lang, table=name,
                                  rejected=counts[name].rows_rejected, read=counts[name].rows_read))
            if name in referred:
                prepare_keys(con, table)
            con.execute(f"DROP TABLE chk_{name}")
            con.execute(f"DROP TABLE rej_{name}")
            drop_source(con, source)
        ordered = {name: counts[name] for name in tables}
        with (stage / SUMMARY_FILE).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["table", "rows_read", "rows_used", "rows_rejected"])
            for c in ordered.values():
                writer.writerow([c.table, c.rows_read, c.rows_used, c.rows_rejected])
        con.close()
        _move_into_place(stage, out_dir)
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    id_type = {name: "int64" if is_int else "string" for name, is_int in id_types.items()}
    return ValidationSummary(out_dir=out_dir, tables=ordered, id_types=id_type, warnings=warnings,
                             seconds=time.perf_counter() - started)
