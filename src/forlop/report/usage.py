"""Which (indicator, breakdown) pairs the report publishes, read off the report spec.

Suppression only needs to protect what is published: cells of breakdowns that no table or figure
shows are unknown to a reader and are left out of the suppression problem (which keeps it small).
The parents of a crossed breakdown (``A_x_B`` -> ``A`` and ``B``) are always included, so an
attacker is assumed to know them (stricter).
"""

from __future__ import annotations


def _series_breakdowns(item: dict, spec: dict) -> set[str]:
    raw = item.get("series", "selected_groups")
    if raw == "selected_groups":
        raw = spec["selected_groups"]
    out = set()
    for s in raw:
        if isinstance(s, str):
            out.add("all" if s == "all" else "diagnosis_group")
        else:
            out.add(s["breakdown"])
    return out


def published_breakdowns(spec: dict) -> dict[str, set[str]]:
    """indicator id -> breakdowns shown anywhere in the report (plus 'all' and crossed parents)."""
    use: dict[str, set[str]] = {}

    def add(indicator: str, breakdowns: set[str]) -> None:
        use.setdefault(indicator, {"all"}).update(breakdowns)

    geo_levels = {"region", "health_community"}
    for section in spec["sections"]:
        for item in section["items"]:
            kind = item["kind"]
            if kind == "table":
                for col in item["columns"]:
                    add(col["indicator"], {item["rows"]})
            elif kind == "compare":
                cols = {c["breakdown"] for c in item["columns"]}
                add("patients", cols)
                for row in item["rows"]:
                    if "indicator" in row:
                        add(row["indicator"], cols)
                        if "median" in row:
                            add(row["median"], cols)
            elif kind == "bars":
                if "x_breakdown" in item:
                    add(item["indicator"], {item["x_breakdown"]})
                    continue
                for x in item["x"]:
                    indicator = x.get("indicator") or item["x_indicator"].format(service=x["service"])
                    add(indicator, _series_breakdowns(item, spec))
            elif kind == "stack":
                for c in item["categories"]:
                    add(c["indicator"], _series_breakdowns(item, spec))
            elif kind == "curve":
                for line in item["lines"]:
                    for x in item["x_values"]:
                        add(
                            item["point_indicator"].format(service=line.get("service", ""), x=x),
                            {line.get("breakdown", "all")},
                        )
            elif kind == "box":
                for stat in ("p25", "median", "p75", "p95"):
                    add(f"{item['prefix']}_{stat}", _series_breakdowns(item, spec))
            elif kind == "geo":
                add(
                    item["indicator"],
                    geo_levels | ({"region_x_diagnosis_group"} if item.get("by_diagnosis") else set()),
                )
            elif kind == "geo_stack":
                add(item["indicator"], geo_levels | {"region_x_diagnosis_group", "health_community_x_diagnosis_group"})
            elif kind == "funnel":
                for indicator in item["indicators"]:
                    add(indicator, geo_levels)
            elif kind == "rates":
                for indicator in ("patients", "coercion_share", "substance_use_share"):
                    add(indicator, geo_levels)
            elif kind == "geo_table":
                add("patients", geo_levels | {"region_x_diagnosis_group", "health_community_x_diagnosis_group"})
    for breakdowns in use.values():
        for b in list(breakdowns):
            if "_x_" in b:
                breakdowns.update(b.split("_x_"))
    return use
