"""``forlop qi ...``: the QI module from the shell (thin shells around the module functions).

Bad input raises ``InputError`` (one line, exit code 2 via ``forlop.cli:main``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from forlop.choices import ChartType, QiLang, Track
from forlop.cli_options import EncodingOption
from forlop.errors import DataError, InputError, read_user_csv
from forlop.i18n import t

app = typer.Typer(
    name="qi",
    help="Quality-improvement charts (run and control charts, Anhøj rules), team templates, dashboards, MUSIQ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

QiLangOption = Annotated[QiLang | None, typer.Option("--lang", help="Language: nb (default), en, or da (Danish).")]
POINT_COLUMNS = [
    "x",
    "y",
    "n",
    "cl",
    "lcl",
    "ucl",
    "runs_signal",
    "sigma_signal",
    "part",
    "include",
    "notes",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
]


def _check_chart_options(
    chart_type: str,
    n: str | None,
    freeze: int | None,
    part: list[int] | None,
    exclude: list[int] | None,
    lang: str | None = None,
) -> None:
    """The options of ``qi chart`` that can be judged without the data, checked before reading
    it: so a wrong option is reported even when the data are bad too (Typer checks the chart type). Positions must be
    1 or more; whether they fit the data is checked by ``qic``."""
    from forlop.qi.qic import NEEDS_DENOMINATOR

    if chart_type in NEEDS_DENOMINATOR and n is None:
        raise InputError("--n", t("qi.chart.needs_n", lang, chart=chart_type.upper()))
    for name, values in (
        ("--freeze", [] if freeze is None else [freeze]),
        ("--part", part or []),
        ("--exclude", exclude or []),
    ):
        for value in values:
            if value < 1:
                raise InputError(name, t("qi.chart.position", lang, value=value))


def _x_values(column: pd.Series) -> pd.Series:
    """Numbers stay numbers; text that parses as ISO dates or months (YYYY-MM) becomes dates,
    so the runs analysis applies; anything else is a category (as in qicharts2)."""
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().all():
        return numeric
    dates = pd.to_datetime(column, errors="coerce", format="ISO8601")
    if dates.notna().all():
        return dates
    return column.astype(str)


def _column(data: pd.DataFrame, name: str | None, path: Path, lang: str | None = None) -> pd.Series | None:
    if name is None:
        return None
    if name not in data.columns:
        raise InputError(
            str(path), t("qi.chart.no_column", lang, columns=", ".join(map(str, data.columns))), column=name
        )
    return data[name]


def _numbers(values: pd.Series, name: str, path: Path, lang: str | None = None) -> pd.Series:
    numbers = pd.to_numeric(values.replace("", None), errors="coerce")
    bad = values[numbers.isna() & values.notna() & (values.astype(str).str.strip() != "")]
    if len(bad):
        # Row = the data row's number, header not counted, as `forlop validate` (docs/definitions.md).
        raise InputError(
            str(path), t("qi.chart.not_number", lang, row=bad.index[0] + 1), column=name, example=str(bad.iloc[0])
        )
    return numbers


@app.command()
def chart(
    csv: Path = typer.Option(..., "--csv", help="CSV file with one row per observation."),
    x: str = typer.Option(..., "--x", help="Column of subgroups (dates, months YYYY-MM, numbers or categories)."),
    y: str = typer.Option(..., "--y", help="Column of values or numerators."),
    n: str = typer.Option(None, "--n", help="Column of denominators (P and U charts)."),
    chart_type: ChartType = typer.Option(
        "run", "--chart", case_sensitive=False, help="run, i, mr, xbar, s, t, p, c, u or g."
    ),
    freeze: int = typer.Option(None, "--freeze", help="Compute the lines from the first N points only."),
    part: list[int] = typer.Option(None, "--part", help="Last point of a part before a split (repeatable)."),
    exclude: list[int] = typer.Option(
        None, "--exclude", help="1-based point left out of the calculations (repeatable)."
    ),
    notes: str = typer.Option(None, "--notes", help="Column of notes on points."),
    target: float = typer.Option(None, "--target", help="Target line."),
    multiply: float = typer.Option(1, "--multiply", help="Multiply y and lines (100 for percent)."),
    out: Path = typer.Option(..., "--out", help="CSV of points to write."),
    html: Path = typer.Option(None, "--html", help="Also write the chart as a self-contained HTML file."),
    encoding: EncodingOption = "utf-8",
    lang: QiLangOption = None,
) -> None:
    """Compute a run or control chart (qicharts2 conventions) and write one row per point."""
    from forlop.qi.qic import qic

    _check_chart_options(chart_type, n, freeze, part, exclude, lang)
    data = read_user_csv(csv, encoding=encoding, lang=lang)
    x_values = _x_values(_column(data, x, csv, lang))
    y_values = _numbers(_column(data, y, csv, lang), y, csv, lang)
    n_values = None if n is None else _numbers(_column(data, n, csv, lang), n, csv, lang)
    note_values = _column(data, notes, csv, lang)
    try:
        result = qic(
            x_values,
            y_values,
            n_values,
            chart=chart_type,
            freeze=freeze,
            part=part or None,
            exclude=exclude or None,
            target=target,
            notes=note_values,
            multiply=multiply,
        )
    except DataError as error:
        raise InputError(str(csv), error.text(lang)) from None
    except ValueError as error:  # not expected from data the checks above let through; one line all the same
        raise InputError(str(csv), str(error)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    points = result.points[POINT_COLUMNS].copy()
    if pd.api.types.is_datetime64_any_dtype(points["x"]):
        points["x"] = points["x"].dt.strftime("%Y-%m-%d")
    points.to_csv(out, index=False)
    for _, row in result.summary.iterrows():
        signal = t("qi.chart.signal_yes" if row["runs_signal"] else "qi.chart.signal_no", lang)
        values = {
            k: ("–" if pd.isna(row[k]) else int(row[k]))
            for k in ("n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min")
        }
        typer.echo(t("qi.chart.summary", lang, part=int(row["part"]), signal=signal, **values))
        if result.chart != "run":
            typer.echo("  " + t("qi.chart.sigma", lang, count=int(row["sigma_signals"])))
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        result.plot(lang=lang).write_html(html, include_plotlyjs=True, full_html=True)
    typer.echo(t("qi.chart.written", lang, path=out), err=True)


@app.command()
def template(
    team: str = typer.Option(..., "--team", help="Team name (written into the template)."),
    out: Path = typer.Option(..., "--out", help="Excel file to write (.xlsx)."),
    track: Track = typer.Option("adult", "--track", help="adult (voksenspor) or youth (børne- og ungespor)."),
    start: str = typer.Option("2018-01", "--from", help="First month (YYYY-MM)."),
    end: str = typer.Option("2023-12", "--to", help="Last month (YYYY-MM)."),
    start_month: str = typer.Option(None, "--start-month", help="The team's start month in the project, if known."),
    lang: QiLangOption = None,
) -> None:
    """Write the Excel data template of one team (one sheet of monthly rows per indicator)."""
    from forlop.qi.catalogue import for_track
    from forlop.qi.template import write_template

    try:
        sheets = len(for_track(track))
        write_template(out, team, track, start, end, start_month=start_month, lang=lang)
    except ValueError:  # --from/--to that are not months (pandas' period_range)
        raise InputError("--from/--to", t("qi.template.bad_months", lang), example=f"{start}, {end}") from None
    typer.echo(t("qi.template.written", lang, team=team, path=out, sheets=sheets), err=True)


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="Filled templates (.xlsx)."),
    out: Path = typer.Option(..., "--out", help="Directory for qi_data.parquet, teams.parquet and rejected/."),
    lang: QiLangOption = None,
) -> None:
    """Read filled templates into one collaborative dataset; bad rows go to rejected/ with reason."""
    from forlop.qi.importer import import_templates

    result = import_templates(files, out, lang=lang, progress=True)
    typer.echo(t("qi.import.written", lang, path=out, rows=len(result.data), teams=len(result.teams)), err=True)
    if len(result.rejected):
        typer.echo(t("qi.rejected_where", lang, path=Path(out) / "rejected" / "qi_import.csv"), err=True)


#: Reads (data, teams) from the web application's database for ``qi dashboard --db``. Set by the command line's
#: root (``forlop.cli``) to ``forlop.server.dataset_from_db``: the server builds on this module, so this module may
#: not import the server (tests/test_layout.py: no cycle between packages).
DATASET_FROM_DB: Callable[[str], tuple[pd.DataFrame, pd.DataFrame]] | None = None


@app.command()
def dashboard(
    data: Path = typer.Option(
        None, "--data", help="Directory written by `forlop qi import` or `forlop qi synth` (or use --db)."
    ),
    db: str = typer.Option(None, "--db", help="Database URL of `forlop serve` (sqlite:///... or postgresql://...)."),
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    lang: QiLangOption = None,
) -> None:
    """Write a self-contained offline HTML dashboard per team and for the whole collaborative."""
    from forlop.qi.dashboard import build_dashboard, write_dashboard

    if (data is None) == (db is None):
        raise InputError("--data/--db", t("qi.dashboard.data_or_db", lang))
    if data is not None:
        build_dashboard(data, out, lang=lang, progress=True)
        return
    assert DATASET_FROM_DB is not None, "forlop.cli sets DATASET_FROM_DB"
    frames, teams = DATASET_FROM_DB(db)
    write_dashboard(frames, teams, out, lang=lang, progress=True)


@app.command()
def musiq(
    csv: Path = typer.Option(..., "--csv", help="CSV of answers: team, factor columns scored 1-7."),
    out: Path = typer.Option(..., "--out", help="CSV of scores to write."),
    scoring: Path = typer.Option(
        None,
        "--scoring",
        help="YAML with the factors and weights of your MUSIQ scoring tool (same shape as forlop/qi/musiq.yaml).",
    ),
    encoding: EncodingOption = "utf-8",
    lang: QiLangOption = None,
) -> None:
    """Score MUSIQ answers (factor scores, weighted total; see musiq.yaml for the weights' status)."""
    from forlop.qi.musiq import write_scores

    scored, rejected = write_scores(csv, out, scoring, lang=lang, encoding=encoding)
    typer.echo(t("qi.musiq.written", lang, path=out, rows=scored), err=True)
    if rejected:
        typer.echo(t("qi.rejected_where", lang, path=Path(out).parent / "rejected" / "musiq.csv"), err=True)


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Directory for templates/, qi_data.parquet, teams.parquet, truth.csv."),
    seed: int = typer.Option(2022, "--seed", help="Random seed: the same seed gives the same collaborative."),
    lang: QiLangOption = None,
) -> None:
    """Write a synthetic collaborative: 10 teams, monthly 2018-2023, real improvement in some."""
    from forlop.qi.synth import write_collaborative

    write_collaborative(out, seed=seed, lang=lang, progress=True)


if __name__ == "__main__":  # pragma: no cover
    app()
    sys.exit(0)
