"""The plotly figure of a chart shows the signals (qicharts2's plot conventions)."""

from __future__ import annotations

import pandas as pd

from forlop.qi import qic


def test_figure_marks_signals_target_notes_and_baseline() -> None:
    # 12 rising values, I chart frozen on the first 6: CL = mean(1..6) = 3.5, moving ranges all
    # 1 -> sigma 1/1.128, UCL 3.5 + 2.66 = 6.16, LCL 0.84: 7..12 are above -> six red dots.
    # Runs: 1, 2, 3 below and 4..12 above -> longest run 9 > round(log2 12) + 3 = 7 -> the
    # centre line is dashed red. A target line, one note, and the dotted line after the baseline.
    months = pd.date_range("2022-01-01", periods=12, freq="MS")
    notes = [None] * 11 + ["new routine"]
    result = qic(months, list(range(1, 13)), chart="i", target=4, notes=notes, freeze=6)
    figure = result.plot(title="Test", lang="en")
    names = [trace.name for trace in figure.data]
    assert names == ["Data", "Centre line", "Control limits", "Control limits", "Target"]
    data, centre = figure.data[0], figure.data[1]
    assert centre.line.dash == "dash" and centre.line.color == "#F15854"
    assert sum(colour == "#F15854" for colour in data.marker.color) == 6
    assert [a.text for a in figure.layout.annotations] == ["new routine"]
    assert len(figure.layout.shapes) == 1  # the dotted line after the baseline
    assert figure.layout.title.text == "Test"
