"""Score MUSIQ answers (Kaplan et al. 2012, 2013; used by the teams of 004 §1, §3.4).

Input: a CSV with a ``team`` column (and optionally ``respondent`` and ``date``) and one column
per factor id of ``musiq.yaml``, holding the factor score 1-7; empty, ``NA`` or ``vet ikke``
means "don't know".
Output per answer row: n_answered, n_missing, weighted_total = sum(weight x score) over the
answered factors, weighted_max = 7 x sum(weight) over the same factors, total_percent =
weighted_total / weighted_max x 100 (so answers with "don't know" stay comparable),
mean_score, and the mean score per level.

A missing ``team`` column or an unknown column stops the run (``InputError``: an unknown
column is most likely a misspelt factor). A row with a score outside 1-7 or not a whole
number goes to the rejected file with its reason. Weights and factors are data
(``musiq.yaml``), including what could not be verified. A collaborative that holds the
published scoring tool passes its own file of the same shape (``scoring=``, ``forlop qi musiq
--scoring FILE``); it is checked field by field before any answer is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forlop.datafile import package_yaml
from forlop.errors import InputError, read_user_csv, read_user_yaml
from forlop.i18n import t

MISSING_TEXT = {"", "na", "n/a", "vet ikke", "ved ikke", "don't know", "dont know"}
ID_COLUMNS = ("team", "respondent", "date")


@dataclass(frozen=True)
class Factor:
    """One MUSIQ factor (fields as in ``musiq.yaml``)."""

    id: str
    level: str
    name: str
    weight: float
    weight_status: str
    verified: str


FACTOR_FIELDS = ("id", "level", "name", "weight", "weight_status", "verified")


@lru_cache(maxsize=4)
def load_musiq(scoring: Path | None = None, lang: str | None = None) -> dict:
    """The parsed scoring definition: scale, levels, factors (as ``Factor``).

    ``scoring=None`` reads the packaged ``musiq.yaml``; a path reads a file of the same shape and
    raises ``InputError`` (file, field, what is wrong) for anything that cannot be scored with.
    """
    if scoring is None:
        raw = package_yaml("forlop.qi", "musiq.yaml")
        where = "musiq.yaml"
    else:
        where = str(scoring)
        raw = read_user_yaml(scoring, lang)
    return _checked_spec(raw, where, lang)


def _checked_spec(raw: object, where: str, lang: str | None = None) -> dict:
    """The scoring definition with factors as ``Factor``, or ``InputError`` naming the first fault."""
    if not isinstance(raw, dict) or not {"scale", "levels", "factors"} <= set(raw):
        raise InputError(where, t("qi.musiq.spec_keys", lang))
    scale = raw["scale"]
    if not (
        isinstance(scale, dict)
        and isinstance(scale.get("min"), int)
        and isinstance(scale.get("max"), int)
        and scale["min"] < scale["max"]
    ):
        raise InputError(where, t("qi.musiq.spec_scale", lang), column="scale")
    levels = raw["levels"]
    if not isinstance(levels, dict) or not levels:
        raise InputError(where, t("qi.musiq.spec_levels", lang), column="levels")
    factors, seen = [], set()
    for number, item in enumerate(raw["factors"] or [], start=1):
        if not isinstance(item, dict) or set(item) != set(FACTOR_FIELDS):
            raise InputError(
                where,
                t("qi.musiq.factor_fields", lang, number=number, fields=", ".join(FACTOR_FIELDS)),
                column="factors",
            )
        if item["id"] in seen or item["id"] in ID_COLUMNS:
            raise InputError(where, t("qi.musiq.factor_id", lang, number=number, id=item["id"]), column="factors")
        if item["level"] not in levels:
            raise InputError(
                where,
                t("qi.musiq.factor_level", lang, number=number, id=item["id"], level=item["level"]),
                column="factors",
            )
        weight = item["weight"]
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise InputError(where, t("qi.musiq.factor_weight", lang, number=number, id=item["id"]), column="factors")
        seen.add(item["id"])
        factors.append(Factor(**item))
    if not factors:
        raise InputError(where, t("qi.musiq.no_factors", lang), column="factors")
    return {**raw, "factors": factors}


def _score(value: object, low: int, high: int) -> tuple[float | None, str | None]:
    """(score, None), (None, None) for "don't know", or (None, reason)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None, None
    text = str(value).strip()
    if text.lower() in MISSING_TEXT:
        return None, None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None, f"'{text}' is not a score {low}-{high}"
    if not number.is_integer() or not low <= number <= high:
        return None, f"{text} is not a whole score {low}-{high}"
    return number, None


def score_answers(
    path: Path, scoring: Path | None = None, lang: str | None = None, encoding: str = "utf-8"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the answers in the CSV at ``path`` with ``scoring`` (default: the packaged
    ``musiq.yaml``); returns (scores, rejected rows with reason). The CSV is read by
    ``forlop.errors.read_user_csv`` (``encoding``, ',' or ';' between fields)."""
    path = Path(path)
    spec = load_musiq(Path(scoring) if scoring is not None else None, lang)
    factors: list[Factor] = spec["factors"]
    low, high = spec["scale"]["min"], spec["scale"]["max"]
    answers = read_user_csv(path, encoding=encoding, lang=lang)
    if "team" not in answers.columns:
        raise InputError(str(path), t("input.missing_column", lang), column="team")
    known = {f.id for f in factors} | set(ID_COLUMNS)
    unknown = [c for c in answers.columns if c not in known]
    if unknown:
        raise InputError(str(path), t("qi.musiq.unknown_column", lang, column=unknown[0]), column=unknown[0])
    present = [f for f in factors if f.id in answers.columns]
    if not present:
        raise InputError(str(path), t("qi.musiq.no_factor_columns", lang), example=", ".join(f.id for f in factors[:3]))
    rows, rejected = [], []
    for index, answer in answers.iterrows():
        scores, reasons = {}, []
        for factor in present:
            value, reason = _score(answer[factor.id], low, high)
            if reason:
                reasons.append(f"{factor.id}: {reason}")
            scores[factor.id] = value
        if reasons:
            # row = the data row's number, header not counted, as `forlop validate` (docs/qi.md).
            rejected.append({**answer.to_dict(), "row": index + 1, "reason": "; ".join(reasons)})
            continue
        given = {f.id: score for f in present if (score := scores[f.id]) is not None}
        answered = [f for f in present if f.id in given]
        total = sum(f.weight * given[f.id] for f in answered)
        maximum = sum(f.weight * high for f in answered)
        row = {c: answer[c] for c in ID_COLUMNS if c in answers.columns}
        row.update(
            {
                "n_answered": len(answered),
                "n_missing": len(factors) - len(answered),
                "weighted_total": total if answered else None,
                "weighted_max": maximum if answered else None,
                "total_percent": round(100 * total / maximum, 1) if answered else None,
                "mean_score": round(sum(given[f.id] for f in answered) / len(answered), 2) if answered else None,
            }
        )
        for level in spec["levels"]:
            values = [given[f.id] for f in answered if f.level == level]
            row[f"mean_{level}"] = round(sum(values) / len(values), 2) if values else None
        row["weights"] = "unverified" if any(f.weight_status != "published" for f in factors) else "published"
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(rejected)


def write_scores(
    path: Path, out: Path, scoring: Path | None = None, lang: str | None = None, encoding: str = "utf-8"
) -> tuple[int, int]:
    """Score ``path`` into ``out`` (CSV) and ``<out dir>/rejected/musiq.csv``; returns (scored, rejected)."""
    scores, rejected = score_answers(path, scoring, lang, encoding)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scores.to_csv(out, index=False)
    (out.parent / "rejected").mkdir(exist_ok=True)
    rejected.to_csv(out.parent / "rejected" / "musiq.csv", index=False)
    return len(scores), len(rejected)
