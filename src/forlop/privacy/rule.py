"""The publication rule: which counts are small, and how a hidden number is shown.

DESIGN.md "Privacy": a published table never shows a count of 1-4, nor a share, mean or any figure
built on one; zero is shown (it discloses nobody). A module whose source publishes with a stricter
threshold passes its own rule: the national patient survey (002) shows counts under 10 as ``*``
(``Rule(max_small=9, symbol="*")``). ``min_width`` is what the audit demands of every hidden cell:
the published table must admit values at least this far apart for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The symbol a hidden number is shown as (DESIGN.md "Privacy"; the report's ``--symbol``).
SYMBOL = "–"


@dataclass(frozen=True)
class Rule:
    """Counts ``min_small <= n <= max_small`` are small (hidden with everything built on them)."""

    max_small: int = 4
    min_small: int = 1
    min_width: float = 1.0
    symbol: str = SYMBOL

    def is_small(self, values: np.ndarray | float) -> np.ndarray:
        """True where a count is small under this rule (NaN is not small)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return (values >= self.min_small) & (values <= self.max_small)


#: The rule of DESIGN.md: counts of 1-4 are hidden.
DEFAULT_RULE = Rule()
