"""Command-line options and output that several commands share, written once.

Each option is an ``Annotated`` type (Typer's own way to reuse an option): a command declares
``lang: LangOption = None``, the default stays in the command's signature (Typer takes it from there).
Options whose help differs from command to command are declared in their command. Like
``forlop.choices``, this module imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from forlop.choices import ENCODING_HELP, EXTRACT_ENCODING_HELP, Lang
from forlop.i18n import t

if TYPE_CHECKING:  # (not imported when the command line starts: forlop.html imports Jinja)
    from forlop.html import ReportResult

LangOption = Annotated[Lang | None, typer.Option("--lang", help="nb (default) or en.")]
MessagesLangOption = Annotated[Lang | None, typer.Option("--lang", help="Language of messages: nb (default) or en.")]
EncodingOption = Annotated[str, typer.Option("--encoding", help=ENCODING_HELP)]
ExtractEncodingOption = Annotated[str, typer.Option("--encoding", help=EXTRACT_ENCODING_HELP)]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")]
ReportHtmlOption = Annotated[Path, typer.Option("--html", help="HTML file to write (one offline file).")]
ReportXlsxOption = Annotated[Path | None, typer.Option("--xlsx", help="Also write the tables to this Excel file.")]


def echo_report(result: ReportResult, key: str, lang: str | None) -> None:
    """Say what a report command wrote: the Excel file on stderr (if any), then the summary line
    (texts ``<key>.xlsx_done`` and ``<key>.done`` of messages.yaml)."""
    if result.xlsx is not None:
        typer.echo(t(f"{key}.xlsx_done", lang, path=result.xlsx), err=True)
    typer.echo(
        t(
            f"{key}.done",
            lang,
            tables=result.tables,
            figures=result.figures,
            hidden=result.hidden_cells,
            seconds=result.seconds,
            html=result.html.resolve(),
        )
    )
