"""Shared estimators for every module: one place for each interval, rate and standardisation.

A module that publishes an estimate takes it from here (or from a named library), never from a
copy in its own package. What is here and where each rule comes from:

- :func:`proportion_ci`, :func:`wilson`, :func:`share_percent`: intervals of shares (statsmodels);
- :func:`ratio_ci`: interval of a ratio of sums over patients (cluster-robust, delta method);
- :func:`poisson_rate`: rates with exact Poisson intervals (statsmodels);
- :func:`standardised_rates`, :func:`fay_feuer`: direct standardisation with Fay-Feuer intervals;
- :func:`funnel_limits`, :func:`classify`: Spiegelhalter's funnel-plot limits for proportions;
  :func:`funnel_limits_mean`: the normal limits for a mean;
- :func:`age_group`, :func:`age_group_expr`: age groups from ``codes/age_groups.csv``;
- :func:`mean_ci`, :func:`t_interval` (many at once), :func:`median_ci`, :data:`QUANTILE_METHOD`: means (t) and
  medians (order statistics);
- :func:`cumulative_incidence`: Aalen-Johansen with death competing (lifelines).
"""

from forlop.stats.age import age_bands, age_group, age_group_expr
from forlop.stats.funnel import classify, funnel_limits, funnel_limits_mean
from forlop.stats.incidence import cumulative_incidence
from forlop.stats.means import QUANTILE_METHOD, mean_ci, median_ci, t_interval
from forlop.stats.poisson import PER, poisson_rate
from forlop.stats.proportions import proportion_ci, share_percent, wilson
from forlop.stats.ratio import ratio_ci
from forlop.stats.standardise import fay_feuer, standardised_rates

__all__ = [
    "PER",
    "QUANTILE_METHOD",
    "age_bands",
    "age_group",
    "age_group_expr",
    "classify",
    "cumulative_incidence",
    "fay_feuer",
    "funnel_limits",
    "funnel_limits_mean",
    "mean_ci",
    "median_ci",
    "poisson_rate",
    "proportion_ci",
    "ratio_ci",
    "share_percent",
    "standardised_rates",
    "t_interval",
    "wilson",
]
