"""Geographic variation done properly (issue 4 item 3): standardised rates per 10 000 adults.

Counts patients per health community x age group x sex from the engine's pathway table (no ids)
and the adult population of the extract, and computes crude rates (exact Poisson CI) and directly
age- and sex-standardised rates (Fay-Feuer CI, :mod:`forlop.stats.standardise`) for regions,
health communities and the country. A rate is hidden when its count is hidden in the rest of the
report (``patients``, ``coercion_share`` or ``substance_use_share`` by the same area), so the
table gives nothing away that the other tables hide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.i18n import format_number, t
from forlop.report.publish import Publisher
from forlop.report.spec import geography_order, group_labels, text
from forlop.stats import standardised_rates
from forlop.report.tables import PublishedTable

HIDING_INDICATOR = {None: "patients", "coercion": "coercion_share", "substance_use": "substance_use_share"}


def rate_frame(pub: Publisher, flag: str | None) -> pd.DataFrame | None:
    """Rates for every region, health community and the country: level, name, events, crude..., rate..."""
    strata, population = pub.results.strata, pub.results.population
    if strata is None or population is None:
        return None
    column = "patients" if flag is None else flag
    frames = []
    for level in ("health_community", "region"):
        ev = strata.groupby([level, "age_group", "sex"], as_index=False)[column].sum().rename(columns={column: "events"})
        pop = population.groupby([level, "age_group", "sex"], as_index=False)["population"].sum()
        pop = pop[pop[level] != "missing"]
        out = standardised_rates(ev, pop, level).rename(columns={level: "name"})
        out["level"] = level
        frames.append(out)
    ev = strata.groupby(["age_group", "sex"], as_index=False)[column].sum().rename(columns={column: "events"}).assign(area="all")
    pop = population.groupby(["age_group", "sex"], as_index=False)["population"].sum().assign(area="all")
    national = standardised_rates(ev, pop, "area").rename(columns={"area": "name"})
    national["level"] = "all"
    frame = pd.concat(frames + [national], ignore_index=True)
    indicator = HIDING_INDICATOR[flag]
    hide = []
    for r in frame.itertuples(index=False):
        breakdown, group = ("all", "all") if r.level == "all" else (r.level, r.name)
        hide.append(pub.hidden(indicator, breakdown, group) or (1 <= r.events <= 4))
    frame["hidden"] = hide
    for c in ["events", "crude", "crude_low", "crude_high", "rate", "rate_low", "rate_high"]:
        frame.loc[frame["hidden"], c] = np.nan
    return frame


def rates_table(item: dict, pub: Publisher, lang: str) -> tuple[PublishedTable | None, dict[str, pd.DataFrame]]:
    """Table S1: for each measure, n, crude rate (95% CI) and standardised rate (95% CI)."""
    frames = {}
    for m in item["measures"]:
        frame = rate_frame(pub, m.get("flag"))
        if frame is None:
            return None, {}
        frames[text(m, lang)] = frame
    regions, hcs = geography_order()
    labels = group_labels(lang)
    order = [("region", r) for r in regions] + [("all", "all")] + [("health_community", h) for h, _ in hcs]
    top = [("", 1)] + [(name, 3) for name in frames]
    sub = [t("report.label.number", lang), t("report.label.crude_rate_ci", lang),
           t("report.label.standardised_rate_ci", lang)]
    second = [(t("report.label.region_health_community", lang), 1)] + [(s, 1) for _ in frames for s in sub]
    rows, numbers, kinds = [], [], []
    hidden = 0
    for level, name in order:
        label = t("report.label.whole_country", lang) if level == "all" else labels.get((level, name), name)
        cells = [label]
        nums: list[float | None] = []
        for frame in frames.values():
            hit = frame[(frame["level"] == level) & (frame["name"] == name)]
            if hit.empty or bool(hit["hidden"].iloc[0]):
                cells += [pub.symbol] * 3
                nums += [None, None, None]
                hidden += 3
                continue
            r = hit.iloc[0]
            cells.append(format_number(r["events"], 0, lang, pub.symbol))
            for key in ("crude", "rate"):
                value, low, high = (format_number(r[k], 1, lang, "") for k in (key, f"{key}_low", f"{key}_high"))
                cells.append(f"{value} ({low}–{high})")
            nums += [float(r["events"]), None, None]  # Excel keeps "rate (low–high)" as shown, with its CI
        rows.append(cells)
        numbers.append(nums)
        kinds.append("total" if level in ("all", "region") else "data")
    table = PublishedTable(id=item["id"], title=text(item, lang), source=item["source"],
                           definition=t("report.label.rates_definition", lang),
                           headers=[top, second], rows=rows, numbers=numbers, kinds=kinds, hidden=hidden)
    return table, frames
