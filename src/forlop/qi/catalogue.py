"""The LKT Tvang indicator catalogue (004 annexes 1 and 2, reconstructed from 004's text).

The catalogue is data: ``catalogue.yaml`` beside this module, which says where each
indicator comes from and what we had to assume.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from forlop.choices import TRACKS  # (the --track values; one list)
from forlop.datafile import package_yaml
from forlop.i18n import default_language

TYPES = ("outcome", "follow_up", "process", "balancing")
UNITS = ("persons", "events", "proportion")
DIRECTIONS = ("down", "up")


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue (fields as in ``catalogue.yaml``)."""

    id: str
    track: str
    name_da: str
    name_en: str
    numerator: str
    denominator: str
    type: str
    unit: str
    direction: str
    chart: str
    control_chart: str
    mandatory: bool
    source: str
    assumption: str

    @property
    def is_proportion(self) -> bool:
        """True when the indicator is a share (numerator over denominator)."""
        return self.unit == "proportion"

    def name(self, lang: str | None) -> str:
        """The indicator's name in the output language: English for ``en``, else the Danish name.

        The catalogue has no Norwegian names: the indicators are those of the Danish
        collaborative (004), whose teams know them by their Danish names, and a Norwegian
        reader reads them as they are (as in the team template); so ``nb`` and ``da`` both
        get ``name_da``. No ``lang``: ``FORLOP_LANG`` or ``nb``, as ``forlop.i18n.t``.
        """
        return self.name_en if (lang or default_language()) == "en" else self.name_da

    def in_track(self, track: str) -> bool:
        """True when the indicator is measured in ``track`` (adult or youth)."""
        return self.track in (track, "both")


def _check(item: dict) -> Indicator:
    indicator = Indicator(**item)
    for field, allowed in (("type", TYPES), ("unit", UNITS), ("direction", DIRECTIONS), ("track", (*TRACKS, "both"))):
        if getattr(indicator, field) not in allowed:
            raise ValueError(f"catalogue.yaml: {indicator.id}: {field} '{getattr(indicator, field)}' not in {allowed}")
    if indicator.is_proportion != bool(indicator.denominator):
        raise ValueError(f"catalogue.yaml: {indicator.id}: a proportion needs a denominator and a count none")
    return indicator


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[Indicator, ...]:
    """All indicators in catalogue order."""
    items = package_yaml("forlop.qi", "catalogue.yaml")["indicators"]
    return tuple(_check(item) for item in items)


def indicator(indicator_id: str) -> Indicator:
    """The indicator with ``indicator_id`` (KeyError if there is none)."""
    for item in load_catalogue():
        if item.id == indicator_id:
            return item
    raise KeyError(indicator_id)


def for_track(track: str) -> list[Indicator]:
    """Indicators measured in ``track`` ('adult' or 'youth'), in catalogue order."""
    if track not in TRACKS:
        raise ValueError(f"track '{track}' is not one of {', '.join(TRACKS)}")
    return [item for item in load_catalogue() if item.in_track(track)]
