"""``forlop survey analyse`` end to end on the small synthetic survey: raking, weighted.csv, units.csv.

The small synthetic survey (``forlop survey synth --scale small``) has every unit of 002 with a few
respondents each, so it exercises the raking and the unit comparison as the national run does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli import forlop


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("survey_e2e")
    assert forlop("survey", "synth", "--seed", "1", "--scale", "small", "--out", str(base / "data")).exit_code == 0
    result = forlop("survey", "analyse", "--data", str(base / "data"), "--out", str(base / "out"), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stdout
    return base


def test_raked_weights_add_up_to_the_frame_of_each_sector(analysed: Path) -> None:
    frame = pd.read_parquet(analysed / "data" / "survey_frame.parquet")
    people = pd.read_parquet(analysed / "out" / "respondents.parquet")
    totals = people.groupby("sector")["weight"].sum()
    expected = frame.groupby("sector").size()
    for sector in ("PHV", "TSB", "AS"):
        assert totals[sector] == pytest.approx(expected[sector], rel=1e-9)
    # and each margin: women in PHV weigh up to the women of PHV's frame
    women = people[(people["sector"] == "PHV") & (people["sex"] == "F")]["weight"].sum()
    assert women == pytest.approx(((frame["sector"] == "PHV") & (frame["sex"] == "F")).sum(), rel=1e-4)


def test_weighted_file_has_both_designs_for_every_score_and_sector(analysed: Path) -> None:
    weighted = pd.read_csv(analysed / "out" / "weighted.csv")
    assert len(weighted) == 5 * 3 * 2  # STAR, CONTINUITY9, U1-U3 x PHV, TSB, AS x unweighted, raked
    assert set(weighted["design"]) == {"unweighted", "raked"}
    pairs = weighted.pivot_table(index=["score", "sector"], columns="design", values="n")
    assert (pairs["raked"] == pairs["unweighted"]).all()  # the same respondents, only the weights differ
    assert ((weighted["ci_high"] - weighted["ci_low"]) > 0).all()


def test_units_are_compared_within_phv_and_tsb_only(analysed: Path) -> None:
    units = pd.read_csv(analysed / "out" / "units.csv")
    assert set(units["sector"]) == {"PHV", "TSB"}  # AS has no units (DESIGN.md)
    assert set(units["flag"]) <= {"higher", "lower", "as_expected", "too_few"}
    few = units[units["n"] < 30]
    assert (few["flag"] == "too_few").all() and few["adjusted"].isna().all()
    estimated = units[units["flag"] != "too_few"]
    assert len(estimated) > 0
    gap = estimated["adjusted"] - (estimated["observed"] - estimated["expected"])
    spread = gap.groupby([estimated["score"], estimated["sector"]]).agg(lambda g: g.max() - g.min())
    assert (spread < 1e-9).all()  # adjusted = national mean + observed - expected, one national mean per model
    funnel = pd.read_csv(analysed / "out" / "units_funnel.csv")
    assert set(funnel["sector"]) == {"PHV", "TSB"} and (funnel["hi95"] > funnel["lo95"]).all()
