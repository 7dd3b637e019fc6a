"""Which numbers of a long indicator table may be published: suppression per indicator family.

The table has one row per number: indicator, breakdown, group, numerator, denominator, value,
unit (the shape of the pathway engine's ``indicators.csv`` and of ``outcomes.csv``). For one
indicator every (breakdown, group) number is a cell. Its *base count* (what adds up over groups)
and its *primary* rule follow the unit:

- count: base = value; hidden if small;
- share and rate: base = numerator; a share is hidden if its numerator, its denominator or the
  rest (denominator - numerator) is small ("98 of 100" tells about the 2 others); a rate if its
  numerator is small (its denominator, a population, is public);
- mean (and any other average, e.g. an effect size): base = numerator (the sum over people,
  additive); hidden if the number of people it is taken over (denominator) is small;
- median and other quantiles: base = denominator; hidden if small.

The lines (additive relations an attacker can use) follow from the breakdown names: the groups of a
plain breakdown add up to the ``all`` cell; groups nested in a coarser breakdown (``nesting``:
health communities in regions) add up to their parent's cell; a crossed breakdown ``A_x_B``
(group ``a|b``) adds up over A to the group b of B and over B to the group a of A. All cells of an
indicator are suppressed together (:func:`forlop.privacy.suppression.suppress`), so one number is
hidden or shown the same way in every table and figure.

Indicators that rest on the same counts form a *family* (``families``: indicator -> the indicator
whose counts it rests on) and share one pattern: otherwise one table could hide a count that
another shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from forlop.privacy.audit import Line
from forlop.privacy.rule import DEFAULT_RULE, Rule
from forlop.privacy.suppression import suppress

Key = tuple[str, str]
#: Units whose base is the number of people (quantiles), not an additive sum.
QUANTILE_UNITS = {"median", "p25", "p75", "p95"}
#: Units whose number is an average over the people in its denominator.
MEAN_UNITS = {"mean", "effect_size"}


def base_and_primary(unit: str, numerator: float, denominator: float, value: float, rule: Rule = DEFAULT_RULE
                     ) -> tuple[float, bool]:
    """The additive base count of one number and whether the rule hides it by itself."""
    def small(x: float) -> bool:
        return bool(np.isfinite(x) and rule.is_small(x))

    if unit == "count":
        return value, small(value)
    if unit == "share":
        rest = denominator - numerator if np.isfinite(denominator) and np.isfinite(numerator) else np.nan
        return numerator, small(numerator) or small(denominator) or small(rest)
    if unit.startswith("rate"):
        return numerator, small(numerator)
    if unit in MEAN_UNITS:
        return numerator, small(denominator)
    return denominator, small(denominator)  # median, quantiles


def table_lines(cells: Mapping[Key, int], nesting: Mapping[str, tuple[str, Mapping[str, str]]] | None = None
                ) -> list[Line]:
    """Additive relations between the cells of one indicator (see the module docstring).

    ``nesting``: breakdown -> (parent breakdown, group -> parent group), e.g.
    ``{"health_community": ("region", region_of)}``.
    """
    nesting = nesting or {}
    lines: list[Line] = []
    total = cells.get(("all", "all"))
    by_breakdown: dict[str, list[str]] = {}
    for breakdown, group in cells:
        by_breakdown.setdefault(breakdown, []).append(group)

    def nested(breakdown: str, parts_of: dict[str, list[int]], parent_key: Any) -> None:
        if breakdown not in nesting:
            return
        parent, parent_of = nesting[breakdown]
        for up in sorted(set(parent_of.values())):
            parts = tuple(parts_of.get(up, []))
            key = parent_key(parent, up)
            if parts and key in cells:
                lines.append(Line(parts, cells[key]))

    for breakdown, groups in by_breakdown.items():
        if breakdown == "all":
            continue
        if "_x_" not in breakdown:
            if total is not None:
                lines.append(Line(tuple(cells[(breakdown, g)] for g in groups), total))
            if breakdown in nesting:
                parent_of = nesting[breakdown][1]
                by_parent: dict[str, list[int]] = {}
                for g in groups:
                    if g in parent_of:
                        by_parent.setdefault(parent_of[g], []).append(cells[(breakdown, g)])
                nested(breakdown, by_parent, lambda parent, up: (parent, up))
            continue
        outer, inner = breakdown.split("_x_")
        pairs = [g.split("|", 1) for g in groups]
        for b in sorted({p[1] for p in pairs}):
            parts = tuple(cells[(breakdown, f"{a}|{bb}")] for a, bb in pairs if bb == b)
            if (inner, b) in cells:
                lines.append(Line(parts, cells[(inner, b)]))
            if outer in nesting:
                parent_of = nesting[outer][1]
                by_parent = {}
                for a, bb in pairs:
                    if bb == b and a in parent_of:
                        by_parent.setdefault(parent_of[a], []).append(cells[(breakdown, f"{a}|{b}")])
                nested(outer, by_parent, lambda parent, up, b=b, inner=inner: (f"{parent}_x_{inner}", f"{up}|{b}"))
        for a in sorted({p[0] for p in pairs}):
            parts = tuple(cells[(breakdown, f"{aa}|{b}")] for aa, b in pairs if aa == a)
            if (outer, a) in cells:
                lines.append(Line(parts, cells[(outer, a)]))
    return lines


class Publisher:
    """Decides, once per indicator family, which numbers of a long indicator table are hidden.

    ``published``: indicator -> breakdowns a reader sees (None: every breakdown of the table takes
    part in the suppression). ``unpublished(breakdown, group)``: cells of a published breakdown
    that no table or figure shows (unknowns to a reader, hidden without needing protection);
    a module overrides it where it needs to.
    """

    def __init__(self, indicators: pd.DataFrame, *, rule: Rule = DEFAULT_RULE,
                 families: Mapping[str, str] | None = None,
                 nesting: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
                 published: Mapping[str, set[str]] | None = None) -> None:
        self.indicators = indicators
        self.rule = rule
        self.symbol = rule.symbol
        self.families = dict(families or {})
        self.nesting = dict(nesting or {})
        self.published = published
        self._index = {(r.indicator, r.breakdown, str(r.group)): r for r in indicators.itertuples(index=False)}
        self._forced: dict[str, set[Key]] = {}
        self._hidden: dict[str, dict[Key, bool]] = {}

    def get(self, indicator: str, breakdown: str, group: str) -> Any:
        """The row (a named tuple) of one number, or None if the table does not have it."""
        return self._index.get((indicator, breakdown, str(group)))

    def groups(self, indicator: str, breakdown: str) -> list[str]:
        """Groups present for an indicator and breakdown, in table order."""
        return [g for (i, b, g) in self._index if i == indicator and b == breakdown]

    def head(self, indicator: str) -> str:
        """The indicator whose counts ``indicator`` rests on (itself if it heads its family)."""
        return self.families.get(indicator, indicator)

    def unpublished(self, breakdown: str, group: str) -> bool:
        """True for cells of a published breakdown that nobody sees (none by default)."""
        return False

    def _compute(self, indicator: str) -> dict[Key, bool]:
        head = self.head(indicator)
        members = [i for i, h in self.families.items() if h == head] or [indicator]
        table = self.indicators
        rows = table[table["indicator"] == head]
        if rows.empty:
            rows = table[table["indicator"] == indicator]
        if self.published is not None:
            shown = set().union(*(self.published.get(m, set()) for m in [*members, head, indicator]))
            rows = rows[rows["breakdown"].isin(shown | {"all"})]
        keys = list(zip(rows["breakdown"], rows["group"].astype(str)))
        cells = {key: i for i, key in enumerate(keys)}
        bases, primary = [], []
        for r in rows.itertuples(index=False):
            base, first = base_and_primary(r.unit, r.numerator, r.denominator, r.value, self.rule)
            bases.append(base)
            primary.append(first)
        for r in table[table["indicator"].isin(members)].itertuples(index=False):
            key = (r.breakdown, str(r.group))
            if key in cells:
                primary[cells[key]] |= base_and_primary(r.unit, r.numerator, r.denominator, r.value, self.rule)[1]
        for key in self._forced.get(head, set()):
            if key in cells:
                primary[cells[key]] = True
        free = np.array([self.unpublished(b, g) for b, g in keys], dtype=bool)
        bases_arr = np.array(bases, dtype=float)
        lines = [line for line in table_lines(cells, self.nesting)
                 if np.isfinite(bases_arr[[*line.components, line.total]]).all()]
        result = suppress(np.nan_to_num(bases_arr), lines, primary=np.array(primary, dtype=bool), rule=self.rule,
                          free=free)
        return {key: bool(result.suppressed[i]) for key, i in cells.items()}

    def force(self, indicator: str, cells: set[Key]) -> None:
        """Hide these cells of ``indicator``'s family too (e.g. a table's own complements), then redo it."""
        head = self.head(indicator)
        self._forced.setdefault(head, set()).update(cells)
        self._hidden.pop(head, None)

    def hidden(self, indicator: str, breakdown: str, group: str) -> bool:
        """True if the number must not be published (or does not exist)."""
        head = self.head(indicator)
        if head not in self._hidden:
            self._hidden[head] = self._compute(indicator)
        own = self.get(indicator, breakdown, group)
        if own is None:
            return True
        if base_and_primary(own.unit, own.numerator, own.denominator, own.value, self.rule)[1]:
            return True
        return self._hidden[head].get((breakdown, str(group)), True)

    def value(self, indicator: str, breakdown: str, group: str, field: str = "value") -> float | None:
        """The publishable number (``value``, ``numerator`` or ``denominator``), or None if hidden/absent."""
        row = self.get(indicator, breakdown, group)
        if row is None or self.hidden(indicator, breakdown, group):
            return None
        number = getattr(row, field)
        return None if number is None or not np.isfinite(number) else float(number)


def publish(indicators: pd.DataFrame, rule: Rule = DEFAULT_RULE, families: Mapping[str, str] | None = None,
            nesting: Mapping[str, tuple[str, Mapping[str, str]]] | None = None) -> pd.DataFrame:
    """The table as it may be published: a boolean ``hidden`` column, and every number of a hidden row blanked.

    The one entry point for a module that publishes a long indicator table (see the module
    docstring for the columns, the rule per unit and the lines).
    """
    pub = Publisher(indicators, rule=rule, families=families, nesting=nesting)
    out = indicators.copy()
    out["hidden"] = [pub.hidden(r.indicator, r.breakdown, str(r.group)) for r in indicators.itertuples(index=False)]
    numbers = [c for c in ("numerator", "denominator", "value", "ci_low", "ci_high") if c in out]
    out[numbers] = out[numbers].astype(float)
    out.loc[out["hidden"], numbers] = np.nan
    return out
