"""Texts for people, in Norwegian (Bokmål) by default and English on request.

The texts live in ``messages.yaml`` beside this module (key -> {nb, en}); a module may add
its own keys there. The language is the ``--lang`` option of a command, or the environment
variable ``FORLOP_LANG``, or ``nb``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources

import yaml

LANGUAGES = ("nb", "en")


@lru_cache(maxsize=None)
def _messages() -> dict[str, dict[str, str]]:
    # LibYAML's C loader when PyYAML has it: the same safe loading, ~10x faster than the pure-Python
    # loader (messages.yaml is read by every command, first thing).
    with resources.files("forlop").joinpath("messages.yaml").open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def default_language() -> str:
    """Return the language from ``FORLOP_LANG`` if it is one we have, else ``nb``."""
    lang = os.environ.get("FORLOP_LANG", "nb")
    return lang if lang in LANGUAGES else "nb"


def check_language(lang: str | None, allowed: tuple[str, ...] = LANGUAGES) -> None:
    """A ``--lang`` value must be one of ``allowed`` (None = the default); else one clear line, exit 2."""
    from forlop.errors import InputError

    if lang is not None and lang not in allowed:
        raise InputError("--lang", f"unknown language '{lang}'", example=", ".join(allowed))


def t(key: str, lang: str | None = None, **values: object) -> str:
    """Return the text ``key`` in ``lang`` with ``{name}`` fields filled from ``values``."""
    entry = _messages()[key]
    text = entry.get(lang or default_language()) or entry["en"]
    return text.format(**values) if values else text


def years_text(years: list[int]) -> str:
    """Sorted years with consecutive runs shortened: [2017, 2018, 2019, 2021] -> "2017–2019, 2021"."""
    runs: list[list[int]] = []
    for y in sorted(set(years)):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
