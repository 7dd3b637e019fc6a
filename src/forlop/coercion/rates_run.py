"""`forlop coercion rates`: read an extract, compute the rates, write rates.csv and the trial counts.

``--data`` may be a raw extract (it is validated first with ``forlop.extract.validate`` into
``OUT/validation``) or a folder of clean Parquet files (``validate_extract``'s ``clean/``). Files:
rates.csv, excluded.csv (events left out, by measure and reason) and, for ``--by municipality
--period month``, ``trial_counts/<measure>.csv`` in the format of ``forlop coercion trial --counts``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forlop.coercion.rates import coercion_rates
from forlop.engine import connect
from forlop.engine import read_tables as engine_tables
from forlop.i18n import t
from forlop.progress import say

TABLES = ("persons", "residence", "specialist_episodes", "coercion_decisions", "population", "geography")


def clean_dir(data: Path, out: Path, lang: str | None = None, encoding: str = "utf-8") -> Path:
    """Return the folder of clean Parquet files: ``data`` itself if it holds them, else validate it."""
    data = Path(data)
    if all((data / f"{table}.parquet").exists() for table in TABLES) and (data.name == "clean"):
        return data
    if (data / "clean").is_dir() and all((data / "clean" / f"{t_}.parquet").exists() for t_ in TABLES):
        return data / "clean"
    from forlop.extract.validate import validate_extract

    say(t("coercion.rates.step_validate", lang))
    validate_extract(data, Path(out) / "validation", lang=lang, encoding=encoding)
    return Path(out) / "validation" / "clean"


def read_tables(clean: Path, engine: str = "duckdb", lang: str | None = None) -> dict:
    """Open the clean Parquet tables with Ibis on ``engine`` (``forlop.engine``: duckdb or pyspark)."""
    return engine_tables(connect(engine), Path(clean), list(TABLES), lang)


def run_rates(
    data: Path,
    out: Path,
    by: str = "municipality",
    period: str = "year",
    lang: str | None = None,
    engine: str = "duckdb",
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Compute and write the coercion rates; return the rates table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = read_tables(clean_dir(data, out, lang, encoding), engine, lang)
    say(
        t(
            "coercion.rates.step_rates",
            lang,
            by=t(f"coercion.by.{by}", lang),
            period=t(f"coercion.period_unit.{period}", lang),
        )
    )
    rates, _, excluded = coercion_rates(tables, by=by, period=period)
    rates.insert(1, "by", by)
    rates.insert(3, "period_unit", period)
    rates.to_csv(out / "rates.csv", index=False)
    excluded.to_csv(out / "excluded.csv", index=False)
    if by == "municipality" and period == "month":
        folder = out / "trial_counts"
        folder.mkdir(exist_ok=True)
        for measure, part in rates.groupby("measure"):
            part = part.rename(columns={"area": "cluster", "period": "month"})
            part[["cluster", "month", "events", "population"]].to_csv(folder / f"{measure}.csv", index=False)
        # 000's share of referrals confirmed as involuntary: events = confirmed, population = referrals
        # (for `coercion trial --outcome share`).
        keys = ["area", "period"]
        confirmed = rates[rates["measure"] == "confirmed_referrals"].set_index(keys)["events"]
        referrals = rates[rates["measure"] == "referrals"].set_index(keys)["events"]
        share = pd.DataFrame({"events": confirmed, "population": referrals}).fillna(0).astype("int64").reset_index()
        share = share.rename(columns={"area": "cluster", "period": "month"})
        share[["cluster", "month", "events", "population"]].to_csv(folder / "confirmed_share.csv", index=False)
    say(t("coercion.rates.done", lang, path=out, rows=len(rates)))
    return rates
