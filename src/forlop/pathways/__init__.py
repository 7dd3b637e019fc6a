"""Patient pathways in the year after discharge (001): cohort, episodes, per-patient table, indicators.

Public to other modules: :func:`catalogue` (the indicator catalogue, ``indicators.yaml``), which
the report uses to know each indicator's unit and family. It is loaded on first use (PEP 562
``__getattr__``): ``forlop pathways`` imports this package before it validates the extract, and the
indicators' pandas and scipy are then imported beside the validation (``pipeline.run_pathways``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forlop.pathways.indicators import catalogue

__all__ = ["catalogue"]


def __getattr__(name: str) -> Any:
    if name == "catalogue":
        from forlop.pathways.indicators import catalogue

        return catalogue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
