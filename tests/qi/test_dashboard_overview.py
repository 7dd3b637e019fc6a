"""The dashboard's overview agrees with each panel's reading: a hand-made collaborative of two
teams whose series are built to give one overview status each (reading.py rules)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import pytest

from forlop.qi.dashboard import SYMBOLS, build_dashboard
from forlop.qi.importer import DATA_FILE, TEAMS_FILE
from forlop.qi.reading import STATUSES

MONTHS = pd.date_range("2020-01-01", periods=24, freq="MS")  # 2020-01..2021-12


def _series(
    team: str, indicator: str, values: list[int], months: pd.DatetimeIndex = MONTHS, denominator: int | None = None
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team": team,
            "indicator": indicator,
            "month": months[-len(values) :],
            "numerator": values,
            "denominator": denominator,
        }
    )


@pytest.fixture(scope="module")
def collaborative(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qi_overview")
    data = pd.concat(
        [
            # Team A (adult) starts January 2021: baseline = the 12 months of 2020, frozen median.
            # R1 and R2: baseline alternates 5, 7 (median 6); then twelve 3s (R1) or twelve 9s (R2).
            # 24 useful points, limit round(log2(24)) + 3 = 8. R1: longest run 12 below (the 3s,
            # 2021-01..2021-12): shift below the median since January 2021. R2: the baseline's last
            # 7 (December 2020) is above too, so the run is 13 long: shift above since December 2020.
            # Both reach the last month; desired direction down -> R1 improvement, R2 worsening.
            _series("Team A", "R1", [5, 7] * 6 + [3] * 12),
            _series("Team A", "R2", [5, 7] * 6 + [9] * 12),
            # F1: 5, 7 alternating all 24 months: 23 crossings, longest run 1 -> no signal.
            _series("Team A", "F1", [5, 7] * 12),
            # F2: only July..December 2021 reported: 6 points < 12 -> too few.
            _series("Team A", "F2", [1, 2, 3, 4, 5, 6]),
            # F3, F4, V1-V4: nothing reported -> no data. Team B (youth) reports BU1 for 3 months.
            _series("Team B", "BU1", [1, 1, 2], denominator=4),
        ],
        ignore_index=True,
    )
    data.to_parquet(out / DATA_FILE, index=False)
    teams = pd.DataFrame(
        {
            "team": ["Team A", "Team B"],
            "track": ["adult", "youth"],
            "start_month": pd.to_datetime(["2021-01-01", "2021-06-01"]),
            "file": ["a.xlsx", "b.xlsx"],
        }
    )
    teams.to_parquet(out / TEAMS_FILE, index=False)
    return out


def _cells(result: dict, team: str) -> dict[str, dict]:
    row = next(r for r in result["overview"] if r["team"] == team)
    return dict(zip(result["indicator_ids"], row["cells"]))


def test_overview_cells_show_each_panels_signal(collaborative: Path) -> None:
    result = build_dashboard(collaborative, collaborative / "nb.html", lang="nb")
    # Columns: the indicators with data in some team, in catalogue order.
    assert result["indicator_ids"] == ["R1", "R2", "F1", "F2", "BU1"]
    cells = _cells(result, "Team A")
    assert cells["R1"] == {
        "status": "improvement",
        "symbol": "▲",
        "text": "ikke-tilfeldig variasjon: skift under medianen siden januar 2021",
    }
    assert cells["R2"] == {
        "status": "worsening",
        "symbol": "▼",
        "text": "ikke-tilfeldig variasjon: skift over medianen siden desember 2020",
    }
    assert cells["F1"] == {"status": "random", "symbol": "○", "text": "tilfeldig variasjon"}
    assert cells["F2"] == {
        "status": "too_few",
        "symbol": "<12",
        "text": "for få datapunkter (6) til å vurdere variasjon (minst 12)",
    }
    assert cells["BU1"] == {
        "status": "other_track",
        "symbol": "",
        "text": "tom celle: indikatoren hører til det andre sporet",
    }
    team_b = _cells(result, "Team B")
    # R1 is measured in the youth track too, but Team B reported none of it.
    assert team_b["R1"] == {"status": "none", "symbol": "–", "text": "ingen data for indikatoren"}
    assert team_b["BU1"]["status"] == "too_few"
    # The overview cell of Team A's R1 in the page: the symbol with the reading as its tooltip.
    html = (collaborative / "nb.html").read_text(encoding="utf-8")
    assert (
        '<td class="improvement" title="ikke-tilfeldig variasjon: skift under medianen siden januar 2021">▲</td>'
        in html
    )


def test_legend_lists_the_symbols_that_can_occur(collaborative: Path) -> None:
    # Every reading status and the two cells without a reading have a symbol of their own.
    assert set(SYMBOLS) == {*STATUSES, "none", "other_track"}
    assert len(set(SYMBOLS.values())) == len(SYMBOLS)
    build_dashboard(collaborative, collaborative / "en.html", lang="en")
    html = (collaborative / "en.html").read_text(encoding="utf-8")
    legend = html.split('id="legend"')[1].split("</div>")[0]
    assert legend.count("<li>") == len(SYMBOLS)
    for status, symbol in SYMBOLS.items():
        assert f'<span class="symbol {status}">{escape(symbol)}</span>' in legend
    # Every chart is a run chart: no 3-sigma limits are mentioned.
    assert "sigma" not in legend and "All charts are run charts." in legend
    assert "no signal (random variation)" in legend and "fewer than 12" in legend


def test_indicator_names_follow_the_language(collaborative: Path) -> None:
    build_dashboard(collaborative, collaborative / "en.html", lang="en")
    english = (collaborative / "en.html").read_text(encoding="utf-8")
    assert "<strong>R1</strong> Unique patients compulsorily admitted: non-random variation" in english
    assert "tvangsindlægges" not in english
    build_dashboard(collaborative, collaborative / "da.html", lang="da")
    danish = (collaborative / "da.html").read_text(encoding="utf-8")
    # No Norwegian names in the catalogue: nb and da both show the Danish name (catalogue.py).
    assert "<strong>R1</strong> Antal unikke patienter, der tvangsindlægges: ikke-tilfældig variation" in danish
    build_dashboard(collaborative, collaborative / "nb.html", lang="nb")
    norwegian = (collaborative / "nb.html").read_text(encoding="utf-8")
    assert "<strong>R1</strong> Antal unikke patienter, der tvangsindlægges: ikke-tilfeldig variasjon" in norwegian


def test_indicator_part_is_the_panel_of_team_section() -> None:
    """The web application's per-indicator part reads as the dashboard's team section reads (the series of Team A
    above: R1 improvement, R2 worsening, F1 random), and its figure is one panel with the indicator's title."""
    from forlop.qi.catalogue import indicator
    from forlop.qi.dashboard import indicator_part, team_section

    series = pd.concat(
        [
            _series("Team A", "R1", [5, 7] * 6 + [3] * 12),
            _series("Team A", "R2", [5, 7] * 6 + [9] * 12),
            _series("Team A", "F1", [5, 7] * 12),
        ]
    )
    start = pd.Timestamp("2021-01-01")
    section = team_section("Team A", series, "adult", start, "en")
    expected = {"R1": "improvement", "R2": "worsening", "F1": "random"}
    assert {row["id"] for row in section["readings"]} == set(expected)
    for row in section["readings"]:
        part = indicator_part(series[series["indicator"] == row["id"]], indicator(row["id"]), start, "en")
        assert part["reading"] == row
        assert part["reading"]["status"] == expected[row["id"]]
        assert part["figure"].count("Plotly.newPlot(") == 1
        assert f'"text":"{row["id"]} ' in part["figure"].replace(": ", ":")
