"""Fixture builder: canonical Parquet tables (as ``validate_extract`` writes them) from small row lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TS = pa.timestamp("us")
LIST = pa.list_(pa.string())
SCHEMAS = {
    "persons": [
        ("person_id", pa.int64()),
        ("birth_year", pa.int64()),
        ("sex", pa.string()),
        ("death_date", pa.date32()),
    ],
    "residence": [("person_id", pa.int64()), ("year", pa.int64()), ("municipality", pa.string())],
    "specialist_episodes": [
        ("episode_id", pa.int64()),
        ("person_id", pa.int64()),
        ("sector", pa.string()),
        ("care_level", pa.int64()),
        ("start", TS),
        ("end", TS),
        ("main_diagnosis", pa.string()),
        ("other_diagnoses", LIST),
        ("urgency", pa.string()),
        ("coercion_referral", pa.bool_()),
        ("special_codes", LIST),
        ("procedure_codes", LIST),
        ("place_of_activity", pa.int64()),
        ("indirect_activity", pa.int64()),
        ("service_group", pa.string()),
        ("discharge_ready_at", TS),
    ],
    "coercion_decisions": [("person_id", pa.int64()), ("date", pa.date32()), ("kind", pa.string())],
    "primary_care_claims": [
        ("claim_id", pa.int64()),
        ("person_id", pa.int64()),
        ("at", TS),
        ("practice_type", pa.int64()),
        ("fee_codes", LIST),
    ],
    "municipal_services": [
        ("person_id", pa.int64()),
        ("service", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
    ],
    "population": [
        ("year", pa.int64()),
        ("municipality", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int64()),
        ("count", pa.int64()),
    ],
    "geography": [
        ("municipality", pa.string()),
        ("municipality_name", pa.string()),
        ("health_community", pa.string()),
        ("region", pa.string()),
    ],
}


def ts(text: str) -> dt.datetime:
    """'2020-03-01 10:00' -> datetime."""
    return dt.datetime.fromisoformat(text)


def day(text: str) -> dt.date:
    """'2020-03-01' -> date."""
    return dt.date.fromisoformat(text)


def episode(
    episode_id: int,
    person_id: int,
    start: str,
    end: str | None,
    sector: str = "PHV",
    care_level: int = 3,
    main: str | None = None,
    **extra: object,
) -> dict:
    """One specialist episode row with the given fields (others empty)."""
    row = {
        "episode_id": episode_id,
        "person_id": person_id,
        "sector": sector,
        "care_level": care_level,
        "start": ts(start),
        "end": ts(end) if end else None,
        "main_diagnosis": main,
    }
    row.update(extra)
    return row


def write_extract(folder: Path, rows: dict[str, list[dict]]) -> Path:
    """Write every table of the contract to ``folder/<table>.parquet`` (missing tables are written empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, columns in SCHEMAS.items():
        schema = pa.schema(columns)
        data = rows.get(table, [])
        arrays = {name: [r.get(name) for r in data] for name, _ in columns}
        pq.write_table(pa.Table.from_pydict(arrays, schema=schema), folder / f"{table}.parquet")
    return folder


@pytest.fixture
def extract_writer(tmp_path: Path):
    """Return a function that writes a fixture extract and gives its folder."""

    def write(rows: dict[str, list[dict]], name: str = "clean") -> Path:
        return write_extract(tmp_path / name, rows)

    return write
