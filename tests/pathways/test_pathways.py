"""Hand-worked answers for the scenario in scenario.py (year 2020; 2020 is a leap year).

Day numbers: person 1 has day 0 = 2020-03-20 (discharge 11:00). 27 March = d 7; 19 April =
d 30 (11 days of March + 19); 1 April = d 12; 1 May = d 42 (11 + 30 + 1); 2021-03-20 = d 365.
Person 4 has day 0 = 2020-02-10: 12 Feb = d 2; 1 June = d 112 (19 + 31 + 30 + 31 + 1);
1 Nov = d 265; 2021-01-01 = d 326 (265 + 30 + 31).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forlop.pathways.pipeline import build_pathways
from tests.pathways.conftest import write_extract
from tests.pathways.scenario import ROWS


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return build_pathways(write_extract(tmp_path_factory.mktemp("scenario"), ROWS), 2020)


@pytest.fixture(scope="module")
def patients(result) -> pd.DataFrame:
    return result.patients.set_index("person_id")


def value(result, indicator: str, breakdown: str = "all", group: str = "all") -> pd.Series:
    table = result.indicators
    row = table[(table.indicator == indicator) & (table.breakdown == breakdown) & (table.group == group)]
    assert len(row) == 1, (indicator, breakdown, group)
    return row.iloc[0]


def test_cohort_flow(result):
    # 6 persons; person 2 is 17 -> 5 adults with a qualifying diagnosis (1 F20, 3 F31, 4 F60, 5 F32,
    # 6 F33.1 as other diagnosis); person 5's stay never ends -> 4; person 3 dies on day 20 -> cohort 3.
    assert result.flow.values.tolist() == [
        ["persons_in_extract", 6],
        ["smi_population", 5],
        ["with_completed_stay", 4],
        ["died_within_365", 1],
        ["cohort", 3],
    ]
    assert sorted(result.patients.person_id) == [1, 4, 6]


def test_stay_merging_index_and_diagnosis(patients):
    p1 = patients.loc[1]
    # episodes 11 (ends 10 March) and 12 (starts 11 March): the next day, so one stay 1-20 March.
    assert p1.index_start == pd.Timestamp("2020-03-01 10:00")
    assert p1.index_end == pd.Timestamp("2020-03-20 11:00")
    # discharge diagnosis = main diagnosis of the episode that ends last (12: F32.2), not the first (F20.0)
    assert p1.diagnosis_group == "severe_depression"
    assert bool(p1.discharge_ready) is True
    # person 4: two stays end in 2020; the index is the first (1-10 Feb, F60.3)
    assert patients.loc[4].index_end == pd.Timestamp("2020-02-10 10:00")
    assert patients.loc[4].diagnosis_group == "personality"
    # person 6: episodes 61 and 62 overlap on 3 May -> one stay; 62 ends last and has no diagnosis
    assert patients.loc[6].diagnosis_group == "missing"
    assert patients.loc[6].index_start == pd.Timestamp("2020-05-01 10:00")


def test_attributes(patients):
    # substance use: person 1 by a TSB episode in 2020, person 4 by F10.2 as other diagnosis on a PHV episode
    assert patients.substance_use.to_dict() == {1: True, 4: True, 6: False}
    # coercion: person 1 by a decision in 2020, person 4 by a coercion referral on a 2020 episode;
    # person 6's decision is from 2019
    assert patients.coercion.to_dict() == {1: True, 4: True, 6: False}
    assert patients.age.to_dict() == {1: 40, 4: 30, 6: 60}
    assert patients.age_group.to_dict() == {1: "40-49", 4: "30-39", 6: "60-69"}
    # residence: 2020 only; person 4 has 2019 only -> missing; 9999 is not in the geography -> missing
    assert patients.loc[1, "region"] == "Helse Sør-Øst"
    assert patients.loc[1, "health_community"] == "Østfold"
    assert pd.isna(patients.loc[4, "municipality"]) and pd.isna(patients.loc[4, "region"])
    assert patients.loc[6, "municipality"] == "9999" and pd.isna(patients.loc[6, "health_community"])


def test_outpatient_day0_excluded_and_window_edges(patients):
    p1 = patients.loc[1]
    # day 0: episode 14 is before the discharge time (out), 15 after it: kept apart as a day-0 contact
    assert p1.n_outpatient_day0 == 1
    assert p1.n_collaboration_meeting_day0 == 1
    # follow-up contacts: d 7 (16), d 42 (17, TSB), d 365 (18); d 366 (19) is outside
    assert p1.days_to_first_outpatient == 7
    assert p1.n_outpatient == 3
    assert p1.n_ambulant == 1 and p1.days_to_first_ambulant == 7
    # the only collaboration meeting was on day 0: none in the follow-up, one within 30 days incl. day 0
    assert p1.n_collaboration_meeting == 0 and pd.isna(p1.days_to_first_collaboration_meeting)
    assert p1.n_collaboration_meeting_30d_incl_day0 == 1
    # months: d 7 -> month 1 (bit 0), d 42 -> month 2 (bit 1), d 365 -> month 12 (bit 11): 1 + 2 + 2048
    assert p1.months_outpatient == 2051


def test_primary_care(patients):
    p1 = patients.loc[1]
    # GP claim on day 0 after discharge counts (only outpatient contacts are left out on day 0);
    # the claim at 10:00 on day 0 is before the discharge (11:00) and is left out
    assert p1.days_to_first_gp_contact == 0 and p1.n_gp_contact == 1
    assert p1.days_to_first_gp_consultation == 0 and p1.n_gp_consultation == 1
    assert p1.days_to_first_out_of_hours == 30
    # person 4: fee code 1ad is a contact, not a consultation
    assert patients.loc[4].n_gp_contact == 1 and patients.loc[4].n_gp_consultation == 0


def test_readmissions_and_bed_days(patients):
    p1, p4 = patients.loc[1], patients.loc[4]
    # person 1: stay 22-25 March, d 2, 3 nights, planned
    assert (p1.days_to_first_readmission, p1.n_readmission, p1.bed_days, p1.n_acute_readmissions) == (2, 1, 3, 0)
    # person 4: stay 1-5 Nov (d 265, 4 nights, acute) and an open stay from d 326, counted to day 365:
    # 39 nights -> 43 bed days
    assert (p4.days_to_first_readmission, p4.n_readmission, p4.bed_days, p4.n_acute_readmissions) == (265, 2, 43, 1)
    # months: d 265-269 -> month 9 (days 240-269); d 326-365 -> months 11 and 12: 256 + 1024 + 2048
    assert p4.months_readmission == 3328


def test_municipal_periods(patients):
    p1 = patients.loc[1]
    # home health ended 15 March (before day 0): not counted. Practical assistance open since 1 Feb:
    # counts from day 0, started before discharge. Housing 1-10 April and 17 April-1 May are 7 days
    # apart: one period from d 12. Support contact 10 April -> 18 April is 8 days: two periods.
    assert pd.isna(p1.days_to_first_home_health)
    assert p1.days_to_first_practical_assistance == 0
    assert p1.days_to_first_municipal_housing == 12 and p1.n_municipal_housing == 1
    assert p1.n_support_contact == 2
    assert p1.n_municipal == 4 and p1.days_to_first_municipal == 0
    assert bool(p1.municipal_before_discharge) is True
    # an open period is active in every month: practical assistance sets all 12 bits
    assert p1.months_municipal == 4095


def test_shares_and_wilson_interval(result):
    # outpatient within 365 days: persons 1 (d 7) and 4 (d 112) of 3
    row = value(result, "outpatient_share_365d")
    assert (row.numerator, row.denominator) == (2, 3)
    # within 7 days: person 1 only (d 7); day-0 contacts would have made it d 0
    row = value(result, "outpatient_share_7d")
    assert (row.numerator, row.denominator) == (1, 3)
    # Wilson 95% for 1/3: centre (1/3 + 1.96^2/6)/(1 + 1.96^2/3) = 0.4269,
    # half-width 1.96*sqrt(1/3*2/3/3 + 1.96^2/36)/(1 + 1.96^2/3) = 0.3654 -> [0.0615, 0.7923]
    assert row.ci_low == pytest.approx(0.0615, abs=1e-3)
    assert row.ci_high == pytest.approx(0.7923, abs=1e-3)
    # collaboration meeting on day 0 (person 1) counts only in the "day 0 included" figures
    assert value(result, "collaboration_meeting_incl_day0_share_0d").numerator == 1
    assert value(result, "collaboration_meeting_share_365d").numerator == 0
    # month 12 (days 330-365): person 1's contact on day 365
    assert value(result, "outpatient_share_m12").numerator == 1
    # by diagnosis group and region (missing residence is its own group)
    assert value(result, "patients", "diagnosis_group", "missing").value == 1
    assert value(result, "patients", "region", "missing").value == 2


def test_counts_means_and_medians(result):
    # readmitted: person 1 (3 bed days) and 4 (43): mean 23, median (type 7) (3 + 43) / 2 = 23
    assert value(result, "bed_days_mean").value == 23
    assert value(result, "bed_days_median").value == 23
    # outpatient contacts per user: person 1 has 3, person 4 has 1: mean 2, median 2
    assert value(result, "outpatient_n_mean").value == 2
    # days to first outpatient contact: 7 and 112 -> p25 = 7 + 0.25 * 105 = 33.25
    assert value(result, "outpatient_days_to_first_p25").value == pytest.approx(33.25)
    # 1 of 2 readmitted has 1 readmission, 1 has 2
    assert value(result, "readmissions_count_1").value == 0.5
    assert value(result, "readmissions_count_2").value == 0.5
    # readmission stays: 3 (person 1: 1, person 4: 2), 1 acute
    row = value(result, "readmission_acute_share")
    assert (row.numerator, row.denominator) == (1, 3)


def test_first_contact_and_30_day_groups(result):
    # person 1: GP on d 0 before readmission (d 2) and outpatient (d 7); person 4: outpatient (d 112)
    # before readmission (d 265) and GP contact on d 2 -> GP first; person 6: none
    assert value(result, "first_contact_gp_contact").numerator == 2
    assert value(result, "first_contact_none").numerator == 1
    # within 30 days: person 1 readmitted (d 2), persons 4 and 6 no mental health contact
    assert value(result, "psych_contact_30d_readmission").numerator == 1
    assert value(result, "psych_contact_30d_none").numerator == 2


def test_rate_per_10000(result):
    # adults in 2020: 5000 (age 10 and 2019 rows left out); 3 patients -> 6.0 per 10 000;
    # Helse Sør-Øst has 1 patient -> 2.0
    assert value(result, "patients_per_10000").value == pytest.approx(6.0)
    row = value(result, "patients_per_10000", "region", "Helse Sør-Øst")
    assert row.value == pytest.approx(2.0)
    # exact Poisson interval of 1 event: [0.0253, 5.5716] per 5000 -> [0.0506, 11.14] per 10 000
    assert row.ci_low == pytest.approx(0.0506, abs=1e-3)
    assert row.ci_high == pytest.approx(11.143, abs=1e-2)


def test_deaths_kept_and_competing_risk(extract_writer):
    # without person 3: cumulative incidence equals the plain share, 2/3
    default = build_pathways(extract_writer(ROWS, "a"), 2020)
    assert value(default, "outpatient_cuminc_365d").value == pytest.approx(2 / 3)
    kept = build_pathways(extract_writer(ROWS, "b"), 2020, keep_deaths=True)
    assert sorted(kept.patients.person_id) == [1, 3, 4, 6]
    assert kept.patients.set_index("person_id").loc[3, "days_to_death"] == 20
    # Aalen-Johansen with person 3 (dies d 20, no contact): d 7 event (4 at risk) -> 1/4, survival 3/4;
    # d 20 death -> survival 3/4 * 2/3 = 1/2; d 112 event (2 at risk) -> 1/4 + 1/2 * 1/2 = 1/2
    assert value(kept, "outpatient_cuminc_365d").value == pytest.approx(0.5)
    assert value(kept, "outpatient_cuminc_30d").value == pytest.approx(0.25)
    assert not math.isnan(value(kept, "outpatient_share_365d").value)


def test_patients_with_outpatient_contact_on_day_of_discharge(result):
    # 001 §6.3 counts patients, not contacts: person 1 has one contact on day 0 after the discharge
    # time (episode 15, 14:00; episode 14 at 08:00 is before the 11:00 discharge); persons 4 and 6
    # have none -> 1 of 3 patients. The contact count (1) and the meeting patients (1) agree.
    row = value(result, "outpatient_share_0d")
    assert (row.numerator, row.denominator) == (1, 3)
    assert value(result, "outpatient_day0_contacts").value == 1
    assert value(result, "collaboration_meeting_incl_day0_share_0d").numerator == 1


def test_act_fact_start_by_month(result, patients):
    # person 4's ACT/FACT episodes: 21 March = d 40 (19 days of February + 21) and 1 June = d 112.
    # The first (d 40) is in 30-day month 2 (days 30-59): among the 1 ACT/FACT patient, 1 starts in
    # month 2 and 0 in month 1 or 4 (d 112 is not a start). Care level 2: not an outpatient contact.
    assert patients.loc[4, "days_to_first_act_fact"] == 40 and patients.loc[4, "n_act_fact"] == 2
    assert patients.loc[4, "n_outpatient"] == 1
    m2 = value(result, "act_fact_first_month_m02")
    assert (m2.numerator, m2.denominator, m2.value) == (1, 1, 1.0)
    assert value(result, "act_fact_first_month_m01").numerator == 0
    assert value(result, "act_fact_first_month_m04").numerator == 0


def test_mental_health_contact_in_the_three_years_before(result, patients):
    # 001 §4.2. Person 1: PHV episodes in 2017, 2018 and 2019. Person 4: one episode 20 Dec 2018 -
    # 5 Jan 2019, in both 2018 and 2019 but not 2017. Person 6: a TSB episode in 2017 (not PHV) and a
    # PHV episode that ends 31 Dec 2016: no contact. Of 3 patients: 2017 -> 1, 2018 -> 2, 2019 -> 2;
    # all three years -> 1 (person 1); none -> 1 (person 6).
    assert patients.phv_contact_y_minus_3.to_dict() == {1: True, 4: False, 6: False}
    assert patients.phv_contact_y_minus_2.to_dict() == {1: True, 4: True, 6: False}
    assert patients.phv_contact_y_minus_1.to_dict() == {1: True, 4: True, 6: False}
    expected = {
        "phv_contact_y_minus_3_share": 1,
        "phv_contact_y_minus_2_share": 2,
        "phv_contact_y_minus_1_share": 2,
        "phv_contact_all_3_years_before_share": 1,
        "phv_contact_none_3_years_before_share": 1,
    }
    for indicator, numerator in expected.items():
        row = value(result, indicator)
        assert (row.numerator, row.denominator) == (numerator, 3), indicator
    # by diagnosis group: person 4 (personality) had contact in 2018 but not 2017
    assert value(result, "phv_contact_y_minus_2_share", "diagnosis_group", "personality").value == 1.0
    assert value(result, "phv_contact_y_minus_3_share", "diagnosis_group", "personality").value == 0.0
