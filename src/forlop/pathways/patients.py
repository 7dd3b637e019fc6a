"""The per-patient pathway table (DESIGN.md "Output contract": ``patients.parquet``).

The event work is done by the engine (``events.py``); here the small per-patient results
(one row per cohort patient, one row per patient and service) are put side by side with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop import codes
from forlop.pathways.events import municipal_service_name
from forlop.stats import age_group

MAIN_SERVICES = [
    "outpatient", "ambulant", "collaboration_meeting", "readmission", "gp_contact",
    "gp_consultation", "out_of_hours", "municipal", "act_fact",
]
MUNICIPAL_TYPES = [municipal_service_name(key) for key in codes.codes("municipal_services", "key")]
SERVICES = MAIN_SERVICES + MUNICIPAL_TYPES + ["tsb_inpatient"]



def assemble(cohort: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Return the pathway table: cohort attributes plus, per service S, days_to_first_S, n_S, months_S.

    Extra columns beyond DESIGN.md (documented in docs/definitions.md): ``phv_contact_y_minus_k``
    (PHV contact in year Y - k, k = 1-3, 001 §4.2), ``months_S`` (12-bit mask of
    30-day months with S), ``days_to_death``, ``n_outpatient_day0``, ``n_collaboration_meeting_day0``,
    ``n_collaboration_meeting_30d_incl_day0``, ``n_outpatient_30d`` and one set per municipal type.
    """
    patients = cohort.sort_values("person_id").reset_index(drop=True)
    patients["age_group"] = age_group(patients["age"])
    patients["days_to_death"] = patients["days_to_death"].astype("Float64").astype("Int64")
    for stamp in ("index_start", "index_end"):
        patients[stamp] = patients[stamp].astype("datetime64[us]")
    for flag in ("substance_use", "coercion", "discharge_ready",
                 "phv_contact_y_minus_1", "phv_contact_y_minus_2", "phv_contact_y_minus_3"):
        patients[flag] = patients[flag].astype(bool)
    wide = summary.pivot(index="person_id", columns="service")
    ids = patients["person_id"]
    for service in SERVICES:
        def col(field: str, service: str = service) -> pd.Series:
            if (field, service) not in wide.columns:
                return pd.Series(np.nan, index=ids.index)
            return ids.map(wide[(field, service)]).astype("float64")

        patients[f"days_to_first_{service}"] = col("first_d").astype("Int64")
        patients[f"n_{service}"] = col("n").fillna(0).astype("int64")
        patients[f"months_{service}"] = col("months").fillna(0).astype("int64")
        if service in ("outpatient", "collaboration_meeting"):
            patients[f"n_{service}_day0"] = col("n_day0").fillna(0).astype("int64")
        if service == "collaboration_meeting":
            patients["n_collaboration_meeting_30d_incl_day0"] = col("n_30_incl_day0").fillna(0).astype("int64")
        if service == "outpatient":
            patients["n_outpatient_30d"] = col("n_30").fillna(0).astype("int64")
        if service == "readmission":
            patients["bed_days"] = col("bed_days").fillna(0).astype("int64")
            patients["n_acute_readmissions"] = col("n_acute").fillna(0).astype("int64")
        if service == "municipal":
            patients["municipal_before_discharge"] = col("before").fillna(0).astype(bool)
    return patients
