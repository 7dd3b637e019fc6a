"""The national synthetic extract reproduces 001 tables 1-12, table A, §4.1, §4.2 and §4.7 within the
calibration tolerances (src/forlop/synth/calibration_targets.csv): counts +-3%, shares +-2
percentage points, means, medians and rates +-15%."""

from __future__ import annotations

import pytest

from forlop import codes
from forlop.extract.validate import validate_extract
from forlop.pathways.pipeline import build_pathways
from forlop.synth.targets import calibration_targets

pytestmark = pytest.mark.slow

#: calibration measure prefix -> (indicator of the catalogue, 365-day share indicator)
SERVICE = {
    "outpatient": "outpatient", "ambulant": "ambulant", "collaboration": "collaboration_meeting",
    "readmission": "readmission", "gp_consultation": "gp_consultation", "gp_contact": "gp_contact",
    "out_of_hours": "out_of_hours", "municipal": "municipal", "act_fact": "act_fact",
}
SELECTED = ["schizophrenia", "bipolar", "severe_depression", "personality", "substance"]


@pytest.fixture(scope="module")
def national(national_extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("national_pathways")
    validate_extract(national_extract, folder / "validated")
    return build_pathways(folder / "validated" / "clean", 2020)


def _breakdown(group: str) -> tuple[str, str]:
    if group == "total":
        return "all", "all"
    if group in ("discharge_ready", "not_discharge_ready"):
        return "discharge_ready", "yes" if group == "discharge_ready" else "no"
    if group in set(codes.load("regions")["region"]):
        return "region", group
    if group in set(codes.load("health_communities")["health_community"]):
        return "health_community", group
    return "diagnosis_group", group


def observed(result, table: str, measure: str, group: str) -> float:
    """Our number for one calibration target (shares in %, as 001 prints them)."""
    ind = result.indicators.set_index(["indicator", "breakdown", "group"])

    def get(indicator: str, field: str, breakdown: str, grp: str) -> float:
        return float(ind.loc[(indicator, breakdown, grp), field])

    if table == "4.1":
        return float(result.flow.set_index("step").loc[measure, "persons"])
    if table == "A":
        column = measure.removeprefix("patients_")
        geo = ("all", "all") if group == "Hele landet" else _breakdown(group)
        if geo[0] == "all":
            patients = result.patients[result.patients["region"].notna()]
        else:
            patients = result.patients[result.patients[geo[0]] == geo[1]]
        if column == "all":
            return float(len(patients))
        if column == "rest":
            return float((~patients["diagnosis_group"].isin(SELECTED)).sum())
        return float((patients["diagnosis_group"] == column).sum())
    breakdown, grp = _breakdown(group)
    if table == "4.7":
        return get("patients_per_10000", "value", breakdown, grp)
    if table == "4.2":
        return get(measure, "value", breakdown, grp) * 100
    if measure in ("patients", "patients_share"):
        return get(measure, "value", breakdown, grp) * (100 if measure.endswith("share") else 1)
    if table in ("2", "3", "11"):
        name = {"2": "substance_use_share", "3": "coercion_share", "11": "discharge_ready_share"}[table]
        return get(name, "value", breakdown, grp) * 100 if measure.endswith("_share") else get(name, "numerator", breakdown, grp)
    if table == "12" and measure.startswith(("municipal_before", "municipal_after")):
        share = get("municipal_before_discharge_share", "value", breakdown, grp) * 100
        users = get("municipal_before_discharge_share", "denominator", breakdown, grp)
        before = get("municipal_before_discharge_share", "numerator", breakdown, grp)
        return {"municipal_before": before, "municipal_before_share": share,
                "municipal_after": users - before, "municipal_after_share": 100 - share}[measure]
    if measure.startswith("municipal_days_to_start_"):
        stat = measure.rsplit("_", 1)[1]
        return get(f"municipal_days_to_start_after_discharge_{stat}", "value", breakdown, grp)
    if measure.startswith("bed_days_"):
        return get(measure, "value", breakdown, grp)
    for prefix, service in SERVICE.items():
        if measure == f"{prefix}_users":
            return get(f"{service}_share_365d", "numerator", breakdown, grp)
        if measure == f"{prefix}_users_share":
            return get(f"{service}_share_365d", "value", breakdown, grp) * 100
        if measure in (f"{prefix}_mean", f"{prefix}_median"):
            return get(f"{service}_n_{measure.rsplit('_', 1)[1]}", "value", breakdown, grp)
    raise KeyError((table, measure, group))


def within(target: float, ours: float, kind: str) -> bool:
    if kind == "count":
        return abs(ours - target) <= max(0.03 * target, 1.0)
    if kind == "share":
        return abs(ours - target) <= 2.0
    return abs(ours - target) <= 0.15 * max(abs(target), 1.0)


def test_national_extract_reproduces_001_tables(national):
    targets = calibration_targets()
    failures = []
    for row in targets.itertuples():
        try:
            ours = observed(national, str(row.table), row.measure, row.group)
        except KeyError:
            failures.append(f"{row.table} {row.measure} {row.group}: missing from our indicators")
            continue
        if not within(float(row.value), ours, row.kind):
            failures.append(f"{row.table} {row.measure} {row.group}: 001 {row.value}, ours {ours:.2f}")
    assert len(targets) > 600
    assert not failures, "\n".join(failures)


def test_every_catalogue_indicator_is_computed(national):
    from forlop.pathways.indicators import catalogue

    table = national.indicators
    for entry in catalogue()["indicators"]:
        rows = table[table.indicator == entry["id"]]
        assert set(rows.breakdown) == set(entry["breakdowns"]), entry["id"]
        assert (rows.unit == entry["unit"]).all()
