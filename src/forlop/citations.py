"""Citations of the source documents as a reader sees them (list: ``publications.yaml``).

The code, its data files and the analysts' docs refer to the source documents by the key of their
seed file and a part: ``001 tabell 2``, ``001 §4.1``, ``001 figur 14``, ``004 §2``, ``000``
(publications.yaml lists the five keys with author, title, year). Whatever a person reads (HTML,
Excel, CLI text) names the publication instead; this module makes that text, so every citation a
reader sees comes from that one list:

- :func:`cite` turns one reference (``"001 table 2"``) into ``Helsedirektoratet 2023, «Forløp etter
  døgnbehandling i psykisk helsevern», tabell 2`` (short form: author, year, short title, part in the
  reader's language) or, with ``full=True``, ``Helsedirektoratet (2023): <full title>, tabell 2``.
- :func:`cite_text` does the same for every reference inside a text ("... (001 §4.2, tall i
  teksten)") and can record which publications it cited.
- :func:`reference` / :func:`references` give the full entry for a list of sources at the end of a page.

Rule for a page: the first mention (a report's subtitle) may be full, all others short, and the page
ends with the list of the sources it cited (full title, series or journal, DOI or address).

A key counts as a reference when it stands as a word of its own and is not part of a number: "10 000",
"0,001" and "0.001" are numbers, not references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from forlop.datafile import package_yaml

LANGS = ("nb", "en", "da")


@lru_cache(maxsize=1)
def publications() -> dict[str, Any]:
    """Return the parsed ``publications.yaml`` (publications, parts, style)."""
    return package_yaml("forlop", "publications.yaml")


@lru_cache(maxsize=1)
def _part_words() -> dict[str, str]:
    """Word that marks a part in the short form -> kind of part (lower case)."""
    return {word.lower(): kind for kind, entry in publications()["parts"].items() for word in entry["match"]}


_NUM = r"[0-9A-Z]+(?:\.[0-9]+)*(?:\s?[-–]\s?[0-9]+(?:\.[0-9]+)*)?"
_NUMS = rf"{_NUM}(?:(?:,\s?|\s(?:og|and)\s){_NUM})*"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(reference in a text, one part) regular expressions built from the keys and part words."""
    keys = "|".join(re.escape(k) for k in sorted(publications()["publications"], key=len, reverse=True))
    words = sorted((w for w in _part_words() if w != "§"), key=len, reverse=True)
    marker = rf"(?:§\s?|(?:{'|'.join(re.escape(w) for w in words)})\s)"
    part = rf"{marker}{_NUMS}"
    # Not part of a number: no digit, '.', ',' right before, no "10 " (thousands group) before it.
    key = rf"(?<![\d.,])(?<!\d )(?<!\d\u00a0)(?<!\d\u202f)\b({keys})\b"
    reference = re.compile(rf"{key}(?:\s((?:{part})(?:(?:,\s?|\s(?:og|and)\s)(?:{part}))*))?", re.IGNORECASE)
    one_part = re.compile(rf"({marker})({_NUMS})", re.IGNORECASE)
    return reference, one_part


def _style(name: str, lang: str) -> str:
    entry = publications()["style"][name]
    return entry.get(lang) or entry["nb"]


def _name(key: str, lang: str, full: bool) -> str:
    pub = publications()["publications"].get(key)
    if pub is None:
        raise KeyError(f"publications.yaml has no publication {key!r}")
    return _style("full" if full else "short", lang).format(**pub)


def _parts_text(parts: str, lang: str) -> str:
    """'§4.6, §5' -> 'avsnitt 4.6, 5'; 'tabell 13 og 14' -> 'table 13 and 14' (en)."""
    _, one_part = _patterns()
    conj = _style("and", lang)
    words = publications()["parts"]
    out: list[str] = []
    last_kind = None
    for match in one_part.finditer(parts):
        kind = _part_words()[match.group(1).strip().lower()]
        numbers = re.sub(r"\s(?:og|and)\s", f" {conj} ", match.group(2))
        out.append(numbers if kind == last_kind else f"{words[kind].get(lang) or words[kind]['nb']} {numbers}")
        last_kind = kind
    return ", ".join(out)


def cite(ref: str, lang: str = "nb", full: bool = False) -> str:
    """Return the reader's text of one reference: ``"001 table 2"`` -> ``"Helsedirektoratet 2023, «…», tabell 2"``.

    ``ref`` is a key of publications.yaml, optionally followed by parts in any of the part words
    of its ``parts`` (``§4.1``, ``tabell 2``, ``table A``, ``figur 14``, ``fotnote 8, 9``). A text that
    is not one whole reference is an error (ValueError), so a mistyped source shows up in the tests.
    """
    reference, _ = _patterns()
    match = reference.fullmatch(ref.strip())
    if match is None:
        raise ValueError(f"not a reference to a publication of publications.yaml: {ref!r}")
    return _render(match, lang, full)


def _render(match: re.Match[str], lang: str, full: bool) -> str:
    name = _name(match.group(1), lang, full)
    return f"{name}, {_parts_text(match.group(2), lang)}" if match.group(2) else name


def cite_text(text: str, lang: str = "nb", full: bool = False, used: set[str] | None = None) -> str:
    """Return ``text`` with every reference to a publication (``001 §4.2``, ``(001)``) in the reader's form.

    ``used``, if given, collects the keys cited (for the list of sources at the end of a page).
    """
    if not text or "00" not in text:
        return text
    reference, _ = _patterns()

    def replace(match: re.Match[str]) -> str:
        if used is not None:
            used.add(match.group(1))
        return _render(match, lang, full)

    return reference.sub(replace, text)


def reference(key: str, lang: str = "nb") -> str:
    """Return the full entry of one publication for a list of sources (title, series/journal, DOI/address)."""
    pub = publications()["publications"][key]
    bits = [_name(key, lang, full=True)]
    for field in ("series", "journal", "publisher"):
        if pub.get(field) and pub[field] != pub["author"]:
            bits.append(str(pub[field]))
    if pub.get("doi"):
        bits.append(f"https://doi.org/{pub['doi']}")
    elif pub.get("url"):
        bits.append(str(pub["url"]))
    return ". ".join(bits) + "."


def references(keys: Iterable[str], lang: str = "nb") -> list[str]:
    """Return the full entries of ``keys`` (in key order, each once)."""
    return [reference(key, lang) for key in sorted(set(keys))]


def markdown_sources(keys: Iterable[str]) -> list[str]:
    """Return the lines that explain the short keys at the top of an analysts' doc (docs/*.md)."""
    return [
        "Sources cited by key (the list: `src/forlop/publications.yaml`; readers' outputs name the publication):",
        *(f"- `{key}` = {reference(key, 'en')}" for key in sorted(set(keys))),
    ]
