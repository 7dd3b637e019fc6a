"""What a validation run found: rows read, used and rejected per table (read = used + rejected).

DESIGN.md, "bad input": the run summary prints rows read = rows used + rows rejected for every
table; ``validation_summary.csv`` holds the same numbers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from forlop.i18n import t

SUMMARY_FILE = "validation_summary.csv"


@dataclass(frozen=True)
class TableCounts:
    """Rows of one table: read = used + rejected."""

    table: str
    rows_read: int
    rows_used: int
    rows_rejected: int


@dataclass
class ValidationSummary:
    """What ``validate_extract`` found and wrote."""

    out_dir: Path
    tables: dict[str, TableCounts]
    id_types: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean_dir(self) -> Path:
        """Folder of the usable rows, ``<table>.parquet``."""
        return self.out_dir / "clean"

    @property
    def rejected_dir(self) -> Path:
        """Folder of the rejected rows, ``<table>.csv`` (only tables with rejected rows)."""
        return self.out_dir / "rejected"

    @property
    def rows_read(self) -> int:
        """Rows read over all tables."""
        return sum(c.rows_read for c in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        """Rows rejected over all tables."""
        return sum(c.rows_rejected for c in self.tables.values())

    def lines(self, lang: str | None = None) -> list[str]:
        """Return the summary for people: one line per table, where the rejected rows are, warnings."""
        lines = [
            t("summary.table_line", lang, table=c.table, read=c.rows_read, used=c.rows_used, rejected=c.rows_rejected)
            for c in self.tables.values()
        ]
        if self.rows_rejected:
            lines.append(t("summary.rejected_where", lang, path=self.rejected_dir))
        lines += [t("extract.warning", lang, text=w) for w in self.warnings]
        lines.append(t("extract.done", lang, path=self.clean_dir, seconds=self.seconds))
        return lines


def write_summary(path: Path, tables: dict[str, TableCounts]) -> None:
    """Write ``validation_summary.csv``: table, rows_read, rows_used, rows_rejected."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["table", "rows_read", "rows_used", "rows_rejected"])
        for c in tables.values():
            writer.writerow([c.table, c.rows_read, c.rows_used, c.rows_rejected])
