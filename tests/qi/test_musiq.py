"""MUSIQ scoring (musiq.yaml; weights marked unverified, so all 1)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forlop.errors import InputError
from forlop.qi.musiq import load_musiq, score_answers, write_scores


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The messages below are matched in English (FORLOP_LANG; the default is nb)."""
    monkeypatch.setenv("FORLOP_LANG", "en")


def test_factor_file_says_what_is_unverified() -> None:
    factors = load_musiq()["factors"]
    assert len(factors) == 21  # 21 of MUSIQ's 25 could be checked; see musiq.yaml
    assert {f.weight_status for f in factors} == {"unverified"}
    assert sum(f.verified == "table1" for f in factors) == 13


def test_scores(tmp_path: Path) -> None:
    factors = [f.id for f in load_musiq()["factors"]]
    rows = [
        {"team": "A", **dict.fromkeys(factors, "4")},
        {"team": "B", **dict.fromkeys(factors, "7"), "team_qi_skills": "NA", "team_leadership": "1"},
        {"team": "C", **dict.fromkeys(factors, "4"), "resource_availability": "9"},
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "answers.csv", index=False)
    scores, rejected = score_answers(tmp_path / "answers.csv")
    a, b = scores.iloc[0], scores.iloc[1]
    # A: 21 factors x 4 (weight 1) = 84 of 21 x 7 = 147 -> 57.1 %.
    assert (a["weighted_total"], a["weighted_max"], a["total_percent"], a["mean_score"]) == (84, 147, 57.1, 4.0)
    # B: 19 factors x 7 + 1 (leadership) = 134, QI skills not known: max 20 x 7 = 140 -> 95.7 %;
    # QI team level: 7 factors, skills missing: (5 x 7 + 1) / 6 = 6.0.
    assert (b["n_answered"], b["n_missing"], b["weighted_total"], b["total_percent"]) == (20, 1, 134, 95.7)
    assert b["mean_qi_team"] == 6.0 and b["mean_environment"] == 7.0
    # C is the 3rd data row: row 3 (header not counted, as forlop validate).
    assert rejected[["team", "row"]].values.tolist() == [["C", 3]]
    assert rejected["reason"].iloc[0] == "resource_availability: 9 is not a whole score 1-7"
    assert write_scores(tmp_path / "answers.csv", tmp_path / "out" / "scores.csv") == (2, 1)
    assert (tmp_path / "out" / "rejected" / "musiq.csv").exists()


def test_bad_files(tmp_path: Path) -> None:
    pd.DataFrame([{"team": "A", "externl_motivators": 3}]).to_csv(tmp_path / "typo.csv", index=False)
    with pytest.raises(InputError, match="unknown column"):
        score_answers(tmp_path / "typo.csv")
    pd.DataFrame([{"external_motivators": 3}]).to_csv(tmp_path / "noteam.csv", index=False)
    with pytest.raises(InputError, match="column 'team'"):
        score_answers(tmp_path / "noteam.csv")


SCORING = """\
scale: {min: 1, max: 7}
levels: {qi_team: "QI team", microsystem: "Microsystem"}
factors:
  - {id: team_leadership, level: qi_team, name: "Team leadership", weight: 2, weight_status: published, verified: tool}
  - {id: team_qi_skills, level: qi_team, name: "QI skills", weight: 2, weight_status: published, verified: tool}
  - {id: micro_motivation, level: microsystem, name: "Motivation to change", weight: 1, weight_status: published,
     verified: tool}
"""


def test_own_scoring_file(tmp_path: Path) -> None:
    """A collaborative's own factor list and weights (--scoring) replace the packaged ones."""
    (tmp_path / "scoring.yaml").write_text(SCORING, encoding="utf-8")
    pd.DataFrame([
        {"team": "A", "team_leadership": "6", "team_qi_skills": "3", "micro_motivation": "5"},
        {"team": "B", "team_leadership": "7", "team_qi_skills": "vet ikke", "micro_motivation": "1"},
    ]).to_csv(tmp_path / "answers.csv", index=False)
    scores, rejected = score_answers(tmp_path / "answers.csv", tmp_path / "scoring.yaml")
    a, b = scores.iloc[0], scores.iloc[1]
    # A: 2x6 + 2x3 + 1x5 = 23 of (2+2+1) x 7 = 35 -> 65.7 %; plain mean (6+3+5)/3 = 4.67.
    assert (a["weighted_total"], a["weighted_max"], a["total_percent"], a["mean_score"]) == (23, 35, 65.7, 4.67)
    # B: skills unknown: 2x7 + 1x1 = 15 of (2+1) x 7 = 21 -> 71.4 %; QI-team mean 7.0.
    assert (b["weighted_total"], b["weighted_max"], b["total_percent"], b["n_missing"]) == (15, 21, 71.4, 1)
    assert b["mean_qi_team"] == 7.0 and b["weights"] == "published"
    assert rejected.empty
    # A packaged factor id is unknown to this scoring file: one clear error.
    pd.DataFrame([{"team": "A", "external_motivators": "3"}]).to_csv(tmp_path / "other.csv", index=False)
    with pytest.raises(InputError, match="unknown column"):
        score_answers(tmp_path / "other.csv", tmp_path / "scoring.yaml")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("weight: 2, weight_status: published, verified: tool}\n  - {id: team_qi",
                             "weight: -1, weight_status: published, verified: tool}\n  - {id: team_qi"),
         "factor 1 \\(team_leadership\\): weight must be a positive number"),
        (lambda s: s.replace("level: microsystem, name", "level: micro, name"), "unknown level 'micro'"),
        (lambda s: s.replace("id: team_qi_skills", "id: team_leadership"), "used twice"),
        (lambda s: s.replace(", verified: tool}", "}", 1), "factor 1 must have exactly the fields"),
        (lambda s: s.replace("scale: {min: 1, max: 7}", "scale: {min: 7, max: 1}"), "scale must be"),
        (lambda s: "just text", "needs the keys scale, levels and factors"),
    ],
)
def test_bad_scoring_file(tmp_path: Path, edit, message: str) -> None:
    (tmp_path / "scoring.yaml").write_text(edit(SCORING), encoding="utf-8")
    pd.DataFrame([{"team": "A", "team_leadership": "6"}]).to_csv(tmp_path / "answers.csv", index=False)
    with pytest.raises(InputError, match=message):
        score_answers(tmp_path / "answers.csv", tmp_path / "scoring.yaml")
