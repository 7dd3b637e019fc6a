"""Ibis expressions for the code lists of ``forlop.codes`` (001 §3-§5 definitions as data)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from forlop import codes


def normalized_icd10(column: ir.StringValue) -> ir.StringValue:
    """ICD-10 code without '.' and upper case (``F20.0`` -> ``F200``), as ``forlop.codes.normalize_icd10``."""
    return column.replace(".", "").strip().upper()


def starts_with_any(column: ir.StringValue, prefixes: list[str]) -> ir.BooleanValue:
    """True if the (normalized) code starts with one of ``prefixes``.

    Written as "the first L characters are one of the prefixes of length L" (one ``substr(..).isin``
    per prefix length), which is the same test as a chain of ``startswith``: an SQL engine that
    inlines the code normalization into the filter then evaluates it once per length, not once per
    prefix (DuckDB does not share the repeated expression; with 16 prefixes that was most of the
    cohort step on a 10x national extract).
    """
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    condition = ibis.literal(False)
    for length, group in sorted(by_length.items()):
        condition = condition | column.substr(0, length).isin(group)
    return condition.fill_null(False)


def diagnosis_group(code: ir.StringValue) -> ir.StringValue:
    """001 table 1 group key of a normalized ICD-10 code, rules in priority order (codes/diagnosis_groups.csv)."""
    branches = []
    for key, prefixes in codes.diagnosis_group_rules():
        if key == "missing":
            continue
        if "*" in prefixes:
            branches.append((code.notnull() & (code != ""), key))
        else:
            branches.append((starts_with_any(code, list(prefixes)), key))
    return ibis.cases(*branches, else_="missing")


def list_has_any(column: ir.ArrayValue, values: list[str]) -> ir.BooleanValue:
    """True if the list column holds one of ``values`` (empty or missing list: False)."""
    condition = ibis.literal(False)
    for value in values:
        condition = condition | column.contains(value).fill_null(False)
    return condition


def field_codes(name: str, field: str) -> list[str]:
    """Codes of one field of a two-column (field, code) list such as collaboration_meeting.csv."""
    table = codes.load(name)
    return table.loc[table["field"] == field, "code"].tolist()
