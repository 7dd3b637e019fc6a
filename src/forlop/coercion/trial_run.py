"""`forlop coercion trial`: read counts.csv and trial.yaml, evaluate, write the results to a folder.

Files written (issue 6): effects.csv (one row per later period), arm_rates.csv, cluster_rates.csv,
rejected/counts.csv (only when rows were rejected, each with its reason and data row number as
``forlop validate`` counts it), notes.txt (warnings of the model fit, if any), trial_plot.html
(cluster rates over time by arm, offline), and counts_used.csv and design_used.yaml (the usable
input, from which the report redraws the figure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forlop.coercion.coverage import arm_coverage, comparable_clusters, first_gap, periods_with_counts, without_counts
from forlop.coercion.design import TrialDesign, read_counts, read_design
from forlop.coercion.trial import TrialResult, evaluate_trial
from forlop.coercion.trial_plot import trial_figure
from forlop.errors import InputError
from forlop.i18n import t
from forlop.progress import say


def check_clusters(counts: pd.DataFrame, design: TrialDesign, counts_path: Path, lang: str | None = None) -> None:
    """Stop (InputError) when an arm has no cluster to compare in a later period; else say on stderr
    which clusters of the design lack counts in some period, arm by arm (``coverage``)."""
    table = periods_with_counts(counts, design)
    gap = first_gap(table, design)
    if gap is not None:
        period, arm = gap
        comparable = comparable_clusters(table, design, period, arm)
        lacking = [c for c in design.clusters(arm) if c not in comparable]
        none = without_counts(table)
        raise InputError(
            str(counts_path),
            t(
                "coercion.trial.empty_arm",
                lang,
                arm=t(f"coercion.arm.{arm}", lang),
                baseline=design.baseline.name,
                period=period,
                clusters=", ".join(lacking),
                n_none=len(none),
                n_design=len(design.arms),
                none=", ".join(none) or "-",
            ),
        )
    for coverage in arm_coverage(table, design):
        if coverage.incomplete:
            say(
                t(
                    "coercion.trial.coverage",
                    lang,
                    arm=t(f"coercion.arm.{coverage.arm}", lang),
                    used=len(coverage.complete),
                    total=len(coverage.clusters),
                    missing=", ".join(coverage.incomplete),
                )
            )


def run_trial(
    counts_path: Path,
    design_path: Path,
    out: Path,
    lang: str | None = None,
    outcome: str = "rate",
    encoding: str = "utf-8",
) -> TrialResult:
    """Evaluate the trial and write its files to ``out``; return the result.

    On stderr: the number of rejected rows and where they are (always), the clusters of the design
    without counts in some period (``check_clusters``), the steps, and where the notes are.

    ``outcome``: ``rate`` (population column = inhabitants) or ``share`` (population column = denominator);
    ``encoding``: of counts.csv (``forlop.errors.read_user_csv``).
    """
    design = read_design(design_path, lang)
    counts, rejected = read_counts(counts_path, design, outcome, lang, encoding)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rejected_file = out / "rejected" / "counts.csv"
    if len(rejected):
        rejected_file.parent.mkdir(exist_ok=True)
        rejected.to_csv(rejected_file, index=False)
        say(t("coercion.rejected", lang, n=len(rejected), read=len(counts) + len(rejected), path=rejected_file))
    else:
        rejected_file.unlink(missing_ok=True)
        say(t("coercion.rejected_none", lang, read=len(counts)))
    check_clusters(counts, design, counts_path, lang)
    say(t("coercion.trial.step_model", lang))
    result = evaluate_trial(counts, design, outcome=outcome, lang=lang)
    result.effects.to_csv(out / "effects.csv", index=False)
    result.arm_rates.to_csv(out / "arm_rates.csv", index=False)
    result.cluster_rates.to_csv(out / "cluster_rates.csv", index=False)
    notes = out / "notes.txt"
    if result.notes:
        notes.write_text("\n".join(result.notes) + "\n", encoding="utf-8")
        say(t("coercion.trial.notes", lang, n=len(result.notes), path=notes))
    else:
        notes.unlink(missing_ok=True)
    counts.to_csv(out / "counts_used.csv", index=False)
    (out / "design_used.yaml").write_text(Path(design_path).read_text(encoding="utf-8"), encoding="utf-8")
    trial_figure(counts, design, lang, outcome).write_html(
        out / "trial_plot.html", include_plotlyjs=True, full_html=True
    )
    say(t("coercion.trial.done", lang, path=out))
    return result
