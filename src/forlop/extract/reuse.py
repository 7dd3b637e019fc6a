"""Reuse an earlier validation of the same extract: ``forlop pathways`` run again on unchanged files.

An analyst runs ``forlop pathways --data X --out OUT`` again and again on one extract (another
``--year``, ``--keep-deaths``, a new report). Validating the same files again gives the same
``OUT/validated``, and took 3 of the 7 s of a national run and 0.3 of the 2 s of a small one
(issue 14). So after a validation, ``remember`` writes ``OUT/validated/validation_run.json``: what
the validation found (the summary) and a fingerprint of everything it depended on; ``reusable``
gives that summary back only when the fingerprint is unchanged:

- every file validation can read (``<table>.parquet`` and ``<table>.csv`` of each table of the
  contract, present or not): size, modification time (nanoseconds) and inode, as ``make`` and
  ``rsync`` decide what changed, without reading the files (reading them would cost a national
  run more time than it saves on a small one);
- the options and settings that change the result: ``--encoding`` (its canonical name), the
  language of the messages and reasons written (``--lang``, else ``FORLOP_LANG``) and the time zone
  (``TZ``: DuckDB writes time stamps with a zone in it into ``rejected/``);
- Forløp itself (its version and every file of the ``forlop`` package: size and time, so a new
  rule or code list validates again), DuckDB's version and Python's;
- the written results: every file in ``clean/`` and ``rejected/`` and the summary, as they were
  written (a deleted or edited result validates again).

What it cannot see: a file edited in place that keeps its size, its modification time and its
inode (a script that restores the time, ``cp -p`` over the old file, a file system with a coarse
clock); then delete ``OUT/validated/validation_run.json`` to validate again. Anything else (a file
that cannot be read, a record of another layout) means validating again. Two runs on the same OUT
take turns (a lock on ``OUT/validated.lock``). ``forlop validate`` always validates.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from forlop.extract.contract import contract
from forlop.extract.summary import SUMMARY_FILE, TableCounts, ValidationSummary
from forlop.i18n import default_language

RECORD = "validation_run.json"
_LAYOUT = 1


def _file_state(path: Path, name: str) -> list:
    """[name, size, modification time (ns), inode] of the file ``path``; [name, None] if there is none
    (absent, gone while listed, or a link to nothing: validation finds no such file either)."""
    try:
        info = path.stat()
    except OSError:
        return [name, None]
    return [name, info.st_size, info.st_mtime_ns, info.st_ino]


def _state(path: Path) -> list:
    """The ``_file_state`` of every file below ``path``, named relative to it, in name order."""
    found: list = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            where = Path(root) / name
            found.append(_file_state(where, str(where.relative_to(path))))
    return found


def _forlop_state(package: Path | None = None) -> str:
    """A digest of the installed Forløp (``package``: its folder): its version and every file's state."""
    import forlop

    package = package or Path(forlop.__file__).parent
    files = [f for f in _state(package) if "__pycache__" not in f[0]]
    return hashlib.sha256(json.dumps([forlop.__version__, files]).encode()).hexdigest()


def _inputs(data_dir: Path) -> list:
    """Size, modification time (ns) and inode of each file validation can read in ``data_dir`` (None: none)."""
    return [_file_state(data_dir / name, name) for table in contract() for name in (f"{table}.parquet", f"{table}.csv")]


def fingerprint(data_dir: Path, encoding: str, lang: str | None) -> str:
    """The fingerprint of a validation of ``data_dir`` with these options (see the module docstring)."""
    import duckdb

    with contextlib.suppress(LookupError):  # an unknown one: validation stops on it with its own message
        encoding = codecs.lookup(encoding).name  # utf-8, UTF-8 and utf8 are one encoding
    settings = [encoding, lang or default_language(), os.environ.get("TZ", ""), time.tzname]
    versions = [duckdb.__version__, sys.version]
    parts = [_LAYOUT, str(Path(data_dir).resolve()), _inputs(Path(data_dir)), settings, versions, _forlop_state()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@contextlib.contextmanager
def taking_turns(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<out_dir>.lock`` (``fcntl.flock``): two runs on one OUT, each finding or
    making a validation and recording it, one after the other (else one run could record the other's
    results under its own fingerprint)."""
    lock = Path(f"{out_dir}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _results(out_dir: Path) -> list:
    """The state of what a validation wrote in ``out_dir`` (clean/, rejected/, the summary)."""
    return [_state(out_dir / "clean"), _state(out_dir / "rejected"), _file_state(out_dir / SUMMARY_FILE, SUMMARY_FILE)]


def remember(summary: ValidationSummary, print_: str) -> None:
    """Write ``validation_run.json`` beside the results of ``summary`` (fingerprint ``print_``)."""
    record = {
        "layout": _LAYOUT,
        "fingerprint": print_,
        "results": _results(summary.out_dir),
        "tables": [[c.table, c.rows_read, c.rows_used, c.rows_rejected] for c in summary.tables.values()],
        "id_types": summary.id_types,
        "warnings": summary.warnings,
        "seconds": summary.seconds,
    }
    (summary.out_dir / RECORD).write_text(json.dumps(record), encoding="utf-8")


def reusable(out_dir: Path, print_: str) -> ValidationSummary | None:
    """The summary of the validation in ``out_dir`` if it was made with fingerprint ``print_`` and its
    results are as written; else None (validate again)."""
    path = Path(out_dir) / RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("layout") != _LAYOUT or record.get("fingerprint") != print_:
            return None
        if json.loads(json.dumps(_results(Path(out_dir)))) != record["results"]:
            return None
        tables = {row[0]: TableCounts(*row) for row in record["tables"]}
        return ValidationSummary(
            out_dir=Path(out_dir),
            tables=tables,
            id_types=dict(record["id_types"]),
            warnings=list(record["warnings"]),
            seconds=float(record["seconds"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
