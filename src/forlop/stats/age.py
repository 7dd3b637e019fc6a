"""Age groups from the code list ``codes/age_groups.csv`` (001 figure 1), one rule for every module.

A person of age a is in the group whose ``min_age <= a <= max_age``; an age outside every group
(under 18, or missing) has no group. The same rule as a pandas function and as an Ibis expression,
built from the same rows of the code list, so the pathway table, the population table of the
report and the coercion rates cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from forlop import codes

if TYPE_CHECKING:
    import ibis.expr.types as ir


def age_bands(scheme: str = "age_groups") -> list[tuple[str, int, int]]:
    """(key, min_age, max_age) of every group of the code list ``scheme``, in its order."""
    table = codes.load(scheme)
    return [(str(r.key), int(r.min_age), int(r.max_age)) for r in table.itertuples()]


def age_group(age: pd.Series, scheme: str = "age_groups") -> pd.Series:
    """Group key of every age (object dtype; missing where no group applies)."""
    values = pd.to_numeric(age, errors="coerce")
    result = pd.Series(pd.NA, index=age.index, dtype="object")
    for key, low, high in age_bands(scheme):
        result[(values >= low) & (values <= high)] = key
    return result


def age_group_expr(age: ir.IntegerValue, scheme: str = "age_groups") -> ir.StringValue:
    """The same rule as :func:`age_group`, as an Ibis expression (NULL where no group applies)."""
    import ibis

    cases = [((age >= low) & (age <= high), key) for key, low, high in age_bands(scheme)]
    return ibis.cases(*cases, else_=None)
