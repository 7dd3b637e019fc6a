"""Excel export of every published table (issue 4 item 5): one sheet per table.

Each sheet starts with a title row, a source row and a definition row (what the numbers mean and
that hidden cells are small counts), then the header rows and the body. Hidden numbers are
written as the suppression symbol (text), published numbers as numbers, so analysts can work on
them. Uses openpyxl.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from forlop.i18n import format_number, t
from forlop.report.tables import PublishedTable


def _sheet_name(table_id: str, used: set[str]) -> str:
    name = table_id[:31]
    k = 2
    while name in used:
        name = f"{table_id[:28]}_{k}"
        k += 1
    used.add(name)
    return name


def number_format(shown: str, lang: str) -> str:
    """Excel display format with the decimals of the number as the report shows it ("58,8" -> "0.0").

    The cell keeps the full value (analysts can compute on it); only the display is rounded like
    the HTML report (docs/definitions.md "Rounding")."""
    point = format_number(0.5, 1, lang, "")[1]  # the decimal mark of the report's own number format
    digits = shown.rsplit(point, 1)[1] if point in shown else ""
    decimals = len(digits) if digits.isdigit() else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def write_workbook(tables: list[PublishedTable], path: Path, source_text: str, suppression_text: str,
                   symbol: str, lang: str = "nb", sources: list[str] | None = None) -> Path:
    """Write ``tables`` to ``path`` (one sheet each) and return the path.

    ``sources``: the full entries of the publications the tables cite (:func:`forlop.citations.references`),
    written on a last sheet (``report.closing_sources``: "Kilder" / "Sources").
    """
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    src_label = t("report.source", lang)
    def_label = t("report.label.definition", lang)
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.id, used))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append([f"{src_label}: {table.source}. {source_text}"])
        ws.append([f"{def_label}: {(table.definition + ' ') if table.definition else ''}{suppression_text}"])
        ws.append([])
        for header in table.headers:
            row: list[str] = []
            for label, span in header:
                row += [label] + [""] * (span - 1)
            ws.append(row)
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        for cells, nums, kind in zip(table.rows, table.numbers, table.kinds or ["data"] * len(table.rows)):
            out: list[object] = [cells[0]]
            for shown, number in zip(cells[1:], nums):
                out.append(number if number is not None else (symbol if shown == symbol else shown))
            ws.append(out)
            for cell, shown, number in zip(ws[ws.max_row][1:], cells[1:], nums):
                if number is not None:
                    cell.number_format = number_format(shown, lang)
            if kind in ("total", "heading"):
                for cell in ws[ws.max_row]:
                    cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 48
        for j in range(2, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(j)].width = 14
        for r in (1, 2, 3):
            ws.cell(row=r, column=1).alignment = Alignment(wrap_text=False)
    if sources:
        ws = wb.create_sheet(_sheet_name(t("report.closing_sources", lang), used))
        ws.append([t("report.closing_sources", lang)])
        ws["A1"].font = Font(bold=True)
        for entry in sources:
            ws.append([entry])
        ws.column_dimensions["A"].width = 120
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
