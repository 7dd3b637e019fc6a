"""Row rules that look beyond one value: references, duplicate keys, end before start.

Rules (DESIGN.md, "bad input"; contract.yaml):

- ref: a ``person_id`` must be the id of a usable row of ``persons``; a ``municipality`` of
  ``residence`` or ``population`` must be a usable row of ``geography``. The reason tells apart an
  id that is not in the referred table at all from one whose row there was rejected.
- key / unique: the first row of a key value (lowest row number) is the one; every later row with
  the same key is rejected, naming the row it repeats. The first row is kept only if it is itself
  valid (two conflicting rows for one id are not resolved by guessing).
- end_not_before_start: ``end`` earlier than ``start`` is rejected; equal is allowed; an empty
  ``end`` means ongoing.

Everything is SQL over the checked table ``chk_<table>`` (DuckDB); Python only builds the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from forlop.extract.contract import Table
from forlop.extract.sources import ident, sql_text
from forlop.i18n import t


def sql_message(key: str, lang: str | None, **parts: str) -> str:
    """Return an SQL expression that builds text ``key`` with each ``{name}`` taken from an SQL expression."""
    text = t(key, lang, **{name: f"\x00{name}\x00" for name in parts})
    pieces = re.split("\x00(\\w+)\x00", text)
    sql = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                sql.append(sql_text(piece))
        else:
            sql.append(f"CAST(({parts[piece]}) AS VARCHAR)")
    return "(" + (" || ".join(sql) or "''") + ")"


@dataclass
class RowRules:
    """The joins and reason expressions of a table's row rules (alias ``c`` is the checked table)."""

    joins: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def prepare_duplicates(con: duckdb.DuckDBPyConnection, table: Table) -> list[str]:
    """Create ``dup_<table>_<i>`` (key values seen more than once, with their first row); return names.

    Repeated values are found by sorting on the key and comparing each row with the one before
    (a window ``lag``): with tens of millions of distinct ids this is several times faster than
    grouping by the key, and the grouping that finds the first row then runs on the repeats only.
    """
    names = []
    for index, key in enumerate(table.keys):
        name = f"dup_{table.name}_{index}"
        cols = ", ".join(ident(k) for k in key)
        not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in key)
        same = " AND ".join(f"{ident(k)} = lag({ident(k)}) OVER w" for k in key)
        on = " AND ".join(f"c.{ident(k)} = r.{ident(k)}" for k in key)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {', '.join(f'c.{ident(k)}' for k in key)}, "
            f"min(c.__row) AS __first FROM chk_{table.name} c SEMI JOIN ("
            f"SELECT DISTINCT {cols} FROM (SELECT {cols}, ({same}) AS __same FROM chk_{table.name} "
            f"WHERE {not_null} WINDOW w AS (ORDER BY {cols})) WHERE __same) r ON {on} GROUP BY ALL"
        )
        names.append(name)
    return names


def prepare_keys(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Create ``keys_<table>``: each key value of ``table`` and whether a usable row has it."""
    if table.key_column is None:  # pragma: no cover - contract.yaml gives every referenced table a key
        raise ValueError(f"{table.name}: referred to by another table, but has no key column")
    key = ident(table.key_column)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE keys_{table.name} AS SELECT c.{key} AS k, bool_or(r.__row IS NULL) AS ok "
        f"FROM chk_{table.name} c LEFT JOIN rej_{table.name} r USING (__row) WHERE c.{key} IS NOT NULL GROUP BY 1"
    )


def row_rules(table: Table, duplicates: list[str], lang: str | None) -> RowRules:
    """Return the joins and reasons for ``table``'s refs, keys and checks."""
    rules = RowRules()
    refs = [(c, c.ref) for c in table.columns if c.ref]
    for index, (column, ref) in enumerate(refs):
        alias, col = f"k{index}", f"c.{ident(column.name)}"
        rules.joins.append(f"LEFT JOIN keys_{ref} {alias} ON {col} = {alias}.k")
        unknown = sql_message("extract.reason.unknown_ref", lang, column=sql_text(column.name), value=col,
                              table=sql_text(ref))
        rejected = sql_message("extract.reason.rejected_ref", lang, column=sql_text(column.name), value=col,
                               table=sql_text(ref))
        rules.reasons.append(f"CASE WHEN {col} IS NOT NULL AND {alias}.k IS NULL THEN {unknown} "
                             f"WHEN {col} IS NOT NULL AND NOT {alias}.ok THEN {rejected} END")
    for index, (key, name) in enumerate(zip(table.keys, duplicates)):
        alias = f"d{index}"
        on = " AND ".join(f"c.{ident(k)} = {alias}.{ident(k)}" for k in key)
        rules.joins.append(f"LEFT JOIN {name} {alias} ON {on}")
        values = " || ', ' || ".join(f"CAST(c.{ident(k)} AS VARCHAR)" for k in key)
        message = sql_message("extract.reason.duplicate", lang, columns=sql_text(", ".join(key)), values=values,
                              first=f"{alias}.__first")
        rules.reasons.append(f"CASE WHEN {alias}.__first IS NOT NULL AND c.__row > {alias}.__first "
                             f"THEN {message} END")
    if "end_not_before_start" in table.checks:
        message = sql_message("extract.reason.end_before_start", lang, end='c."end"', start="c.start")
        rules.reasons.append(f'CASE WHEN c."end" < c.start THEN {message} END')
    return rules
