"""Reuse an earlier validation of the same extract: ``forlop pathways`` run again on unchanged files.

An analyst runs ``forlop pathways --data X --out OUT`` again and again on one extract (another
``--year``, ``--keep-deaths``, a new report). Validating the same files again gives the same
``OUT/validated``, and took 3 of the 7 s of a national run and 0.3 of the 2 s of a small one
(issue 14). So after a validation, ``remember`` writes ``OUT/validated/validation_run.json``: what
the validation found (the summary) and a fingerprint of everything it depended on; ``reusable``
gives that summary back only when the fingerprint is unchanged:

- every file in the extract folder: name, size, modification time (nanoseconds) and inode, as
  ``make`` and ``rsync`` decide what changed, without reading the files (reading them would cost
  a national run more time than it saves on a small one); a new or removed file counts too;
- the options that change the result (``--encoding``, and the language of the messages and
  reasons written);
- Forløp itself: its version and every file of the ``forlop`` package (size and time), so a new
  rule or code list validates again;
- the written results: every file in ``clean/`` and ``rejected/`` and the summary, as they were
  written (a deleted or edited result validates again).

Anything else (a file that cannot be read, a record of another layout) means validating again.
``forlop validate`` always validates.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from forlop.extract.summary import SUMMARY_FILE, TableCounts, ValidationSummary

RECORD = "validation_run.json"
_LAYOUT = 1


def _state(path: Path) -> list:
    """Name, size, modification time (ns) and inode of every file below ``path``, in name order."""
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            info = os.stat(os.path.join(root, name))
            found.append([os.path.relpath(os.path.join(root, name), path), info.st_size, info.st_mtime_ns, info.st_ino])
    return found


def _forlop_state() -> str:
    """A digest of the installed Forløp: its version and the state of every file of the package."""
    import forlop

    package = Path(forlop.__file__).parent
    files = [f for f in _state(package) if "__pycache__" not in f[0]]
    version = getattr(forlop, "__version__", "")
    return hashlib.sha256(json.dumps([version, files]).encode()).hexdigest()


def fingerprint(data_dir: Path, encoding: str, lang: str | None) -> str:
    """The fingerprint of a validation of ``data_dir`` with these options (see the module docstring)."""
    parts = [_LAYOUT, str(Path(data_dir).resolve()), _state(Path(data_dir)), encoding, lang or "", _forlop_state()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _results(out_dir: Path) -> list:
    """The state of what a validation wrote in ``out_dir`` (clean/, rejected/, the summary)."""
    summary = out_dir / SUMMARY_FILE
    return [
        _state(out_dir / "clean"),
        _state(out_dir / "rejected"),
        [summary.stat().st_size, summary.stat().st_mtime_ns] if summary.exists() else None,
    ]


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
