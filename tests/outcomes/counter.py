"""An independent counter of recovery and reliable improvement: plain DuckDB SQL over the two files.

Written from the definitions in docs/definitions.md ("Outcome monitoring (003)"), not from the
analysis code (which is pandas): totals only with every item answered, attended sessions only, first
and last scored session per measure, finished = ended with >= 2 attended treatment sessions.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SQL = """
WITH s AS (
  SELECT referral_id, session_on, kind,
         row_number() OVER (PARTITION BY referral_id ORDER BY session_on,
           CASE kind WHEN 'assessment' THEN 0 WHEN 'treatment' THEN 1 ELSE 2 END) AS k,
         CASE WHEN phq1 IS NOT NULL AND phq2 IS NOT NULL AND phq3 IS NOT NULL AND phq4 IS NOT NULL AND
                   phq5 IS NOT NULL AND phq6 IS NOT NULL AND phq7 IS NOT NULL AND phq8 IS NOT NULL AND
                   phq9 IS NOT NULL
              THEN phq1 + phq2 + phq3 + phq4 + phq5 + phq6 + phq7 + phq8 + phq9 END AS phq,
         CASE WHEN gad1 IS NOT NULL AND gad2 IS NOT NULL AND gad3 IS NOT NULL AND gad4 IS NOT NULL AND
                   gad5 IS NOT NULL AND gad6 IS NOT NULL AND gad7 IS NOT NULL
              THEN gad1 + gad2 + gad3 + gad4 + gad5 + gad6 + gad7 END AS gad
  FROM sessions WHERE attended
),
per AS (
  SELECT referral_id,
         arg_min(phq, k) FILTER (WHERE phq IS NOT NULL) AS phq_first,
         arg_max(phq, k) FILTER (WHERE phq IS NOT NULL) AS phq_last,
         count(phq) AS phq_n,
         arg_min(gad, k) FILTER (WHERE gad IS NOT NULL) AS gad_first,
         arg_max(gad, k) FILTER (WHERE gad IS NOT NULL) AS gad_last,
         count(gad) AS gad_n,
         count(*) FILTER (WHERE kind = 'treatment') AS n_treat
  FROM s GROUP BY referral_id
),
r AS (
  SELECT f.referral_id, f.service, f.source, f.ended_on IS NOT NULL AND coalesce(p.n_treat, 0) >= 2 AS finished,
         p.phq_n >= 2 AND p.gad_n >= 2 AS paired,
         p.phq_first >= 10 OR p.gad_first >= 8 AS cased,
         p.phq_last < 10 AND p.gad_last < 8 AS below,
         p.phq_last - p.phq_first AS dp, p.gad_last - p.gad_first AS dg
  FROM referrals f LEFT JOIN per p USING (referral_id)
)
SELECT {group} AS grp,
       count(*) AS referrals,
       avg(CASE WHEN source = 'self' THEN 1 ELSE 0 END) AS self_share,
       count(*) FILTER (WHERE finished AND paired AND cased) AS recovery_den,
       count(*) FILTER (WHERE finished AND paired AND cased AND below) AS recovered,
       count(*) FILTER (WHERE finished AND paired) AS change_den,
       count(*) FILTER (WHERE finished AND paired AND (dp <= -6 OR dg <= -4) AND NOT (dp >= 6 OR dg >= 4))
         AS improved
FROM r GROUP BY ALL ORDER BY 1
"""


def count(folder: Path, by_service: bool = False) -> list[dict]:
    """Counts overall (or per service) from ``rph_referrals.parquet`` and ``rph_sessions.parquet`` in ``folder``."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW referrals AS SELECT * FROM read_parquet('{folder / 'rph_referrals.parquet'}')")
    con.execute(f"CREATE VIEW sessions AS SELECT * FROM read_parquet('{folder / 'rph_sessions.parquet'}')")
    frame = con.execute(SQL.format(group="service" if by_service else "'all'")).df()
    con.close()
    return frame.to_dict("records")
