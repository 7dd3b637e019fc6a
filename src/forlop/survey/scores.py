"""Index and item scores (002 §3.4.1, ch. 10-12) and the score table ``OUT/scores.csv``.

Rules (docs/definitions.md, "Patient-experience survey (002)", "Analysis"):

- an item's **scored value** is its code when the code is a non-special code within the index's
  ``range``; special options ("Vet ikke", "Ikke relevant", CONTINU-UM's "Uaktuelt", code 6) are
  missing (002 §3.4.1: "kategori 6 ekskludert"). A reverse-scored item scores ``low + high - code``
  (STAR-P R4, R7, R9: 4 - code; 002 §3.4.1 "snudd, slik at høyere skåre indikerer bedre");
- an index is scored when at least ``min_items`` of its items have a scored value (the index's own
  ``min_items`` in the questionnaire: STAR 6 of 12, CONTINUITY9 9 of 9; 002 states no rule), unless
  ``definitions.yaml`` ``min_items`` overrides it for that index;
  ``score: mean`` is the mean of the answered items (STAR, 0-4, Fig 10-2); ``score: sum`` is the
  sum, scaled up to all items when fewer are allowed (mean of the answered items x number of items;
  CONTINUITY9, 9-45, Tab 11-1, which requires all nine so is the plain sum); ``score: items`` has
  item scores and alpha only (CONTINUITY, Fig 11-1);
- means with the t interval of :func:`forlop.stats.mean_ci` (statsmodels' formula, computed for every
  sector and breakdown group at once by :func:`forlop.stats.t_interval`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.stats import t_interval
from forlop.survey.questionnaire import Index, Questionnaire

SCORE_COLUMNS = ["score", "sector", "breakdown", "group", "n", "mean", "sd", "ci_low", "ci_high"]


def scored_items(responses: pd.DataFrame, index: Index, questionnaire: Questionnaire) -> pd.DataFrame:
    """One column per item of ``index``: the scored value (reversed where the index says), NaN if missing."""
    out = {}
    for item_id in index.items:
        item = questionnaire.item(item_id)
        valid = [o.code for o in item.options if o.special is None and index.low <= o.code <= index.high]
        raw = pd.to_numeric(responses[item.column], errors="coerce").to_numpy(dtype=float)
        value = np.where(np.isin(raw, valid), raw, np.nan)  # numpy's isin: a pandas hash table per item cost 3 ms
        out[item_id] = index.low + index.high - value if item_id in index.reverse else value
    return pd.DataFrame(out, index=responses.index)


def index_score(items: pd.DataFrame, index: Index, min_items: int | None = None) -> pd.Series:
    """The index score per row of the scored ``items`` (module docstring); NaN below ``min_items``
    (default: the index's own)."""
    answered = items.notna().sum(axis=1)
    mean = items.mean(axis=1, skipna=True)
    score = mean * len(index.items) if index.score == "sum" else mean
    return score.where(answered >= (index.min_items if min_items is None else min_items))


def index_scores(
    responses: pd.DataFrame, questionnaire: Questionnaire, min_items: dict[str, int] | None = None
) -> pd.DataFrame:
    """Every scored index (``score`` mean or sum) and every scored index item, as columns keyed by id.

    An item in several indices (C1 in CONTINUITY and CONTINUITY9) is scored by the first index
    that has it; the reverse lists of the 002 indices agree, so the choice does not matter there.
    """
    out: dict[str, pd.Series] = {}
    for index in questionnaire.indices.values():
        items = scored_items(responses, index, questionnaire)
        for item_id in items:
            out.setdefault(item_id, items[item_id])
        if index.score != "items":
            out[index.key] = index_score(items, index, (min_items or {}).get(index.key))
    return pd.DataFrame(out, index=responses.index)


def _cell_summaries(values: np.ndarray, sector: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """sector, group, _score (column of ``values``), n, mean, sd of the finite values per cell: one
    pandas group-by over all rows and scores (sd with ddof 1, NaN for one value); no row for n = 0."""
    frame = pd.DataFrame(values)
    grouped = frame.groupby([sector, group], sort=False)
    stats = {"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std(ddof=1)}
    long = pd.concat({k: v.stack(future_stack=True) for k, v in stats.items()}, axis=1)
    long.index = long.index.set_names(["sector", "group", "_score"])
    long = long.reset_index()
    return long[long["n"] > 0]


def score_table(
    respondents: pd.DataFrame, groups: pd.DataFrame, scores: list[str], sectors: tuple[str, ...]
) -> pd.DataFrame:
    """``OUT/scores.csv``: n, mean, sd and 95% t interval per score, sector, breakdown and group.

    ``groups`` has person_id, breakdown, group (one row per membership; multi-response groups give
    a person several rows). Missing scores are left out of each mean (item-wise exclusion). The
    interval is :func:`forlop.stats.t_interval`, the t interval of :func:`forlop.stats.mean_ci` for
    every cell at once.
    """
    person_index = pd.Index(respondents["person_id"])
    values = respondents[scores].to_numpy(dtype=float)
    sector = respondents["sector"].to_numpy()
    parts = []
    for order, breakdown in enumerate(groups["breakdown"].cat.categories):
        mine = groups[groups["breakdown"] == breakdown]
        at = person_index.get_indexer(mine["person_id"])
        keep = at >= 0
        at, group = at[keep], mine["group"].to_numpy()[keep]
        cells = _cell_summaries(values[at], sector[at], group)
        parts.append(cells.assign(breakdown=breakdown, _breakdown=order))
    if not parts:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table["ci_low"], table["ci_high"] = t_interval(table["n"], table["mean"], table["sd"])
    table["score"] = np.asarray(scores, dtype=object)[table["_score"].to_numpy(dtype=int)]
    table["n"] = table["n"].astype(int)
    table["_sector"] = table["sector"].map({s: i for i, s in enumerate(sectors)})
    table = table.sort_values(["_score", "_sector", "_breakdown", "group"], kind="stable")
    return table[SCORE_COLUMNS].reset_index(drop=True)


__all__ = ["SCORE_COLUMNS", "index_score", "index_scores", "score_table", "scored_items"]
