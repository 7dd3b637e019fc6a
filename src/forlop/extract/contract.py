"""The input contract as data: tables, columns and their rules, read from ``contract.yaml``.

The tables and columns are those of DESIGN.md, "Input contract"; the YAML adds the machine-readable
rules (type, nullable, key, ref, unique, checks). This module only loads it; the checks are in
``parse.py`` (one value) and ``rules.py`` (rows against other rows and tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from forlop.datafile import package_yaml

TYPES = ("id", "int", "text", "date", "timestamp", "bool", "list", "enum", "enum_int", "icd10", "municipality")


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: str
    nullable: bool = False
    key: bool = False
    ref: str | None = None
    values: tuple = ()
    codelist: str | None = None
    item: str | None = None
    known: dict | None = None


@dataclass(frozen=True)
class Table:
    """One contract table: its columns in order and its row rules."""

    name: str
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    checks: tuple[str, ...] = ()
    may_be_empty: bool = False
    keys: tuple[tuple[str, ...], ...] = field(default=())

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    @property
    def key_column(self) -> str | None:
        """Return the single key column (``key: true``) that other tables refer to, if any."""
        keyed = [c.name for c in self.columns if c.key]
        return keyed[0] if keyed else None


def parse_tables(raw: dict, where: str) -> dict[str, Table]:
    """Return the tables of a contract in the format of ``contract.yaml`` (``raw``: the parsed YAML).

    ``where`` names the file in an error. Shared by every module with its own input tables in this
    format (the survey's ``survey/contract.yaml``), so the column types and rules are read one way.
    """
    tables = {}
    for name, spec in raw["tables"].items():
        columns = []
        for column_name, c in spec["columns"].items():
            if c["type"] not in TYPES:
                raise ValueError(f"{where}: {name}.{column_name}: unknown type {c['type']}")
            columns.append(
                Column(
                    name=column_name,
                    type=c["type"],
                    nullable=bool(c.get("nullable", False)),
                    key=bool(c.get("key", False)),
                    ref=c.get("ref"),
                    values=tuple(c.get("values", ())),
                    codelist=c.get("codelist"),
                    item=c.get("item"),
                    known=c.get("known"),
                )
            )
        unique = tuple(tuple(u) for u in spec.get("unique", ()))
        keys = tuple((c.name,) for c in columns if c.key) + unique
        tables[name] = Table(
            name=name,
            columns=tuple(columns),
            unique=unique,
            checks=tuple(spec.get("checks", ())),
            may_be_empty=bool(spec.get("may_be_empty", False)),
            keys=keys,
        )
    return tables


@cache
def contract() -> dict[str, Table]:
    """Return the contract tables by name, in the order of ``contract.yaml``."""
    return parse_tables(package_yaml("forlop.extract", "contract.yaml"), "contract.yaml")


def processing_order() -> list[str]:
    """Return table names so that every table comes after the tables its columns refer to."""
    tables = contract()
    done: list[str] = []
    while len(done) < len(tables):
        ready = [
            name
            for name, table in tables.items()
            if name not in done and {c.ref for c in table.columns if c.ref} <= set(done)
        ]
        if not ready:
            raise ValueError("contract.yaml: the refs between tables form a cycle")
        done.extend(ready)
    return done
