"""Quality-improvement charts: run and control charts with the Anhøj rules (``qic``), the LKT
Tvang indicator catalogue, team templates and import, dashboards and MUSIQ scoring.

The public names below are what other modules (``forlop.server``) use. Those beyond ``qic`` and
``read_chart`` are loaded on first use (PEP 562 ``__getattr__``): the command line imports this
package at start, and the dashboard's plotly and the importer's openpyxl would add to every command's
start-up time.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from forlop.qi.qic import QicResult, qic
from forlop.qi.reading import Reading, read_chart

if TYPE_CHECKING:
    from forlop.qi.catalogue import Indicator, for_track, indicator, load_catalogue
    from forlop.qi.dashboard import SYMBOLS, indicator_part, legend, overview_cell, team_section, write_dashboard
    from forlop.qi.importer import (
        Entry,
        Rejection,
        check_entry,
        parse_month,
        read_template,
        reject_duplicates,
    )
    from forlop.qi.synth import write_collaborative
    from forlop.qi.template import months, write_template

_LAZY = {
    "Indicator": "catalogue",
    "for_track": "catalogue",
    "indicator": "catalogue",
    "load_catalogue": "catalogue",
    "SYMBOLS": "dashboard",
    "indicator_part": "dashboard",
    "legend": "dashboard",
    "overview_cell": "dashboard",
    "team_section": "dashboard",
    "write_dashboard": "dashboard",
    "Entry": "importer",
    "Rejection": "importer",
    "check_entry": "importer",
    "parse_month": "importer",
    "read_template": "importer",
    "reject_duplicates": "importer",
    "write_collaborative": "synth",
    "months": "template",
    "write_template": "template",
}

__all__ = [
    "SYMBOLS",
    "Entry",
    "Indicator",
    "QicResult",
    "Reading",
    "Rejection",
    "check_entry",
    "for_track",
    "indicator",
    "indicator_part",
    "legend",
    "load_catalogue",
    "months",
    "overview_cell",
    "parse_month",
    "qic",
    "read_chart",
    "read_template",
    "reject_duplicates",
    "team_section",
    "write_collaborative",
    "write_dashboard",
    "write_template",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"forlop.qi.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'forlop.qi' has no attribute {name!r}")
