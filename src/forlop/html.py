"""HTML pages for people: one Jinja environment for every module's report or dashboard.

Autoescaped (a team name or a label can never inject markup; figures and inlined scripts are passed
through ``| safe`` in the template, where the template says so) and strict (a name the template
uses but the code did not give is an error, not an empty string). Templates are package data
(``<package>/<name>.html.j2``), so every page works offline from the installed package.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2


@dataclass
class ReportResult:
    """What a report wrote: the HTML (and Excel) file, tables, figures, hidden cells, seconds (every module's
    report; ``forlop.cli_options.echo_report`` says it on the command line)."""

    html: Path
    xlsx: Path | None
    tables: int = 0
    figures: int = 0
    hidden_cells: int = 0
    seconds: float = 0.0


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment (autoescape, StrictUndefined)."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render(package: str, name: str, **context: Any) -> str:
    """The template ``name`` of ``package`` (e.g. ``forlop.qi``, ``dashboard.html.j2``) filled with ``context``."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return environment().from_string(text).render(**context)
