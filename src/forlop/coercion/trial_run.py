"""`forlop coercion trial`: read counts.csv and trial.yaml, evaluate, write the results to a folder.

Files written (issue 6): effects.csv (one row per later period), arm_rates.csv, cluster_rates.csv,
rejected/counts.csv (only when rows were rejected, each with its reason and line number), notes.txt
(warnings of the model fit, if any), trial_plot.html (cluster rates over time by arm, offline), and counts_used.csv and design_used.yaml
(the usable input, from which the report redraws the figure).
"""

from __future__ import annotations

import sys
from pathlib import Path

from forlop.coercion.design import read_counts, read_design
from forlop.coercion.trial import OUTCOMES, TrialResult, evaluate_trial
from forlop.errors import InputError
from forlop.coercion.trial_plot import trial_figure
from forlop.i18n import t


def run_trial(counts_path: Path, design_path: Path, out: Path, lang: str | None = None, outcome: str = "rate"
              ) -> TrialResult:
    """Evaluate the trial and write its files to ``out``; return the result.

    ``outcome``: ``rate`` (population column = inhabitants) or ``share`` (population column = denominator).
    """
    if outcome not in OUTCOMES:
        raise InputError("--outcome", f"must be one of {', '.join(OUTCOMES)}", example=outcome)
    design = read_design(design_path)
    counts, rejected = read_counts(counts_path, design, outcome)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rejected_file = out / "rejected" / "counts.csv"
    if len(rejected):
        rejected_file.parent.mkdir(exist_ok=True)
        rejected.to_csv(rejected_file, index=False)
        print(t("coercion.rejected", lang, n=len(rejected), path=rejected_file), file=sys.stderr)
    elif rejected_file.exists():
        rejected_file.unlink()
    print(t("coercion.trial.step", lang, step="mixed model + permutation"), file=sys.stderr)
    result = evaluate_trial(counts, design, outcome=outcome)
    result.effects.to_csv(out / "effects.csv", index=False)
    result.arm_rates.to_csv(out / "arm_rates.csv", index=False)
    result.cluster_rates.to_csv(out / "cluster_rates.csv", index=False)
    notes = out / "notes.txt"
    if result.notes:
        notes.write_text("\n".join(result.notes) + "\n", encoding="utf-8")
    elif notes.exists():
        notes.unlink()
    counts.to_csv(out / "counts_used.csv", index=False)
    (out / "design_used.yaml").write_text(Path(design_path).read_text(encoding="utf-8"), encoding="utf-8")
    trial_figure(counts, design, lang, outcome).write_html(out / "trial_plot.html", include_plotlyjs=True, full_html=True)
    print(t("coercion.trial.done", lang, path=out), file=sys.stderr)
    return result
