"""The LKT Tvang catalogue (004 §2: R1-R2, F1-F4, V1-V4, BU1-BU4) as data."""

from __future__ import annotations

from forlop.qi.catalogue import for_track, indicator, load_catalogue


def test_every_indicator_004_names_is_there() -> None:
    # 004 §2 names R1, R2, F1-F4 (both tracks), V1-V4 (adult), BU1-BU4 (youth): 14 indicators.
    ids = [item.id for item in load_catalogue()]
    assert ids == ["R1", "R2", "F1", "F2", "F3", "F4", "V1", "V2", "V3", "V4", "BU1", "BU2", "BU3", "BU4"]
    assert [i.id for i in for_track("adult")] == ["R1", "R2", "F1", "F2", "F3", "F4", "V1", "V2", "V3", "V4"]
    assert [i.id for i in for_track("youth")] == ["R1", "R2", "F1", "F2", "F3", "F4", "BU1", "BU2", "BU3", "BU4"]


def test_types_directions_and_voluntary() -> None:
    # 004 §2.5: R = "resultatindikatorer", F = "følgeindikatorer", V = "procesindikatorer";
    # 004 §2: V3, V4, BU2, BU3, BU4 are "de frivillige indikatorer".
    assert {indicator(i).type for i in ("R1", "R2")} == {"outcome"}
    assert {indicator(i).type for i in ("F1", "F2", "F3", "F4")} == {"follow_up"}
    assert {indicator(i).type for i in ("V1", "V4", "BU1", "BU4")} == {"process"}
    assert {i.id for i in load_catalogue() if not i.mandatory} == {"V3", "V4", "BU2", "BU3", "BU4"}
    assert indicator("R2").direction == "down" and indicator("V2").direction == "up"
    for item in load_catalogue():
        assert item.name_da and item.name_en and item.numerator and item.source
        assert item.is_proportion == bool(item.denominator)
        assert item.chart == "run" and item.control_chart in ("c", "p")
