"""A small counter, independent of the pathway engine, that computes 001's figures from raw events.

It exists to check the synthetic extract against calibration_targets.csv: plain DuckDB SQL over
the Parquet files, written from the definitions of DESIGN.md and 001 (not from forlop.pathways).
Run as a script to print the calibration table: ``python tests/synth/calibration_counter.py DIR``.

Rules (001 §3-6): PHV inpatient stays that overlap or touch (next starts on the same or the next
day) are merged; the cohort is adults with a qualifying PHV diagnosis in the year and a merged stay
ending in it, index stay = first by end, minus deaths within 365 days; services count in days
1-365 (contacts on the day of discharge are left out, 001 §6.3); municipal periods (decisions <= 7
days apart merged) count from day 0. Contact before the year (001 §4.2): a PHV episode of any care
level overlapping year Y - k (k = 1, 2, 3), the same overlap test as for the cohort year.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from forlop.citations import markdown_sources

GROUP_SQL = """
CASE
  WHEN dx IS NULL THEN 'missing'
  WHEN dx SIMILAR TO 'F3(22|23|32|33).*' THEN 'severe_depression'
  WHEN dx SIMILAR TO 'F2[05].*' THEN 'schizophrenia'
  WHEN dx SIMILAR TO 'F3[01].*' THEN 'bipolar'
  WHEN dx SIMILAR TO 'F6.*' THEN 'personality'
  WHEN dx SIMILAR TO 'F2.*' THEN 'other_psychotic'
  WHEN dx SIMILAR TO 'F3.*' THEN 'other_affective'
  WHEN dx SIMILAR TO 'F4[0-8].*' THEN 'anxiety'
  WHEN dx SIMILAR TO 'F1.*' THEN 'substance'
  WHEN dx SIMILAR TO 'R.*' THEN 'symptom'
  ELSE 'other' END
"""


def patient_table(data: Path, year: int = 2020) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return one row per cohort patient with flags and counts, and the cohort flow counts."""
    con = duckdb.connect()
    for table in ("persons", "residence", "specialist_episodes", "coercion_decisions", "primary_care_claims",
                  "municipal_services", "geography", "population"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{data / (table + '.parquet')}')")
    y0, y1 = f"DATE '{year}-01-01'", f"DATE '{year}-12-31'"
    con.execute(f"""
    CREATE TEMP TABLE ep AS SELECT *, replace(upper(main_diagnosis), '.', '') AS dx,
      list_transform(coalesce(other_diagnoses, []), x -> replace(upper(x), '.', '')) AS odx,
      CAST(start AS DATE) AS sd, CAST("end" AS DATE) AS ed,
      CAST(start AS DATE) <= {y1} AND coalesce(CAST("end" AS DATE), DATE '9999-12-31') >= {y0} AS in_year
    FROM specialist_episodes;
    -- merged PHV inpatient stays: gaps and islands on calendar dates (touching = next day)
    CREATE TEMP TABLE inp AS SELECT *, coalesce(ed, DATE '9999-12-31') AS ed2 FROM ep
      WHERE sector='PHV' AND care_level=1;
    CREATE TEMP TABLE isl AS SELECT *, sum(new) OVER (PARTITION BY person_id ORDER BY sd, ed2
        ROWS UNBOUNDED PRECEDING) AS stay_no FROM (
      SELECT *, CASE WHEN sd <= max(ed2) OVER (PARTITION BY person_id ORDER BY sd, ed2
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1 THEN 0 ELSE 1 END AS new FROM inp);
    CREATE TEMP TABLE stays AS SELECT person_id, stay_no, min(sd) AS sd, max(ed2) AS ed2, max("end") AS end_ts,
      arg_min(urgency, start) AS urgency FROM isl GROUP BY ALL;
    CREATE TEMP TABLE adults AS SELECT person_id, birth_year, death_date FROM persons WHERE {year} - birth_year >= 18;
    CREATE TEMP TABLE smi AS SELECT DISTINCT person_id FROM ep JOIN adults USING (person_id)
      WHERE sector='PHV' AND in_year AND (dx SIMILAR TO 'F(2[05]|3[0-3]|6[0-9]).*'
        OR len(list_filter(odx, x -> x SIMILAR TO 'F(2[05]|3[0-3]|6[0-9]).*')) > 0);
    CREATE TEMP TABLE idx AS SELECT s.person_id, arg_min(s.stay_no, s.ed2) AS stay_no, min(s.ed2) AS day0
      FROM stays s JOIN smi USING (person_id) WHERE s.ed2 BETWEEN {y0} AND {y1} GROUP BY 1;
    CREATE TEMP TABLE cohort AS SELECT i.*, a.birth_year FROM idx i JOIN adults a USING (person_id)
      WHERE a.death_date IS NULL OR a.death_date > i.day0 + 365;
    """)
    flow = {
        "smi_population": con.execute("SELECT count(*) FROM smi").fetchone()[0],
        "with_completed_stay": con.execute("SELECT count(*) FROM idx").fetchone()[0],
        "cohort": con.execute("SELECT count(*) FROM cohort").fetchone()[0],
    }
    flow["died_within_365"] = flow["with_completed_stay"] - flow["cohort"]
    # a PHV episode overlapping year Y - k: starts on or before 31 December, ends on or after 1 January (or is open)
    prior_flags = ", ".join(f"bool_or(e.sd <= DATE '{year - k}-12-31' AND coalesce(e.ed, DATE '9999-12-31') >= "
                            f"DATE '{year - k}-01-01') AS phv_y_minus_{k}" for k in (1, 2, 3))
    con.execute(f"""
    CREATE TEMP TABLE discharge AS SELECT c.person_id, c.day0, max(i.end_ts) AS discharge_at
      FROM cohort c JOIN stays i USING (person_id, stay_no) GROUP BY ALL;
    CREATE TEMP TABLE base AS
    WITH last_ep AS (
      SELECT c.person_id, nullif(arg_max(coalesce(e.dx, '#'), (e.ed2, e.sd)), '#') AS dx,
        bool_or(e.discharge_ready_at IS NOT NULL) AS ukp
      FROM cohort c JOIN isl e USING (person_id, stay_no) GROUP BY 1),
    subst AS (SELECT DISTINCT person_id FROM ep WHERE in_year AND (sector = 'TSB' OR (sector='PHV' AND
      (dx SIMILAR TO 'F1.*' OR len(list_filter(odx, x -> x SIMILAR TO 'F1.*')) > 0)))),
    coer AS (SELECT person_id FROM ep WHERE in_year AND coercion_referral
             UNION SELECT person_id FROM coercion_decisions WHERE year(date) = {year}),
    res AS (SELECT person_id, arg_max(municipality, year) AS municipality FROM residence WHERE year = {year} GROUP BY 1)
    SELECT c.person_id, d.day0, d.discharge_at, {GROUP_SQL.replace('dx', 'l.dx')} AS diagnosis_group, l.ukp,
      c.person_id IN (SELECT person_id FROM subst) AS substance_use,
      c.person_id IN (SELECT person_id FROM coer) AS coercion,
      g.health_community, g.region
    FROM cohort c JOIN discharge d USING (person_id) JOIN last_ep l USING (person_id)
    LEFT JOIN res r USING (person_id) LEFT JOIN geography g USING (municipality);

    CREATE TEMP TABLE contacts AS SELECT b.person_id, CAST(e.sd - b.day0 AS INT) AS d, e.service_group = 'TS01' AS act,
      (list_has_any(coalesce(e.special_codes, []), ['B0009','B0010'])
        OR list_has_any(coalesce(e.procedure_codes, []), ['WBPA10','WPBA15','WPBA20'])
        OR coalesce(e.indirect_activity, -1) IN (22, 23, 71)) AS collab,
      (list_contains(coalesce(e.special_codes, []), 'B0015')
        OR coalesce(e.place_of_activity, -1) IN (2, 4, 5, 9)) AS amb
      FROM base b JOIN ep e USING (person_id)
      WHERE e.care_level = 3 AND e.start >= b.discharge_at AND e.sd - b.day0 BETWEEN 1 AND 365;
    CREATE TEMP TABLE claims AS SELECT b.person_id, CAST(CAST(c.at AS DATE) - b.day0 AS INT) AS d,
      c.practice_type BETWEEN 62 AND 64 AS gp, c.practice_type IN (65, 66) AS ooh,
      list_has_any(coalesce(c.fee_codes, []), ['2ak','2fk','2ad','2ed','2af','2ae','2aek','2afd','2afdd']) AS cons
      FROM base b JOIN primary_care_claims c USING (person_id)
      WHERE c.at >= b.discharge_at AND CAST(c.at AS DATE) - b.day0 BETWEEN 1 AND 365;
    CREATE TEMP TABLE readm AS SELECT b.person_id, CAST(s.sd - b.day0 AS INT) AS d, s.urgency,
      CAST(least(s.ed2, b.day0 + 365) - greatest(s.sd, b.day0) AS INT) AS nights
      FROM base b JOIN stays s USING (person_id) WHERE s.sd - b.day0 BETWEEN 1 AND 365;
    -- municipal periods: decisions of one service <= 7 days apart merged
    CREATE TEMP TABLE mdec AS SELECT m.*, coalesce(m."end", DATE '9999-12-31') AS e2 FROM municipal_services m
      WHERE person_id IN (SELECT person_id FROM base);
    CREATE TEMP TABLE mper AS SELECT person_id, service, min(start) AS start, max(e2) AS e2 FROM (
      SELECT *, sum(new) OVER (PARTITION BY person_id, service ORDER BY start, e2 ROWS UNBOUNDED PRECEDING) AS grp
      FROM (SELECT *, CASE WHEN start <= max(e2) OVER (PARTITION BY person_id, service ORDER BY start, e2
              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 7 THEN 0 ELSE 1 END AS new FROM mdec))
      GROUP BY person_id, service, grp;
    -- PHV contact in each of the three years before Y (001 §4.2)
    CREATE TEMP TABLE prior AS SELECT b.person_id,
      {prior_flags}
      FROM base b JOIN ep e USING (person_id) WHERE e.sector = 'PHV' GROUP BY 1;
    CREATE TEMP TABLE muni AS SELECT b.person_id, bool_or(p.start < b.day0) AS before,
      min(CASE WHEN p.start >= b.day0 THEN CAST(p.start - b.day0 AS INT) END) AS first_after
      FROM base b JOIN mper p USING (person_id) WHERE p.start <= b.day0 + 365 AND p.e2 >= b.day0 GROUP BY 1;
    """)
    patients = con.execute("""
    SELECT b.*,
      (SELECT count(*) FROM contacts c WHERE c.person_id = b.person_id) AS n_outpatient,
      (SELECT count(*) FILTER (WHERE amb AND NOT collab) FROM contacts c WHERE c.person_id = b.person_id) AS n_ambulant,
      (SELECT count(*) FILTER (WHERE collab) FROM contacts c WHERE c.person_id = b.person_id) AS n_collaboration,
      (SELECT count(*) FILTER (WHERE act) FROM contacts c WHERE c.person_id = b.person_id) AS n_act_fact,
      (SELECT count(*) FILTER (WHERE gp) FROM claims c WHERE c.person_id = b.person_id) AS n_gp_contact,
      (SELECT count(*) FILTER (WHERE gp AND cons) FROM claims c WHERE c.person_id = b.person_id) AS n_gp_consultation,
      (SELECT count(*) FILTER (WHERE ooh) FROM claims c WHERE c.person_id = b.person_id) AS n_out_of_hours,
      (SELECT count(*) FROM readm r WHERE r.person_id = b.person_id) AS n_readmission,
      (SELECT sum(nights) FROM readm r WHERE r.person_id = b.person_id) AS bed_days,
      m.person_id IS NOT NULL AS municipal, coalesce(m.before, false) AS municipal_before, m.first_after,
      coalesce(p.phv_y_minus_1, false) AS phv_y_minus_1, coalesce(p.phv_y_minus_2, false) AS phv_y_minus_2,
      coalesce(p.phv_y_minus_3, false) AS phv_y_minus_3
    FROM base b LEFT JOIN muni m USING (person_id) LEFT JOIN prior p USING (person_id)
    """).df()
    return patients, flow


def achieved(patients: pd.DataFrame, flow: dict[str, int]) -> pd.DataFrame:
    """Return the figures of calibration_targets.csv computed from the patient table."""
    rows = []

    def add(table: str, measure: str, group: str, value: float) -> None:
        rows.append((table, measure, group, float(value)))

    groups = list(patients.groupby("diagnosis_group")) + [("total", patients)]
    services = {"4": ["outpatient"], "5": ["ambulant", "collaboration"], "7": ["gp_contact", "gp_consultation"],
                "8": ["out_of_hours"]}
    for group, part in groups:
        n = len(part)
        add("1", "patients", group, n)
        add("1", "patients_share", group, 100 * n / len(patients))
        for table, flag in (("2", "substance_use"), ("3", "coercion")):
            add(table, flag, group, part[flag].sum())
            add(table, f"{flag}_share", group, 100 * part[flag].mean())
        for table, names in services.items():
            for name in names:
                counts = part[f"n_{name}"]
                users = counts[counts > 0]
                add(table, f"{name}_users", group, len(users))
                add(table, f"{name}_users_share", group, 100 * len(users) / n)
                add(table, f"{name}_mean", group, users.mean())
                add(table, f"{name}_median", group, users.median())
        readmitted = part[part.n_readmission > 0]
        add("6", "readmission_users", group, len(readmitted))
        add("6", "readmission_users_share", group, 100 * len(readmitted) / n)
        add("6", "bed_days_mean", group, readmitted.bed_days.mean())
        add("6", "bed_days_median", group, readmitted.bed_days.median())
        add("9", "municipal_users", group, part.municipal.sum())
        add("9", "municipal_users_share", group, 100 * part.municipal.mean())
        act = (part.n_act_fact > 0)
        add("10", "act_fact_users", group, act.sum())
        add("10", "act_fact_users_share", group, 100 * act.mean())
        add("11", "discharge_ready", group, part.ukp.sum())
        add("11", "discharge_ready_share", group, 100 * part.ukp.mean())
    for column, part in (("total", patients), ("discharge_ready", patients[patients.ukp]),
                         ("not_discharge_ready", patients[~patients.ukp])):
        users = part[part.municipal]
        after = users[~users.municipal_before]
        add("12", "municipal_users", column, len(users))
        add("12", "municipal_before", column, users.municipal_before.sum())
        add("12", "municipal_before_share", column, 100 * users.municipal_before.mean())
        add("12", "municipal_after", column, len(after))
        add("12", "municipal_after_share", column, 100 * len(after) / len(users))
        add("12", "municipal_days_to_start_mean", column, after.first_after.mean())
        add("12", "municipal_days_to_start_median", column, after.first_after.median())
    for measure, value in flow.items():
        add("4.1", measure, "total", value)
    years = patients[["phv_y_minus_1", "phv_y_minus_2", "phv_y_minus_3"]]
    add("4.2", "phv_contact_y_minus_3_share", "total", 100 * patients.phv_y_minus_3.mean())
    add("4.2", "phv_contact_all_3_years_before_share", "total", 100 * years.all(axis=1).mean())
    add("4.2", "phv_contact_none_3_years_before_share", "total", 100 * (~years.any(axis=1)).mean())
    table_a = {"schizophrenia", "bipolar", "severe_depression", "personality", "substance"}
    placed = patients[patients.health_community.notna()]
    for level in ("region", "health_community"):
        for place, part in placed.groupby(level):
            add("A", "patients_all", place, len(part))
            for g in table_a:
                add("A", f"patients_{g}", place, (part.diagnosis_group == g).sum())
            add("A", "patients_rest", place, (~part.diagnosis_group.isin(table_a)).sum())
    add("A", "patients_all", "Hele landet", len(placed))
    for g in table_a:
        add("A", f"patients_{g}", "Hele landet", (placed.diagnosis_group == g).sum())
    add("A", "patients_rest", "Hele landet", (~placed.diagnosis_group.isin(table_a)).sum())
    return pd.DataFrame(rows, columns=["table", "measure", "group", "achieved"])


def patient_rates(data: Path, patients: pd.DataFrame, year: int = 2020) -> pd.DataFrame:
    """Return cohort patients per 10 000 adults by region and health community (001 §4.7)."""
    pop = duckdb.sql(f"""SELECT g.region, g.health_community, sum(p.count) AS adults
        FROM read_parquet('{data / 'population.parquet'}') p
        JOIN read_parquet('{data / 'geography.parquet'}') g USING (municipality)
        WHERE p.year = {year} AND p.age >= 18 GROUP BY ALL""").df()
    rows = []
    for level in ("region", "health_community"):
        adults = pop.groupby(level).adults.sum()
        counts = patients.groupby(level).size()
        for place in adults.index:
            rows.append(("4.7", "patients_per_10000", place, 1e4 * counts.get(place, 0) / adults[place]))
    return pd.DataFrame(rows, columns=["table", "measure", "group", "achieved"])


def compare(targets: pd.DataFrame, got: pd.DataFrame, tolerance: dict[str, tuple[str, float]]) -> pd.DataFrame:
    """Return targets beside what was achieved, with the allowed deviation and whether it holds."""
    table = targets.merge(got, on=["table", "measure", "group"], how="left")
    kind, limit = zip(*(tolerance[k] for k in table.kind))
    table["limit"] = np.where(np.array(kind) == "relative", np.array(limit) * table.value.abs(), limit)
    table["deviation"] = (table.achieved - table.value).abs()
    table["ok"] = table.deviation <= table.limit + 1e-9
    return table


def markdown(table: pd.DataFrame, seed: int) -> str:
    """The calibration table as markdown: every target beside what the extract achieved."""
    lines = [
        "# Calibration of the synthetic national extract",
        "",
        *markdown_sources(["001"]),
        "",
        f"`forlop synth --scale national --seed {seed}`, counted from the raw events by",
        "`tests/synth/calibration_counter.py` (independent of the pathway engine). Tolerances (issue 2):",
        "counts ±3%, shares ±2 percentage points, means, medians and rates ±15%. Regenerate with",
        "`.venv/bin/python -m tests.synth.calibration_counter DIR --markdown docs/calibration.md`.",
        "",
        f"**{int(table.ok.sum())} of {len(table)} figures within tolerance.**",
        "",
        "| 001 table | measure | group | kind | target | achieved | within |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for r in table.itertuples():
        lines.append(f"| {r.table} | {r.measure} | {r.group} | {r.kind} | {r.value:g} | {r.achieved:.4g} | "
                     f"{'yes' if r.ok else 'NO'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import argparse

    from forlop.synth.targets import TOLERANCE, calibration_targets

    parser = argparse.ArgumentParser(description="Compare a synthetic extract with the calibration targets.")
    parser.add_argument("folder", type=Path, help="extract folder written by forlop synth")
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown here")
    parser.add_argument("--seed", type=int, default=2020, help="seed the extract was built with (for the heading)")
    args = parser.parse_args()
    pts, flw = patient_table(args.folder)
    result = compare(calibration_targets(), pd.concat([achieved(pts, flw), patient_rates(args.folder, pts)]), TOLERANCE)
    pd.set_option("display.max_rows", 1000, "display.width", 200)
    print(result[["table", "measure", "group", "value", "achieved", "ok"]].to_string(index=False))
    print(f"{result.ok.sum()} of {len(result)} within tolerance")
    if args.markdown:
        args.markdown.write_text(markdown(result, args.seed), encoding="utf-8")
