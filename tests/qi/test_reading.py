"""Hand-worked one-line readings and improvement status (reading.py rules)."""

from __future__ import annotations

import pandas as pd

from forlop.qi import qic
from forlop.qi.reading import read_chart

MONTHS = pd.date_range("2022-01-01", periods=32, freq="MS")


def test_shift_after_start_is_improvement_when_down_is_desired() -> None:
    # Baseline 2022-01..12 alternates 5, 7 (median 6); from 2023-01 (start) twelve 3s.
    # 24 useful points, longest run 12 (the 3s, below 6) > round(log2(24)) + 3 = 8: a shift
    # below the median since January 2023 that lasts to the last point.
    y = [5, 7] * 6 + [3] * 12
    result = qic(MONTHS[:24], y, chart="run", freeze=12)
    down = read_chart(result, "down", start_position=13, lang="da")
    assert down.text == "ikke-tilfældig variation: skift under medianen siden januar 2023"
    assert down.status == "improvement" and down.direction == -1
    up = read_chart(result, "up", start_position=13, lang="nb")
    assert up.text == "ikke-tilfeldig variasjon: skift under medianen siden januar 2023"
    assert up.status == "worsening"


def test_signal_in_baseline_only() -> None:
    # Baseline of 20: ten 1s then ten 9s (median 5); then 12 points alternating 4, 6 from
    # 2023-09 (position 21). 32 useful, limit round(log2(32)) + 3 = 8; the runs of 10 (1s and 9s)
    # are longer; the latest (9s, 2022-11..2023-08) ends before the start -> baseline only;
    # above the median while down is desired -> "baseline_worsening" (up desired: "baseline_improvement").
    y = [1] * 10 + [9] * 10 + [4, 6] * 6
    result = qic(MONTHS, y, chart="run", freeze=20)
    reading = read_chart(result, "down", start_position=21, lang="en")
    assert reading.text == "non-random variation: shift above the median from November 2022 to August 2023"
    assert reading.status == "baseline_worsening" and reading.direction == 1
    assert read_chart(result, "up", start_position=21, lang="en").status == "baseline_improvement"


def test_random_and_too_few() -> None:
    # Alternating 24 points: 23 crossings, longest run 1 -> random variation.
    assert read_chart(qic(MONTHS[:24], [1, 3] * 12), "down", 13, "nb").status == "random"
    # 11 points: fewer than the 12 that 004 §2.2 asks for to set a median.
    few = read_chart(qic(MONTHS[:11], list(range(11))), "down", None, "nb")
    assert few.status == "too_few" and few.text == "for få datapunkter (11) til å vurdere variasjon (minst 12)"


def test_few_crossings_and_points_outside_limits() -> None:
    # Twelve months 1..12 around the median 6.5 without baseline: runs 6 and 6, crossings 1 <
    # qbinom(0.05, 11, 0.5) = 3 while the longest run 6 <= 7: a few-crossings signal; the
    # median after the start (position 7) is 9.5 > 6.5 -> up -> improvement when up is desired.
    reading = read_chart(qic(MONTHS[:12], list(range(1, 13))), "up", 7, "en")
    assert reading.text == "non-random variation: too few crossings of the median (1, lower limit 3)"
    assert reading.status == "improvement"
    # C chart of 12 months of 10 and a last month of 40: CL = 160/13 = 12.31, UCL = 12.31 +
    # 3 sqrt(12.31) = 22.83, so 40 is outside; no runs signal (13 useful, 12 below, 1 above:
    # longest 12 > round(log2(13)) + 3 = 7 -> also a shift below the centre line).
    c = qic(MONTHS[:13], [10] * 12 + [40], chart="c")
    text = read_chart(c, "down", None, "en").text
    assert text.endswith("1 point(s) outside the control limits, last January 2023")
    assert text.startswith("non-random variation: shift below the centre line from January 2022 to December 2022")


def test_few_crossings_without_a_start_has_no_direction() -> None:
    # The same twelve months 1..12 without a start month: the whole series is judged; the
    # few-crossings signal (1 < 3) has no side, since the median of all points (6.5) is the
    # centre line itself -> "undirected" (before: a signal that looked like "baseline").
    reading = read_chart(qic(MONTHS[:12], list(range(1, 13))), "up", None, "en")
    assert reading.text == "non-random variation: too few crossings of the median (1, lower limit 3)"
    assert (reading.status, reading.direction) == ("undirected", 0)
