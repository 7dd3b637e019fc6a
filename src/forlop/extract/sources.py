"""Find and open the files of an extract: one ``<table>.parquet`` or ``<table>.csv`` per table.

Rules (DESIGN.md, "Input contract"): a CSV is UTF-8 with a header row and ',' between fields
(';' separates the values inside a list column). A missing table, a missing column, an empty file,
a CSV that is not UTF-8 or cannot be parsed, and a Parquet file that cannot be read stop the run
with one line (``InputError``): the file, the column if any, and what is wrong.

A CSV in another encoding (``forlop validate --encoding cp1252``: what Excel on a Norwegian machine
saves as plain "CSV") is first written as UTF-8 to a temporary file, which is then read as any other
(DuckDB's ``read_csv`` decodes only UTF-8, UTF-16 and Latin-1, and its Latin-1 refuses bytes
0x80-0x9F, where Windows-1252 has letters such as '€' and 'š'). A header with ';' and no ',' is
not switched to ';': the contract keeps ';' for list values, so the file stops with a message.

Each table becomes a DuckDB view ``src_<table>``: the file's own columns as they are, plus
``__row``, the 1-based number of the data row in the file (the header is not counted; DuckDB
skips blank lines, so they are not rows either).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from forlop.errors import InputError
from forlop.extract.contract import Table
from forlop.i18n import t

_CHUNK = 1 << 24


@dataclass
class Source:
    """One opened table: where it came from and how its columns map to the contract."""

    table: str
    path: Path
    kind: str
    view: str
    columns: dict[str, str]
    types: dict[str, str]
    extra: list[str]
    rows: int
    read_path: Path | None = None  # the UTF-8 copy of a CSV in another encoding; None: read ``path``

    @property
    def file(self) -> Path:
        """The file to read: ``path``, or its UTF-8 copy."""
        return self.read_path or self.path


def sql_text(value: str) -> str:
    """Return ``value`` as an SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The single row of an aggregate query (without GROUP BY it always returns exactly one)."""
    row = con.execute(sql).fetchone()
    if row is None:  # pragma: no cover - a broken invariant, not bad input
        raise RuntimeError(f"no row from: {sql}")
    return row


def find_file(data_dir: Path, table: str, lang: str | None) -> Path:
    """Return the one file of ``table`` in ``data_dir``; a missing table or two files are fatal."""
    found = [p for p in (data_dir / f"{table}.parquet", data_dir / f"{table}.csv") if p.is_file()]
    if not found:
        raise InputError(str(data_dir / f"{table}.parquet|.csv"), t("extract.missing_table", lang, table=table))
    if len(found) > 1:
        raise InputError(str(found[1]), t("extract.two_files", lang, other=found[0].name))
    return found[0]


def check_utf8(path: Path, lang: str | None, encoding: str = "utf-8", copy_to: Path | None = None) -> None:
    """Stop with the byte offset and line of the first byte that is not UTF-8 (DESIGN.md: CSV is UTF-8),
    or not ``encoding``; with ``copy_to``, also write the decoded text there as UTF-8.

    Python's own decoder reads the file in 16 MB chunks; a sequence cut by a chunk border
    is carried over by the incremental decoder, so the offset is exact.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    utf8 = codecs.lookup(encoding).name == "utf-8"
    offset = 0
    newlines = 0
    with path.open("rb") as handle, (copy_to.open("w", encoding="utf-8", newline="") if copy_to
                                     else contextlib.nullcontext()) as copy:
        while True:
            chunk = handle.read(_CHUNK)
            buffered = decoder.getstate()[0]  # the start of a character cut by the chunk border
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:  # error.start counts from the start of buffered + chunk
                line = newlines + chunk.count(b"\n", 0, max(0, error.start - len(buffered))) + 1
                bad = (buffered + chunk)[error.start:error.start + 1]
                raise InputError(str(path), t("extract.encoding" if utf8 else "extract.not_encoding", lang,
                                              offset=offset - len(buffered) + error.start, line=line,
                                              byte=bad.hex(), encoding=encoding)) from None
            if copy is not None:
                copy.write(text)
            if not chunk:
                return
            newlines += chunk.count(b"\n")
            offset += len(chunk)


def read_header(path: Path, lang: str | None, shown: Path | None = None) -> list[str]:
    """Return the column names of a CSV's header row (stripped); an empty file is fatal.

    ``shown``: the file to name in a message (the user's file, when ``path`` is its UTF-8 copy).
    A header with ';' and no ',' stops: the file seems ';'-separated (Excel on a Norwegian machine).
    """
    shown = shown or path
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except csv.Error as error:  # e.g. a NUL byte
        raise InputError(str(shown), t("extract.unreadable", lang, detail=str(error))) from None
    if not header or all(not h.strip() for h in header):
        raise InputError(str(shown), t("extract.empty_file", lang))
    if len(header) == 1 and ";" in header[0]:
        raise InputError(str(shown), t("extract.separator", lang), example=header[0][:60])
    names = [h.strip() for h in header]
    seen = set()
    for name in names:
        if name.lower() in seen:
            raise InputError(str(shown), t("extract.duplicate_column", lang), column=name)
        seen.add(name.lower())
    return names


def _csv_error(error: Exception) -> str:
    """Return the useful first lines of a DuckDB CSV error as one line."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    keep = []
    for ln in lines:
        if ln.startswith("Possible fixes"):
            break
        keep.append(ln.replace("Invalid Input Error: ", ""))
    return " | ".join(keep[:4])


def _has_data_row(path: Path) -> bool:
    """Return True when a CSV has a record after its header (blank lines are not records)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            return any(any(field.strip() for field in record) for record in reader)
    except csv.Error:
        return True  # there is something after the header; DuckDB will say what is wrong with it


def open_source(con: duckdb.DuckDBPyConnection, data_dir: Path, table: Table, lang: str | None,
                encoding: str = "utf-8", utf8_dir: Path | None = None) -> Source:
    """Find ``table``'s file and check it can be read and has every contract column (fatal otherwise).

    A Parquet file becomes the view ``src_<table>`` at once; a CSV is only checked here (encoding,
    header) and loaded by ``load_source`` when its turn comes, so one big CSV at a time is in memory.
    A CSV in an ``encoding`` other than UTF-8 is copied as UTF-8 into ``utf8_dir`` and read from there.
    """
    path = find_file(data_dir, table.name, lang)
    if path.stat().st_size == 0:
        raise InputError(str(path), t("extract.empty_file", lang))
    view = f"src_{table.name}"
    read_path = None
    if path.suffix == ".csv":
        if codecs.lookup(encoding).name != "utf-8":
            read_path = Path(utf8_dir or path.parent) / f".{table.name}.utf-8.csv"
        check_utf8(path, lang, encoding, read_path)
        names = read_header(read_path or path, lang, shown=path)
        types = dict.fromkeys(names, "VARCHAR")
        rows = 1 if _has_data_row(read_path or path) else 0  # counted exactly once loaded
    else:
        try:
            con.execute(
                f"CREATE OR REPLACE VIEW {view} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS __row FROM read_parquet({sql_text(str(path))}, file_row_number=true)"
            )
            types = {row[0]: row[1] for row in con.execute(f"DESCRIBE {view}").fetchall() if row[0] != "__row"}
            rows = one_row(con, f"SELECT count(*) FROM {view}")[0]
        except duckdb.Error as error:
            raise InputError(str(path), t("extract.unreadable", lang, detail=str(error).strip().splitlines()[0].strip())) from None
        names = list(types)
    by_lower = {n.lower(): n for n in names}
    columns = {}
    for column in table.columns:
        if column.name.lower() not in by_lower:
            raise InputError(str(path), t("extract.missing_column", lang, found=", ".join(names)),
                             column=column.name)
        columns[column.name] = by_lower[column.name.lower()]
    wanted = {c.name.lower() for c in table.columns}
    extra = [n for n in names if n.lower() not in wanted]
    return Source(table=table.name, path=path, kind=path.suffix[1:], view=view, columns=columns,
                  types={c: types[s] for c, s in columns.items()}, extra=extra, rows=rows, read_path=read_path)


def load_source(con: duckdb.DuckDBPyConnection, source: Source, lang: str | None) -> None:
    """Make ``src_<table>`` of a CSV (all columns as text) and count its rows; Parquet is already there."""
    if source.kind != "csv":
        return
    with source.file.open(encoding="utf-8-sig", newline="") as handle:
        names = [n.strip() for n in next(csv.reader(handle))]
    spec = "{" + ", ".join(f"{sql_text(n)}: 'VARCHAR'" for n in names) + "}"
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE raw_{source.table} AS SELECT * FROM read_csv({sql_text(str(source.file))}, "
            f"header=true, delim=',', quote='\"', escape='\"', auto_detect=false, columns={spec})"
        )
    except duckdb.Error as error:
        raise InputError(str(source.path), t("extract.unreadable", lang, detail=_csv_error(error))) from None
    # A table made by CREATE TABLE AS keeps the file's order, so rowid + 1 is the data row number.
    con.execute(f"CREATE OR REPLACE VIEW {source.view} AS SELECT *, rowid + 1 AS __row FROM raw_{source.table}")
    source.rows = one_row(con, f"SELECT count(*) FROM {source.view}")[0]


def drop_source(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Free the memory of a loaded CSV once its table is done."""
    con.execute(f"DROP VIEW IF EXISTS {source.view}")
    if source.kind == "csv":
        con.execute(f"DROP TABLE IF EXISTS raw_{source.table}")
    if source.read_path is not None:
        source.read_path.unlink(missing_ok=True)
