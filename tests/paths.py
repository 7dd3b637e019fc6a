"""Where the tests find files outside the package: the repository root and ``../shared`` beside it.

The shared material (``qi-reference/``, ``seeds/``, ``DESIGN.md``) lives in ``shared/`` next to the
repository: ``<repo_root>/../shared``. ``repo_root`` is found from this file's location, so the suite
runs from any checkout location. In a ``git worktree`` (``.git`` is then a file ``gitdir:
<main>/.git/worktrees/<name>``) the main checkout's ``../shared`` is used when the worktree has none
beside it. ``FORLOP_SHARED`` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """``$FORLOP_SHARED``, else ``<repo_root>/../shared``, else the main checkout's ``../shared``."""
    if os.environ.get("FORLOP_SHARED"):
        return Path(os.environ["FORLOP_SHARED"])
    beside = REPO_ROOT.parent / "shared"
    git = REPO_ROOT / ".git"
    if not beside.exists() and git.is_file():
        text = git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.removeprefix("gitdir:").strip())
            if not gitdir.is_absolute():
                gitdir = (REPO_ROOT / gitdir).resolve()
            # <main>/.git/worktrees/<name> -> <main>
            if gitdir.parent.name == "worktrees":
                return gitdir.parents[2].parent / "shared"
    return beside


SHARED = _shared_dir()
QI_REFERENCE = SHARED / "qi-reference"
