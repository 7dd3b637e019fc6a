"""Checks of each value in its row: parse every column, collect the reasons, stop on a wrong type.

``check_values`` makes the DuckDB table ``chk_<table>``: ``__row``, every contract column parsed
to its canonical type (``parse.py``) and ``__reason``, the row's own problems (a required value
missing, a value that does not parse). ``check_types`` stops the run when a column has values
but not one of them parses (DESIGN.md: "a column of the wrong type stops the run with one clear
line naming the file, the column and an example row").
"""

from __future__ import annotations

import duckdb

from forlop import codes
from forlop.errors import InputError
from forlop.extract.contract import Table
from forlop.extract.parse import INT_PATTERN, ColumnSQL, column_sql, text_alias, value_alias
from forlop.extract.rules import sql_message
from forlop.extract.sources import Source, ident, load_source, one_row, sql_text
from forlop.i18n import t


def ids_are_integers(con: duckdb.DuckDBPyConnection, source: Source, column: str) -> bool:
    """Return True when every non-empty value of ``column`` in ``source`` is a whole number."""
    if source.types[column] in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"):
        return True
    text = f"NULLIF(TRIM(CAST({ident(source.columns[column])} AS VARCHAR)), '')"
    all_int = one_row(
        con,
        f"SELECT bool_and(regexp_full_match(x, '{INT_PATTERN}') AND TRY_CAST(x AS BIGINT) IS NOT NULL) "
        f"FROM (SELECT {text} AS x FROM {source.view}) WHERE x IS NOT NULL",
    )[0]
    return all_int is not False


def decide_id_types(con: duckdb.DuckDBPyConnection, table: Table, source: Source, id_types: dict[str, bool]) -> None:
    """Decide int64 or text for each id column of ``table`` not decided yet (DESIGN.md: ids join).

    An id is decided in the table where it is the key (person_id in persons, episode_id in
    specialist_episodes, claim_id in primary_care_claims), which comes first in processing order;
    every other table then reads that id the same way, so joins work. A referring row whose id does
    not parse as the key's type cannot match a usable key and is rejected.
    """
    for column in table.columns:
        if column.type == "id" and column.name not in id_types:
            id_types[column.name] = ids_are_integers(con, source, column.name)


def column_sqls(table: Table, source: Source, id_types: dict[str, bool], lang: str | None) -> list[ColumnSQL]:
    """Return the parsing SQL of every column of ``table`` (ids as decided in ``id_types``)."""
    return [
        column_sql(c, i, source.columns[c.name], source.types[c.name], id_types.get(c.name, True), lang)
        for i, c in enumerate(table.columns)
    ]


def check_values(
    con: duckdb.DuckDBPyConnection, table: Table, source: Source, sqls: list[ColumnSQL], lang: str | None
) -> None:
    """Create ``chk_<table>``: parsed values and the reasons found in the row's own values."""
    texts = ", ".join(f"{s.text} AS {text_alias(i)}" for i, s in enumerate(sqls))
    values = ", ".join(f"{s.value} AS {value_alias(i)}" for i, s in enumerate(sqls))
    reasons = []
    for column, s in zip(table.columns, sqls):
        if not column.nullable:
            missing = sql_message("extract.reason.missing", lang, column=sql_text(column.name))
            reasons.append(f"CASE WHEN NOT {s.present} THEN {missing} END")
        if s.bad != "false":
            bad = sql_message(
                "extract.reason.bad_value",
                lang,
                column=sql_text(column.name),
                value=f"left({s.shown}, 40)",
                what=sql_text(s.what),
            )
            reasons.append(f"CASE WHEN {s.bad} THEN {bad} END")
    outputs = ", ".join(f"{value_alias(i)} AS {ident(c.name)}" for i, c in enumerate(table.columns))
    reason = f"NULLIF(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "NULL::VARCHAR"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE chk_{table.name} AS SELECT __row, {outputs}, {reason} AS __reason "
        f"FROM (SELECT *, {values} FROM (SELECT __row, {texts} FROM {source.view}))"
    )


def check_types(
    con: duckdb.DuckDBPyConnection, table: Table, source: Source, sqls: list[ColumnSQL], lang: str | None
) -> None:
    """Stop when a column has values but none of them parses (wrong type), or a required column is empty."""
    if source.rows == 0:
        return
    counts = one_row(
        con, "SELECT " + ", ".join(f"count({ident(c.name)})" for c in table.columns) + f" FROM chk_{table.name}"
    )
    for index, (column, s, parsed) in enumerate(zip(table.columns, sqls, counts)):
        if parsed > 0 or column.type == "list":
            continue
        alias = text_alias(index)
        first = con.execute(
            f"SELECT __row, CAST({alias} AS VARCHAR) FROM (SELECT __row, {s.text} AS {alias} FROM {source.view}) "
            f"WHERE {alias} IS NOT NULL ORDER BY __row LIMIT 1"
        ).fetchone()
        if first is not None:
            raise InputError(
                str(source.path),
                t("extract.wrong_type", lang, what=s.what),
                column=column.name,
                example=t("extract.example", lang, row=first[0], value=first[1][:40]),
            )
        if not column.nullable:
            raise InputError(str(source.path), t("extract.no_values", lang), column=column.name)


def known_warnings(con: duckdb.DuckDBPyConnection, table: Table, lang: str | None) -> list[str]:
    """Return warnings for values outside a code list that are kept (``known:`` in contract.yaml)."""
    warnings = []
    for column in table.columns:
        known = column.known
        if not known:
            continue
        listed = codes.codes(known["codelist"], known["column"])
        col = ident(column.name)
        outside = f"CAST({col} AS VARCHAR) NOT IN ({', '.join(sql_text(v) for v in listed)})"
        count, example = one_row(
            con,
            f"SELECT count(*), min(CAST({col} AS VARCHAR)) FROM chk_{table.name} c "
            f"ANTI JOIN rej_{table.name} USING (__row) WHERE {col} IS NOT NULL AND {outside}",
        )
        if count:
            warnings.append(
                t(
                    "extract.warning.known",
                    lang,
                    table=table.name,
                    column=column.name,
                    rows=count,
                    codelist=known["codelist"],
                    example=example,
                )
            )
    return warnings


def check_table(
    con: duckdb.DuckDBPyConnection, table: Table, source: Source, id_types: dict[str, bool], lang: str | None
) -> None:
    """Load one opened source and apply the contract's column rules (DESIGN.md "Input contract").

    Fatal problems (a column of the wrong type) raise :class:`InputError`; bad rows get their reason
    in the check table, ready for a module's own row rules and then ``output.write_table``. The one
    sequence every reader of a contract table runs (registry extract, outcome monitoring, survey).
    """
    load_source(con, source, lang)
    decide_id_types(con, table, source, id_types)
    sqls = column_sqls(table, source, id_types, lang)
    check_values(con, table, source, sqls, lang)
    check_types(con, table, source, sqls, lang)
