"""Answer distributions per item, sector and breakdown group: ``OUT/frequencies.csv`` (002 ch. 5-12).

- ``n`` = respondents of the sector and group who answered the item (002's "n" in every caption);
  ``count`` = those who chose the option; ``share`` = count / n in percent, with the 95% Wilson
  interval of :func:`forlop.stats.proportion_ci` (statsmodels). "Vet ikke", "Ikke relevant" and the
  other special options are categories here, as 002 shows them as bars.
- A multiple-choice item (K4, K4b, L6) counts a respondent under every option ticked; n is those
  who ticked anything, so shares add up to more than 100 (Fig 6-1, 7-1).
- Every option of the item is a row, also with count 0. Codes are as answered: the AS form's own
  duration and contact categories (H5, H6, H7) are their own rows (Tab 5-2 shows them so).
- Breakdown groups (:func:`breakdown_groups`, ``definitions.yaml`` ``breakdowns``): ``all``; the
  register age group (002 Tab 5-1 bands); the self-reported diagnosis groups (L6, multi-response: a
  respondent is in every group ticked, so groups overlap and are not a partition; reading guide
  §8.8); severity (L7a), years with psychological challenges (L8a), the two combined (the derived
  item L7a_L8a) and treatment status (H1a), by option code.
- Derived items (:func:`with_derived_items`, ``definitions.yaml`` ``derived_items``): single-choice
  items made from the answers to others (002's "store utfordringer i mer enn 5 år" of Fig 6-8), counted
  like the questionnaire's own.
- Sector ``all``: every cell also for the three sectors together (002 Fig 6-10, 6-14, 8-2 show the
  whole sample); its counts and n are the sums of the sectors' (each respondent has one sector).

Counting is a sparse matrix product over integer keys (:func:`frequency_table`), no per-row Python.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import sparse

from forlop.stats import proportion_ci
from forlop.survey.questionnaire import Item, Option, Questionnaire, Text
from forlop.survey.respondents import answers, definitions, ticked_codes

FREQUENCY_COLUMNS = ["item", "option", "sector", "breakdown", "group", "n", "count", "share", "ci_low", "ci_high"]
ALL = "all"
SECTOR_NAMES = ["PHV", "TSB", "AS"]


def derived_questionnaire(questionnaire: Questionnaire) -> Questionnaire:
    """``questionnaire`` with the derived items of ``definitions.yaml`` ``derived_items`` added as
    single-choice items (column = id), for those whose source items it has (labels for the report too)."""
    ids = set(questionnaire.ids)
    extra = []
    for key, spec in (definitions().get("derived_items") or {}).items():
        sources = {spec["answered"], *(i for o in spec["options"] for i in o.get("when", {}))}
        if key in ids or not sources <= ids:
            continue
        options = tuple(
            Option(code=int(o["code"]), label=Text(nb=o["nb"], en=o["en"]), forms=questionnaire.forms)
            for o in spec["options"]
        )
        text = Text(nb=spec["text"]["nb"], en=spec["text"]["en"])
        extra.append(
            Item(id=key, question=key, section="derived", type="single", text=text, forms=questionnaire.forms,
                 column=key, options=options)
        )  # fmt: skip
    if not extra:
        return questionnaire
    return replace(questionnaire, items=(*questionnaire.items, *extra))


def with_derived_items(responses: pd.DataFrame, questionnaire: Questionnaire) -> tuple[pd.DataFrame, Questionnaire]:
    """``responses`` with a column per derived item (module docstring) and the questionnaire that has them.

    The code of a row is that of the first option whose ``when`` holds (each named item has one of its
    codes), else the ``rest`` option's, when the ``answered`` item is answered; empty otherwise.
    """
    extended = derived_questionnaire(questionnaire)
    added = [i for i in extended.items if i.id not in set(questionnaire.ids)]
    if not added:
        return responses, questionnaire
    responses = responses.copy()
    specs = definitions()["derived_items"]
    for item in added:
        spec = specs[item.id]
        answered = pd.to_numeric(answers(responses, questionnaire, spec["answered"]), errors="coerce").notna()
        code = pd.Series(np.nan, index=responses.index)
        rest = next((o["code"] for o in spec["options"] if o.get("rest")), None)
        for option in spec["options"]:
            if "when" not in option:
                continue
            hold = answered & code.isna()
            for source, codes in option["when"].items():
                hold &= pd.to_numeric(answers(responses, questionnaire, source), errors="coerce").isin(codes)
            code[hold] = option["code"]
        if rest is not None:
            code[answered & code.isna()] = rest
        responses[item.column] = code
    return responses, extended


def breakdown_groups(respondents: pd.DataFrame, responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """person_id, breakdown, group: one row per group a respondent is in (``definitions.yaml`` ``breakdowns``).

    ``respondents`` (with person_id, age_group) and ``responses`` share their row order.
    """
    spec = definitions()
    parts = [pd.DataFrame({"person_id": respondents["person_id"], "breakdown": ALL, "group": ALL})]
    for name, breakdown in spec["breakdowns"].items():
        if breakdown["kind"] == "age_group":
            group = respondents["age_group"]
        elif breakdown["kind"] == "item":
            codes = pd.to_numeric(answers(responses, questionnaire, breakdown["item"]), errors="coerce")
            group = pd.Series(None, index=codes.index, dtype=object)  # the code as text ("3"), None if empty
            group[codes.notna()] = codes.dropna().astype("int64").astype(str)
        else:  # diagnosis: multi-response groups from L6
            parts.append(diagnosis_groups(respondents["person_id"], responses, questionnaire).assign(breakdown=name))
            continue
        part = pd.DataFrame({"person_id": respondents["person_id"], "breakdown": name, "group": group})
        parts.append(part[part["group"].notna()])
    groups = pd.concat(parts, ignore_index=True)[["person_id", "breakdown", "group"]]
    groups["breakdown"] = pd.Categorical(groups["breakdown"], categories=[ALL, *spec["breakdowns"]])
    return groups


def scored_breakdowns(groups: pd.DataFrame) -> pd.DataFrame:
    """``groups`` without the breakdowns marked ``scores: false`` in ``definitions.yaml`` (not in scores.csv)."""
    skip = [k for k, v in definitions()["breakdowns"].items() if v.get("scores") is False]
    mine = groups[~groups["breakdown"].isin(skip)].copy()
    mine["breakdown"] = mine["breakdown"].cat.remove_categories(
        [c for c in skip if c in mine["breakdown"].cat.categories]
    )
    return mine


def diagnosis_groups(person_id: pd.Series, responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """person_id, group: the self-reported diagnosis groups of ``definitions.yaml`` each respondent ticked (L6)."""
    groups = definitions()["diagnosis_groups"]
    by_code = {code: key for key, spec in groups.items() for code in spec["L6"]}
    long = ticked_codes(answers(responses, questionnaire, "L6").reset_index(drop=True))
    at = long.index.to_numpy()
    rows = pd.DataFrame({"person_id": person_id.to_numpy()[at], "group": long.map(by_code).to_numpy()})
    rows = rows.dropna(subset=["group"]).drop_duplicates(["person_id", "group"])
    return rows[["person_id", "group"]].reset_index(drop=True)


def long_answers(responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """person_id, item, option: one row per answered single item and per ticked option of a multiple one.

    ``item`` is categorical with the questionnaire's items in order (a long table of 2.6 million answers
    at 002's size: codes, not 2.6 million strings). Rows run item by item, respondents in order.
    """
    single = [i for i in questionnaire.items if i.type == "single"]
    persons = responses["person_id"].to_numpy()
    values = responses[[i.column for i in single]].to_numpy(dtype=float).T  # item x respondent
    answered = ~np.isnan(values)
    person_parts = [np.broadcast_to(persons, values.shape)[answered]]
    item_parts = [np.broadcast_to(np.arange(len(single))[:, None], values.shape)[answered]]
    option_parts = [values[answered].astype(np.int64)]
    ids = [i.id for i in single]
    for item in (i for i in questionnaire.items if i.type == "multiple"):
        long = ticked_codes(responses[item.column].reset_index(drop=True))
        rows = pd.DataFrame({"person_id": persons[long.index.to_numpy()], "option": long.to_numpy()}).drop_duplicates()
        person_parts.append(rows["person_id"].to_numpy())
        option_parts.append(rows["option"].to_numpy(dtype=np.int64))
        item_parts.append(np.full(len(rows), len(ids)))
        ids.append(item.id)
    table = pd.DataFrame({"person_id": np.concatenate(person_parts)})  # column by column: no block copies
    table["item"] = pd.Categorical.from_codes(np.concatenate(item_parts), categories=ids)
    table["option"] = np.concatenate(option_parts)
    return table


def _indicator(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """A sparse matrix with 1 at every (row, column) pair (a pair given twice counts twice)."""
    return sparse.csr_matrix((np.ones(rows.size, dtype=np.int64), (rows, columns)), shape=shape)


def frequency_table(
    answers: pd.DataFrame, sectors: pd.DataFrame, groups: pd.DataFrame, questionnaire: Questionnaire
) -> pd.DataFrame:
    """``OUT/frequencies.csv`` (module docstring) from the long ``answers``, the respondents' ``sectors``
    (person_id, sector) and the breakdown ``groups``.

    Counting per breakdown is one sparse matrix product, (sector, group) x person memberships times
    person x (item, option) answers (and times person x item answered, for n): a person in several
    groups (the diagnosis groups) counts in each. At 002's size 2.6 million answers; a DuckDB join and
    GROUP BY of the same took 6-9 s on the shared 2 cores, numpy.bincount over the answers expanded
    per membership about 2 s, the products about 0.2 s.
    """
    items = [i for i in questionnaire.items if i.type in ("single", "multiple")]
    item_index = {item.id: k for k, item in enumerate(items)}
    n_options = np.array([len(item.options) for item in items])
    width = int(n_options.max())
    codes = [o.code for item in items for o in item.options]
    low_code, high_code = min(codes), max(codes)
    position = np.full((len(items), high_code - low_code + 1), -1, dtype=np.int64)  # (item, code) -> position
    for k, item in enumerate(items):
        for p, opt in enumerate(item.options):
            position[k, opt.code - low_code] = p
    code_at = np.array([[o.code for o in item.options] + [0] * (width - len(item.options)) for item in items])
    person_index = pd.Index(sectors["person_id"])
    sector_names = [*SECTOR_NAMES, ALL]
    sector = pd.Categorical(sectors["sector"], categories=SECTOR_NAMES).codes
    p = person_index.get_indexer(answers["person_id"])
    i = answers["item"].map(item_index).to_numpy(dtype=float)
    keep = (p >= 0) & ~np.isnan(i) & (sector[np.maximum(p, 0)] >= 0)
    p, i = p[keep], i[keep].astype(np.int64)
    option = answers["option"].to_numpy()[keep]
    in_range = (option >= low_code) & (option <= high_code)
    o = np.full(option.size, -1, dtype=np.int64)
    o[in_range] = position[i[in_range], option[in_range] - low_code]
    p, i, o = p[o >= 0], i[o >= 0], o[o >= 0]
    answered = np.zeros(len(person_index) * len(items), dtype=bool)  # (person, item) answered: the denominators
    answered[p * len(items) + i] = True  # (a mask, not np.unique: numpy 2.3's hash unique took 8 s here)
    pairs = np.flatnonzero(answered)
    chosen = _indicator(p, i * width + o, (len(person_index), len(items) * width))  # person x (item, option)
    asked = _indicator(pairs // len(items), pairs % len(items), (len(person_index), len(items)))  # person x item
    parts = []
    for breakdown in groups["breakdown"].cat.categories:
        mine = groups[groups["breakdown"] == breakdown]
        labels = sorted(mine["group"].astype(str).unique())
        mp = person_index.get_indexer(mine["person_id"])
        mg = pd.Categorical(mine["group"].astype(str), categories=labels).codes
        ok = (mp >= 0) & (sector[np.maximum(mp, 0)] >= 0)
        g_count = len(labels)
        if g_count == 0:
            continue
        # (sector, group) x person memberships: times the answers, the sums per cell
        member = _indicator(sector[mp[ok]] * g_count + mg[ok], mp[ok], (3 * g_count, len(person_index)))
        count = (member @ chosen).toarray().reshape(3, g_count, len(items), width).transpose(2, 0, 1, 3).ravel()
        n = (member @ asked).toarray().reshape(3, g_count, len(items)).transpose(2, 0, 1).ravel()
        # sector "all" (the 4th): the sum over the three sectors, each respondent being in one
        count = count.reshape(len(items), 3, g_count * width)
        count = np.concatenate([count, count.sum(axis=1, keepdims=True)], axis=1).ravel()
        n = n.reshape(len(items), 3, g_count)
        n = np.concatenate([n, n.sum(axis=1, keepdims=True)], axis=1).ravel()
        cells = np.nonzero(n)[0]
        cell_items = cells // (4 * g_count)
        repeat = n_options[cell_items]
        cell_rows = np.repeat(cells, repeat)
        opt = np.arange(cell_rows.size) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        item_of = cell_rows // (4 * g_count)
        parts.append(
            pd.DataFrame(
                {
                    "item": np.array([item.id for item in items])[item_of],
                    "option": code_at[item_of, opt],
                    "sector": np.array(sector_names)[(cell_rows // g_count) % 4],
                    "breakdown": str(breakdown),
                    "group": np.array(labels)[cell_rows % g_count],
                    "n": n[cell_rows],
                    "count": count[cell_rows * width + opt],
                    "_item": item_of,
                    "_sector": (cell_rows // g_count) % 4,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=FREQUENCY_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["_item", "_sector"], kind="stable").reset_index(drop=True)
    n = table["n"].to_numpy(dtype=float)
    count = table["count"].to_numpy(dtype=float)
    low, high = proportion_ci(count, n)
    table["share"] = count / n * 100  # n > 0 on every row: cells without answers have no rows
    table["ci_low"], table["ci_high"] = low * 100, high * 100
    table["n"] = table["n"].astype("int64")
    table["count"] = table["count"].astype("int64")
    return table[FREQUENCY_COLUMNS]


__all__ = [
    "FREQUENCY_COLUMNS",
    "breakdown_groups",
    "derived_questionnaire",
    "diagnosis_groups",
    "frequency_table",
    "long_answers",
    "scored_breakdowns",
    "with_derived_items",
]
