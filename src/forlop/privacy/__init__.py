"""The one privacy layer every module publishes through (DESIGN.md "Privacy").

- :func:`publish`: a long indicator table in, the same table with a ``hidden`` column and hidden
  numbers blanked out (primary and complementary suppression per indicator family);
- :class:`Publisher`: the same decisions cell by cell, for a report that lays numbers out itself;
- :func:`suppress`, :class:`Line`: one table with its additive relations, for tables that are not
  indicator tables (the cohort flow, a trial's clusters);
- :class:`Cells`: a table given cell by cell with its lines, suppressed part by part (fast for
  many small independent parts, e.g. one line per item and group of a survey);
- :func:`attack`: the attacker's bounds on every hidden cell (the audit, integer programming);
- :class:`Rule`: what is small (1-4 by default) and the symbol a hidden number is shown as.
"""

from forlop.privacy.audit import Line, attack
from forlop.privacy.cells import Cells, one_line
from forlop.privacy.publisher import QUANTILE_UNITS, Publisher, base_and_primary, publish, table_lines
from forlop.privacy.rule import DEFAULT_RULE, SYMBOL, Rule
from forlop.privacy.suppression import Suppression, SuppressionError, column_lines, is_small, row_lines, suppress

__all__ = [
    "DEFAULT_RULE",
    "QUANTILE_UNITS",
    "SYMBOL",
    "Cells",
    "Line",
    "Publisher",
    "Rule",
    "Suppression",
    "SuppressionError",
    "attack",
    "base_and_primary",
    "column_lines",
    "is_small",
    "one_line",
    "publish",
    "row_lines",
    "suppress",
    "table_lines",
]
