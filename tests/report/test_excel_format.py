"""Excel cells keep full values but display the report's rounding; rate cells keep their CI."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from forlop.report.excel import number_format, write_workbook
from forlop.report.tables import PublishedTable


def test_number_format_follows_the_shown_text() -> None:
    assert number_format("59", "nb") == "#,##0"
    assert number_format("58,8", "nb") == "#,##0.0"
    assert number_format("1\u00a0090", "nb") == "#,##0"  # thousands space, no decimals
    assert number_format("3.62", "en") == "#,##0.00"
    assert number_format("1,090", "en") == "#,##0"  # English thousands comma is not a decimal point


def test_workbook_cells(tmp_path: Path) -> None:
    table = PublishedTable(
        id="t",
        title="Tabell",
        source="001",
        definition="",
        headers=[[("", 1), ("Andel", 1), ("Rå rate (95 % KI)", 1)]],
        rows=[["Oslo", "58,8", "3,6 (2,1–5,0)"], ["Finnmark", "–", "–"]],
        numbers=[[58.82352941, None], [None, None]],
        kinds=["data", "data"],
        hidden=2,
    )
    path = write_workbook([table], tmp_path / "t.xlsx", "Forløp", "små tall skjult", "–", "nb")
    ws = load_workbook(path)["t"]
    oslo = ws[6]
    assert oslo[1].value == 58.82352941 and oslo[1].number_format == "#,##0.0"  # full value, shown as 58,8
    assert oslo[2].value == "3,6 (2,1–5,0)"  # the rate with its interval, as in the report
    assert [c.value for c in ws[7]] == ["Finnmark", "–", "–"]
