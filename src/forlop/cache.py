"""Forløp's cache folder: work that is the same from run to run, kept on disk for the next run.

Two kinds use it, each in its own subfolder: ``sql`` (SQL compiled by Ibis, ``forlop.engine.sqlcache``)
and ``data`` (the packaged YAML data files, parsed; ``forlop.datafile``). Together they were about a
quarter of a small ``forlop pathways`` run (issue 14, "Speed of small runs"). Nothing in the cache
changes a result: an entry is found only under the key of exactly what it was made from, and every
failure to read or write it only means doing the work as usual.

Where: ``$FORLOP_CACHE`` (a folder, or ``off``), else ``$XDG_CACHE_HOME/forlop``, else
``~/.cache/forlop`` (none without a home folder). Folders are created private to their owner (mode
0700), and one that another user could write to is not used: a cached SQL file is run as it stands.
An entry carries the SHA-256 of its content, so an edited or cut-off file is not used. Each subfolder
keeps at most ``MAX_FILES`` entries, the least recently used removed first; only names that are keys
are counted or removed. Written here because the standard library has the parts (atomic rename, file
modes) but no such cache, and none of the project's libraries offers one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

#: Files kept at most in each subfolder; the least recently used are removed beyond this.
MAX_FILES = 2000
_OFF = {"off", "0", "no", "false"}
_ON = {"on", "1", "yes", "true"}  # the default folder
#: What a key looks like (a SHA-256 in hex); pruning touches no other name, so a folder shared with other
#: files (``FORLOP_CACHE=DIR`` pointed at a project, say) loses none of them.
_KEY = re.compile(r"[0-9a-f]{64}")


def cache_root() -> Path | None:
    """Return the cache folder (see the module docstring), or None when it is off or there is no home.

    ``FORLOP_CACHE`` may start with ``~``; a relative path counts from the current folder. A relative
    ``XDG_CACHE_HOME`` is ignored, as the XDG Base Directory specification says.
    """
    setting = os.environ.get("FORLOP_CACHE", "")
    if setting.lower() in _OFF:
        return None
    try:
        if setting and setting.lower() not in _ON:
            return Path(setting).expanduser().absolute()
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry: no cache
        return None
    return base / "forlop"


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


def _header(kind: str, key: str, data: bytes) -> bytes:
    """The first line of an entry: its kind, its key and the SHA-256 of its data."""
    return f"forlop cache {kind} {key} {hashlib.sha256(data).hexdigest()}\n".encode()


def read(kind: str, key: str) -> bytes | None:
    """Return what is stored under ``key`` in ``kind``, or None (no entry, cache off or not usable).

    The file's first line names its kind, its key and the SHA-256 of the rest; a file whose first
    line does not match (another key, an edited or cut-off file) is not used, and the next ``write``
    replaces it.
    """
    folder = _folder(kind)
    if folder is None or not _KEY.fullmatch(key):
        return None
    path = folder / key
    try:
        content = path.read_bytes()
    except OSError:
        return None
    first, _, data = content.partition(b"\n")
    if first + b"\n" != _header(kind, key, data):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # last use, for pruning
    return data


def write(kind: str, key: str, data: bytes) -> None:
    """Store ``data`` under ``key`` in ``kind``, atomically (a reader sees the whole file or none).

    Errors (a full disk, a read-only home) are logged at debug level only: the cache is optional.
    """
    folder = _folder(kind)
    if folder is None or not _KEY.fullmatch(key):
        return
    temporary = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".", suffix=".tmp", delete=False) as f:
            temporary = Path(f.name)
            f.write(_header(kind, key, data) + data)
        os.replace(temporary, folder / key)
        _prune(folder)
    except OSError as error:
        log.debug("cache entry %s/%s not written: %s", kind, key, error)
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Remove the least recently used files beyond ``MAX_FILES``."""
    files = [p for p in folder.iterdir() if _KEY.fullmatch(p.name)]
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for path in files[: len(files) - MAX_FILES]:
        path.unlink(missing_ok=True)
