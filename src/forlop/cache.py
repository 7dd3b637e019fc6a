"""Forløp's cache folder: work that is the same from run to run, kept on disk for the next run.

Two kinds use it, each in its own subfolder: ``sql`` (SQL compiled by Ibis, ``forlop.engine.sqlcache``)
and ``data`` (the packaged YAML data files, parsed; ``forlop.datafile``). Together they were about a
quarter of a small ``forlop pathways`` run (issue 14, "Speed of small runs"). Nothing in the cache
changes a result: an entry is found only under the key of exactly what it was made from, and every
failure to read or write it only means doing the work as usual.

Where: ``$FORLOP_CACHE`` (a folder, or ``off``), else ``$XDG_CACHE_HOME/forlop``, else
``~/.cache/forlop``. Folders are created private to their owner (mode 0700), and one that another
user could write to is not used: a cached SQL file is run as it stands. Each subfolder keeps at most
``MAX_FILES`` files, the least recently used removed first. Written here because the standard
library has the parts (atomic rename, file modes) but no such cache, and none of the project's
libraries offers one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

#: Files kept at most in each subfolder; the least recently used are removed beyond this.
MAX_FILES = 2000
_OFF = {"off", "0", "no", "false"}


def cache_root() -> Path | None:
    """Return the cache folder (see the module docstring), or None when it is switched off."""
    setting = os.environ.get("FORLOP_CACHE", "")
    if setting.lower() in _OFF:
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "forlop"


def _folder(kind: str) -> Path | None:
    """The subfolder for ``kind``, created private if needed; None if off or not private to us."""
    root = cache_root()
    if root is None:
        return None
    for folder in (root, root / kind):  # the root first: nothing is created in a folder that is not ours
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.stat()
        except OSError:
            return None
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
    return root / kind


def _header(kind: str, key: str) -> bytes:
    return f"forlop cache {kind} {key}\n".encode()


def read(kind: str, key: str) -> bytes | None:
    """Return what is stored under ``key`` in ``kind``, or None (no entry, cache off or not usable).

    The file starts with a line naming its kind and key; a file whose first line is not this key's
    is not used (it is rewritten by the next ``write``).
    """
    folder = _folder(kind)
    if folder is None:
        return None
    path = folder / key
    try:
        content = path.read_bytes()
    except OSError:
        return None
    header = _header(kind, key)
    if not content.startswith(header):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # last use, for pruning
    return content[len(header) :]


def write(kind: str, key: str, data: bytes) -> None:
    """Store ``data`` under ``key`` in ``kind``, atomically (a reader sees the whole file or none).

    Errors (a full disk, a read-only home) are logged at debug level only: the cache is optional.
    """
    folder = _folder(kind)
    if folder is None:
        return
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".", suffix=".tmp", delete=False) as f:
            f.write(_header(kind, key) + data)
        os.replace(f.name, folder / key)
        _prune(folder)
    except OSError as error:
        log.debug("cache entry %s/%s not written: %s", kind, key, error)


def _prune(folder: Path) -> None:
    """Remove the least recently used files beyond ``MAX_FILES``."""
    files = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for path in files[: len(files) - MAX_FILES]:
        path.unlink(missing_ok=True)
