"""Cumulative incidence of a first event with death as a competing risk (lifelines' Aalen-Johansen).

001 reports plain shares with an event within X days among patients alive a year later; with
``--keep-deaths`` the pathway engine keeps those who die and reports this estimate instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def cumulative_incidence(
    days_to_event: pd.Series, days_to_death: pd.Series, at_days: list[int], horizon: int = 365
) -> dict[int, float]:
    """Aalen-Johansen cumulative incidence of the first event with death as competing risk (lifelines).

    A patient with the event at day d has (d, 1); one who died first at day t has (t, 2); everyone
    else is censored at the end of follow-up (horizon + 0.5, after all events). The estimate is read
    at X + 0.5 so that the tiny jitter lifelines adds to ties between event types cannot move an
    event across a whole day. With no deaths it equals the plain share with the event by day X.
    """
    from lifelines import AalenJohansenFitter  # heavy import: only where the estimate is asked for

    event = days_to_event.astype("float64")
    death = days_to_death.astype("float64")
    durations = np.where(event.notna(), event, np.where(death.notna(), death, horizon + 0.5))
    kinds = np.where(event.notna(), 1, np.where(death.notna(), 2, 0))
    if len(durations) == 0:
        return {x: float("nan") for x in at_days}
    if not (kinds == 1).any():
        return dict.fromkeys(at_days, 0.0)
    fitter = AalenJohansenFitter(calculate_variance=False, seed=2020)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(durations + 1.0, kinds, event_of_interest=1)  # +1: lifelines needs positive times
    curve = fitter.cumulative_density_.iloc[:, 0]
    result = {}
    for x in at_days:
        upto = curve[curve.index <= x + 1.5]
        result[x] = float(upto.iloc[-1]) if len(upto) else 0.0
    return result
