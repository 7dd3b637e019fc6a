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
  §8.8); severity (L7a) and years with psychological challenges (L8a), by option code.

Counting is DuckDB SQL over the long answers joined to the groups (one pass, no per-item Python loop
over rows): at 002's size that join has about ten million rows.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from forlop.stats import proportion_ci
from forlop.survey.questionnaire import Questionnaire
from forlop.survey.respondents import codes_of, definitions

FREQUENCY_COLUMNS = ["item", "option", "sector", "breakdown", "group", "n", "count", "share", "ci_low", "ci_high"]
ALL = "all"


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
            codes = pd.to_numeric(responses[questionnaire.item(breakdown["item"]).column], errors="coerce")
            group = codes.map(lambda c: None if np.isnan(c) else str(int(c)))
        else:  # diagnosis: multi-response groups from L6
            parts.append(diagnosis_groups(respondents["person_id"], responses, questionnaire).assign(breakdown=name))
            continue
        part = pd.DataFrame({"person_id": respondents["person_id"], "breakdown": name, "group": group})
        parts.append(part[part["group"].notna()])
    groups = pd.concat(parts, ignore_index=True)[["person_id", "breakdown", "group"]]
    groups["breakdown"] = pd.Categorical(groups["breakdown"], categories=[ALL, *spec["breakdowns"]])
    return groups


def diagnosis_groups(person_id: pd.Series, responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """person_id, group: the self-reported diagnosis groups of ``definitions.yaml`` each respondent ticked (L6)."""
    groups = definitions()["diagnosis_groups"]
    by_code = {code: key for key, spec in groups.items() for code in spec["L6"]}
    sets = codes_of(responses[questionnaire.item("L6").column])
    rows = pd.DataFrame({"person_id": person_id.to_numpy(), "codes": sets.to_numpy()}).dropna()
    rows = rows.assign(code=rows["codes"].map(sorted)).explode("code")
    rows["group"] = rows["code"].map(by_code)
    rows = rows.dropna(subset=["group"]).drop_duplicates(["person_id", "group"])
    return rows[["person_id", "group"]].reset_index(drop=True)


def long_answers(responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """person_id, item, option: one row per answered single item and per ticked option of a multiple one."""
    single = [i for i in questionnaire.items if i.type == "single"]
    frame = responses[["person_id", *(i.column for i in single)]].rename(columns={i.column: i.id for i in single})
    long = frame.melt(id_vars="person_id", var_name="item", value_name="option").dropna(subset=["option"])
    parts = [long]
    for item in (i for i in questionnaire.items if i.type == "multiple"):
        sets = codes_of(responses[item.column])
        rows = pd.DataFrame({"person_id": responses["person_id"].to_numpy(), "option": sets.to_numpy()})
        rows = rows.dropna().assign(option=lambda d: d["option"].map(sorted)).explode("option")
        parts.append(rows.assign(item=item.id))
    answers = pd.concat(parts, ignore_index=True)
    answers["option"] = answers["option"].astype("int64")
    return answers[["person_id", "item", "option"]]


def frequency_table(
    answers: pd.DataFrame, sectors: pd.DataFrame, groups: pd.DataFrame, questionnaire: Questionnaire
) -> pd.DataFrame:
    """``OUT/frequencies.csv`` (module docstring) from the long ``answers``, the respondents' ``sectors``
    (person_id, sector) and the breakdown ``groups``."""
    options = pd.DataFrame(
        [(i.id, o.code, n, p) for n, i in enumerate(questionnaire.items) if i.type in ("single", "multiple")
         for p, o in enumerate(i.options)],
        columns=["item", "option", "item_order", "option_order"],
    )  # fmt: skip
    group_rows = groups.assign(breakdown=groups["breakdown"].astype(str), b_order=groups["breakdown"].cat.codes)
    sector_order = pd.DataFrame({"sector": ["PHV", "TSB", "AS"], "s_order": [0, 1, 2]})
    con = duckdb.connect()
    try:
        for name, table in (("answers", answers), ("sectors", sectors), ("groups", group_rows),
                            ("options", options), ("sector_order", sector_order)):  # fmt: skip
            con.register(name, table)
        table = con.execute(
            """
            WITH joined AS (
                SELECT a.person_id, a.item, a.option, s.sector, g.breakdown, g."group", g.b_order
                FROM answers a JOIN sectors s USING (person_id) JOIN groups g USING (person_id)
            ),
            denominators AS (
                SELECT item, sector, breakdown, "group", any_value(b_order) AS b_order,
                       count(DISTINCT person_id) AS n
                FROM joined GROUP BY ALL
            ),
            counts AS (
                SELECT item, option, sector, breakdown, "group", count(*) AS count FROM joined GROUP BY ALL
            )
            SELECT d.item, o.option, d.sector, d.breakdown, d."group", d.n, coalesce(c.count, 0) AS count
            FROM denominators d
            JOIN options o USING (item)
            LEFT JOIN counts c USING (item, option, sector, breakdown, "group")
            LEFT JOIN sector_order so USING (sector)
            ORDER BY o.item_order, so.s_order, d.b_order, d."group", o.option_order
            """
        ).df()
    finally:
        con.close()
    n = table["n"].to_numpy(dtype=float)
    count = table["count"].to_numpy(dtype=float)
    low, high = proportion_ci(count, n)
    table["share"] = np.where(n > 0, count / np.where(n > 0, n, 1) * 100, np.nan)
    table["ci_low"], table["ci_high"] = low * 100, high * 100
    table["n"] = table["n"].astype("int64")
    table["count"] = table["count"].astype("int64")
    return table[FREQUENCY_COLUMNS]


__all__ = ["FREQUENCY_COLUMNS", "breakdown_groups", "diagnosis_groups", "frequency_table", "long_answers"]
