"""Cronbach's alpha per index and population: ``OUT/alpha.csv`` (002 §3.4.1: STAR-P 0.92 outpatient
clinics / 0.90 AS, CONTINU-UM 0.85).

alpha = k / (k - 1) * (1 - sum of item variances / variance of the item sum), from pingouin's
``cronbach_alpha`` (a maintained library; tested against a hand-worked example). The items are the
scored items of the index (:func:`forlop.survey.scores.scored_items`: reversed where the index says,
special options missing); missing answers are handled as ``definitions.yaml`` ``alpha.missing`` says
(``listwise``: respondents with every item of the index answered, the usual definition and the one
whose n is the number of complete cases; ``pairwise``: pingouin's pairwise covariances).
Populations are sets of sectors (``alpha.populations``: PHV, TSB, AS, outpatient = PHV + TSB, all).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forlop.survey.questionnaire import Questionnaire
from forlop.survey.respondents import definitions

ALPHA_COLUMNS = ["index", "population", "n", "n_items", "alpha"]


def cronbach_alpha(items: pd.DataFrame, missing: str = "listwise") -> tuple[float, int]:
    """(alpha, n) of the item columns of ``items``; n = respondents used (listwise: complete cases)."""
    from pingouin import cronbach_alpha as pingouin_alpha

    used = items.dropna() if missing == "listwise" else items.dropna(how="all")
    if len(used) < 2 or items.shape[1] < 2:
        return float("nan"), len(used)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alpha, _ = pingouin_alpha(data=used, nan_policy=missing)
    return float(alpha), len(used)


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
