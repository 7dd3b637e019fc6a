"""Quality-improvement charts: run and control charts with the Anhøj rules (``qic``), the LKT
Tvang indicator catalogue, team templates and import, dashboards and MUSIQ scoring."""

from forlop.qi.qic import QicResult, qic
from forlop.qi.reading import Reading, read_chart

__all__ = ["QicResult", "Reading", "qic", "read_chart"]
