"""Quality-improvement charts: run and control charts with the Anhøj rules (``qic``), the LKT
Tvang indicator catalogue, team templates and import, dashboards and MUSIQ scoring."""

from forlop.qi.qic import QicResult, qic

__all__ = ["QicResult", "qic"]
