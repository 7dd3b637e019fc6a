"""Read and validate the two tables of outcome monitoring: ``rph_referrals`` and ``rph_sessions``.

The rules of ``forlop validate`` (docs/definitions.md, "Reading and validating an extract"), with its
code: the same file finding and fatal checks (``forlop.extract.sources``), the same parsing of each
value (``forlop.extract.checks``/``parse``: an item score outside 0-3 is not one of the enum_int
values) and the same writing of clean and rejected rows (``forlop.extract.output.write_table``:
duplicate ``referral_id``, a session whose referral is unknown or rejected). Added here (contract.yaml
``checks``): ``assessed_on`` or ``ended_on`` before ``referred_on``, a session before its referral's
``referred_on``.

Fatal input (a missing table or column, an empty file, a column of the wrong type, a table without
rows) raises ``InputError`` (one line, exit code 2). Written to ``out_dir``: ``clean/<table>.parquet``,
``rejected/<table>.csv`` (the file's own columns, ``reason``, ``row``) and ``validation_summary.csv``
(rows read = used + rejected).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from forlop.errors import InputError
from forlop.extract.checks import check_table
from forlop.extract.output import move_into_place, write_table
from forlop.extract.rules import prepare_keys, sql_message
from forlop.extract.sources import drop_source, open_source
from forlop.extract.summary import SUMMARY_FILE, TableCounts, write_summary
from forlop.i18n import t
from forlop.outcomes.definitions import tables

_STAGE = ".forlop-outcomes-tmp"


@dataclass
class Validated:
    """The usable rows of both tables and the counts of each (read = used + rejected)."""

    referrals: pd.DataFrame
    sessions: pd.DataFrame
    counts: dict[str, TableCounts]
    out_dir: Path

    def lines(self, lang: str | None = None) -> list[str]:
        """One line per table for people: rows read, used, rejected."""
        return [
            t("outcomes.read.done", lang, table=c.table, read=c.rows_read, used=c.rows_used, rejected=c.rows_rejected)
            for c in self.counts.values()
        ]


def _add_reasons(con: duckdb.DuckDBPyConnection, table: str, checks: tuple[str, ...], lang: str | None) -> None:
    """Append the reasons of the contract's row checks to ``chk_<table>.__reason``."""
    updates = []
    if "assessed_not_before_referred" in checks:
        message = sql_message(
            "outcomes.reason.assessed_before_referred", lang, assessed="assessed_on", referred="referred_on"
        )
        updates.append(("assessed_on < referred_on", message, ""))
    if "ended_not_before_referred" in checks:
        message = sql_message("outcomes.reason.ended_before_referred", lang, ended="ended_on", referred="referred_on")
        updates.append(("ended_on < referred_on", message, ""))
    if "session_not_before_referral" in checks:
        message = sql_message(
            "outcomes.reason.session_before_referral", lang, session="c.session_on", referred="r.referred_on"
        )
        updates.append(
            ("c.session_on < r.referred_on AND c.referral_id = r.referral_id", message, "FROM usable_referrals r")
        )
    for condition, message, from_clause in updates:
        alias = "c" if from_clause else ""
        con.execute(
            f"UPDATE chk_{table} {alias} SET __reason = concat_ws('; ', __reason, {message}) "
            f"{from_clause} WHERE {condition}"
        )


def read_tables(data_dir: Path, out_dir: Path, lang: str | None = None) -> Validated:
    """Validate ``rph_referrals`` and ``rph_sessions`` in ``data_dir``; write clean/rejected/summary to ``out_dir``.

    Returns the usable rows as pandas tables (dates as datetime64, ids as decided per extract).
    Raises ``InputError`` for fatal input; nothing is written then.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise InputError(str(data_dir), t("extract.no_folder", lang))
    stage = out_dir / _STAGE
    shutil.rmtree(stage, ignore_errors=True)
    for folder in ("clean", "rejected"):
        (stage / folder).mkdir(parents=True)
    con = duckdb.connect()
    # Row order inside DuckDB is not needed (rows carry __row; rejected files are ordered by it): faster.
    con.execute("SET preserve_insertion_order = false")
    counts: dict[str, TableCounts] = {}
    try:
        sources = {}
        for name, table in tables().items():  # every file opened first: the cheap fatal checks
            sources[name] = open_source(con, data_dir, table, lang)
            if sources[name].rows == 0:
                raise InputError(str(sources[name].path), t("extract.no_rows", lang))
        id_types: dict[str, bool] = {}
        arrow: dict[str, pa.Table] = {}
        for name, table in tables().items():
            source = sources[name]
            try:
                check_table(con, table, source, id_types, lang)
                _add_reasons(con, name, table.checks, lang)
                counts[name] = write_table(con, table, source, stage, lang)
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                arrow[name] = con.execute(
                    f"SELECT {columns} FROM chk_{name} ANTI JOIN rej_{name} USING (__row)"
                ).to_arrow_table()  # the clean rows, as written to clean/
            except duckdb.Error as error:
                detail = str(error).strip().splitlines()[0].strip()
                raise InputError(str(source.path), t("extract.unreadable", lang, detail=detail)) from None
            if table.key_column:
                prepare_keys(con, table)
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE usable_referrals AS SELECT referral_id, referred_on "
                    f"FROM chk_{name} ANTI JOIN rej_{name} USING (__row)"
                )
            drop_source(con, source)
        write_summary(stage / SUMMARY_FILE, counts)
        for name in tables():
            (out_dir / "clean" / f"{name}.parquet").unlink(missing_ok=True)
            (out_dir / "rejected" / f"{name}.csv").unlink(missing_ok=True)
        move_into_place(stage, out_dir)
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    frames = {name: _to_pandas(arrow[name]) for name in tables()}
    return Validated(referrals=frames["rph_referrals"], sessions=frames["rph_sessions"], counts=counts, out_dir=out_dir)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """A clean table as pandas: dates as datetime64 (cast in Arrow: pandas would make Python date objects).

    Taken from DuckDB as Arrow rather than read back from ``clean/`` (the same rows, several times faster).
    """
    for index, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.timestamp("s")))
    return table.to_pandas()


def rejected_path(out_dir: Path, table: str) -> Path:
    """Where the rejected rows of ``table`` are written (only when there are any)."""
    return Path(out_dir) / "rejected" / f"{table}.csv"


__all__ = ["Validated", "read_tables", "rejected_path"]
