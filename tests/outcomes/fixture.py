"""A hand-made outcome-monitoring extract: 13 referrals whose every outcome is worked out by hand.

Each referral is a story (the docstring of ``REFERRALS``); ``EXPECTED`` holds its per-referral
outcomes as worked out by hand from the definitions (docs/definitions.md, "Outcome monitoring").
Scores are written as totals and spread over the items by ``items()`` (3s first, then the rest);
``None`` in an item list is a missing item.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PHQ = [f"phq{i}" for i in range(1, 10)]
GAD = [f"gad{i}" for i in range(1, 8)]


def items(total: int | None, count: int, missing: int | None = None) -> list[int | None]:
    """Item answers adding up to ``total`` (3s first); ``missing``: index of an item left empty."""
    if total is None:
        return [None] * count
    out = []
    rest = total
    for _ in range(count):
        out.append(min(3, rest))
        rest -= out[-1]
    assert rest == 0, total
    if missing is not None:
        out[missing] = None
    return out


def _referral(
    rid,
    service,
    referred,
    assessed,
    step,
    ended,
    reason,
    source="self",
    sex="F",
    birth=1990,
    work_start=None,
    work_end=None,
):
    return dict(
        referral_id=rid,
        person_id=100 + rid,
        service=service,
        birth_year=birth,
        sex=sex,
        referred_on=referred,
        source=source,
        assessed_on=assessed,
        step=step,
        ended_on=ended,
        end_reason=reason,
        work_start=work_start,
        work_end=work_end,
    )


def _session(rid, on, kind, phq=None, gad=None, attended=True, phq_missing=None, gad_missing=None):
    row = dict(referral_id=rid, session_on=on, kind=kind, mode="in_person", attended=attended)
    row.update(zip(PHQ, items(phq, 9, phq_missing)))
    row.update(zip(GAD, items(gad, 7, gad_missing)))
    return row


# 1 recovered and reliably improved; 2 reliable improvement on PHQ only, not recovered; 3 a missing item on
# the last PHQ-9 (last PHQ from the session before); 4 a single scored session (finished, not paired);
# 5 not a case at the start; 6 rise on PHQ and fall on GAD (neither improvement nor deterioration);
# 7 reliable deterioration; 8 one treatment session then dropped out (not finished); 9 still open;
# 10 never assessed, declined; 11 case on GAD only, recovered, plus an unattended session with scores
# that must be ignored; 12 recovered without reliable improvement, long wait; 13 PHQ only (no GAD ever).
REFERRALS = [
    _referral(
        1,
        "A",
        "2024-01-01",
        "2024-01-08",
        "low_intensity",
        "2024-03-01",
        "completed",
        work_start="sick_leave",
        work_end="working",
        birth=1990,
    ),
    _referral(
        2,
        "A",
        "2024-01-05",
        "2024-01-10",
        "high_intensity",
        "2024-04-01",
        "completed",
        source="gp",
        work_start="working",
        work_end="working",
        birth=1980,
    ),
    _referral(
        3,
        "A",
        "2024-02-01",
        "2024-02-05",
        "guided_self_help",
        "2024-04-15",
        "completed",
        sex="M",
        work_start="sick_leave",
        work_end="sick_leave",
        birth=1970,
    ),
    _referral(4, "A", "2024-02-01", "2024-02-20", "course", "2024-05-01", "completed", sex="M", birth=2000),
    _referral(5, "B", "2024-01-10", "2024-01-12", "low_intensity", "2024-03-10", "completed", birth=1995),
    _referral(
        6,
        "B",
        "2024-01-15",
        "2024-01-20",
        "high_intensity",
        "2024-04-20",
        "completed",
        source="gp",
        sex="M",
        work_start="unemployed",
        work_end="working",
        birth=1960,
    ),
    _referral(7, "B", "2024-03-01", "2024-03-04", "low_intensity", "2024-05-15", "completed", birth=1985),
    _referral(
        8, "B", "2024-03-01", "2024-03-05", "low_intensity", "2024-04-01", "dropped_out", source="other", birth=1999
    ),
    _referral(9, "A", "2024-04-01", "2024-04-03", "high_intensity", None, None, birth=1992),
    _referral(10, "B", "2024-04-01", None, None, "2024-04-20", "declined", sex="M", birth=1975),
    _referral(11, "A", "2024-01-20", "2024-01-22", "guided_self_help", "2024-03-20", "completed", birth=1988),
    _referral(
        12, "B", "2024-01-01", "2024-01-15", "high_intensity", "2024-08-01", "completed", source="gp", birth=1965
    ),
    _referral(13, "A", "2024-05-01", "2024-05-02", "low_intensity", "2024-07-01", "completed", birth=1991),
]

SESSIONS = [
    _session(1, "2024-01-08", "assessment", 15, 12),
    _session(1, "2024-01-22", "treatment", 12, 10),
    _session(1, "2024-02-05", "treatment", 9, 7),
    _session(1, "2024-02-26", "treatment", 6, 5),
    _session(2, "2024-01-10", "assessment", 18, 10),
    _session(2, "2024-01-31", "treatment", 16, 10),
    _session(2, "2024-03-20", "treatment", 12, 9),
    _session(3, "2024-02-05", "assessment", 14, 9),
    _session(3, "2024-02-19", "treatment", 11, 7),
    _session(3, "2024-04-10", "treatment", 5, 4, phq_missing=8),
    _session(4, "2024-02-20", "assessment", 16, 12),
    _session(4, "2024-03-05", "treatment"),
    _session(4, "2024-04-05", "treatment"),
    _session(5, "2024-01-12", "assessment", 8, 6),
    _session(5, "2024-01-26", "treatment", 6, 4),
    _session(5, "2024-03-01", "treatment", 3, 2),
    _session(6, "2024-01-20", "assessment", 12, 15),
    _session(6, "2024-02-10", "treatment", 15, 12),
    _session(6, "2024-04-15", "treatment", 19, 9),
    _session(7, "2024-03-04", "assessment", 10, 8),
    _session(7, "2024-03-25", "treatment", 13, 9),
    _session(7, "2024-05-10", "treatment", 17, 10),
    _session(8, "2024-03-05", "assessment", 14, 10),
    _session(8, "2024-03-19", "treatment", 9, 6),
    _session(8, "2024-03-26", "treatment", attended=False),
    _session(9, "2024-04-03", "assessment", 20, 15),
    _session(9, "2024-04-20", "treatment", 18, 14),
    _session(9, "2024-05-04", "treatment", 15, 12),
    _session(9, "2024-05-18", "treatment", 13, 10),
    _session(11, "2024-01-22", "assessment", 7, 11),
    _session(11, "2024-02-05", "treatment", 6, 8),
    _session(11, "2024-03-11", "treatment", 4, 3),
    _session(11, "2024-03-18", "follow_up", 20, 18, attended=False),
    _session(12, "2024-01-15", "assessment", 11, 9),
    _session(12, "2024-06-01", "treatment", 10, 8),
    _session(12, "2024-07-20", "treatment", 8, 6),
    _session(13, "2024-05-02", "assessment", 13, None),
    _session(13, "2024-05-20", "treatment", 10, None),
    _session(13, "2024-06-25", "treatment", 7, None),
]

# Worked out by hand: (phq_first, phq_last, gad_first, gad_last, n_treatment_sessions, finished, caseness,
# recovered, reliably_improved, reliably_deteriorated, reliably_recovered, days_to_assessment,
# days_to_first_treatment). None = not defined (not in the denominator, or no value).
N = None
EXPECTED = {
    1: (15, 6, 12, 5, 3, True, True, True, True, False, True, 7, 21),
    2: (18, 12, 10, 9, 2, True, True, False, True, False, False, 5, 26),
    3: (14, 11, 9, 4, 2, True, True, False, True, False, False, 4, 18),  # last PHQ from 19 Feb (missing item)
    4: (16, 16, 12, 12, 2, True, True, N, N, N, N, 19, 33),  # one scored session: first = last, not paired
    5: (8, 3, 6, 2, 2, True, False, N, True, False, N, 2, 16),  # not a case: outside recovery
    6: (12, 19, 15, 9, 2, True, True, False, False, False, False, 5, 26),  # PHQ +7, GAD -6: neither
    7: (10, 17, 8, 10, 2, True, True, False, False, True, False, 3, 24),
    8: (14, 9, 10, 6, 1, False, True, N, N, N, N, 4, 18),  # one attended treatment session: not finished
    9: (20, 13, 15, 10, 3, False, True, N, N, N, N, 2, 19),  # open
    10: (N, N, N, N, 0, False, N, N, N, N, N, N, N),  # never assessed
    11: (7, 4, 11, 3, 2, True, True, True, True, False, True, 2, 16),  # GAD case; unattended 20/18 ignored
    12: (11, 8, 9, 6, 2, True, True, True, False, False, False, 14, 152),
    13: (13, 7, N, N, 2, True, True, N, N, N, N, 1, 19),  # no GAD: not paired on both
}
EXPECTED_COLUMNS = [
    "phq_first",
    "phq_last",
    "gad_first",
    "gad_last",
    "n_treatment_sessions",
    "finished_treatment",
    "caseness",
    "recovered",
    "reliably_improved",
    "reliably_deteriorated",
    "reliably_recovered",
    "days_to_assessment",
    "days_to_first_treatment",
]


def write(
    folder: Path, fmt: str = "csv", referrals: list[dict] | None = None, sessions: list[dict] | None = None
) -> Path:
    """Write the fixture (or the given rows) as ``rph_referrals`` and ``rph_sessions`` in ``fmt``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("rph_referrals", referrals or REFERRALS), ("rph_sessions", sessions or SESSIONS)):
        frame = pd.DataFrame(rows)
        if fmt == "csv":
            for column in frame.columns:
                frame[column] = frame[column].map(
                    lambda v: (
                        ""
                        if v is None or (isinstance(v, float) and pd.isna(v))
                        else (
                            str(v).lower() if isinstance(v, bool) else str(int(v)) if isinstance(v, float) else str(v)
                        )
                    )
                )
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder
