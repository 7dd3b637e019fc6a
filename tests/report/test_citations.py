"""Citations a reader sees name the publication (src/forlop/publications.yaml), never a seed file's key.

The key (000-004) and part of the short form become "author year, «short title», part" in the
reader's language; the full title is in the list of sources at the end of each HTML page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forlop.citations import cite, cite_text, references
from forlop.qi.dashboard import build_dashboard
from forlop.report.build import build_report
from tests.coercion.test_report import trial_out  # noqa: F401 (fixture)
from tests.qi.test_dashboard_overview import collaborative  # noqa: F401 (fixture)

FIXTURE = Path(__file__).parent / "fixtures" / "results"
SHORT_001 = "Helsedirektoratet 2023, «Forløp etter døgnbehandling i psykisk helsevern»"
FULL_001 = "Helsedirektoratet (2023): Forløp etter døgnbehandling i psykisk helsevern for pasienter med alvorlige " \
           "psykiske lidelser"
# A key as a word of its own, not inside a number ("10 000", "0,001"): the reader would see a file name.
BARE = re.compile(r"(?<![\d.,])(?<!\d )(?<!\d\u00a0)\b00[0-4]\b")
SHORT_FORM = re.compile(r"\b00[0-4] (?:tabell|table|figur|figure|kapittel|chapter|§)|\(00[0-4]\)|00[0-4] §")


def test_cite_names_the_publication_and_the_part_in_the_readers_language() -> None:
    assert cite("001 tabell 2", "nb") == f"{SHORT_001}, tabell 2"
    assert cite("001 table 2", "nb") == f"{SHORT_001}, tabell 2"
    assert cite("001 tabell 2", "en") == ("Helsedirektoratet 2023, “Forløp etter døgnbehandling i psykisk helsevern”, "
                                          "table 2")
    assert cite("001 §4.1", "nb") == f"{SHORT_001}, avsnitt 4.1"
    assert cite("001 figur 14", "en").endswith(", figure 14")
    assert cite("004 §2", "en") == "LKT Tvang 2022, “Statusrapport”, section 2"
    assert cite("004 §2", "da") == "LKT Tvang 2022, »Statusrapport«, afsnit 2"
    assert cite("001 tabell 13 og 14", "en").endswith(", table 13 and 14")
    assert cite("001 §4.6, §5, §6.3", "nb").endswith(", avsnitt 4.6, 5, 6.3")  # one word for a run of sections
    assert cite("001 tabell 2", "nb", full=True) == f"{FULL_001}, tabell 2"
    with pytest.raises(ValueError):
        cite("009 tabell 2")


def test_cite_text_replaces_references_but_not_numbers() -> None:
    used: set[str] = set()
    text = cite_text("Per 10 000 voksne (001 §4.2, tall i teksten); p < 0,001; 004 §2.", "nb", used=used)
    assert text == (f"Per 10 000 voksne ({SHORT_001}, avsnitt 4.2, tall i teksten); p < 0,001; "
                    "LKT Tvang 2022, «Statusrapport», avsnitt 2.")
    assert used == {"001", "004"}
    assert references(used, "nb") == [
        f"{FULL_001}. Styringsinformasjon til helsefellesskapene. https://www.helsedirektoratet.no/rapporter/"
        "forlop-etter-dognbehandling-i-psykisk-helsevern-for-pasienter-med-alvorlige-psykiske-lidelser.",
        "LKT Tvang (2022): LKT Tvang – statusrapport. LKT Tvang, projektledelse Region Nordjylland.",
    ]


def _reader_text(html: str) -> str:
    """The page without scripts and styles (plotly.js holds numbers like 0.001)."""
    return re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)


def _assert_no_bare_reference(html: str) -> None:
    text = _reader_text(html)
    hits = [text[max(m.start() - 40, 0):m.end() + 40] for m in BARE.finditer(text)]
    assert hits == []
    assert SHORT_FORM.search(html) is None  # nor inside a figure's JSON


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_html_cites_publications_not_seed_files(tmp_path: Path, lang: str) -> None:
    build_report(FIXTURE, tmp_path / "r.html", lang=lang)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    _assert_no_bare_reference(html)
    # first mention (subtitle) in full, the rest short, the list of sources at the end
    assert f"etter {FULL_001}, kapittel 4–8 og vedlegg tabell A" in html or lang == "en"
    assert f"after {FULL_001}, chapter 4–8 and annex table A" in html or lang == "nb"
    if lang == "nb":
        assert f"Kilde: {SHORT_001}, tabell 2" in html.replace("&laquo;", "«").replace("&raquo;", "»")
    sources = html.split('id="sources"', 1)[1]
    assert f"{FULL_001}. Styringsinformasjon til helsefellesskapene." in sources


def test_qi_dashboard_cites_the_lkt_tvang_report(collaborative: Path) -> None:  # noqa: F811
    build_dashboard(collaborative, collaborative / "cite.html", lang="nb")
    html = (collaborative / "cite.html").read_text(encoding="utf-8")
    _assert_no_bare_reference(html)
    assert "(prosjektperioden, LKT Tvang 2022, «Statusrapport», avsnitt 2)" in html
    assert "LKT Tvang (2022): LKT Tvang – statusrapport." in html.split('id="sources"', 1)[1]


def test_coercion_report_cites_the_recon_trial(trial_out: Path) -> None:  # noqa: F811
    html = (trial_out / "report.html").read_text(encoding="utf-8")
    _assert_no_bare_reference(html)
    assert "ReCoN trial (2025): Can primary mental health services impact levels of involuntary admissions?" in html


def test_cli_help_texts_name_no_seed_file() -> None:
    import typer

    from forlop.cli import app

    command = typer.main.get_command(app)
    texts: list[str] = []

    def collect(cmd) -> None:  # noqa: ANN001
        texts.append(cmd.help or "")
        texts.extend(getattr(p, "help", "") or "" for p in cmd.params)
        for sub in getattr(cmd, "commands", {}).values():
            collect(sub)

    collect(command)
    assert len(texts) > 20
    hits = [text for text in texts if BARE.search(text)]
    assert hits == []


def test_every_doc_explains_the_keys_it_uses() -> None:
    """docs/ (for analysts) keep the short keys; each doc lists the publications they stand for, from the list."""
    from forlop.citations import markdown_sources

    root = Path(__file__).parents[2]
    docs = sorted((root / "docs").glob("*.md")) + [root / "README.md"]
    assert len(docs) >= 6
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        keys = set(BARE.findall(text))
        if keys:
            assert "\n".join(markdown_sources(keys)) in text, doc.name
