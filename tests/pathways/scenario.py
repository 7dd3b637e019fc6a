"""The hand-made extract of the unit tests; every expected value is worked out in test_pathways.py.

Year 2020 (a leap year). Persons:
- 1: F, born 1980. Index stay = episodes 11 (1-10 March) + 12 (11-20 March, next day: merged),
     discharged 2020-03-20 11:00 (day 0). Episode 13 (22-25 March) is two days later: a readmission.
- 2: born 2003, 17 in 2020: not an adult.
- 3: M, born 1950, F31 stay ending 2020-06-30, dies 2020-07-20 (day 20).
- 4: M, born 1990, two stays in 2020 (index = the first, ending 2020-02-10), no residence row.
- 5: F32 stay still open at the end of 2020: no completed stay.
- 6: qualifies by an other diagnosis (F33.1) only; the last episode of the stay has no main diagnosis;
     lives in municipality 9999, which the geography does not know.
"""

from __future__ import annotations

from tests.pathways.conftest import day, episode, ts

ROWS = {
    "persons": [
        {"person_id": 1, "birth_year": 1980, "sex": "F"},
        {"person_id": 2, "birth_year": 2003, "sex": "M"},
        {"person_id": 3, "birth_year": 1950, "sex": "M", "death_date": day("2020-07-20")},
        {"person_id": 4, "birth_year": 1990, "sex": "M"},
        {"person_id": 5, "birth_year": 1970, "sex": "F"},
        {"person_id": 6, "birth_year": 1960, "sex": "F"},
    ],
    "residence": [
        {"person_id": 1, "year": 2020, "municipality": "3001"},
        {"person_id": 3, "year": 2020, "municipality": "3001"},
        {"person_id": 4, "year": 2019, "municipality": "3001"},
        {"person_id": 6, "year": 2020, "municipality": "9999"},
    ],
    "geography": [
        {"municipality": "3001", "municipality_name": "Halden", "health_community": "Østfold", "region": "Helse Sør-Øst"},
    ],
    "population": [
        {"year": 2020, "municipality": "3001", "sex": "F", "age": 40, "count": 5000},
        {"year": 2020, "municipality": "3001", "sex": "F", "age": 10, "count": 1000},
        {"year": 2019, "municipality": "3001", "sex": "F", "age": 40, "count": 7000},
    ],
    "specialist_episodes": [
        # person 1: index stay 11+12, readmission 13 (planned)
        episode(11, 1, "2020-03-01 10:00", "2020-03-10 12:00", care_level=1, main="F20.0", urgency="acute"),
        episode(12, 1, "2020-03-11 09:00", "2020-03-20 11:00", care_level=1, main="F32.2", urgency="acute",
                discharge_ready_at=ts("2020-03-18 12:00")),
        episode(13, 1, "2020-03-22 10:00", "2020-03-25 10:00", care_level=1, main="F32.2", urgency="planned"),
        # person 1: outpatient contacts
        episode(14, 1, "2020-03-20 08:00", "2020-03-20 09:00", main="F32.2"),  # day 0 before discharge: out
        episode(15, 1, "2020-03-20 14:00", "2020-03-20 15:00", main="F32.2", special_codes=["B0009"]),  # day 0
        episode(16, 1, "2020-03-27 10:00", "2020-03-27 11:00", main="F32.2", place_of_activity=2),  # d 7 ambulant
        episode(17, 1, "2020-05-01 10:00", "2020-05-01 11:00", sector="TSB", main="F10.2"),  # d 42, TSB
        episode(18, 1, "2021-03-20 10:00", "2021-03-20 11:00", main="F32.2"),  # d 365
        episode(19, 1, "2021-03-21 10:00", "2021-03-21 11:00", main="F32.2"),  # d 366: out
        # years before 2020 (001 §4.2): person 1 has PHV contact in 2017, 2018 and 2019
        episode(1, 1, "2017-06-01 10:00", "2017-06-01 11:00", main="F32.1"),
        episode(2, 1, "2018-06-01 10:00", "2018-06-01 11:00", main="F32.1"),
        episode(3, 1, "2019-06-01 10:00", "2019-06-01 11:00", main="F32.1"),
        # person 2: a minor
        episode(21, 2, "2020-04-01 10:00", "2020-04-10 10:00", care_level=1, main="F20.0"),
        # person 3: dies on day 20
        episode(31, 3, "2020-06-01 10:00", "2020-06-30 10:00", care_level=1, main="F31.1", urgency="acute"),
        # person 4: index stay A, readmissions B (acute, coercion referral) and C (open, planned)
        episode(41, 4, "2020-02-01 10:00", "2020-02-10 10:00", care_level=1, main="F60.3", urgency="acute"),
        episode(42, 4, "2020-11-01 10:00", "2020-11-05 10:00", care_level=1, main="F20.0", urgency="acute",
                coercion_referral=True),
        episode(43, 4, "2021-01-01 10:00", None, care_level=1, main="F20.0", urgency="planned"),
        episode(44, 4, "2020-06-01 10:00", "2020-06-01 11:00", main="F60.3", other_diagnoses=["F10.2"]),  # d 112
        # person 4: ACT/FACT (service group TS01) as day care (care level 2, so not an outpatient contact):
        # d 40 and d 112
        episode(45, 4, "2020-03-21 10:00", "2020-03-21 11:00", care_level=2, service_group="TS01"),  # d 40, month 2
        episode(46, 4, "2020-06-01 12:00", "2020-06-01 13:00", care_level=2, service_group="TS01"),  # d 112
        # person 4: one PHV episode 20 Dec 2018 - 5 Jan 2019 (contact in 2018 and 2019, not 2017)
        episode(47, 4, "2018-12-20 10:00", "2019-01-05 10:00", main="F60.3"),
        # person 5: a stay still open at the end of 2020
        episode(51, 5, "2020-12-20 10:00", None, care_level=1, main="F32.1"),
        # person 6: qualifies by an other diagnosis; last episode without main diagnosis (overlapping: merged)
        episode(61, 6, "2020-05-01 10:00", "2020-05-03 12:00", care_level=1, main="F41.1", other_diagnoses=["F33.1"]),
        episode(62, 6, "2020-05-03 08:00", "2020-05-05 10:00", care_level=1, main=None),
        # person 6: TSB in 2017 (not PHV) and PHV ending 31 Dec 2016: no PHV contact in 2017-2019
        episode(63, 6, "2017-03-01 10:00", "2017-03-01 11:00", sector="TSB", main="F10.2"),
        episode(64, 6, "2016-12-01 10:00", "2016-12-31 23:00", main="F33.1"),
    ],
    "coercion_decisions": [
        {"person_id": 1, "date": day("2020-03-05"), "kind": "compulsory_care"},
        {"person_id": 6, "date": day("2019-03-05"), "kind": "compulsory_care"},  # not in 2020
    ],
    "primary_care_claims": [
        {"claim_id": 1, "person_id": 1, "at": ts("2020-03-20 13:00"), "practice_type": 62, "fee_codes": ["2ak"]},  # d 0
        {"claim_id": 2, "person_id": 1, "at": ts("2020-04-19 22:00"), "practice_type": 65, "fee_codes": None},  # d 30
        {"claim_id": 3, "person_id": 1, "at": ts("2020-03-20 10:00"), "practice_type": 63, "fee_codes": ["2ak"]},  # before discharge
        {"claim_id": 4, "person_id": 4, "at": ts("2020-02-12 09:00"), "practice_type": 64, "fee_codes": ["1ad"]},  # d 2, contact only
    ],
    "municipal_services": [
        # person 1: home health ended before day 0 (two decisions 4 days apart, merged) -> not counted
        {"person_id": 1, "service": "home_health", "start": day("2020-01-01"), "end": day("2020-03-01")},
        {"person_id": 1, "service": "home_health", "start": day("2020-03-05"), "end": day("2020-03-15")},
        # open at day 0, started before discharge
        {"person_id": 1, "service": "practical_assistance", "start": day("2020-02-01"), "end": None},
        # 7 days apart: one period from day 12
        {"person_id": 1, "service": "municipal_housing", "start": day("2020-04-01"), "end": day("2020-04-10")},
        {"person_id": 1, "service": "municipal_housing", "start": day("2020-04-17"), "end": day("2020-05-01")},
        # 8 days apart: two periods
        {"person_id": 1, "service": "support_contact", "start": day("2020-04-01"), "end": day("2020-04-10")},
        {"person_id": 1, "service": "support_contact", "start": day("2020-04-18"), "end": day("2020-04-30")},
    ],
}
