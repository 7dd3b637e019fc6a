"""The 001 report's use of the privacy layer: which numbers of indicators.csv may be published.

The rule per unit, the lines and the suppression are :mod:`forlop.privacy`'s. What is particular
to the report is said here:

- *families* (indicators that rest on the same counts share one pattern): ``patients_share`` and
  ``patients_per_10000`` (its numerator is the patient count, the population is public) with
  ``patients``; the means, medians and quantiles of contacts and of days to first contact of
  service S (over patients with at least one contact) with ``S_share_365d``, whose numerator is
  that number of patients; ``bed_days_*`` with ``readmission_share_365d``. Otherwise 001 table 1
  could hide a count that table 2 shows;
- *nesting*: health communities add up to their region (001 table A);
- cells nobody sees: per region and health community only the selected diagnosis groups are shown,
  and unknown residence is not; those cells are unknowns to a reader.
"""

from __future__ import annotations

from functools import lru_cache

from forlop import privacy
from forlop.codes import load
from forlop.pathways import catalogue
from forlop.report.data import Results

QUANTILE_UNITS = privacy.QUANTILE_UNITS
GEO_DX = ("region_x_diagnosis_group", "health_community_x_diagnosis_group")


@lru_cache(maxsize=1)
def region_of() -> dict[str, str]:
    """Health community -> region (src/forlop/codes/health_communities.csv, 001 table A)."""
    table = load("health_communities")
    return dict(zip(table["health_community"], table["region"]))


@lru_cache(maxsize=1)
def families() -> dict[str, str]:
    """Indicator id -> the indicator whose counts it rests on (see the module docstring)."""
    entries = catalogue()["indicators"]
    ids = {i["id"] for i in entries}
    out = {}
    for ind in entries:
        head = ind["id"]
        if ind["id"] in ("patients_share", "patients_per_10000"):
            head = "patients"  # the rate's numerator is the patient count (public population)
        elif ind.get("measure") in ("count_stat", "days_to_first") and f"{ind.get('service')}_share_365d" in ids:
            head = f"{ind['service']}_share_365d"
        elif ind["id"].startswith("bed_days_"):
            head = "readmission_share_365d"
        out[ind["id"]] = head
    return out


class Publisher(privacy.Publisher):
    """The privacy layer's publisher over the engine's results, with the report's families and nesting."""

    def __init__(self, results: Results, symbol: str = privacy.SYMBOL, published: dict[str, set[str]] | None = None
                 ) -> None:
        """``published``: indicator -> breakdowns shown (:func:`forlop.report.usage.published_breakdowns`);
        None means every breakdown of indicators.csv takes part in the suppression."""
        super().__init__(results.indicators, rule=privacy.Rule(symbol=symbol), families=families(),
                         nesting={"health_community": ("region", region_of())}, published=published)
        self.results = results
        self.selected: set[str] = set()

    def unpublished(self, breakdown: str, group: str) -> bool:
        """Per region and health community only the selected diagnosis groups are shown; unknown residence is not."""
        if not self.selected or breakdown not in GEO_DX:
            return False
        outer, inner = group.split("|", 1)
        return inner not in self.selected or outer == "missing"

    def denominator_hidden(self, indicator: str, breakdown: str, group: str) -> bool:
        """True if the denominator of a share may not be shown next to it (e.g. as a funnel plot's n).

        A share's denominator is a count of patients of the group: it is hidden where the group's
        patient count (``patients``) is hidden, and where it differs from that count by a small
        number (the difference would be a small count)."""
        row = self.results.get(indicator, breakdown, group)
        if row is None or self.hidden("patients", breakdown, group):
            return True
        patients = self.results.get("patients", breakdown, group)
        gap = float(patients.value) - float(row.denominator)
        return bool(self.rule.is_small(abs(gap)))
