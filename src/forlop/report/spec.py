"""The report spec: sections, tables and figures of 001 chapters 4-8 as data (report_spec.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from forlop.codes import load
from forlop.i18n import t


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """Return the parsed ``report_spec.yaml`` beside this module."""
    with resources.files("forlop.report").joinpath("report_spec.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def text(entry: Any, lang: str) -> str:
    """The ``lang`` text of a ``{nb: ..., en: ...}`` entry (or of an item with nb/en keys)."""
    if entry is None:
        return ""
    if isinstance(entry, str):
        return entry
    return str(entry.get(lang) or entry.get("nb") or "")


@lru_cache(maxsize=None)
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
