"""Cronbach's alpha per index and population: ``OUT/alpha.csv`` (002 §3.4.1: STAR-P 0.92 outpatient
clinics / 0.90 AS, CONTINU-UM 0.85).

alpha = k / (k - 1) * (1 - sum of item variances / variance of the item sum), computed as pingouin's
``cronbach_alpha`` does it, k / (k - 1) * (1 - trace(C) / sum(C)) with C the pandas covariance matrix of
the items. Why hand-written: importing pingouin imports matplotlib and seaborn, about 0.7 s of the
analysis's ~8 s of CPU, for this one line; the tests compare it with pingouin and a hand-worked example.
The items are the scored items of the index (:func:`forlop.survey.scores.scored_items`: reversed where
the index says, special options missing); missing answers are handled as ``definitions.yaml``
``alpha.missing`` says (``listwise``: respondents with every item of the index answered, the usual
definition and the one whose n is the number of complete cases; ``pairwise``: pairwise covariances,
pingouin's ``nan_policy="pairwise"``).
Populations are sets of sectors (``alpha.populations``: PHV, TSB, AS, outpatient = PHV + TSB, all).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.survey.questionnaire import Questionnaire
from forlop.survey.respondents import definitions

ALPHA_COLUMNS = ["index", "population", "n", "n_items", "alpha"]


def cronbach_alpha(items: pd.DataFrame, missing: str = "listwise") -> tuple[float, int]:
    """(alpha, n) of the item columns of ``items``; n = respondents used (listwise: complete cases)."""
    used = items.dropna() if missing == "listwise" else items.dropna(how="all")
    k = items.shape[1]
    if len(used) < 2 or k < 2:
        return float("nan"), len(used)
    covariance = used.cov()  # pairwise complete observations: the same as listwise once those are dropped
    return float(k / (k - 1) * (1 - np.trace(covariance) / covariance.sum().sum())), len(used)


def alpha_table(respondents: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """``OUT/alpha.csv``: alpha of every index with two or more items, per population of ``definitions.yaml``.

    ``respondents`` holds the scored items (R1..R12, C1..C12) and ``sector``.
    """
    spec = definitions()["alpha"]
    rows = []
    for index in questionnaire.indices.values():
        if len(index.items) < 2 or not set(index.items) <= set(respondents.columns):
            continue
        for population, sectors in spec["populations"].items():
            items = respondents.loc[respondents["sector"].isin(sectors), list(index.items)]
            alpha, n = cronbach_alpha(items, spec["missing"])
            rows.append((index.key, population, n, len(index.items), alpha if n else np.nan))
    return pd.DataFrame(rows, columns=ALPHA_COLUMNS)


__all__ = ["ALPHA_COLUMNS", "alpha_table", "cronbach_alpha"]
