"""The report's labels come from messages.yaml (``report.label.*``), not from literals in the code.

Working agreement (notes/common.md): texts for people are ``forlop.i18n.t(key, lang)`` with the
texts in src/forlop/messages.yaml, Norwegian (Bokmål) by default and English with ``--lang en``.
"""

from __future__ import annotations

import ast
import re
import shutil
import string
from pathlib import Path

import pytest
import yaml

from forlop.report.build import build_report

SRC = Path(__file__).resolve().parents[2] / "src" / "forlop"
FIXTURE = Path(__file__).parent / "fixtures" / "results"
KEY = re.compile(r"""["'](report\.label\.[A-Za-z0-9_.]+)["']""")
LANGUAGE_CODES = {"nb", "en", "da"}

# The labels moved from the code, in Norwegian and English, as the fixture report shows them
# (with a row for unknown residence and the page for Oslo, see ``pages``).
MOVED = {
    "Alle pasienter": "All patients",
    "Hele landet": "Norway",
    "Bosted ukjent": "Residence unknown",
    "Region / helsefellesskap": "Region / health community",
    "«Hele landet» er hele utvalget (som tabell 1), også pasienter med ukjent bosted.": (
        "“Norway” is the whole cohort (as table 1), patients with unknown residence included."
    ),
    "Øvrige diagnoser": "Other diagnoses",
    "Utvalgstrinn": "Selection step",
    "Personer": "Persons",
    "Dager": "Days",
    "Helsefellesskap": "Health community",
    "Antall pasienter (nevner)": "Number of patients (denominator)",
    "95 %-grense": "95% limit",
    "99,8 %-grense": "99.8% limit",
    "Tabell H1. Oslo sammenlignet med Helse Sør-Øst og hele landet: indikatorene i kapittel 8.": (
        "Table H1. Oslo compared with South-Eastern Norway RHA and Norway: the indicators of chapter 8."
    ),
    "Figur H1. Andeler (%) i Oslo, Helse Sør-Øst og hele landet.": (
        "Figure H1. Shares (%) in Oslo, South-Eastern Norway RHA and Norway."
    ),
}


def _messages() -> dict[str, dict[str, str]]:
    return yaml.safe_load((SRC / "messages.yaml").read_text(encoding="utf-8"))


def _used_keys() -> set[str]:
    return {key for path in SRC.rglob("*.py") for key in KEY.findall(path.read_text(encoding="utf-8"))}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_key_in_the_code_has_nb_and_en_with_the_same_fields() -> None:
    messages = _messages()
    used = _used_keys()
    assert len(used) >= 20  # the report uses its labels through t(); an empty set means the regex broke
    for key in sorted(used):
        assert key in messages, key
        entry = messages[key]
        assert entry.get("nb") and entry.get("en"), key
        assert _fields(entry["nb"]) == _fields(entry["en"]), key


def test_every_label_key_in_messages_is_used() -> None:
    defined = {key for key in _messages() if key.startswith("report.label.")}
    assert defined - _used_keys() == set()


def _inline_texts(path: Path) -> list[str]:
    """Lines with a text literal chosen by language, e.g. ``"Alle pasienter" if lang == "nb" else ...``
    (a conditional expression on ``lang`` with a string or f-string branch that is not a language code)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.IfExp) and any(isinstance(n, ast.Name) and n.id == "lang"
                                                     for n in ast.walk(node.test))):
            continue
        for branch in (node.body, node.orelse):
            if isinstance(branch, ast.JoinedStr) or (isinstance(branch, ast.Constant) and isinstance(branch.value, str)
                                                     and branch.value not in LANGUAGE_CODES):
                found.append(f"{path.name}:{node.lineno}")
                break
    return found


def test_no_language_chosen_literal_left_in_report_coercion_qi() -> None:
    # Before the labels moved to messages.yaml this found 30 (e.g. figures.py: 14, tables.py: 7).
    files = [p for d in ("report", "coercion", "qi") for p in sorted((SRC / d).glob("*.py"))]
    assert [hit for p in files for hit in _inline_texts(p)] == []


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The fixture report for Oslo in nb and en. The copy of the fixture adds a region 'missing'
    with 0 patients (the regions still add up to 166), so that table A has its 'unknown
    residence' row; and, as the engine writes it, the health community 'missing' beside it."""
    root = tmp_path_factory.mktemp("labels")
    results = root / "results"
    shutil.copytree(FIXTURE, results)
    with (results / "indicators.csv").open("a", encoding="utf-8") as handle:
        handle.write("patients,region,missing,0,,0,count,,\npatients,health_community,missing,0,,0,count,,\n")
    out = {}
    for lang in ("nb", "en"):
        result = build_report(results, root / f"{lang}.html", lang=lang, health_community="Oslo")
        out[lang] = result.html.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize(("nb", "en"), MOVED.items(), ids=list(MOVED))
def test_labels_in_the_language_of_the_report(pages: dict[str, str], nb: str, en: str) -> None:
    assert nb in pages["nb"]
    assert nb not in pages["en"]
    assert en in pages["en"]
