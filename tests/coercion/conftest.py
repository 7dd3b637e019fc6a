"""A small canonical clean extract (as ``validate_extract`` writes to clean/) for the coercion rates.

The answers are worked out by hand in test_rates.py. People (all rows in 2020):

- person 1, F, born 1990, lives in 0301: stays 1-5 Mar (coercion) + 6-20 Mar (transfer next day):
  one involuntary admission; 1-10 Jun voluntary; 1-5 Sep (no flag) + 5-12 Sep (flag on the receiving
  episode): one involuntary admission. Decisions: observation 2 Mar (confirms March), care 5 Sep
  (4 days after the stay began: not confirmed).
- person 2, M, born 1990, 0301: outpatient episode with coercion referral 10 Apr and a stay 10-20 Apr
  with referral: 1 admission, 2 referrals, both confirmed by a compulsory care decision 10 Apr.
- person 3, M, born 1990, 4601: stay 1-2 May with referral; treatment_without_consent does not confirm;
  a TSB stay with referral is not counted (PHV only).
- person 4, F, born 2010 (a child), 0301: stay with referral: outside the adult measure.
- person 5, M, born 1950, 4601: ongoing stay from 30 Nov with referral, confirmed by observation 1 Dec.
- person 6, F, born 1990, no residence in 2020: stay with referral, counted in excluded.csv.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TS = pa.timestamp("us")


def ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


EPISODES = [
    # episode_id, person_id, sector, care_level, start, end, coercion_referral
    (1, 1, "PHV", 1, "2020-03-01T10:00", "2020-03-05T12:00", True),
    (2, 1, "PHV", 1, "2020-03-06T09:00", "2020-03-20T12:00", False),
    (3, 1, "PHV", 1, "2020-06-01T10:00", "2020-06-10T12:00", False),
    (4, 1, "PHV", 1, "2020-09-01T10:00", "2020-09-05T08:00", False),
    (5, 1, "PHV", 1, "2020-09-05T08:00", "2020-09-12T12:00", True),
    (6, 2, "PHV", 3, "2020-04-10T09:00", "2020-04-10T10:00", True),
    (7, 2, "PHV", 1, "2020-04-10T12:00", "2020-04-20T12:00", True),
    (8, 3, "PHV", 1, "2020-05-01T10:00", "2020-05-02T12:00", True),
    (9, 3, "TSB", 1, "2020-07-01T10:00", "2020-07-09T12:00", True),
    (10, 4, "PHV", 1, "2020-01-01T10:00", "2020-01-03T12:00", True),
    (11, 5, "PHV", 1, "2020-11-30T22:00", None, True),
    (12, 6, "PHV", 1, "2020-02-01T10:00", "2020-02-03T12:00", True),
]


def write_clean(folder: Path) -> Path:
    """Write the clean Parquet tables to ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "persons": pa.table(
            {
                "person_id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
                "birth_year": pa.array([1990, 1990, 1990, 2010, 1950, 1990], pa.int64()),
                "sex": ["F", "M", "M", "F", "M", "F"],
                "death_date": pa.array([None] * 6, pa.date32()),
            }
        ),
        "residence": pa.table(
            {
                "person_id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
                "year": pa.array([2020, 2020, 2020, 2020, 2020, 2019], pa.int64()),
                "municipality": ["0301", "0301", "4601", "0301", "4601", "0301"],
            }
        ),
        "specialist_episodes": pa.table(
            {
                "episode_id": pa.array([e[0] for e in EPISODES], pa.int64()),
                "person_id": pa.array([e[1] for e in EPISODES], pa.int64()),
                "sector": [e[2] for e in EPISODES],
                "care_level": pa.array([e[3] for e in EPISODES], pa.int64()),
                "start": pa.array([ts(e[4]) for e in EPISODES], TS),
                "end": pa.array([ts(e[5]) for e in EPISODES], TS),
                "main_diagnosis": ["F200"] * len(EPISODES),
                "other_diagnoses": pa.array([None] * len(EPISODES), pa.list_(pa.string())),
                "urgency": ["acute"] * len(EPISODES),
                "coercion_referral": pa.array([e[6] for e in EPISODES], pa.bool_()),
                "special_codes": pa.array([None] * len(EPISODES), pa.list_(pa.string())),
                "procedure_codes": pa.array([None] * len(EPISODES), pa.list_(pa.string())),
                "place_of_activity": pa.array([None] * len(EPISODES), pa.int64()),
                "indirect_activity": pa.array([None] * len(EPISODES), pa.int64()),
                "service_group": pa.array([None] * len(EPISODES), pa.string()),
                "discharge_ready_at": pa.array([None] * len(EPISODES), TS),
            }
        ),
        "coercion_decisions": pa.table(
            {
                "person_id": pa.array([1, 1, 2, 3, 5], pa.int64()),
                "date": pa.array(
                    [day("2020-03-02"), day("2020-09-05"), day("2020-04-10"), day("2020-05-01"), day("2020-12-01")],
                    pa.date32(),
                ),
                "kind": [
                    "compulsory_observation",
                    "compulsory_care",
                    "compulsory_care",
                    "treatment_without_consent",
                    "compulsory_observation",
                ],
            }
        ),
        # Adults: 0301 has 6000 F and 4000 M aged 30 (10 000); 4601 has 2000 F and 3000 M aged 30 and
        # 5000 M aged 70 (10 000). The 1000 children in 0301 are not in the denominator.
        "population": pa.table(
            {
                "year": pa.array([2020] * 6, pa.int64()),
                "municipality": ["0301", "0301", "0301", "4601", "4601", "4601"],
                "sex": ["F", "M", "F", "F", "M", "M"],
                "age": pa.array([30, 30, 10, 30, 30, 70], pa.int64()),
                "count": pa.array([6000, 4000, 1000, 2000, 3000, 5000], pa.int64()),
            }
        ),
        "geography": pa.table(
            {
                "municipality": ["0301", "4601"],
                "municipality_name": ["Oslo", "Bergen"],
                "health_community": ["Oslo", "Bergen"],
                "region": ["Helse Sør-Øst", "Helse Vest"],
            }
        ),
    }
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    return folder


@pytest.fixture()
def clean_dir(tmp_path: Path) -> Path:
    return write_clean(tmp_path / "clean")
