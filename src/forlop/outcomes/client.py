"""The clinician's chart of one client: PHQ-9 and GAD-7 session by session against the expected course.

For use inside the service only; never part of a published report (it shows one person's scores).

Rules (``definitions.yaml`` ``expected_course``; docs/definitions.md, "Outcome monitoring (003)"):

- session number: 1 = the referral's first attended session with a total of the measure, 2 = the next
  such session, ... (per measure);
- start band: the first total // ``band_width`` (0-2, 3-5, ... for a width of 3);
- expected course: for each measure, band and session number up to ``max_sessions``, the 10th, 50th and
  90th percentile (numpy "linear", ``forlop.stats.QUANTILE_METHOD``) of the totals of all referrals in
  that band, where at least ``min_clients`` referrals have that session;
- off track: the total is above the 90th percentile of its band and session at
  ``off_track_consecutive`` (2) consecutive scored sessions, on either measure.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forlop.i18n import t
from forlop.outcomes.definitions import definitions, measures
from forlop.stats import QUANTILE_METHOD

if TYPE_CHECKING:
    import plotly.graph_objects as go


def scored_sessions(totals: pd.DataFrame) -> pd.DataFrame:
    """Long table: referral_id, measure, session (1..), session_on, total, band (of the first total)."""
    width = definitions()["expected_course"]["band_width"]
    parts = []
    for key in measures():
        s = totals.loc[totals[key].notna(), ["referral_id", "session_on", key]].rename(columns={key: "total"})
        s = s.assign(measure=key, session=s.groupby("referral_id").cumcount() + 1)
        first = s.groupby("referral_id")["total"].transform("first")
        parts.append(s.assign(band=(first // width).astype(int)))
    return pd.concat(parts, ignore_index=True)[["referral_id", "measure", "session", "session_on", "total", "band"]]


def expected_course(scored: pd.DataFrame) -> pd.DataFrame:
    """measure, band, session, clients, p10, p50, p90 (see the module docstring)."""
    e = definitions()["expected_course"]
    low, mid, high = e["percentiles"]
    use = scored[scored["session"] <= e["max_sessions"]]
    g = use.groupby(["measure", "band", "session"])["total"]
    out = pd.DataFrame({"clients": g.size()})
    quantiles = g.quantile([low / 100, mid / 100, high / 100], interpolation=QUANTILE_METHOD).unstack()
    out["p10"], out["p50"], out["p90"] = (quantiles[q / 100] for q in (low, mid, high))
    out = out[out["clients"] >= e["min_clients"]].reset_index()
    return out


def off_track(scored: pd.DataFrame, course: pd.DataFrame) -> pd.Series:
    """Per referral_id: True when above the upper percentile at consecutive scored sessions (either measure)."""
    need = definitions()["off_track_consecutive"]
    merged = scored.merge(
        course[["measure", "band", "session", "p90"]], on=["measure", "band", "session"], how="left"
    ).sort_values(["referral_id", "measure", "session"])
    above = (merged["total"] > merged["p90"].astype(float).fillna(np.inf)).astype(int)  # no course: never above
    new_series = merged["referral_id"].ne(merged["referral_id"].shift()) | merged["measure"].ne(
        merged["measure"].shift()
    )
    run_id = (above.diff().ne(0) | new_series).cumsum()
    run_length = above.groupby(run_id).cumsum()
    flagged = merged.loc[run_length >= need, "referral_id"].unique()
    ids = scored["referral_id"].unique()
    return pd.Series(np.isin(ids, flagged), index=ids, name="off_track")


def client_figure(
    referral_id: object, scored: pd.DataFrame, course: pd.DataFrame, lang: str | None = None
) -> go.Figure:
    """Two panels (PHQ-9, GAD-7): the client's totals, the expected median and 10-90 band, the caseness line."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    ms = measures()
    fig = make_subplots(rows=1, cols=len(ms), subplot_titles=[m.label for m in ms.values()])
    mine = scored[scored["referral_id"] == referral_id]
    for col, (key, m) in enumerate(ms.items(), start=1):
        own = mine[mine["measure"] == key].sort_values("session")
        if not own.empty:
            band = own["band"].iloc[0]
            exp = course[(course["measure"] == key) & (course["band"] == band)].sort_values("session")
            fig.add_trace(
                go.Scatter(
                    x=exp["session"], y=exp["p90"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=exp["session"],
                    y=exp["p10"],
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor="rgba(93,165,218,0.2)",
                    name=t("outcomes.client.band", lang),
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=exp["session"],
                    y=exp["p50"],
                    mode="lines",
                    line={"dash": "dash", "color": "#5DA5DA"},
                    name=t("outcomes.client.median", lang),
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=own["session"],
                    y=own["total"],
                    mode="lines+markers",
                    line={"color": "#222"},
                    name=t("outcomes.client.scores", lang),
                    showlegend=col == 1,
                    text=own["session_on"].astype(str),
                    hovertemplate="%{text}: %{y}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        fig.add_hline(y=m.caseness, line={"color": "#F15854", "dash": "dot"}, row=1, col=col)
        fig.update_yaxes(range=[0, m.max_total], row=1, col=col)
        fig.update_xaxes(title_text=t("outcomes.client.session", lang), row=1, col=col)
    fig.update_layout(
        height=380,
        template="simple_white",
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def write_client_chart(results: Path, referral: str, html: Path, lang: str | None = None) -> bool:
    """Write the client chart of ``referral`` from an analysis folder to ``html``; return the off-track flag."""

    from plotly.offline import get_plotlyjs

    from forlop.errors import InputError
    from forlop.html import render
    from forlop.i18n import default_language
    from forlop.outcomes.referrals import session_totals

    results = Path(results)
    for path in (results / "validated" / "clean" / "rph_sessions.parquet", results / "expected_course.csv"):
        if not path.exists():
            raise InputError(str(path), t("outcomes.missing_results", lang))
    sessions = pd.read_parquet(results / "validated" / "clean" / "rph_sessions.parquet")
    ids = sessions["referral_id"]
    key = int(referral) if pd.api.types.is_integer_dtype(ids) and referral.lstrip("-").isdigit() else referral
    if not (ids == key).any():
        raise InputError("--referral", t("outcomes.client.unknown", lang), example=str(referral))
    sessions = sessions[ids == key].copy()
    sessions["session_on"] = pd.to_datetime(sessions["session_on"])
    scored = scored_sessions(session_totals(sessions))
    course = pd.read_csv(results / "expected_course.csv")
    flag = bool(off_track(scored, course).get(key, False))
    figure = client_figure(key, scored, course, lang).to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False}
    )
    page = render(
        "forlop.outcomes",
        "client.html.j2",
        lang=lang or default_language(),
        title=t("outcomes.client.title", lang, referral=referral),
        internal=t("outcomes.client.internal", lang),
        plotly_js=get_plotlyjs(),
        figure=figure,
        status=t("outcomes.client.off_track" if flag else "outcomes.client.on_track", lang),
        colour="#F15854" if flag else "#059748",
    )
    Path(html).parent.mkdir(parents=True, exist_ok=True)
    Path(html).write_text(page, encoding="utf-8")
    return flag
