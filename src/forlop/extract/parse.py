"""How one value of each contract type is read: DuckDB SQL that parses a column and names bad values.

Rules (DESIGN.md, "Input contract"; the brief of issue 2): empty means missing; text is trimmed.

- id: int64 when every id value of the extract is a whole number, else text (decided once per
  extract, ``validate.py``), so that person ids join across tables.
- int, enum_int: whole numbers (``12``, ``+12``, ``12.0``); enum_int must be one of ``values``.
- date: ``YYYY-MM-DD`` (a time of exactly midnight is accepted and dropped).
- timestamp: ``YYYY-MM-DD`` or ``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]``, no time zone; a bare date
  is midnight. A Parquet timestamp with a time zone (Spark writes them UTC-adjusted) is turned
  into Norwegian local time (Europe/Oslo), the time the registry recorded.
- bool: true/false/1/0 in any case.
- list: ``;``-separated text in CSV, or a Parquet list; items trimmed, empty items dropped, no
  items means missing (NULL). Items of ``item: icd10`` lists must be ICD-10 codes.
- enum: one of ``values`` or of the ``key`` column of a code list in ``forlop/codes``; exact case.
- icd10: pattern ``[A-Z][0-9]{2}(\\.?[0-9A-Z]{0,4})?`` after upper-casing; kept as given
  (``F20.0`` stays ``F20.0``, ``f200`` becomes ``F200``).
- municipality: 1-4 digits, padded to 4 with leading zeros (``301`` -> ``0301``).

A value that is there but does not parse makes ``bad`` true; the row is rejected with the
reason ``<column>: '<value>' is not <what>`` (``validate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from forlop import codes
from forlop.extract.contract import Column
from forlop.extract.sources import ident, sql_text
from forlop.i18n import t

ICD10_PATTERN = r"[A-Z][0-9]{2}(\.?[0-9A-Z]{0,4})?"
INT_PATTERN = r"[+-]?[0-9]+(\.0*)?"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]00:00(:00(\.0+)?)?)?"
TIMESTAMP_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
MUNICIPALITY_PATTERN = r"[0-9]{1,4}"
LOCAL_TIME_ZONE = "Europe/Oslo"

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "HUGEINT",
    "UHUGEINT",
}
_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE"}


@dataclass(frozen=True)
class ColumnSQL:
    """SQL for one column: ``text`` reads the source column, ``value`` parses ``text``'s alias.

    ``present`` is true when the value is there (not empty), ``bad`` when it is there but does not
    parse, ``shown`` is the offending value as text for the reason.
    """

    text: str
    value: str
    present: str
    bad: str
    shown: str
    what: str


def allowed_values(column: Column) -> list[str]:
    """Return the allowed values of an enum column (from the contract or its code list)."""
    if column.codelist:
        return codes.codes(column.codelist, "key")
    return [str(v) for v in column.values]


def what(column: Column, lang: str | None, int_ids: bool = True) -> str:
    """Return what a value of ``column`` must be, for people (``a date (YYYY-MM-DD)``)."""
    kind = column.type
    if kind == "id":
        kind = "int" if int_ids else "text"
    if kind in ("enum", "enum_int"):
        return t("extract.what.enum", lang, values=", ".join(allowed_values(column)))
    if kind == "list":
        kind = "icd10" if column.item == "icd10" else "text"
    return t(f"extract.what.{kind}", lang)


def _integer(text: str) -> str:
    return f"CASE WHEN regexp_full_match({text}, '{INT_PATTERN}') THEN TRY_CAST({text} AS BIGINT) END"


def text_alias(index: int) -> str:
    """Return the inner-query name of column ``index``'s text (``__t3``)."""
    return f"__t{index}"


def value_alias(index: int) -> str:
    """Return the inner-query name of column ``index``'s parsed value (``__v3``)."""
    return f"__v{index}"


def column_sql(
    column: Column, index: int, source_column: str, source_type: str, int_ids: bool, lang: str | None
) -> ColumnSQL:
    """Return the SQL that reads, parses and checks ``column`` (see the module docstring).

    The text is selected as ``__t<index>``; ``value`` parses that, and is selected as ``__v<index>``;
    ``present``, ``bad`` and ``shown`` refer to both.
    """
    raw = ident(source_column)
    a = text_alias(index)
    v = value_alias(index)
    kind = column.type
    if source_type == "VARCHAR":
        native_text = f"NULLIF(TRIM({raw}), '')"
    elif source_type == "BLOB":  # Parquet binary: must be UTF-8 text (decode fails otherwise: fatal)
        native_text = f"NULLIF(TRIM(decode({raw})), '')"
    else:
        native_text = f"NULLIF(TRIM(CAST({raw} AS VARCHAR)), '')"
    shown = f"CAST({a} AS VARCHAR)"
    text = native_text
    if kind == "id" and not int_ids:
        value = a
    elif kind in ("id", "int", "enum_int"):
        if source_type in _INTEGER_TYPES:
            text, value = raw, f"TRY_CAST({a} AS BIGINT)"
        else:
            value = _integer(a)
        if kind == "enum_int":
            allowed = ", ".join(str(int(x)) for x in column.values)
            value = f"(CASE WHEN ({value}) IN ({allowed}) THEN ({value}) END)"
    elif kind == "date":
        if source_type == "DATE":
            text, value = raw, a
        else:
            value = f"CASE WHEN regexp_full_match({a}, '{DATE_PATTERN}') THEN TRY_CAST(left({a}, 10) AS DATE) END"
    elif kind == "timestamp":
        if source_type in _TIMESTAMP_TYPES:
            text, value = raw, f"CAST({a} AS TIMESTAMP)"
        elif source_type == "TIMESTAMP WITH TIME ZONE":  # e.g. Spark's UTC-adjusted Parquet timestamps
            text, value = raw, f"timezone('{LOCAL_TIME_ZONE}', {a})"
        else:
            value = f"CASE WHEN regexp_full_match({a}, '{TIMESTAMP_PATTERN}') THEN TRY_CAST({a} AS TIMESTAMP) END"
    elif kind == "bool":
        if source_type == "BOOLEAN":
            text, value = raw, a
        else:
            value = (
                f"CASE lower({a}) WHEN 'true' THEN true WHEN '1' THEN true "
                f"WHEN 'false' THEN false WHEN '0' THEN false END"
            )
    elif kind == "list":
        if source_type.endswith("[]"):
            text, items = raw, f"list_transform({a}, x -> TRIM(CAST(x AS VARCHAR)))"
        else:
            items = f"list_transform(string_split({a}, ';'), x -> TRIM(x))"
        upper = "upper(x)" if column.item == "icd10" else "x"
        value = f"list_transform(list_filter({items}, x -> x <> ''), x -> {upper})"
        value = f"CASE WHEN len({value}) > 0 THEN {value} END"
    elif kind == "enum":
        value = f"CASE WHEN {a} IN ({', '.join(sql_text(v) for v in allowed_values(column))}) THEN {a} END"
    elif kind == "icd10":
        value = f"CASE WHEN regexp_full_match(upper({a}), '{ICD10_PATTERN}') THEN upper({a}) END"
    elif kind == "municipality":
        value = f"CASE WHEN regexp_full_match({a}, '{MUNICIPALITY_PATTERN}') THEN lpad({a}, 4, '0') END"
    elif kind == "text":
        value = a
    else:  # pragma: no cover - contract.py only admits the types above
        raise ValueError(kind)

    present = f"({a} IS NOT NULL)"
    bad = f"({a} IS NOT NULL AND {v} IS NULL)"
    if kind == "list":
        present = f"({v} IS NOT NULL)"
        bad = "false"
        if column.item == "icd10":
            wrong = f"list_filter({v}, x -> NOT regexp_full_match(x, '{ICD10_PATTERN}'))"
            bad = f"(len({wrong}) > 0)"
            shown = f"{wrong}[1]"
    return ColumnSQL(text=text, value=value, present=present, bad=bad, shown=shown, what=what(column, lang, int_ids))
