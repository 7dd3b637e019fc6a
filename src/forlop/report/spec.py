"""The report spec: sections, tables and figures of 001 chapters 4-8 as data (report_spec.yaml)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from forlop.citations import LANGS, cite_text
from forlop.codes import load
from forlop.datafile import package_yaml
from forlop.i18n import t


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """Return the parsed ``report_spec.yaml`` beside this module."""
    return package_yaml("forlop.report", "report_spec.yaml")


#: Year tokens of report_spec.yaml texts -> offset from the cohort year Y (001's own numbers, "som i
#: 001", keep their literal 2020; the report's captions follow the data).
YEAR_TOKENS = {"{year}": 0, "{year-1}": -1, "{year-2}": -2, "{year-3}": -3}


def with_years(entry: Any, year: int, population_year: int | None = None) -> Any:
    """A copy of ``entry`` (the spec or a part of it) with the year tokens of its texts filled in.

    ``{year}`` is the cohort year Y, ``{year-k}`` is Y - k (001 §4.2: the three years before Y) and
    ``{population_year}`` the year of the population behind the rates (``population_year``, else Y:
    the default when no other year was asked for). Other placeholders ({k}, {label}, {symbol}) are
    left for their own code to fill.
    """
    if isinstance(entry, dict):
        return {k: with_years(v, year, population_year) for k, v in entry.items()}
    if isinstance(entry, list):
        return [with_years(v, year, population_year) for v in entry]
    if isinstance(entry, str) and "{" in entry:
        for token, offset in YEAR_TOKENS.items():
            entry = entry.replace(token, str(year + offset))
        return entry.replace("{population_year}", str(population_year if population_year is not None else year))
    return entry


def with_citations(entry: Any, lang: str, used: set[str] | None = None, _text_lang: str | None = None) -> Any:
    """A copy of ``entry`` with every reference to a source document in the reader's form.

    report_spec.yaml cites the source documents by key and part ("001 tabell 2", "(001 §4.2)");
    the reader sees the publication's name from ``publications.yaml`` (:func:`forlop.citations.cite_text`).
    A text under an ``nb``/``en`` key is cited in that language, any other text (``source``) in
    ``lang``. ``used`` collects the keys cited, for the list of sources at the end of the report.
    """
    if isinstance(entry, dict):
        return {k: with_citations(v, lang, used, k if k in LANGS else _text_lang) for k, v in entry.items()}
    if isinstance(entry, list):
        return [with_citations(v, lang, used, _text_lang) for v in entry]
    if isinstance(entry, str):
        return cite_text(entry, _text_lang or lang, used=used)
    return entry


def text(entry: Any, lang: str) -> str:
    """The ``lang`` text of a ``{nb: ..., en: ...}`` entry (or of an item with nb/en keys)."""
    if entry is None:
        return ""
    if isinstance(entry, str):
        return entry
    return str(entry.get(lang) or entry.get("nb") or "")


@cache
def group_labels(lang: str) -> dict[tuple[str, str], str]:
    """Labels of the groups of every breakdown (code lists + the report spec's fixed groups)."""
    labels: dict[tuple[str, str], str] = {("all", "all"): t("report.label.all_patients", lang)}
    dx = load("diagnosis_groups")
    for row in dx.itertuples(index=False):
        labels[("diagnosis_group", row.key)] = row.label_nb if lang == "nb" else row.label_en
    for row in load("age_groups").itertuples(index=False):
        labels[("age_group", row.key)] = row.label_nb if lang == "nb" else row.label_en
    regions = load("regions")
    for row in regions.itertuples(index=False):
        labels[("region", row.region)] = row.region if lang == "nb" else row.label_en
    for row in load("health_communities").itertuples(index=False):
        labels[("health_community", row.health_community)] = row.health_community
    return labels


@lru_cache(maxsize=1)
def diagnosis_order() -> list[str]:
    """Diagnosis group keys in the row order of 001 table 1."""
    dx = load("diagnosis_groups")
    return list(dx.sort_values("order", key=lambda s: s.astype(int))["key"])


@lru_cache(maxsize=1)
def geography_order() -> tuple[list[str], list[tuple[str, str]]]:
    """Regions in 001 order, and (health community, region) pairs in the order of 001 table A."""
    regions = load("regions").sort_values("order", key=lambda s: s.astype(int))
    hcs = load("health_communities").sort_values("order", key=lambda s: s.astype(int))
    return list(regions["region"]), list(zip(hcs["health_community"], hcs["region"]))
