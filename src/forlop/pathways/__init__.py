"""Patient pathways in the year after discharge (001): cohort, episodes, per-patient table, indicators.

Public to other modules: :func:`catalogue` (the indicator catalogue, ``indicators.yaml``), which
the report uses to know each indicator's unit and family.
"""

from forlop.pathways.indicators import catalogue

__all__ = ["catalogue"]
