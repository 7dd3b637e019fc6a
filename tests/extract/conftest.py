"""A tiny valid extract, written as CSV or as Parquet, that each test bends into one kind of bad input.

``minimal_tables()`` gives every contract table as rows of text (as they stand in a CSV);
``write_extract(folder, tables, fmt)`` writes them. For Parquet each column gets its contract type
(int64, date32, timestamp, bool, list<string>) when every value converts, else stays text, so a
test can also put a text value in a Parquet file.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from forlop.extract.contract import contract

MINIMAL = {
    "persons": [
        {"person_id": "1", "birth_year": "1980", "sex": "F", "death_date": ""},
        {"person_id": "2", "birth_year": "1975", "sex": "M", "death_date": "2021-03-01"},
        {"person_id": "3", "birth_year": "2001", "sex": "F", "death_date": ""},
    ],
    "geography": [
        {"municipality": "0301", "municipality_name": "Oslo", "health_community": "Oslo", "region": "Helse Sør-Øst"},
        {"municipality": "4601", "municipality_name": "Bergen", "health_community": "Bergen", "region": "Helse Vest"},
    ],
    "residence": [
        {"person_id": "1", "year": "2020", "municipality": "0301"},
        {"person_id": "2", "year": "2020", "municipality": "4601"},
        {"person_id": "3", "year": "2020", "municipality": "0301"},
    ],
    "specialist_episodes": [
        {
            "episode_id": "1",
            "person_id": "1",
            "sector": "PHV",
            "care_level": "1",
            "start": "2020-03-01T10:00",
            "end": "2020-03-10T12:00:00",
            "main_diagnosis": "F20.0",
            "other_diagnoses": "F10.2;Z59",
            "urgency": "acute",
            "coercion_referral": "true",
            "special_codes": "",
            "procedure_codes": "",
            "place_of_activity": "1",
            "indirect_activity": "",
            "service_group": "",
            "discharge_ready_at": "2020-03-08T09:00:00",
        },
        {
            "episode_id": "2",
            "person_id": "1",
            "sector": "PHV",
            "care_level": "3",
            "start": "2020-03-15T09:00:00",
            "end": "2020-03-15T10:00:00",
            "main_diagnosis": "F200",
            "other_diagnoses": "",
            "urgency": "planned",
            "coercion_referral": "false",
            "special_codes": "B0015",
            "procedure_codes": "",
            "place_of_activity": "2",
            "indirect_activity": "",
            "service_group": "",
            "discharge_ready_at": "",
        },
        {
            "episode_id": "3",
            "person_id": "2",
            "sector": "TSB",
            "care_level": "3",
            "start": "2020-05-01",
            "end": "",
            "main_diagnosis": "F10.2",
            "other_diagnoses": "",
            "urgency": "",
            "coercion_referral": "",
            "special_codes": "",
            "procedure_codes": "",
            "place_of_activity": "",
            "indirect_activity": "",
            "service_group": "TS01",
            "discharge_ready_at": "",
        },
    ],
    "coercion_decisions": [
        {"person_id": "1", "date": "2020-03-01", "kind": "compulsory_observation"},
    ],
    "primary_care_claims": [
        {"claim_id": "1", "person_id": "1", "at": "2020-03-20T08:30:00", "practice_type": "63", "fee_codes": "2ak;2ld"},
        {"claim_id": "2", "person_id": "2", "at": "2020-06-01T22:00:00", "practice_type": "65", "fee_codes": ""},
    ],
    "municipal_services": [
        {"person_id": "1", "service": "home_health", "start": "2020-03-20", "end": ""},
        {"person_id": "2", "service": "support_contact", "start": "2020-01-01", "end": "2020-12-31"},
    ],
    "population": [
        {"year": "2020", "municipality": "0301", "sex": "F", "age": "30", "count": "4100"},
        {"year": "2020", "municipality": "0301", "sex": "M", "age": "30", "count": "4200"},
        {"year": "2020", "municipality": "4601", "sex": "F", "age": "30", "count": "2100"},
        {"year": "2020", "municipality": "4601", "sex": "M", "age": "30", "count": "2050"},
    ],
}


def minimal_tables() -> dict[str, list[dict[str, str]]]:
    """Return a fresh copy of the minimal valid extract (every value as CSV text)."""
    return copy.deepcopy(MINIMAL)


def _typed(kind: str, values: list[str]) -> pa.Array:
    """Return ``values`` as an Arrow array of the contract ``kind`` (ValueError if one does not convert)."""

    def each(convert):
        return [None if v == "" else convert(v) for v in values]

    if kind in ("id", "int", "enum_int"):
        return pa.array(each(int), pa.int64())
    if kind == "date":
        return pa.array(each(dt.date.fromisoformat), pa.date32())
    if kind == "timestamp":
        return pa.array(each(dt.datetime.fromisoformat), pa.timestamp("s"))
    if kind == "bool":
        return pa.array(each({"true": True, "false": False}.__getitem__), pa.bool_())
    if kind == "list":
        return pa.array(each(lambda v: v.split(";")), pa.list_(pa.string()))
    return pa.array(each(str), pa.string())


def write_extract(folder: Path, tables: dict[str, list[dict[str, str]]], fmt: str = "csv") -> Path:
    """Write ``tables`` to ``folder`` as ``<table>.csv`` (UTF-8, ',') or ``<table>.parquet``; return folder."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = contract()
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else [c.name for c in spec[name].columns]
        if fmt == "csv":
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows([[row[c] for c in columns] for row in rows])
            continue
        arrays = []
        for column in columns:
            values = [row[column] for row in rows]
            kind = spec[name].column(column).type if column in {c.name for c in spec[name].columns} else "text"
            try:
                arrays.append(_typed(kind, values))
            except (ValueError, KeyError):
                arrays.append(pa.array([v or None for v in values], pa.string()))
        pq.write_table(pa.Table.from_arrays(arrays, names=columns), folder / f"{name}.parquet")
    return folder


@pytest.fixture
def tables() -> dict[str, list[dict[str, str]]]:
    """The minimal valid extract as text rows, for the test to change."""
    return minimal_tables()
