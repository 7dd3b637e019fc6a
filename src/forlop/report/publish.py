"""Which numbers of indicators.csv may be published: small-cell suppression per indicator.

For one indicator, every (breakdown, group) number is a cell. Its *base count* (what adds up over
groups) and its *primary* rule follow the unit (catalogue src/forlop/pathways/indicators.yaml):

- count: base = value; hidden if 1-4;
- share and rate: base = numerator; a share is hidden if its numerator, its denominator or the
  rest (denominator - numerator) is 1-4 ("98 of 100" tells about the 2 others);
- mean: base = numerator (the sum over patients, additive); hidden if the number of patients it is
  taken over (denominator) is 1-4;
- median and other quantiles: base = denominator (patients with at least one event); hidden if 1-4.

The lines (additive relations an attacker can use) are derived from the breakdown names: the
groups of a plain breakdown (diagnosis_group, sex, region, ...) add up to ``all``; health
communities add up to their region; a crossed breakdown ``A_x_B`` adds up over A to the group of
B and over B to the group of A (and health communities within a region to the region's cell).
All cells of an indicator are suppressed together (:func:`forlop.report.suppression.suppress`),
so one number is hidden or shown the same way in every table and figure of the report.

Indicators that rest on the same counts form a *family* and share one pattern: ``patients_share``
and ``patients_per_10000`` (its numerator is the patient count, the population is public) with
``patients``; the means, medians and quantiles of contacts and of days to first contact of
service S (over patients with at least one contact) with ``S_share_365d``, whose numerator is
that number of patients; ``bed_days_*`` with ``readmission_share_365d``. Otherwise 001 table 1
could hide a count that table 2 shows.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from forlop.codes import load
from forlop.report.data import Results
from forlop.report.suppression import Line, is_small, suppress

QUANTILE_UNITS = {"median", "p25", "p75", "p95"}


@lru_cache(maxsize=1)
def region_of() -> dict[str, str]:
    """Health community -> region (src/forlop/codes/health_communities.csv, 001 table A)."""
    table = load("health_communities")
    return dict(zip(table["health_community"], table["region"]))


def base_and_primary(unit: str, numerator: float, denominator: float, value: float) -> tuple[float, bool]:
    """The additive base count of one number and whether the 1-4 rule hides it by itself."""
    def small(x: float) -> bool:
        return bool(np.isfinite(x) and is_small(np.array([x]))[0])

    if unit == "count":
        return value, small(value)
    if unit == "share":
        rest = denominator - numerator if np.isfinite(denominator) and np.isfinite(numerator) else np.nan
        return numerator, small(numerator) or small(denominator) or small(rest)
    if unit == "rate_per_10000":
        return numerator, small(numerator)
    if unit == "mean":
        return numerator, small(denominator)
    return denominator, small(denominator)  # median, quantiles


GEO_DX = ("region_x_diagnosis_group", "health_community_x_diagnosis_group")


def _lines(cells: dict[tuple[str, str], int], partial: frozenset[str] = frozenset()) -> list[Line]:
    """Additive relations between the cells of one indicator (see the module docstring).

    ``partial``: crossed breakdowns of which only some inner groups are published (the selected
    diagnosis groups per region and health community); their sums over the inner groups are not
    lines (the rest, "other diagnoses", is handled by table A's own two-way suppression)."""
    lines: list[Line] = []
    total = cells.get(("all", "all"))
    by_breakdown: dict[str, list[str]] = {}
    for breakdown, group in cells:
        by_breakdown.setdefault(breakdown, []).append(group)
    regions = region_of()
    for breakdown, groups in by_breakdown.items():
        if breakdown == "all":
            continue
        if "_x_" not in breakdown:
            if total is not None:
                lines.append(Line(tuple(cells[(breakdown, g)] for g in groups), total))
            if breakdown == "health_community":
                for region in sorted(set(regions.values())):
                    parts = tuple(cells[(breakdown, g)] for g in groups if regions.get(g) == region)
                    if parts and ("region", region) in cells:
                        lines.append(Line(parts, cells[("region", region)]))
            continue
        outer, inner = breakdown.split("_x_")
        pairs = [g.split("|", 1) for g in groups]
        for b in sorted({p[1] for p in pairs}):
            parts = tuple(cells[(breakdown, f"{a}|{b}")] for a, bb in pairs if bb == b)
            if (inner, b) in cells:
                lines.append(Line(parts, cells[(inner, b)]))
            if outer == "health_community":
                for region in sorted(set(regions.values())):
                    sub = tuple(cells[(breakdown, f"{a}|{b}")] for a, bb in pairs if bb == b and regions.get(a) == region)
                    key = ("region_x_" + inner, f"{region}|{b}")
                    if sub and key in cells:
                        lines.append(Line(sub, cells[key]))
        if breakdown in partial:
            continue
        for a in sorted({p[0] for p in pairs}):
            parts = tuple(cells[(breakdown, f"{a}|{b}")] for aa, b in pairs if aa == a)
            if (outer, a) in cells:
                lines.append(Line(parts, cells[(outer, a)]))
    return lines


@lru_cache(maxsize=1)
def families() -> dict[str, str]:
    """Indicator id -> the indicator whose counts it rests on (see the module docstring)."""
    with resources.files("forlop.pathways").joinpath("indicators.yaml").open(encoding="utf-8") as handle:
        catalogue = yaml.safe_load(handle)
    ids = {i["id"] for i in catalogue["indicators"]}
    out = {}
    for ind in catalogue["indicators"]:
        head = ind["id"]
        if ind["id"] in ("patients_share", "patients_per_10000"):
            head = "patients"  # the rate's numerator is the patient count (public population)
        elif ind.get("measure") in ("count_stat", "days_to_first") and f"{ind.get('service')}_share_365d" in ids:
            head = f"{ind['service']}_share_365d"
        elif ind["id"].startswith("bed_days_"):
            head = "readmission_share_365d"
        out[ind["id"]] = head
    return out


class Publisher:
    """Decides, once per indicator, which of its numbers are hidden; shared by tables and figures."""

    def __init__(self, results: Results, symbol: str = "–", published: dict[str, set[str]] | None = None) -> None:
        """``published``: indicator -> breakdowns shown (:func:`forlop.report.usage.published_breakdowns`);
        None means every breakdown of indicators.csv takes part in the suppression."""
        self.results = results
        self.symbol = symbol
        self.published = published
        self.selected: set[str] = set()
        self._forced: dict[str, set[tuple[str, str]]] = {}
        self._hidden: dict[str, dict[tuple[str, str], bool]] = {}

    def _compute(self, indicator: str) -> dict[tuple[str, str], bool]:
        head = families().get(indicator, indicator)
        members = [i for i, h in families().items() if h == head] or [indicator]
        table = self.results.indicators
        rows = table[table["indicator"] == head]
        if rows.empty:
            rows = table[table["indicator"] == indicator]
        partial: frozenset[str] = frozenset()
        if self.published is not None:
            shown = set().union(*(self.published.get(m, set()) for m in members + [head, indicator]))
            rows = rows[rows["breakdown"].isin(shown | {"all"})]
        keys = list(zip(rows["breakdown"], rows["group"].astype(str)))
        cells = {key: i for i, key in enumerate(keys)}
        bases, primary = [], []
        for r in rows.itertuples(index=False):
            base, first = base_and_primary(r.unit, r.numerator, r.denominator, r.value)
            bases.append(base)
            primary.append(first)
        for r in table[table["indicator"].isin(members)].itertuples(index=False):
            key = (r.breakdown, str(r.group))
            if key in cells:
                primary[cells[key]] |= base_and_primary(r.unit, r.numerator, r.denominator, r.value)[1]
        bases_arr = np.array(bases, dtype=float)
        for key in self._forced.get(head, set()):
            if key in cells:
                primary[cells[key]] = True
        # Cells of a published breakdown that no table or figure shows (per region and health
        # community only the selected diagnosis groups are shown; unknown residence is not) are
        # unknown to a reader: free variables of the attack, hidden, needing no protection.
        free = np.zeros(len(keys), dtype=bool)
        if self.selected:
            for (b, g), i in cells.items():
                if b in GEO_DX:
                    outer, inner = g.split("|", 1)
                    free[i] = inner not in self.selected or outer == "missing"
        lines = [line for line in _lines(cells, partial)
                 if np.isfinite(bases_arr[list(line.components) + [line.total]]).all()]
        result = suppress(np.nan_to_num(bases_arr), lines, primary=np.array(primary, dtype=bool), free=free)
        return {key: bool(result.suppressed[i]) for key, i in cells.items()}

    def force(self, indicator: str, cells: set[tuple[str, str]]) -> None:
        """Hide these cells of ``indicator``'s family too (e.g. table A's own complements), then redo it."""
        head = families().get(indicator, indicator)
        self._forced.setdefault(head, set()).update(cells)
        self._hidden.pop(head, None)

    def hidden(self, indicator: str, breakdown: str, group: str) -> bool:
        """True if the number must not be published (or does not exist)."""
        head = families().get(indicator, indicator)
        if head not in self._hidden:
            self._hidden[head] = self._compute(indicator)
        own = self.results.get(indicator, breakdown, group)
        if own is None:
            return True
        if base_and_primary(own.unit, own.numerator, own.denominator, own.value)[1]:
            return True
        return self._hidden[head].get((breakdown, str(group)), True)

    def denominator_hidden(self, indicator: str, breakdown: str, group: str) -> bool:
        """True if the denominator of a share may not be shown next to it (e.g. as a funnel plot's n).

        A share's denominator is a count of patients of the group: it is hidden where the group's
        patient count (``patients``) is hidden, and where it differs from that count by 1-4 (the
        difference would be a small count)."""
        row = self.results.get(indicator, breakdown, group)
        if row is None or self.hidden("patients", breakdown, group):
            return True
        patients = self.results.get("patients", breakdown, group)
        gap = float(patients.value) - float(row.denominator)
        return bool(1 <= abs(gap) <= 4)

    def value(self, indicator: str, breakdown: str, group: str, field: str = "value") -> float | None:
        """The publishable number (``value``, ``numerator`` or ``denominator``), or None if hidden/absent."""
        row = self.results.get(indicator, breakdown, group)
        if row is None or self.hidden(indicator, breakdown, group):
            return None
        number = getattr(row, field)
        return None if number is None or not np.isfinite(number) else float(number)

    def exists(self, indicator: str, breakdown: str, group: str) -> bool:
        return self.results.get(indicator, breakdown, group) is not None
