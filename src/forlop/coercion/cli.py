"""`forlop coercion ...`: coercion rates per 10 000, trial evaluation, allocation, synthetic trial, report."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from forlop.choices import By, Engine, Outcome, Period
from forlop.cli_options import EncodingOption, ExtractEncodingOption, LangOption
from forlop.errors import InputError, read_user_csv
from forlop.i18n import t
from forlop.progress import say

app = typer.Typer(
    help="Coercion: rates per 10 000 and cluster-randomised trials (ReCoN trial 2025, LKT Tvang 2022).",
    no_args_is_help=True,
)


@app.command()
def trial(
    counts: Path = typer.Option(..., "--counts", help="counts.csv: cluster, month (YYYY-MM), events, population."),
    design: Path = typer.Option(
        ..., "--design", help="trial.yaml: arms (cluster: arm) and periods (name: first and last month)."
    ),
    out: Path = typer.Option(..., "--out", help="Folder for effects.csv, rates, plot and report."),
    outcome: Outcome = typer.Option(
        "rate", "--outcome", help="rate (population = inhabitants) or share (population = denominator, e.g. referrals)."
    ),
    encoding: EncodingOption = "utf-8",
    lang: LangOption = None,
) -> None:
    """Evaluate a cluster-randomised trial (difference between arms in change from baseline)."""
    from forlop.coercion.report import write_report
    from forlop.coercion.trial_run import run_trial

    run_trial(counts, design, out, lang, outcome, encoding)
    write_report(out / "report.html", trial_dir=out, lang=lang)


@app.command("synth-trial")
def synth_trial(
    out: Path = typer.Option(..., "--out", help="Folder for counts.csv, trial.yaml and true_effects.csv."),
    seed: int = typer.Option(2019, "--seed", help="Random seed: the same seed gives the same trial."),
    effect: float = typer.Option(6.8, "--effect", help="True effect in the intervention period (per 10 000 per year)."),
    lang: LangOption = None,
) -> None:
    """Write a synthetic 5 + 5 cluster trial with a known true effect."""
    from forlop.coercion.trial_synth import write_synthetic_trial

    write_synthetic_trial(out, seed=seed, effect=effect)
    say(t("coercion.synth.done", lang, path=out))


@app.command()
def allocate(
    clusters: Path = typer.Option(..., "--clusters", help="CSV with a column 'cluster' (and a stratum column)."),
    out: Path = typer.Option(..., "--out", help="trial.yaml to write."),
    seed: int = typer.Option(..., "--seed", help="Random seed (write it down: it reproduces the allocation)."),
    stratum: str = typer.Option(None, "--stratum", help="Column of the clusters file to stratify by."),
    period: list[str] = typer.Option(
        [], "--period", help="NAME:FIRST:LAST, e.g. baseline:2018-01:2018-12 (repeat; the first is the baseline)."
    ),
    encoding: EncodingOption = "utf-8",
    lang: LangOption = None,
) -> None:
    """Allocate clusters to intervention and control at random (stratified, seeded, reproducible)."""
    from forlop.coercion.allocate import allocate as allocate_clusters

    table = read_user_csv(clusters, encoding=encoding, lang=lang)
    for column in ["cluster"] + ([stratum] if stratum else []):
        if column not in table.columns:
            raise InputError(
                str(clusters), t("input.missing_column", lang), column=column, example=",".join(table.columns)
            )
    if table["cluster"].duplicated().any():
        dup = table.loc[table["cluster"].duplicated(), "cluster"].iloc[0]
        raise InputError(str(clusters), t("coercion.allocate.twice", lang), column="cluster", example=dup)
    if len(table) < 2:
        raise InputError(str(clusters), t("coercion.allocate.too_few", lang))
    strata = dict(zip(table["cluster"], table[stratum])) if stratum else list(table["cluster"])
    document: dict = {"arms": allocate_clusters(strata, seed), "seed": seed}
    periods = {}
    for text in period:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError("--period", t("coercion.allocate.period", lang), example=text)
        periods[parts[0]] = [parts[1], parts[2]]
    if periods:
        document["periods"] = periods
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    typer.echo(yaml.safe_dump({"arms": document["arms"]}, sort_keys=False, allow_unicode=True), nl=False)


@app.command()
def rates(
    data: Path = typer.Option(..., "--data", help="Registry extract (or a validated extract's clean/ folder)."),
    out: Path = typer.Option(..., "--out", help="Folder for rates.csv, trial counts and the report."),
    by: By = typer.Option("municipality", "--by", help="municipality, health_community or region."),
    period: Period = typer.Option("year", "--period", help="month, quarter or year."),
    engine: Engine = typer.Option("duckdb", "--engine", help="duckdb (default) or pyspark."),
    encoding: ExtractEncodingOption = "utf-8",
    lang: LangOption = None,
) -> None:
    """Involuntary admissions, persons, referrals and confirmed referrals per 10 000 adults."""
    from forlop.coercion.rates_run import run_rates
    from forlop.coercion.report import write_report

    run_rates(data, out, by=by, period=period, lang=lang, engine=engine, encoding=encoding)
    write_report(out / "report.html", rates_dir=out, lang=lang)


@app.command()
def report(
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    trial_dir: Path = typer.Option(None, "--trial", help="Output folder of `forlop coercion trial`."),
    rates_dir: Path = typer.Option(None, "--rates", help="Output folder of `forlop coercion rates`."),
    period: str = typer.Option(None, "--period", help="Period of the rates to show (e.g. 2020); default the latest."),
    lang: LangOption = None,
) -> None:
    """Write the coercion report (one offline HTML file) from trial and/or rates results."""
    from forlop.coercion.report import write_report

    if trial_dir is None and rates_dir is None:
        raise InputError("--trial/--rates", t("coercion.report.no_input", lang))
    write_report(out, trial_dir=trial_dir, rates_dir=rates_dir, lang=lang, period=period)
