"""Vectorised building blocks for event rows: spreading events over days and building table batches.

Every table of the extract is assembled from batches: a batch is a ``pyarrow.Table`` with the
contract's columns (missing ones filled with nulls). List columns are held as ';'-joined text
while a batch is built and split into lists when the table is written as Parquet.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MINUTE = np.timedelta64(1, "m")
DAY = np.timedelta64(1, "D")
# None as a 0-d object array: ``np.where(mask, values, MISSING)`` is an object array with None where ``mask``
# is false (NumPy's type stubs do not take a bare None there).
MISSING = np.array(None, dtype=object)

SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema([("person_id", pa.int64()), ("birth_year", pa.int64()), ("sex", pa.string()),
                          ("death_date", pa.date32())]),
    "residence": pa.schema([("person_id", pa.int64()), ("year", pa.int64()), ("municipality", pa.string())]),
    "specialist_episodes": pa.schema([
        ("episode_id", pa.int64()), ("person_id", pa.int64()), ("sector", pa.string()), ("care_level", pa.int64()),
        ("start", pa.timestamp("s")), ("end", pa.timestamp("s")), ("main_diagnosis", pa.string()),
        ("other_diagnoses", pa.string()), ("urgency", pa.string()), ("coercion_referral", pa.bool_()),
        ("special_codes", pa.string()), ("procedure_codes", pa.string()), ("place_of_activity", pa.int64()),
        ("indirect_activity", pa.int64()), ("service_group", pa.string()), ("discharge_ready_at", pa.timestamp("s")),
    ]),
    "coercion_decisions": pa.schema([("person_id", pa.int64()), ("date", pa.date32()), ("kind", pa.string())]),
    "primary_care_claims": pa.schema([("claim_id", pa.int64()), ("person_id", pa.int64()), ("at", pa.timestamp("s")),
                                      ("practice_type", pa.int64()), ("fee_codes", pa.string())]),
    "municipal_services": pa.schema([("person_id", pa.int64()), ("service", pa.string()), ("start", pa.date32()),
                                     ("end", pa.date32())]),
    "population": pa.schema([("year", pa.int64()), ("municipality", pa.string()), ("sex", pa.string()),
                             ("age", pa.int64()), ("count", pa.int64())]),
    "geography": pa.schema([("municipality", pa.string()), ("municipality_name", pa.string()),
                            ("health_community", pa.string()), ("region", pa.string())]),
}
LIST_COLUMNS = {"specialist_episodes": ("other_diagnoses", "special_codes", "procedure_codes"),
                "primary_care_claims": ("fee_codes",)}


def batch(table: str, **columns: object) -> pa.Table:
    """Return a batch of ``table`` from column arrays; scalars are repeated, absent columns are null."""
    schema = SCHEMAS[table]
    length = max((len(v) for v in columns.values() if isinstance(v, np.ndarray)), default=0)
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            arrays.append(pa.nulls(length, type=field.type))
            continue
        if not isinstance(value, np.ndarray):
            value = np.full(length, value, dtype=object if isinstance(value, str) else None)
        if value.dtype.kind == "M":
            unit = "D" if pa.types.is_date(field.type) else "s"
            arrays.append(pa.array(value.astype(f"datetime64[{unit}]")).cast(field.type))
        else:
            arrays.append(pa.array(value, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def spread_days(
    rng: np.random.Generator,
    count: np.ndarray,
    first_day: np.ndarray,
    active_share: float,
    last_day: int = 365,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (patient index, day) of events: the first on ``first_day``, the rest uniform after it.

    Each patient stays in contact to ``last_day`` with probability ``active_share``; otherwise their
    contacts end on a uniform day between the first contact and ``last_day``.
    """
    count = np.asarray(count, np.int64)
    patient = np.repeat(np.arange(len(count)), count)
    if len(patient) == 0:
        return patient, patient.copy()
    starts = np.cumsum(count) - count
    position = np.arange(len(patient)) - np.repeat(starts, count)
    first = first_day[patient]
    stop_all = np.where(rng.random(len(count)) < active_share, last_day,
                        first_day + (rng.random(len(count)) * (last_day - first_day + 1)).astype(np.int64))
    stop = np.maximum(stop_all[patient], first)
    day = first + (rng.random(len(patient)) * (stop - first + 1)).astype(np.int64)
    day = np.where(position == 0, first, day)
    return patient, day


def at_time(dates: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Return timestamps (datetime64[m]) of dates plus minutes after midnight."""
    return dates.astype("datetime64[m]") + minutes.astype(np.int64) * MINUTE


def pick(rng: np.random.Generator, options: list, size: int, p: list[float] | None = None) -> np.ndarray:
    """Return ``size`` values drawn from ``options`` (as an object array)."""
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def group_runs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (owner index, position within owner) for items laid out owner by owner."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - np.repeat(starts, counts)
