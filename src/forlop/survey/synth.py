"""Synthetic national survey of 002 (SINTEF for Helsedirektoratet 2024): frame, responses, population.

Parameters in ``synth.yaml`` and the units in ``synth_units.csv`` beside this module (with where each
figure comes from); the published figures the output must reproduce in ``synth_targets.csv``, checked by
the independent counter ``tests/survey/counter.py``. Model (docs/definitions.md, "Synthetic survey"):

- frame: the 130 908 persons of Tab 4-1 in their units (Tab 4-2, 4-3; AS by region, Tab 4-4) with the
  unit's exact frame and respondent counts, the statuses of Tab 4-1 exactly, register sex (Tab 4-5, Fig
  4-4) and age (Tab 5-1 bands);
- answers: every single-choice item drawn with exactly its sector's shares (largest remainder, then
  shuffled); multi-choice items per code; filters applied (H11, M2-M3, F4, K4b, L8a-b); the AS form's codes;
- latent variables per respondent: a relationship latent (STAR-P, Tab 10-1's covariates), a continuity
  latent (Tab 11-1), a benefit latent (U1-U3, Tab 12-1..3) and the satisfaction with video (Tab 8-2); each
  item is the latent plus item noise cut at the quantiles that give its shares, so the items correlate
  (Cronbach's alpha) and the marginal shares hold; the coefficients of the published models are reached
  by rescaling the latent's coefficients until OLS on the coded items gives them (fixed point);
- binary outcomes (K6, H10, M4, M1) logistic in the §3.5 covariates with the published log odds ratios and
  the intercept solved for the item's share, the published terms shifted until a logistic fit of the draw
  gives them.

Vectorised numpy with one ``np.random.Generator(PCG64(seed))``; the national survey takes a few seconds.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forlop.choices import SURVEY_SCALES
from forlop.datafile import package_yaml
from forlop.survey.questionnaire import Questionnaire, load

SCALES = SURVEY_SCALES  # forlop.choices: the one list of scales
#: Covariates of the fixed model of 002 §3.5 (names as in synth.yaml), in a fixed order.
COVARIATES = (
    *("female", "age_25_35", "age_36_45", "age_46_55", "age_56_65", "age_66_99", "higher_edu", "own_income"),
    *("lives_alone", "over_5_years", "severe", "dx_2", "dx_3", "dx_4plus", "municipal", "outreach", "day_centre"),
    *("work_scheme", "admission", "coordination", "recently_ended", "dur_lt2", "dur_3_6", "star", "region_so"),
    *("region_midt", "region_nord"),
)
_CALIBRATION_ROUNDS = 5
#: Logistic outcomes: draw, fit, shift, draw again (the shift of a log odds ratio is nearly exact at once).
_LOGIT_ROUNDS = 3


@cache
def parameters() -> dict:
    """The parameters of ``synth.yaml``."""
    return package_yaml("forlop.survey", "synth.yaml")


def units() -> pd.DataFrame:
    """The units of ``synth_units.csv``: sector, unit, region, frame, answered (002 Tab 4-2, 4-3, 4-4)."""
    with resources.files("forlop.survey").joinpath("synth_units.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", keep_default_na=False)
    return table


def _exact(rng: np.random.Generator, codes: list, shares: list[float], n: int) -> np.ndarray:
    """``n`` values with exactly the given shares (largest remainder), in random order."""
    p = np.asarray(shares, dtype=float)
    p = p / p.sum()
    raw = p * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts))[: n - counts.sum()]] += 1
    values = np.repeat(np.asarray(codes, dtype=float), counts)
    return rng.permutation(values)


def _cut(latent: np.ndarray, codes: list, shares: list[float], descending: bool = False) -> np.ndarray:
    """Codes by rank of ``latent``: the lowest (highest if ``descending``) get the first code, with exact shares."""
    n = len(latent)
    p = np.asarray(shares, dtype=float)
    bounds = np.round(np.cumsum(p / p.sum()) * n).astype(int)
    order = np.argsort(-latent if descending else latent, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    return np.asarray(codes, dtype=float)[np.searchsorted(bounds, rank, side="right")]


def _standard(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def _ols(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """OLS coefficients of y on [1, x] over complete rows (hand-written: only the calibration uses it)."""
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    design = np.column_stack([np.ones(ok.sum()), x[ok]])
    # normal equations with einsum (no BLAS threads: on a loaded machine BLAS's threads cost 10x more than
    # this); a 28 x 28 solve instead of lstsq's SVD of the 21 000 x 28 design
    gram = np.einsum("ij,ik->jk", design, design)
    # lstsq of the small gram matrix: also when a covariate is constant (a few rows at small scale)
    return np.linalg.lstsq(gram, np.einsum("ij,i->j", design, y[ok]), rcond=None)[0][1:]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -35, 35)))


def _intercept(eta: np.ndarray, share: float) -> float:
    """The intercept a with mean(logistic(a + eta)) = share (bisection; monotone in a)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        mid = (low + high) / 2
        if _sigmoid(mid + eta).mean() < share:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def synth_frame(rng: np.random.Generator, scale: str = "national") -> pd.DataFrame:
    """The frame: one row per person with sector, unit, region, sex, birth_year, main_diagnosis, status."""
    p = parameters()
    table = units()
    if scale == "small":  # a few thousand rows: every unit, counts divided by 40 (at least one answer)
        table = table.assign(
            frame=np.maximum(table.frame // 40, 2), answered=np.maximum(table.answered // 40, 1).clip(upper=table.frame)
        )
    parts = []
    for sector in p["sectors"]:
        rows = table[table.sector == sector].reset_index(drop=True)
        unit_of = np.repeat(np.arange(len(rows)), rows.frame.to_numpy())
        n = len(unit_of)
        order = np.lexsort((rng.random(n), unit_of))
        start = np.concatenate([[0], np.cumsum(rows.frame.to_numpy())[:-1]])
        rank = np.empty(n, dtype=int)
        rank[order] = np.arange(n) - start[unit_of[order]]
        answered = rank < rows.answered.to_numpy()[unit_of]
        counts = p["status"][sector]
        factor = n / counts["frame"]
        status = np.full(n, "no_answer", dtype=object)
        status[answered] = "answered"
        rest = rng.permutation(np.flatnonzero(~answered))
        n_unreachable = round(counts["unreachable"] * factor)
        n_declined = round(counts["declined"] * factor)
        status[rest[:n_unreachable]] = "unreachable"
        status[rest[n_unreachable : n_unreachable + n_declined]] = "declined"
        n_ans = int(answered.sum())
        men_ans = round(p["men_answered"][sector] / counts["answered"] * n_ans)
        by_status = [rng.permutation(np.flatnonzero(answered))]
        by_status.append(rng.permutation(np.flatnonzero(status == "unreachable")))
        men_unr = round(p["men_unreachable_share"][sector] * len(by_status[1]))
        by_status.append(rng.permutation(np.flatnonzero((status == "declined") | (status == "no_answer"))))
        men_other = max(round(p["men_frame_share"][sector] * n) - men_ans - men_unr, 0)
        region_of = rows.region.to_numpy(dtype=object)[unit_of]
        sex = _sexes(n, by_status, [men_ans, men_unr, men_other], region_of, p.get("men_by_region", {}).get(sector))
        band = _exact(rng, list(range(len(p["age_bands"]))), p["age_shares"][sector], n).astype(int)
        low, high = np.array(p["age_bands"]).T
        age = rng.integers(low[band], high[band] + 1)
        dx = p["diagnoses"][sector]
        diagnosis = rng.choice(
            np.array(list(dx), dtype=object), size=n, p=np.array(list(dx.values())) / sum(dx.values())
        )
        diagnosis[rng.random(n) < p["main_diagnosis_missing"]] = None
        region = region_of.copy()
        region[region == ""] = None
        unit = rows.unit.to_numpy(dtype=object)[unit_of]
        unit[unit == ""] = None
        parts.append(
            pd.DataFrame(
                {
                    "sector": sector,
                    "unit": unit,
                    "region": region,
                    "sex": sex,
                    "birth_year": p["survey_year"] - age,
                    "main_diagnosis": diagnosis,
                    "status": status,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame.insert(0, "person_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame


def _round_to(values: np.ndarray, total: int) -> np.ndarray:
    """Integers adding up to ``total`` nearest to ``values`` (largest remainder)."""
    floor = np.floor(values).astype(int)
    short = int(total - floor.sum())
    if short > 0:
        floor[np.argsort(-(values - floor), kind="stable")[:short]] += 1
    return floor


def _men_cells(capacity: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Men per (region, status group): integer cells within ``capacity`` (persons in the cell) whose sums are
    ``rows`` (men per region) and ``columns`` (men per status group); both must add up to the same number.

    Iterative proportional fitting of the capacities to the two margins (real cells), then each column but
    the last rounded to its margin and the last column the rest of each row (clipped to the cell). Hand-written:
    a dozen cells, no library needed.
    """
    cells = capacity.astype(float) * (columns.sum() / max(capacity.sum(), 1))
    for _ in range(200):
        cells *= np.divide(rows, cells.sum(axis=1), out=np.zeros(len(rows)), where=cells.sum(axis=1) > 0)[:, None]
        cells = np.minimum(cells, capacity)
        cells *= np.divide(columns, cells.sum(axis=0), out=np.zeros(len(columns)), where=cells.sum(axis=0) > 0)
        cells = np.minimum(cells, capacity)
    out = np.zeros(capacity.shape, dtype=int)
    for j in range(capacity.shape[1] - 1):
        out[:, j] = np.minimum(_round_to(cells[:, j], int(columns[j])), capacity[:, j])
    out[:, -1] = np.clip(rows - out[:, :-1].sum(axis=1), 0, capacity[:, -1])
    return out


def _sexes(
    n: int, by_status: list[np.ndarray], men: list[int], region: np.ndarray, men_by_region: dict | None
) -> np.ndarray:
    """Register sex of a sector's frame: ``men[k]`` men among the persons of ``by_status[k]`` (a random order
    of the answered, the unreachable, the others), the first ones of each order. With ``men_by_region``
    (synth.yaml; 002 Tab 4-4) the men of each region are exact too (:func:`_men_cells`), scaled to the
    sector's men when these differ from the published sum (small scale)."""
    sex = np.full(n, "F", dtype=object)
    if not men_by_region:
        for order, k in zip(by_status, men):
            sex[order[:k]] = "M"
        return sex
    names = list(men_by_region)
    want = np.array([men_by_region[r] for r in names], dtype=float)
    rows = _round_to(want * (sum(men) / want.sum()), sum(men))  # the published men when the sums agree
    capacity = np.array([[(region[order] == r).sum() for order in by_status] for r in names])
    cells = _men_cells(capacity, rows, np.array(men))
    for j, order in enumerate(by_status):
        for i, r in enumerate(names):
            sex[order[region[order] == r][: cells[i, j]]] = "M"
    return sex


class _Sector:
    """The answers of one sector's respondents, built item by item (columns: float codes, NaN = empty)."""

    def __init__(self, rng: np.random.Generator, sector: str, people: pd.DataFrame) -> None:
        self.rng, self.sector, self.people, self.n = rng, sector, people, len(people)
        self.p = parameters()
        self.form = "AS" if sector == "AS" else "PHV_TSB"
        self.cols: dict[str, np.ndarray] = {}
        self.multi: dict[str, dict[int, np.ndarray]] = {}  # item -> code -> ticked
        self.ended = np.zeros(self.n, dtype=bool)  # recently ended, not in treatment (H1)
        self.star = np.full(self.n, np.nan)  # STAR-P mean, once the R items are drawn
        self.noise: dict[str, Any] = {}  # fixed draws, reused by every calibration round
        self.continuity9: tuple[str, ...] = ()  # items of the CONTINUITY9 sum (the questionnaire's index)

    def empty(self) -> np.ndarray:
        return np.full(self.n, np.nan)

    def spec(self, item: str, spec: dict | None = None) -> tuple[list, list[float]] | None:
        spec = spec or self.p["single"][item]
        if self.sector not in spec:
            return None
        codes = spec.get("AS_codes", spec["codes"]) if self.sector == "AS" else spec["codes"]
        return codes, spec[self.sector]

    def need(self, item: str, spec: dict | None = None) -> tuple[list, list[float]]:
        """Codes and shares of ``item`` for this sector, which must have them."""
        found = self.spec(item, spec)
        if found is None:
            raise ValueError(f"synth.yaml gives no shares of {item} for {self.sector}")
        return found

    def single(self, item: str, mask: np.ndarray | None = None) -> None:
        """Item ``item`` with its exact shares among ``mask`` (default: everyone); the rest empty."""
        column = self.empty()
        found = self.spec(item)
        if found is not None:
            rows = np.flatnonzero(mask) if mask is not None else np.arange(self.n)
            column[rows] = _exact(self.rng, found[0], found[1], len(rows))
        self.cols[item] = column

    def rest_codes(self, item: str, yes: list[int], is_yes: np.ndarray) -> np.ndarray:
        """Codes of ``item``: ``yes[0]``.. where ``is_yes`` (split by their shares), the other codes elsewhere."""
        codes, shares = self.need(item)
        column = self.empty()
        share = dict(zip(codes, shares))
        for mask, group in ((is_yes, [c for c in codes if c in yes]), (~is_yes, [c for c in codes if c not in yes])):
            rows = np.flatnonzero(mask)
            column[rows] = _exact(self.rng, group, [share[c] for c in group], len(rows))
        return column

    def multiple(self, item: str, mask: np.ndarray | None = None) -> None:
        spec = self.p["multiple"][item]
        rates = spec[self.sector]
        rows = np.flatnonzero(mask) if mask is not None else np.arange(self.n)
        ticked = {code: np.zeros(self.n, dtype=bool) for code in rates}
        if spec.get("exclusive"):
            drawn = _exact(self.rng, list(rates), list(rates.values()), len(rows))
            for code in rates:
                ticked[code][rows[drawn == code]] = True
            self.multi[item] = ticked
            return
        draw = dict(rates)
        if item == "L6":
            # Each code's final share is its draw, plus its part of the answers with nothing ticked (which
            # get one code by the rates), minus the "Vet ikke" answers (alone): scale the draws so that the
            # final shares are the rates (first order).
            nothing_share = float(np.prod([1 - r / 100 for r in rates.values()]))
            keep = 1 - spec["none_share"][self.sector] / 100
            factor = 1 / (1 + 100 * nothing_share / sum(rates.values())) / keep
            draw = {code: min(rate * factor, 100.0) for code, rate in rates.items()}
        for code, rate in draw.items():
            ticked[code][rows] = _exact(self.rng, [1, 0], [rate, 100 - rate], len(rows)) == 1
        none_code = spec.get("none_code")
        if none_code is not None:
            nothing = np.zeros(self.n, dtype=bool)
            nothing[rows] = True
            for flags in ticked.values():
                nothing &= ~flags
            if item == "L6":  # nothing ticked: one code by the rates; "Vet ikke" drawn apart, and alone
                empty = np.flatnonzero(nothing)
                drawn = self.rng.choice(
                    list(rates), size=len(empty), p=np.array(list(rates.values())) / sum(rates.values())
                )
                for code in rates:
                    ticked[code][empty[drawn == code]] = True
                dont_know = np.zeros(self.n, dtype=bool)
                dont_know[rows] = self.rng.random(len(rows)) < spec["none_share"][self.sector] / 100
                for code in rates:
                    ticked[code] &= ~dont_know
                ticked[none_code] = dont_know
            else:
                ticked[none_code] = nothing
        else:  # at least one code (K4b: the kind of admission)
            nothing = np.zeros(self.n, dtype=bool)
            nothing[rows] = True
            for flags in ticked.values():
                nothing &= ~flags
            first = next(iter(rates))
            ticked[first] |= nothing
        self.multi[item] = ticked

    def multi_strings(self, item: str) -> np.ndarray:
        ticked = self.multi[item]
        out = np.full(self.n, "", dtype=object)
        for code in sorted(ticked):
            out = np.where(ticked[code], np.where(out == "", str(code), out + ";" + str(code)), out)
        out[out == ""] = None
        return out


def _covariates(s: _Sector) -> dict[str, np.ndarray]:
    """The §3.5 covariates of a sector's respondents from their answers (NaN where an item is empty)."""
    p = s.p
    c = s.cols
    age = p["survey_year"] - s.people.birth_year.to_numpy()
    x: dict[str, np.ndarray] = {"female": (s.people.sex.to_numpy() == "F").astype(float)}
    for name, (low, high) in zip(
        ("age_25_35", "age_36_45", "age_46_55", "age_56_65", "age_66_99"),
        [(25, 35), (36, 45), (46, 55), (56, 65), (66, 200)],
    ):
        x[name] = ((age >= low) & (age <= high)).astype(float)

    def flag(item: str, codes: tuple[int, ...]) -> np.ndarray:
        v = c[item]
        return np.where(np.isnan(v), np.nan, np.isin(v, codes).astype(float))

    x["higher_edu"] = flag("B3", (3,))
    x["own_income"] = flag("B5", (1,))
    x["lives_alone"] = flag("B6", (1,))
    x["over_5_years"] = np.where(c["L7a"] == 4, 0.0, flag("L8a", (4,)))
    x["severe"] = flag("L7a", (3,))
    dx = np.sum([s.multi["L6"][code] for code in range(1, 16)], axis=0)
    x["dx_2"], x["dx_3"], x["dx_4plus"] = (dx == 2) * 1.0, (dx == 3) * 1.0, (dx >= 4) * 1.0
    k4 = s.multi["K4"]
    x["municipal"] = np.sum([k4[code] for code in (5, 6, 7, 10)], axis=0, dtype=float)
    x["outreach"], x["day_centre"] = k4[4] * 1.0, k4[8] * 1.0
    x["work_scheme"], x["admission"] = k4[11] * 1.0, k4[14] * 1.0
    x["coordination"] = ((c["K8"] == 1) | (c["K9"] == 1) | (c["K10"] == 1)) * 1.0
    x["recently_ended"] = s.ended * 1.0
    duration = np.where(np.isnan(c["H5"]), c["H7"], c["H5"])
    x["dur_lt2"] = np.where(np.isnan(duration), np.nan, np.isin(duration, (1, 2)) * 1.0)
    x["dur_3_6"] = np.where(np.isnan(duration), np.nan, (duration == 3) * 1.0)
    region = s.people.region.to_numpy(dtype=object)
    regions = p["regions"]
    known = np.isin(region, [*regions["dummies"].values(), regions["reference"]])
    for name, value in regions["dummies"].items():
        x[name] = np.where(known, (region == value) * 1.0, np.nan)
    x["star"] = s.star
    return x


def _design(x: dict[str, np.ndarray], without: str | None = None) -> tuple[list[str], np.ndarray]:
    names = [k for k in COVARIATES if k != without and not np.all(np.isnan(x[k]))]
    return names, np.column_stack([x[k] for k in names])


def _linear(coefs: dict[str, float], x: dict[str, np.ndarray]) -> np.ndarray:
    return sum((coef * np.nan_to_num(x[name]) for name, coef in coefs.items()), np.zeros(len(x["female"])))


def _star_items(s: _Sector, latent: np.ndarray) -> np.ndarray:
    """R1-R12 from the relationship latent; returns the STAR mean (0-4, R4, R7, R9 reversed)."""
    star = s.p["star"]
    shares = star["AS" if s.sector == "AS" else "outpatient"]
    loading = star["loading"][s.sector]
    z = _standard(latent)
    total = np.zeros(s.n)
    for i, item in enumerate(shares):
        item_latent = loading * z + np.sqrt(1 - loading**2) * s.noise["star"][i]
        reverse = item in star["reverse"]
        codes = _cut(item_latent, [0, 1, 2, 3, 4], shares[item], descending=reverse)
        s.cols[item] = codes
        total += 4 - codes if reverse else codes
    return total / len(shares)


def _continuity_items(s: _Sector, latent: np.ndarray) -> np.ndarray:
    """C1-C12 from the continuity latent; returns the 9-item sum (NaN unless all nine are valid)."""
    cont = s.p["continuity"]
    shares = cont["AS" if s.sector == "AS" else "outpatient"]
    loading = cont["loading"][s.sector]
    z = _standard(latent)
    total = np.zeros(s.n)
    for i, item in enumerate(shares):
        valid = ~s.noise["not_applicable"][item]
        item_latent = loading * z + np.sqrt(1 - loading**2) * s.noise["continuity"][i]
        negative = item in cont["negative"]
        codes = np.full(s.n, 6.0)
        codes[valid] = _cut(item_latent[valid], [1, 2, 3, 4, 5], shares[item], descending=not negative)
        s.cols[item] = codes
        if item in s.continuity9:
            score = np.where(codes == 6, np.nan, codes if negative else 6 - codes)
            total = total + score
    return total


def _ordinal(s: _Sector, name: str, x: dict[str, np.ndarray], build, target_for=None) -> None:
    """Fit the latent coefficients of model ``name`` so that OLS on what ``build`` returns gives the targets."""
    model = s.p["models"][name]
    coefs = dict(model[s.sector])
    targets = dict(target_for) if target_for is not None else {k: coefs[k] for k in model["calibrate"]}
    noise = s.noise[name] * model["noise"]
    names, design = _design(x, without="star" if name == "STAR" else None)
    for _ in range(_CALIBRATION_ROUNDS):
        outcome = build(_linear(coefs, x) + noise)
        fitted = dict(zip(names, _ols(outcome, design)))
        for term, goal in targets.items():
            if abs(fitted[term]) > 1e-6 and np.sign(fitted[term]) == np.sign(goal):
                coefs[term] *= goal / fitted[term]
            else:
                coefs[term] = goal if abs(coefs[term]) < 1e-9 else coefs[term] * 2
    build(_linear(coefs, x) + noise)


def _logit_fit(y: np.ndarray, x: np.ndarray, start: np.ndarray | None = None, steps: int = 4) -> np.ndarray:
    """Logistic regression coefficients of y on [1, x] over complete rows: Newton steps (IRLS) from ``start``.

    Hand-written (not statsmodels) because it runs inside the generator, warm-started, a few steps each
    round; einsum instead of BLAS for the reason given in :func:`_ols`. Returns [intercept, slopes...].
    """
    ok = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    design = np.column_stack([np.ones(ok.sum()), x[ok]])
    beta = np.zeros(design.shape[1]) if start is None else start.copy()
    for _ in range(steps):
        p = _sigmoid(design @ beta)
        gram = np.einsum("ij,ik->jk", design * (p * (1 - p))[:, None], design)
        beta = beta + np.linalg.lstsq(gram, np.einsum("ij,i->j", design, y[ok] - p), rcond=None)[0]
    return beta


def _logit(s: _Sector, item: str, x: dict[str, np.ndarray], mask: np.ndarray | None = None) -> None:
    """Binary outcome ``positive`` of ``item``: logistic in the covariates, intercept solved for its share;
    the log odds ratios named in ``calibrate`` shifted (fixed point, same uniform draws) until the logistic
    fit of the draw gives the published ones, so that small cells do not drift with the seed."""
    model = s.p["models"][item]
    codes, shares = s.need(item)
    share = sum(v for c, v in zip(codes, shares) if c in model["positive"]) / sum(shares)
    coefs = dict(model[s.sector])
    # too few rows (small scale): a logistic fit of a few hundred draws is noise, so no calibration
    enough = s.n >= s.p["logit_calibration_min_rows"]
    goals = {term: coefs[term] for term in model.get("calibrate", [])} if enough else {}
    rows = np.ones(s.n, dtype=bool) if mask is None else mask
    uniform = s.rng.random(s.n)
    names, design = _design(x)
    beta = None
    rounds = _LOGIT_ROUNDS if goals else 1
    for round_ in range(rounds):
        eta = _linear(coefs, x)
        a = _intercept(eta[rows], share)
        is_yes = uniform < _sigmoid(a + eta)
        if round_ == rounds - 1:
            break
        y = np.where(rows, is_yes * 1.0, np.nan)
        beta = _logit_fit(y, design, beta, steps=5 if beta is None else 3)
        fitted = dict(zip(names, beta[1:]))
        for term, goal in goals.items():
            coefs[term] += goal - fitted[term]
    column = s.rest_codes(item, model["positive"], is_yes)
    column[~rows] = np.nan
    s.cols[item] = column


def synth_sector(
    rng: np.random.Generator, sector: str, people: pd.DataFrame, questionnaire: Questionnaire
) -> pd.DataFrame:
    """The answers of one sector's respondents (``people``: their frame rows)."""
    s = _Sector(rng, sector, people)
    s.continuity9 = questionnaire.indices["CONTINUITY9"].items
    p = s.p
    n = s.n
    s.noise = {
        "star": rng.standard_normal((12, n)),
        "continuity": rng.standard_normal((12, n)),
        "STAR": rng.standard_normal(n),
        "CONTINUITY": rng.standard_normal(n),
        "H11": rng.standard_normal(n),
        "U": rng.standard_normal(n),
        "U_items": rng.standard_normal((3, n)),
    }
    na = p["continuity"]["not_applicable"]
    s.noise["not_applicable"] = {
        item: rng.random(n) < na.get(item, na["other"][sector] if isinstance(na["other"], dict) else na["other"]) / 100
        for item in p["continuity"]["outpatient"]
    }
    # H: treatment status, duration, contacts
    for item in ("H1a", "H1b", "H2", "H3", "H6", "H8", "H8G", "H9"):
        s.single(item)
    in_treatment = (s.cols["H1a"] == 1) | (s.cols["H1b"] == 1)
    s.ended = ~in_treatment & ((s.cols["H1a"] == 2) | (s.cols["H1b"] == 2))
    duration = {"codes": p["duration"]["codes"], "AS_codes": p["duration"]["AS_codes"], sector: p["duration"][sector]}
    for item, mask in (("H5", in_treatment), ("H7", s.ended)):
        column = s.empty()
        codes, shares = s.need(item, duration)
        column[mask] = _exact(rng, codes, shares, int(mask.sum()))
        s.cols[item] = column
    # B: background
    sex = people.sex.to_numpy()
    b1 = np.where(sex == "F", 1.0, np.where(sex == "M", 2.0, 5.0))
    u = rng.random(n)
    b1[u < p["b1_other"]] = 3
    b1[(u >= p["b1_other"]) & (u < p["b1_other"] + p["b1_dont_know"])] = 4
    b1[(u >= p["b1_other"] + p["b1_dont_know"]) & (u < p["b1_other"] + p["b1_dont_know"] + p["b1_prefer_not"])] = 5
    s.cols["B1"] = b1
    s.cols["B2"] = people.birth_year.to_numpy(dtype=float)
    for item in ("B3", "B4", "B5", "B6"):
        s.single(item)
    # L: health, severity, years, diagnoses
    for item in ("L1", "L2", "L4", "L5", "L7a", "L7b"):
        s.single(item)
    l3 = s.empty()
    ended_psych = s.cols["H1a"] == 2  # Fig 6-12/13 split by the psychological row of H1
    for mask, key in ((~ended_psych, "health_in_treatment"), (ended_psych, "health_ended")):
        l3[mask] = _exact(rng, [1, 2, 3, 4, 5, 6], p[key][sector], int(mask.sum()))
    s.cols["L3"] = l3
    l8a = s.empty()
    for mask, key in ((s.cols["L7a"] == 3, "years_store"), (np.isin(s.cols["L7a"], (1, 2)), "years_other")):
        l8a[mask] = _exact(rng, p[key]["codes"], p[key][sector], int(mask.sum()))
    s.cols["L8a"] = l8a
    s.single("L8b", np.isin(s.cols["L7b"], (1, 2, 3)))
    s.multiple("L6")
    s.multiple("K4")
    s.multiple("K4b", s.multi["K4"][14])
    # K8-K10: coordination measures (Gaussian copula), K11 independent
    rho, shift = p["coordination"]["correlation"], p["coordination"]["severe_shift"]
    common = rng.standard_normal(n)
    for item in ("K8", "K9", "K10"):
        latent = np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.standard_normal(n) + shift * (s.cols["L7a"] == 3)
        codes, shares = s.need(item)
        share = shares[codes.index(1)] / sum(shares)
        is_yes = np.zeros(n, dtype=bool)
        is_yes[np.argsort(-latent)[: round(share * n)]] = True
        s.cols[item] = s.rest_codes(item, [1], is_yes)
    s.single("K11")
    x = _covariates(s)

    # STAR-P (Tab 10-1), then the outcomes that depend on it
    def build_star(latent: np.ndarray) -> np.ndarray:
        s.star = _star_items(s, latent)
        return s.star

    _ordinal(s, "STAR", x, build_star)
    x["star"] = s.star
    _logit(s, "K6", x)
    _logit(s, "H10", x)
    _logit(s, "M4", x)
    _logit(s, "M1", x)

    def build_h11(latent: np.ndarray) -> np.ndarray:
        codes, shares = s.need("H11")
        column = s.empty()
        video = s.cols["H10"] == 1
        column[video] = _cut(latent[video], codes, shares)
        s.cols["H11"] = column
        return column

    _ordinal(s, "H11", x, build_h11)
    _ordinal(s, "CONTINUITY", x, lambda latent: _continuity_items(s, latent))
    u_model = p["models"]["U"]
    k = p["sectors"].index(sector)
    for j, (item, goals) in enumerate(u_model["items"].items()):
        noise = s.noise["U_items"][j] * u_model["item_noise"]

        def build_u(latent: np.ndarray, item: str = item, noise: np.ndarray = noise) -> np.ndarray:
            codes, shares = s.need(item)
            s.cols[item] = _cut(latent + noise, codes, shares)
            return s.cols[item]

        _ordinal(s, "U", x, build_u, target_for={"star": goals[k]})
    # the rest: marginal shares, filters
    for item in [
        "I1",
        "I2",
        "I3",
        "I4",
        "I5",
        "M5",
        "M6",
        "M7",
        "F1a",
        "F1b",
        "F2",
        "F3",
        "K1",
        "K2",
        "K3",
        "K5",
        "K7",
    ]:
        s.single(item)
    s.single("M2", s.cols["M1"] == 1)
    s.single("M3", s.cols["M1"] == 1)
    s.single("F4", s.cols["F3"] == 1)
    return _finish(s, questionnaire)


def _finish(s: _Sector, questionnaire: Questionnaire) -> pd.DataFrame:
    """Item non-response (``item_skip``, not B2: the register's birth year), then the questionnaire's
    filters again (an item is empty unless its filter item has one of the filter's codes)."""
    skip = s.p["item_skip"]
    for item, column in s.cols.items():
        if item != "B2":
            column[s.rng.random(s.n) < skip] = np.nan
    for ticked in s.multi.values():
        empty = s.rng.random(s.n) < skip
        for flags in ticked.values():
            flags &= ~empty
    for question in questionnaire.items:
        if question.filter is None or (question.id not in s.cols and question.id not in s.multi):
            continue
        source, codes = question.filter.item, question.filter.codes
        if source in s.multi:
            shown = np.any([s.multi[source][c] for c in codes if c in s.multi[source]], axis=0)
        else:
            shown = np.isin(s.cols[source], codes)
        if question.id in s.multi:
            for flags in s.multi[question.id].values():
                flags &= shown
        else:
            s.cols[question.id][~shown] = np.nan
    out: dict[str, np.ndarray] = dict(s.cols)
    for item in s.multi:
        out[item] = s.multi_strings(item)
    return pd.DataFrame(out, index=s.people.index)


def synth_survey(seed: int = 2023, scale: str = "national") -> dict[str, pd.DataFrame]:
    """The three tables of a survey directory (DESIGN.md "Survey module"): frame, responses, population."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    questionnaire = load()
    rng = np.random.Generator(np.random.PCG64(seed))
    frame = synth_frame(rng, scale)
    parts = []
    for sector in parameters()["sectors"]:
        people = frame[(frame.sector == sector) & (frame.status == "answered")]
        parts.append(synth_sector(rng, sector, people, questionnaire))
    answers = pd.concat(parts).sort_index()
    responses = _responses(rng, frame, answers, questionnaire)
    return {"survey_frame": frame, "survey_responses": responses, "survey_population": _population(frame, scale)}


def _responses(
    rng: np.random.Generator, frame: pd.DataFrame, answers: pd.DataFrame, questionnaire: Questionnaire
) -> pd.DataFrame:
    people = frame.loc[answers.index]
    p = parameters()
    dates = np.empty(len(people), dtype="datetime64[D]")
    for sector, (first, last) in p["answered_on"].items():
        mask = (people.sector == sector).to_numpy()
        start, end = np.datetime64(first), np.datetime64(last)
        dates[mask] = start + rng.integers(0, int((end - start) // np.timedelta64(1, "D")) + 1, mask.sum())
    out = pd.DataFrame(
        {
            "person_id": people.person_id.to_numpy(),
            "form": np.where(people.sector == "AS", "AS", "PHV_TSB"),
            "answered_on": pd.to_datetime(dates).date,
        }
    )
    for item in questionnaire.items:
        values = answers[item.id].to_numpy() if item.id in answers else None
        if item.type in ("single", "year"):
            column = pd.array(values if values is not None else np.full(len(out), np.nan), dtype="Float64")
            out[item.column] = column.astype("Int64")
        elif item.type == "multiple":
            out[item.column] = pd.Series(values, dtype="string") if values is not None else pd.NA
        else:  # free text: never generated
            out[item.column] = pd.Series([None] * len(out), dtype="string")
    return out


def _population(frame: pd.DataFrame, scale: str = "national") -> pd.DataFrame:
    """The register population of ch. 4 as aggregates (synth.yaml ``population``): in the survey period the
    frame by sector, sex, age band and unit; per period the sex margins of Tab 4-5 and the diagnosis groups
    by sex of Tab 4-8 / 4-9 (divided by ``small_divisor`` at small scale)."""
    p = parameters()
    spec = p["population"]
    age = p["survey_year"] - frame.birth_year
    labels = [f"{low}-{high}" if high < 90 else f"{low}+" for low, high in p["age_bands"]]
    bins = [b[0] for b in p["age_bands"]] + [200]
    band = pd.cut(age, bins=bins, right=False, labels=labels).astype(str)
    unit = frame.unit.fillna("")
    table = (
        frame.assign(age=band, unit=unit)
        .groupby(["sector", "sex", "age", "unit"], observed=True, dropna=False)
        .size()
        .reset_index(name="count")
    )
    table.insert(1, "period", spec["survey_period"])
    table["diagnosis_group"] = None
    table.loc[table.unit == "", "unit"] = None
    divisor = 1 if scale == "national" else spec["small_divisor"]
    rows = []
    for period, by_sector in spec["sex"].items():
        for sector, (women, men) in by_sector.items():
            for sex, count in (("F", women), ("M", men)):
                rows.append((sector, period, sex, None, None, None, round(count / divisor)))
    for period, by_sector in spec["diagnosis"].items():
        for sector, cells in by_sector.items():
            for group, (men, women) in zip(spec["diagnosis_groups"], cells):
                for sex, count in (("M", men), ("F", women)):
                    rows.append((sector, period, sex, None, None, group, round(count / divisor)))
    columns = ["sector", "period", "sex", "age", "unit", "diagnosis_group", "count"]
    published = pd.DataFrame(rows, columns=columns)
    return pd.concat([table[columns], published], ignore_index=True)


def write_synthetic(out: Path, seed: int = 2023, scale: str = "national") -> Path:
    """Write survey_frame, survey_responses, survey_population as Parquet into ``out``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in synth_survey(seed, scale).items():
        table.to_parquet(out / f"{name}.parquet", index=False)
    return out
