"""Texts for people, in Norwegian (Bokmål) by default and English on request; numbers and months too.

The texts live in ``messages.yaml`` beside this module (key -> {nb, en}); a module may add
its own keys there. A text may cite a source document by key ("004 §2"): :func:`t` gives the reader
the publication's name instead (:mod:`forlop.citations`, ``publications.yaml``). The language is
the ``--lang`` option of a command, or the environment variable ``FORLOP_LANG``, or ``nb``.
Numbers and month names follow the language's conventions from Babel (CLDR): ``1 090,5``
(no-break space, decimal comma) in nb, ``1,090.5`` in en, ``1.090,5`` in da; "april 2022" /
"April 2022".
"""

from __future__ import annotations

import math
import os
from functools import cache

from forlop.choices import LANGUAGES  # (the --lang values; one list)
from forlop.datafile import package_yaml

#: Babel (CLDR) locale of each output language.
LOCALES = {"nb": "nb_NO", "en": "en_GB", "da": "da_DK"}


@cache
def _messages() -> dict[str, dict[str, str]]:
    return package_yaml("forlop", "messages.yaml")  # read by every command, first thing


def default_language() -> str:
    """Return the language from ``FORLOP_LANG`` if it is one we have, else ``nb``."""
    lang = os.environ.get("FORLOP_LANG", "nb")
    return lang if lang in LANGUAGES else "nb"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """Return the text ``key`` in ``lang`` with ``{name}`` fields filled from ``values``."""
    entry = _messages()[key]
    lang = lang or default_language()
    lang = lang if entry.get(lang) else "en"
    text = entry[lang]
    if "00" in text:  # a source document cited by key (004 §2): the reader sees the publication
        from forlop.citations import cite_text

        text = cite_text(text, lang)
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


def format_number(number: float | None, decimals: int, lang: str | None = None, symbol: str = "–") -> str:
    """``number`` rounded to ``decimals`` and written the language's way (Babel); ``symbol`` if missing."""
    from babel.numbers import format_decimal

    if number is None or not math.isfinite(number):
        return symbol
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=LOCALES.get(lang or default_language(), "nb_NO"))


def month_name(when: object, lang: str | None = None) -> str:
    """'april 2022' (nb, da) or 'April 2022' (en) for a date (Babel); other values as text."""
    import pandas as pd
    from babel.dates import format_date

    try:
        stamp = pd.Timestamp(when)
    except (ValueError, TypeError):
        return str(when)
    if pd.isna(stamp):
        return str(when)
    return format_date(stamp.date(), "LLLL y", locale=LOCALES.get(lang or default_language(), "nb_NO"))
