"""A hand-made OUT folder of `forlop survey analyse` for the report tests (values chosen so that 002's
threshold, counts of 1-9 hidden, must hide primary cells and complementary ones).

frequencies.csv
- M1 (Ja / Nei / Vet ikke), whole sector: PHV n=100: 40 / 55 / 5 -> "Vet ikke" 5 is small (primary) and,
  since the options add up to n, one more option must go: the smallest other, Ja 40 (complementary).
  TSB n=50: 20 / 20 / 10, nothing small. AS n=8: n small, every share hidden.
- H10 (Ja / Nei), PHV: whole sector n=100: 15 / 85; age 18–24 n=30: 12 / 18; 25–35 n=70: 3 / 67.
  Ja 3 is primary; its group line (3 + 67 = 70) hides Nei 67, the age line of Ja (12 + 3 = 15) hides
  Ja 12, and that of Nei (18 + 67 = 85) hides Nei 18. The whole-sector 15 % and 85 % stay.
- K4 (multiple choice), PHV n=100: Fastlege 92 (rest 8: hidden), Oppsøkende team 7 (hidden),
  NAV 30 (shown); TSB n=40: Fastlege 20, nobody ticked the others (no rows: 0 %). By the combined
  severity/duration groups (Fig 7-2): mild/moderate < 5 years n=30, severe > 5 years n=40, the rest n=30;
  NAV 10 / 10 / 10 (33 % and 25 % shown), Fastlege 27 / 36 / 29 (rests 3, 4, 1: hidden).
- L7a_L8a (derived, Fig 6-8/6-9): PHV 20 / 30 / 50 of 100; severe > 5 years by age 12 + 18 = 30 (40 % and
  60 % of them); TSB 7 + 8 = 15, both small: hidden.
- L3 by treatment (Fig 6-12/6-13), PHV: in treatment God 30 / Middels 40 of 70, finished 12 / 18 of 30.
- H10 by diagnosis with sector "all" (Fig 8-2) = PHV + TSB: depression 30 + 4 = 34 of 50 + 20 = 70; TSB's
  4 is small, and since PHV's 30 and all's 34 would give it back, one of them must be hidden too.
scores.csv: STAR PHV n=100 mean 3.1, TSB n=50 mean 3.0, AS n=8 (hidden); by diagnosis PHV Depresjon
  n=60 mean 3.2, Schizofreni n=4 (hidden; diagnosis groups overlap, no line). C1, C2 (Fig 11-3) PHV:
  3.3 / 3.0, depression 3.4 / 2.9, schizophrenia C1 n=4 (hidden).
response.csv: PHV units A and B (B: 5 unreachable, small), TSB unit C only, AS without unit.
regressions.csv: T9_1 (logistic) and T10_1 (OLS, R² .09); AS n=8 (hidden column).
weighted.csv, units.csv, alpha.csv: small rows hidden; units C (n=5) hidden and D complementary.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

NAN = float("nan")


def _freq(item: str, sector: str, breakdown: str, group: str, counts: dict[int, int], n: int) -> list[dict]:
    return [
        {
            "item": item,
            "option": code,
            "sector": sector,
            "breakdown": breakdown,
            "group": group,
            "n": n,
            "count": count,
            "share": count / n,
            "ci_low": NAN,
            "ci_high": NAN,
        }
        for code, count in counts.items()
    ]


def frequencies() -> pd.DataFrame:
    rows = (
        _freq("M1", "PHV", "all", "all", {1: 40, 2: 55, 3: 5}, 100)
        + _freq("M1", "TSB", "all", "all", {1: 20, 2: 20, 3: 10}, 50)
        + _freq("M1", "AS", "all", "all", {1: 4, 2: 3, 3: 1}, 8)
        + _freq("H10", "PHV", "all", "all", {1: 15, 2: 85}, 100)
        + _freq("H10", "PHV", "age_group", "18–24", {1: 12, 2: 18}, 30)
        + _freq("H10", "PHV", "age_group", "25–35", {1: 3, 2: 67}, 70)
        + _freq("K4", "PHV", "all", "all", {1: 92, 4: 7, 12: 30}, 100)
        + _freq("K4", "TSB", "all", "all", {1: 20}, 40)
        # Fig 7-2: K4 by the combined groups (1 mild/moderate < 5 years, 2 severe > 5 years, 3 the rest)
        + _freq("K4", "PHV", "severity_duration", "1", {1: 27, 12: 10}, 30)
        + _freq("K4", "PHV", "severity_duration", "2", {1: 36, 12: 10}, 40)
        + _freq("K4", "PHV", "severity_duration", "3", {1: 29, 4: 7, 12: 10}, 30)
        # Fig 6-8 / 6-9: the derived item L7a_L8a, by age group
        + _freq("L7a_L8a", "PHV", "all", "all", {1: 20, 2: 30, 3: 50}, 100)
        + _freq("L7a_L8a", "PHV", "age_group", "18–24", {1: 10, 2: 12, 3: 18}, 40)
        + _freq("L7a_L8a", "PHV", "age_group", "25–35", {1: 10, 2: 18, 3: 32}, 60)
        + _freq("L7a_L8a", "TSB", "all", "all", {2: 15, 3: 35}, 50)
        + _freq("L7a_L8a", "TSB", "age_group", "18–24", {2: 7, 3: 13}, 20)
        + _freq("L7a_L8a", "TSB", "age_group", "25–35", {2: 8, 3: 22}, 30)
        # Fig 6-12 / 6-13: L3 by treatment status (H1a 1 in treatment, 2 recently finished)
        + _freq("L3", "PHV", "all", "all", {2: 42, 3: 58}, 100)
        + _freq("L3", "PHV", "treatment", "1", {2: 30, 3: 40}, 70)
        + _freq("L3", "PHV", "treatment", "2", {2: 12, 3: 18}, 30)
        # Fig 8-2 / 8-3: H10 by diagnosis for the sectors and for all of them (sector "all" = PHV + TSB)
        + _freq("H10", "TSB", "all", "all", {1: 20, 2: 30}, 50)
        + _freq("H10", "all", "all", "all", {1: 35, 2: 115}, 150)
        + _freq("H10", "PHV", "diagnosis", "depression", {1: 30, 2: 20}, 50)
        + _freq("H10", "TSB", "diagnosis", "depression", {1: 4, 2: 16}, 20)
        + _freq("H10", "all", "diagnosis", "depression", {1: 34, 2: 36}, 70)
        + _freq("H10", "PHV", "diagnosis", "adhd", {1: 20, 2: 20}, 40)
        + _freq("H10", "TSB", "diagnosis", "adhd", {1: 15, 2: 15}, 30)
        + _freq("H10", "all", "diagnosis", "adhd", {1: 35, 2: 35}, 70)
    )
    return pd.DataFrame(rows)


def scores() -> pd.DataFrame:
    def row(score: str, sector: str, breakdown: str, group: str, n: int, mean: float) -> dict:
        return {
            "score": score,
            "sector": sector,
            "breakdown": breakdown,
            "group": group,
            "n": n,
            "mean": mean,
            "sd": 0.6,
            "ci_low": mean - 0.1,
            "ci_high": mean + 0.1,
        }

    return pd.DataFrame(
        [
            row("STAR", "PHV", "all", "all", 100, 3.1),
            row("STAR", "TSB", "all", "all", 50, 3.0),
            row("STAR", "AS", "all", "all", 8, 3.5),
            row("STAR", "PHV", "diagnosis", "1", 60, 3.2),
            row("STAR", "PHV", "diagnosis", "4", 4, 2.0),
            # Fig 11-3: continuity items by diagnosis, PHV only
            row("C1", "PHV", "all", "all", 100, 3.3),
            row("C2", "PHV", "all", "all", 100, 3.0),
            row("C1", "PHV", "diagnosis", "depression", 60, 3.4),
            row("C2", "PHV", "diagnosis", "depression", 60, 2.9),
            row("C1", "PHV", "diagnosis", "schizophrenia", 4, 2.0),
        ]
    )


def response() -> pd.DataFrame:
    columns = ["sector", "unit", "frame", "unreachable", "reached", "declined", "no_answer", "answered"]
    rows = [
        ["PHV", "A", 600, 40, 560, 60, 440, 60],
        ["PHV", "B", 400, 5, 395, 35, 320, 40],
        ["PHV", "", 1000, 45, 955, 95, 760, 100],
        ["TSB", "C", 300, 20, 280, 30, 200, 50],
        ["AS", "", 100, 2, 98, 10, 80, 8],
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["rate_of_frame"] = frame["answered"] / frame["frame"]
    frame["rate_of_reached"] = frame["answered"] / frame["reached"]
    return frame


def regressions() -> pd.DataFrame:
    rows = []
    for model, r2, n_of in (("T9_1", NAN, {"PHV": 100, "TSB": 50, "AS": 8}), ("T10_1", 0.09, {"PHV": 100, "TSB": 50})):
        for sector, n in n_of.items():
            for term, est, p, lo, hi in (
                ("Intercept", 0.5, 0.2, 0.1, 0.9),
                ("female", 0.876, 0.003, 0.802, 0.956),
                ("STAR", 10.60, 0.00001, 9.828, 11.45),
            ):
                rows.append(
                    {
                        "model": model,
                        "sector": sector,
                        "term": term,
                        "estimate": est,
                        "ci_low": lo,
                        "ci_high": hi,
                        "p_value": p,
                        "n": n,
                        "r2": r2,
                    }
                )
    return pd.DataFrame(rows)


def weighted() -> pd.DataFrame:
    rows = []
    for sector, n, est in (("PHV", 100, 3.1), ("AS", 8, 3.5)):
        for design, shift, se in (("unweighted", 0.0, 0.06), ("raked", -0.05, 0.07)):
            e = est + shift
            rows.append(
                {
                    "score": "STAR",
                    "sector": sector,
                    "design": design,
                    "estimate": e,
                    "se": se,
                    "ci_low": e - 1.96 * se,
                    "ci_high": e + 1.96 * se,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def units() -> pd.DataFrame:
    columns = ["score", "sector", "unit", "n", "observed", "expected", "adjusted", "ci_low", "ci_high", "flag"]
    rows = [
        ["STAR", "PHV", "A", 60, 3.2, 3.1, 3.2, 3.05, 3.35, "as_expected"],
        ["STAR", "PHV", "B", 40, 2.9, 3.1, 2.9, 2.7, 2.98, "lower"],
        ["STAR", "TSB", "C", 5, 3.0, 3.0, 3.0, 2.5, 3.5, "too_few"],
        ["STAR", "TSB", "D", 45, 3.0, 3.0, 3.0, 2.8, 3.2, "as_expected"],
    ]
    return pd.DataFrame(rows, columns=columns)


def units_funnel() -> pd.DataFrame:
    """Limits for STAR in PHV at n = 10 and 60 around 3.1 with sigma 0.5: 3.1 +- z * 0.5 / sqrt(n), e.g.
    hi95 at n = 10 = 3.1 + 1.959964 * 0.158114 = 3.409900 (as forlop.survey.units.unit_funnel writes them)."""
    rows = []
    for n in (10, 60):
        half95, half998 = 1.959964 * 0.5 / n**0.5, 3.090232 * 0.5 / n**0.5
        rows.append(["STAR", "PHV", n, 3.1, 0.5, 3.1 - half95, 3.1 + half95, 3.1 - half998, 3.1 + half998])
    return pd.DataFrame(rows, columns=["score", "sector", "n", "target", "sigma", "lo95", "hi95", "lo99.8", "hi99.8"])


def alpha() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"index": "STAR", "population": "outpatient", "n": 150, "n_items": 12, "alpha": 0.92},
            {"index": "STAR", "population": "AS", "n": 8, "n_items": 12, "alpha": 0.90},
        ]
    )


def write(folder: Path) -> Path:
    """Write the OUT folder; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (
        ("frequencies.csv", frequencies()),
        ("scores.csv", scores()),
        ("response.csv", response()),
        ("regressions.csv", regressions()),
        ("weighted.csv", weighted()),
        ("units.csv", units()),
        ("units_funnel.csv", units_funnel()),
        ("alpha.csv", alpha()),
        ("representativeness.csv", representativeness()),
        ("frame_profile.csv", frame_profile()),
    ):
        frame.to_csv(folder / name, index=False)
    return folder


def representativeness() -> pd.DataFrame:
    """Register population and respondents by sex: TSB has 6 men among the respondents (small), so the
    women (44 = 50 - 6) go too; PHV by age group has no population (empty columns, shown blank).
    The 2022 population of PHV by diagnosis group and sex (002 Tab 4-9; rows with by = sex): depression
    men 30, women 50; anxiety men 4 (small), women 16. Feb-Apr 2023 has no such rows (Tab 4-8 absent)."""
    rows = [
        ["PHV", "2023-02/2023-04", "sex", "F", "", "", 600.0, 60.0, 70, 70.0],
        ["PHV", "2023-02/2023-04", "sex", "M", "", "", 400.0, 40.0, 30, 30.0],
        ["TSB", "2023-02/2023-04", "sex", "F", "", "", 120.0, 40.0, 44, 88.0],
        ["TSB", "2023-02/2023-04", "sex", "M", "", "", 180.0, 60.0, 6, 12.0],
        ["PHV", "2023-02/2023-04", "region", "Vest", "", "", NAN, NAN, 100, 100.0],
        ["PHV", "2022", "diagnosis_group", "depression", "sex", "M", 30.0, 30.0, 10, 10.0],
        ["PHV", "2022", "diagnosis_group", "depression", "sex", "F", 50.0, 50.0, 20, 20.0],
        ["PHV", "2022", "diagnosis_group", "anxiety", "sex", "M", 4.0, 4.0, 5, 5.0],
        ["PHV", "2022", "diagnosis_group", "anxiety", "sex", "F", 16.0, 16.0, 15, 15.0],
    ]
    columns = ["sector", "period", "dimension", "group", "by", "by_group", "population", "population_share"]
    return pd.DataFrame(rows, columns=[*columns, "respondents", "respondent_share"])


def frame_profile() -> pd.DataFrame:
    """Frame, error population and respondents (002 Fig 4-2, 4-4, 4-5, Tab 4-4), adding up to response.csv's
    45 (PHV) and 20 (TSB) unreachable: PHV women 20 of 600, men 25 of 400, aged 18–24 30 of 300, 25–35
    15 of 700; TSB women 3 of 100 (small: hidden, and the men's 17 with it), men 17 of 200. AS by region:
    Vest 70 in the frame, 6 answered; Nord 30 and 2 (the answered are all small). AS by region and sex
    (002 Tab 4-4; rows with by = sex): Vest men 20, women 50; Nord men 5 (small), women 25."""
    rows = [
        ["PHV", "sex", "F", "", "", 600, 20, 70],
        ["PHV", "sex", "M", "", "", 400, 25, 30],
        ["PHV", "age_group", "18–24", "", "", 300, 30, 40],
        ["PHV", "age_group", "25–35", "", "", 700, 15, 60],
        ["TSB", "sex", "F", "", "", 100, 3, 20],
        ["TSB", "sex", "M", "", "", 200, 17, 30],
        ["AS", "region", "Vest", "", "", 70, 1, 6],
        ["AS", "region", "Nord", "", "", 30, 1, 2],
        ["AS", "region", "Vest", "sex", "M", 20, 0, 2],
        ["AS", "region", "Vest", "sex", "F", 50, 1, 4],
        ["AS", "region", "Nord", "sex", "M", 5, 1, 1],
        ["AS", "region", "Nord", "sex", "F", 25, 0, 1],
    ]
    columns = ["sector", "dimension", "group", "by", "by_group", "frame", "unreachable", "answered"]
    return pd.DataFrame(rows, columns=columns)
