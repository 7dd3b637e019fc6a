"""Options with a fixed set of values are declared as choices (forlop.choices): a value outside the set
stops before any file is read, with one line from messages.yaml and exit code 2 (forlop.cli:main)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from forlop.cli import main


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[str]]:
    """Run ``forlop args`` in this process; return the exit code and the lines on stderr."""
    monkeypatch.setattr(sys, "argv", ["forlop", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("command", [
    ["synth", "--out", "{tmp}/x"],
    ["validate", "--data", "{tmp}/nothing"],
    ["pathways", "--data", "{tmp}/nothing", "--out", "{tmp}/out"],
    ["coercion", "rates", "--data", "{tmp}/nothing", "--out", "{tmp}/out"],
    ["coercion", "trial", "--counts", "{tmp}/c.csv", "--design", "{tmp}/t.yaml", "--out", "{tmp}/out"],
    ["report", "--results", "{tmp}/r", "--html", "{tmp}/r.html"],
])
def test_unknown_language_is_one_line_exit_2(command: list[str], tmp_path: Path, monkeypatch, capsys) -> None:
    args = [a.format(tmp=tmp_path) for a in command]
    code, lines = run_main(monkeypatch, capsys, *args, "--lang", "xx")
    assert code == 2
    assert lines == ["forlop: --lang: 'xx' er ikke en av 'nb', 'en'"]  # not a language: the default, nb
    assert list(tmp_path.iterdir()) == []  # stopped before anything was written


def test_other_choices_are_one_line_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    code, lines = run_main(monkeypatch, capsys, "synth", "--out", str(tmp_path), "--format", "xlsx")
    assert (code, lines) == (2, ["forlop: --format: 'xlsx' er ikke en av 'parquet', 'csv'"])
    code, lines = run_main(monkeypatch, capsys, "synth", "--out", str(tmp_path), "--format", "xlsx", "--lang", "en")
    assert (code, lines) == (2, ["forlop: --format: 'xlsx' is not one of 'parquet', 'csv'"])
    code, lines = run_main(monkeypatch, capsys, "coercion", "rates", "--data", str(tmp_path), "--out", str(tmp_path),
                           "--period", "week")
    assert (code, lines) == (2, ["forlop: --period: 'week' er ikke en av 'month', 'quarter', 'year'"])
    code, lines = run_main(monkeypatch, capsys, "coercion", "trial", "--counts", "c", "--design", "d", "--out", "o",
                           "--outcome", "odds", "--lang=en")
    assert (code, lines) == (2, ["forlop: --outcome: 'odds' is not one of 'rate', 'share'"])
    code, lines = run_main(monkeypatch, capsys, "qi", "template", "--team", "A", "--out", "a.xlsx", "--track", "kids",
                           "--lang", "da")
    assert (code, lines) == (2, ["forlop: --track: 'kids' er ikke en af 'adult', 'youth'"])
    code, lines = run_main(monkeypatch, capsys, "validate")
    assert (code, lines) == (2, ["forlop: --data: må oppgis"])
    code, lines = run_main(monkeypatch, capsys, "validate", "--data", str(tmp_path), "--nope", "--lang", "en")
    assert (code, lines) == (2, ["forlop: --nope: no such option"])


def test_a_good_choice_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    """``--chart P`` is read as ``p`` (case does not matter for chart types, as before)."""
    data = tmp_path / "d.csv"
    data.write_text("m,y,n\n2022-01,3,10\n2022-02,4,10\n")
    code, lines = run_main(monkeypatch, capsys, "qi", "chart", "--csv", str(data), "--x", "m", "--y", "y", "--n", "n",
                           "--chart", "P", "--out", str(tmp_path / "p.csv"), "--lang", "en")
    assert code == 0
    assert (tmp_path / "p.csv").exists()
