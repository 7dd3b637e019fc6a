"""`forlop outcomes ...`: routine outcome monitoring for low-threshold services (Rask psykisk helsehjelp).

``analyse`` (validate, per-referral table, indicators, case-mix, monthly charts data), ``synth``
(synthetic pilot data), ``report`` (offline HTML, optionally Excel), ``client`` (the clinician's
chart of one referral; for use inside the service only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forlop.choices import Format
from forlop.cli_options import LangOption, ReportHtmlOption, ReportXlsxOption, SeedOption, echo_report
from forlop.i18n import default_language, t

outcomes_app = typer.Typer(
    help="Outcome monitoring for low-threshold services (Rask psykisk helsehjelp): PHQ-9/GAD-7.", no_args_is_help=True
)


@outcomes_app.command()
def analyse(
    data: Path = typer.Option(..., "--data", help="Folder with rph_referrals and rph_sessions (.parquet or .csv)."),
    out: Path = typer.Option(..., "--out", help="Folder for referrals.parquet, outcomes.csv and the rest."),
    lang: LangOption = None,
) -> None:
    """Validate the tables and compute the per-referral table, indicators, case-mix and monthly series."""
    from forlop.outcomes.analyse import run_analysis

    result = run_analysis(data, out, lang=lang or default_language())
    for line in result.lines(lang):
        typer.echo(line)


@outcomes_app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Folder to write rph_referrals and rph_sessions to."),
    seed: SeedOption = 2013,
    referrals: int = typer.Option(
        None, "--referrals", help="Number of referrals (default: about 3000 a year, 2 years)."
    ),
    fmt: Format = typer.Option("parquet", "--format", help="parquet (default) or csv."),
    lang: LangOption = None,
) -> None:
    """Write synthetic data of the 17 pilot services of Rask psykisk helsehjelp (deterministic for a seed)."""
    from forlop.outcomes.synth import write_synthetic

    folder = write_synthetic(out, seed=seed, referrals=referrals, fmt=fmt)
    typer.echo(t("outcomes.synth.done", lang, path=folder), err=True)


@outcomes_app.command()
def client(
    results: Path = typer.Option(..., "--results", help="Output folder of `forlop outcomes analyse`."),
    referral: str = typer.Option(..., "--referral", help="referral_id of the client."),
    html: Path = typer.Option(..., "--html", help="HTML file to write (for use inside the service only)."),
    lang: LangOption = None,
) -> None:
    """The clinician's chart of one client: PHQ-9/GAD-7 against the expected course (never published)."""
    from forlop.outcomes.client import write_client_chart

    flag = write_client_chart(results, referral, html, lang=lang)
    typer.echo(t("outcomes.client.off_track" if flag else "outcomes.client.on_track", lang))


@outcomes_app.command()
def report(
    results: Annotated[Path, typer.Option("--results", help="Output folder of `forlop outcomes analyse`.")],
    html: ReportHtmlOption,
    xlsx: ReportXlsxOption = None,
    lang: LangOption = None,
    service: str = typer.Option(None, "--service", help="Highlight this service and show its P charts."),
) -> None:
    """The outcome report: access, outcomes with CIs, case-mix funnel, P charts, work, completeness."""
    from forlop.outcomes.report import build_report

    language = lang or default_language()
    result = build_report(results, html, xlsx, lang=language, service=service)
    echo_report(result, "outcomes.report", language)
