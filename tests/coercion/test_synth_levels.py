"""The synthetic extract's coercion events beyond the cohort (synth/coercion.py, parameters.yaml coercion_levels)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from forlop.synth import coercion
from forlop.synth.events import batch
from forlop.synth.extract import build_tables
from forlop.synth.targets import parameters

QUALIFYING = ("F20", "F25", "F30", "F31", "F32", "F33", "F6")


def test_top_up_fills_the_gap_to_the_level():
    rng = np.random.default_rng(1)
    # 1 000 000 adults x 20 per 10 000 = 2000 admissions, 500 already there: a gap of 1500. A person brings
    # (1 + 0.6) referrals x 0.9 admitted = 1.44 admissions, so round(1500 / 1.44) = 1042 persons.
    extra = coercion.top_up_persons(rng, 5_000_000, {2020: 500}, {2020: 1_000_000.0}, 2020, parameters())
    assert len(extra.person_id) == 1042
    assert extra.person_id[0] == 5_000_000 and len(set(extra.person_id)) == 1042
    ep = extra.episodes.to_pandas()
    assert ep["coercion_referral"].all() and set(ep["care_level"]) == {1, 3}
    assert ep["start"].dt.year.eq(2020).all() and ep["end"].dt.year.eq(2020).all()
    # no diagnosis that would put a top-up person in the 001 cohort of 2020
    assert not ep["main_diagnosis"].str.replace(".", "").str.startswith(QUALIFYING).any()
    assert (2020 - extra.birth_year >= 18).all()
    # a person's referrals never touch (next starts at least 2 days after the previous ends): no merging
    ep = ep.sort_values(["person_id", "start"])
    same = ep["person_id"].eq(ep["person_id"].shift())
    gap = (ep["start"].dt.normalize() - ep["end"].shift().dt.normalize()).dt.days
    assert (gap[same] >= 2).all()


def test_no_top_up_when_the_level_is_reached():
    extra = coercion.top_up_persons(np.random.default_rng(1), 1, {2019: 3000}, {2019: 1_000_000.0}, 2020, parameters())
    assert len(extra.person_id) == 0


def test_confirming_decisions_on_the_day_or_the_next_but_not_for_protected_persons():
    params = copy.deepcopy(parameters())
    params["coercion_levels"]["confirmed_share"] = 1.0
    start = np.array(["2020-03-01T10:00", "2020-05-01T10:00", "2019-06-01T10:00", "2020-07-01T10:00"],
                     dtype="datetime64[m]")
    episodes = batch("specialist_episodes", person_id=np.array([1, 2, 2, 3]), sector="PHV",
                     care_level=np.array([1, 1, 1, 3]), start=start, end=start + np.timedelta64(3, "D"),
                     coercion_referral=np.array([True, True, True, True]))
    decisions = coercion.confirming_decisions(np.random.default_rng(2), episodes, np.array([2]), 2020, params)
    rows = decisions.to_pandas().sort_values("person_id")
    # person 1: one decision 1 or 2 March; person 2 is protected in 2020 (its 2019 admission is confirmed);
    # person 3's referral is an outpatient assessment (care level 3): no admission to confirm.
    assert rows["person_id"].tolist() == [1, 2]
    assert str(rows["date"].iloc[0]) in ("2020-03-01", "2020-03-02")
    assert str(rows["date"].iloc[1]) in ("2019-06-01", "2019-06-02")
    assert set(rows["kind"]) <= {"compulsory_observation", "compulsory_care"}


def test_demo_extract_has_every_measure_in_every_year():
    tables = build_tables("demo", seed=2020)
    adults = coercion.adults_by_year(tables["population"])
    admissions = coercion.admissions_by_year(tables["specialist_episodes"], tables["persons"])
    for year in (2019, 2020, 2021):
        # about 20 per 10 000 adults in each year (the top-up rounds to whole persons and draws the counts)
        assert admissions[year] / adults[year] * 10_000 == pytest.approx(20, rel=0.05)
    ep = tables["specialist_episodes"].to_pandas()
    flagged = ep[ep["coercion_referral"].fillna(False) & (ep["sector"] == "PHV")]
    outpatient = (flagged["care_level"] != 1).sum()
    # referrals without admission: about 10 % of the top-up persons' referrals
    assert 0.05 < outpatient / len(flagged) < 0.15
    decisions = tables["coercion_decisions"].to_pandas()
    confirming = decisions["kind"].isin(["compulsory_observation", "compulsory_care"]).sum()
    assert confirming / (len(flagged) - outpatient) > 0.8
