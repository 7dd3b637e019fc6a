"""The 002 questionnaire as data (reading guide 002-survey.md §2-3), and one line for a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from forlop.errors import InputError
from forlop.survey import load
from forlop.survey.questionnaire import DEFAULT_PATH

OURS = {"H8G", "K4b"}  # ids the reading guide does not give: the AS-only item and K4's admission follow-up


def test_item_counts_of_the_reading_guide() -> None:
    q = load()
    guide = [i for i in q.items if i.id not in OURS]
    questions: dict[str, set[str]] = {}
    for item in guide:
        questions.setdefault(item.section, set()).add(item.question)
    # H1-H11, I1-I5, U1-U3, M1-M7, F1-F4, R1-R12 (STAR-P), K1-K11, C1-C12 (CONTINU-UM), L1-L8 + L6b, B1-B6
    assert {s: len(v) for s, v in questions.items()} == {
        "H": 11, "I": 5, "U": 3, "M": 7, "F": 4, "R": 12, "K": 11, "C": 12, "L": 9, "B": 6,
    }  # fmt: skip
    # one column per row of H1, F1, L7, L8: 80 questions, 84 columns; with ours 86
    assert len(guide) == 84 and len(q.items) == 86
    assert [i.id for i in q.items if i.question == "H1"] == ["H1a", "H1b"]
    assert [i.id for i in q.items if i.question == "L8"] == ["L8a", "L8b"]
    assert [i.id for i in q.items if i.type == "multiple"] == ["K4", "K4b", "L6"]
    assert [i.id for i in q.items if i.type == "text"] == ["H4", "L6b"]
    assert not any(q.item(i).published for i in ("H4", "L6b")) and q.item("H5").published
    assert [i.id for i in q.items if not i.reported] == ["F1a", "F1b", "K5", "L1", "L2", "L5"]  # guide §8.7
    assert q.item("H9").column == "chosen_sector"


def test_filters_as_listed() -> None:
    q = load()
    filters = {i.id: (i.filter.item, i.filter.codes) for i in q.items if i.filter}
    assert filters == {
        "H11": ("H10", (1,)),  # only after H10 = Ja
        "M2": ("M1", (1,)),
        "M3": ("M1", (1,)),
        "F4": ("F3", (1,)),
        "K4b": ("K4", (14,)),  # admission kinds after "Innleggelse i sykehus"
        "L8a": ("L7a", (1, 2, 3)),  # L7 not "Ikke relevant" (4)
        "L8b": ("L7b", (1, 2, 3)),
    }
    assert q.item("L7a").option(4).special == "not_relevant"


def test_indices_and_reverse_items() -> None:
    q = load()
    star = q.indices["STAR"]
    assert star.items == tuple(f"R{i}" for i in range(1, 13)) and star.reverse == ("R4", "R7", "R9")
    assert (star.low, star.high, star.score) == (0, 4, "mean")
    assert q.item("R4").codes == (0, 1, 2, 3, 4)
    continuity = q.indices["CONTINUITY"]
    assert continuity.items == tuple(f"C{i}" for i in range(1, 13)) and (continuity.low, continuity.high) == (1, 5)
    assert set(continuity.items) - set(continuity.reverse) == {"C4", "C6", "C12"}
    assert q.item("C1").option(6).special == "not_relevant" and q.item("C12").codes == (1, 2, 3, 4, 5)
    nine = q.indices["CONTINUITY9"]
    assert set(continuity.items) - set(nine.items) == {"C5", "C6", "C10"}
    assert (nine.score, nine.min_items) == ("sum", 9)


def test_special_options_and_the_as_form() -> None:
    q = load()
    assert [o.special for o in q.item("K8").options] == [None, "not_relevant", None, "dont_know", "not_offered"]
    assert [o.special for o in q.item("I1").options] == [None, None, "dont_know", "not_relevant"]
    assert q.item("H5").codes_on("PHV_TSB") == (1, 2, 3, 4)
    assert q.item("H5").codes_on("AS") == (1, 2, 3, 5, 6, 7)
    assert {o.code: o.harmonised for o in q.item("H6").options if o.harmonised} == {5: 4, 6: 4}
    assert q.item("H8G").forms == ("AS",) and q.item("K4").option(16).forms == ("AS",)
    assert q.item("H1a").codes_on("AS") == (1, 2, 3, 4) and q.item("H1a").codes_on("PHV_TSB") == (1, 2, 3)
    assert "psykolog/psykiater" in q.item("K3").form_text["AS"].nb


def _raw() -> dict:
    return yaml.safe_load((Path(__file__).parents[2] / "src/forlop/survey" / DEFAULT_PATH).read_text("utf-8"))


def _items(raw: dict) -> dict[str, dict]:
    return {spec["id"]: spec for spec in raw["items"]}


def _break_duplicate(raw: dict) -> None:
    raw["items"].append(dict(_items(raw)["U1"]))


def _break_filter_target(raw: dict) -> None:
    _items(raw)["H11"]["filter"] = {"item": "H99", "in": [1]}


def _break_filter_later(raw: dict) -> None:
    _items(raw)["M2"]["filter"] = {"item": "M3", "in": [1]}


def _break_filter_code(raw: dict) -> None:
    _items(raw)["F4"]["filter"] = {"item": "F3", "in": [7]}


def _break_option_code(raw: dict) -> None:
    del _items(raw)["B3"]["options"][1]["code"]


def _break_duplicate_code(raw: dict) -> None:
    _items(raw)["B3"]["options"][2]["code"] = 1


def _break_reverse(raw: dict) -> None:
    raw["indices"]["STAR"]["reverse"].append("C4")


def _break_index_item(raw: dict) -> None:
    raw["indices"]["STAR"]["items"].append("K4")


def _break_index_range(raw: dict) -> None:
    raw["indices"]["STAR"]["range"] = [1, 4]  # R items are coded 0-4


def _break_unknown_field(raw: dict) -> None:
    _items(raw)["U2"]["filtre"] = {"item": "U1", "in": [1]}


def _break_scale(raw: dict) -> None:
    _items(raw)["U3"]["scale"] = "S7"


@pytest.mark.parametrize(
    ("breaker", "where", "what"),
    [
        (_break_duplicate, "item U1", "already used by item U1"),
        (_break_filter_target, "item H11", "'H99', which is not an earlier item"),
        (_break_filter_later, "item M2", "'M3', which is not an earlier item"),
        (_break_filter_code, "item F4", "filter code 7 is not an option of F3"),
        (_break_option_code, "item B3", "option 'Videregående skole' has no code"),
        (_break_duplicate_code, "item B3", "code 1 is used twice"),
        (_break_reverse, "index STAR", "reverse-scored item C4 is not one of the index's items"),
        (_break_index_item, "index STAR", "'K4' is not a single-choice item"),
        (_break_index_range, "index STAR", "R1: code 0 lies outside 1–4"),
        (_break_unknown_field, "item U2", "unknown field 'filtre'"),
        (_break_scale, "item U3", "scale 'S7' is not among the scales"),
    ],
)
def test_a_bad_questionnaire_is_one_line(tmp_path: Path, breaker, where: str, what: str) -> None:
    raw = _raw()
    breaker(raw)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path, lang="en")
    message = str(caught.value)
    assert message.startswith(f"{path}: {where}: ") and what in message and "\n" not in message


def test_a_missing_or_broken_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"mine\.yaml"):
        load(tmp_path / "mine.yaml", lang="en")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="the questionnaire: must be an entry with named fields"):
        load(tmp_path / "list.yaml", lang="en")
