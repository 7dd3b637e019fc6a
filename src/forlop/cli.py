"""The command line: one Typer app, ``forlop <command>``.

Each command is a thin shell around a module function; the modules do the work.
Input that cannot be used ends in one line on stderr and exit code 2 (``InputError``).
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Iterator, MutableMapping
from importlib import import_module
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup
from typer.models import TyperInfo

from forlop.choices import Engine, Format, Lang
from forlop.cli_options import ExtractEncodingOption, MessagesLangOption, echo_report
from forlop.errors import InputError, SuppressionError

#: The command groups, loaded when they are asked for: name -> (module, Typer app in it). Importing them all
#: at start cost a small ``forlop pathways`` run a quarter of its time (pandas and plotly through ``qi``, pyarrow
#: through ``survey``; issue 14, "Speed of small runs"). ``forlop --help`` loads them all to list them.
GROUPS: dict[str, tuple[str, str]] = {
    "qi": ("forlop.qi.cli", "app"),
    "coercion": ("forlop.coercion.cli", "app"),
    "outcomes": ("forlop.outcomes.cli", "outcomes_app"),
    "survey": ("forlop.survey.cli", "survey_app"),
    "serve": ("forlop.server.cli", "serve_app"),
}


#: The collector's thresholds for a command (Python's default is 700, 10, 10). A command first imports pandas, Ibis,
#: DuckDB and SciPy: some 130 000 objects that live until it ends, which the default collector scans again and
#: again while they are created (about 6 % of the imports of a small `forlop pathways` run, 0.07 s; issue 14).
#: With these, the young generation is collected every 50 000 allocations instead; cycles are still collected.
GC_THRESHOLDS = (50_000, 20, 100)
# At exit, before the modules are torn down, main() has gc.freeze() run (atexit): Python's finalization runs
# full collections over every object still alive, 0.3 s after a small `forlop pathways` run (perf: all of it in
# gc_collect_main), and frozen objects are left out of them. The objects go with the process. What this gives up:
# the finalizer of an object kept alive by a reference cycle until exit (an unclosed file in a cycle, say) is not
# run. Python does not promise those at exit either ("It is not guaranteed that __del__() methods are called for
# objects that still exist when the interpreter exits", the data model); Forløp closes what it writes (`with`).


def _load_group(name: str) -> typer.Typer:
    """The Typer app of the command group ``name`` (see ``GROUPS``), imported now."""
    module, attribute = GROUPS[name]
    sub_app: typer.Typer = getattr(import_module(module), attribute)
    if name == "qi":  # `qi dashboard --db` reads the server's database (see forlop.qi.cli)
        from forlop.qi import cli as qi_cli
        from forlop.server import dataset_from_db

        qi_cli.DATASET_FROM_DB = dataset_from_db
    return sub_app


class _LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: the plain ones, then every group of ``GROUPS``, built on first access.

    Click reaches a group's commands only through this mapping (``get_command``, ``list_commands``, the
    suggestion for a mistyped name reads the keys), so a command line names one group and imports only it.
    """

    def __init__(self, commands: MutableMapping[str, Any], build: Any) -> None:
        self._loaded = dict(commands)
        self._build = build
        self._order = [*self._loaded, *(name for name in GROUPS if name not in self._loaded)]

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in GROUPS:
            self._loaded[name] = self._build(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self._order:
            self._order.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._order.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._order


class LazyGroup(TyperGroup):
    """The root ``forlop`` group: the command groups of ``GROUPS`` are imported when a command line uses them."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self.commands, self._group)

    def _group(self, name: str) -> TyperGroup:
        return typer.main.get_group_from_info(
            TyperInfo(_load_group(name), name=name),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
            suggest_commands=app.suggest_commands,
        )


app = typer.Typer(
    cls=LazyGroup,
    name="forlop",
    help=(
        "Forløp: steering information for mental health services from registry data.\n\n"
        "Typical use: `forlop synth` (or your own extract) -> `forlop validate` -> "
        "`forlop pathways` -> `forlop report`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Forløp: steering information for mental health services from registry data."""


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Directory to write the extract to."),
    scale: str = typer.Option(
        "demo",
        "--scale",
        help="'national' (2020 cohort of Helsedirektoratet 2023), 'demo' (small), or a number of patients.",
    ),
    seed: int = typer.Option(2020, "--seed", help="Random seed: the same seed gives the same extract."),
    fmt: Format = typer.Option("parquet", "--format", help="'parquet' (default) or 'csv'."),
    lang: MessagesLangOption = None,
) -> None:
    """Write a calibrated synthetic registry extract (deterministic for a seed)."""
    from forlop.synth.extract import write_synthetic_extract

    write_synthetic_extract(out, scale=scale, seed=seed, fmt=fmt, lang=lang, progress=True)


@app.command()
def validate(
    data: Path = typer.Option(
        ..., "--data", help="Folder of the extract: one <table>.parquet or <table>.csv per table."
    ),
    out: Path = typer.Option(
        None,
        "--out",
        help="Folder for clean/, rejected/ and validation_summary.csv (default: <DATA>_validated beside DATA).",
    ),
    encoding: ExtractEncodingOption = "utf-8",
    lang: MessagesLangOption = None,
) -> None:
    """Read and validate an extract: usable rows to clean/, bad rows with their reason to rejected/."""
    from forlop.extract.validate import default_out_dir, validate_extract

    summary = validate_extract(data, out or default_out_dir(data), lang=lang, progress=True, encoding=encoding)
    for line in summary.lines(lang):
        typer.echo(line)


@app.command()
def pathways(
    data: Path = typer.Option(
        ..., "--data", help="Folder of the registry extract (validated first, into OUT/validated)."
    ),
    out: Path = typer.Option(..., "--out", help="Folder for patients.parquet, cohort_flow.csv and indicators.csv."),
    year: int = typer.Option(2020, "--year", help="Discharge year Y of the cohort."),
    engine: Engine = typer.Option("duckdb", "--engine", help="'duckdb' (default) or 'pyspark'."),
    keep_deaths: bool = typer.Option(
        False,
        "--keep-deaths",
        help="Keep patients who die within 365 days (death competes in the cumulative incidence).",
    ),
    encoding: ExtractEncodingOption = "utf-8",
    lang: MessagesLangOption = None,
) -> None:
    """Patient pathways after discharge (Helsedirektoratet 2023): cohort, pathway table, every indicator."""
    from forlop.pathways.pipeline import run_pathways

    run_pathways(
        data, out, year=year, backend=engine, keep_deaths=keep_deaths, lang=lang, progress=True, encoding=encoding
    )


@app.command()
def report(
    results: Path = typer.Option(..., "--results", help="Folder written by `forlop pathways --out`."),
    html: Path = typer.Option(..., "--html", help="The HTML report to write (one self-contained file)."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write every table to this Excel file (one sheet each)."),
    lang: Lang = typer.Option(None, "--lang", help="Language of the report: nb (default) or en."),
    health_community: str = typer.Option(
        None, "--health-community", help="Report for one health community, beside its region and Norway."
    ),
    data: Path = typer.Option(
        None, "--data", help="The extract folder (population table) for age- and sex-standardised rates."
    ),
    symbol: str = typer.Option("–", "--symbol", help="Shown instead of a suppressed number."),
    year: int = typer.Option(
        None, "--year", help="Population year for the rates (default: the cohort year of --results)."
    ),
    encoding: ExtractEncodingOption = "utf-8",
) -> None:
    """The pathway report (Helsedirektoratet 2023, chapters 4-8, table A): HTML, maybe Excel; small counts hidden."""
    from forlop.i18n import default_language
    from forlop.report.build import build_report

    lang = lang or default_language()
    result = build_report(
        results,
        html,
        xlsx,
        lang=lang,
        health_community=health_community,
        data=data,
        symbol=symbol,
        year=year,
        progress=True,
        encoding=encoding,
    )
    echo_report(result, "report", lang)


def _argv_language() -> str | None:
    """The ``--lang`` of the command line when it is one we have texts in (a usage error stops before
    the command sees its options); else None, the default language."""
    from forlop.choices import LANGUAGES, QI_LANGUAGES

    args = sys.argv[1:]
    for index, arg in enumerate(args):
        value = (
            arg.split("=", 1)[1]
            if arg.startswith("--lang=")
            else (args[index + 1] if arg == "--lang" and index + 1 < len(args) else None)
        )
        if value in (*LANGUAGES, *QI_LANGUAGES):
            return value
    return None


def _usage_line(error: typer.TyperException) -> str:
    """A usage error as one line in the style of ``InputError`` ("--option: what is wrong"), from
    messages.yaml for the three kinds people meet (a value not among the choices, a missing option,
    an unknown option); any other kind, or a wording of Typer's this does not recognise, is Typer's own."""
    import re

    from forlop.i18n import t

    lang = _argv_language()
    kind = type(error).__name__
    options = "/".join(getattr(getattr(error, "param", None), "opts", None) or [])
    message = error.format_message().replace("Value error, ", "")  # Typer's wording of a wrong choice
    choice = re.fullmatch(r"'(.*)' is not one of (.*)\.", getattr(error, "message", "").replace("Value error, ", ""))
    if kind == "BadParameter" and options and choice:
        return f"{options}: " + t("cli.bad_choice", lang, value=choice[1], choices=choice[2])
    if kind == "MissingParameter" and options:
        return f"{options}: " + t("cli.missing_option", lang)
    option_name = getattr(error, "option_name", None)
    if kind == "NoSuchOption" and option_name:
        return f"{option_name}: " + t("cli.no_such_option", lang)
    return message


def main() -> None:
    """Entry point: run the app, turning unusable input into one line and exit code 2.

    Unusable input is an ``InputError`` from a command, or a usage error of the command line itself
    (a value that is not one of an option's choices, a missing or unknown option): Typer's own
    message, on one line instead of Typer's usage box. Without arguments, the help is shown.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    atexit.unregister(gc.freeze)  # once, however often main() runs in one process (the tests run it many times)
    atexit.register(gc.freeze)
    try:
        _run_app()
    finally:
        gc.set_threshold(*previous)  # for a caller that goes on (the tests run main() in their own process)


def _run_app() -> None:
    """``main`` without the collector's settings: the app, with its errors turned into exit codes."""
    try:
        code = app(standalone_mode=False)
    except InputError as error:
        typer.echo(f"forlop: {error}", err=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except SuppressionError as error:  # never publish a table whose hidden cells can be worked out
        from forlop.i18n import t

        typer.echo(f"forlop: {t('cli.unsafe_table', _argv_language(), n=len(error.exposed))}", err=True)
        sys.exit(1)
    except typer.TyperException as error:  # Click's usage errors (BadParameter, NoSuchOption, ...)
        if type(error).__name__ == "NoArgsIsHelpError":  # `forlop` or `forlop qi` alone: the help
            error.show()  # type: ignore[attr-defined]  # a click.UsageError; TyperException does not declare show
        else:
            typer.echo(f"forlop: {_usage_line(error)}", err=True)
        sys.exit(getattr(error, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
