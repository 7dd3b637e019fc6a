"""The collector settings of a command (forlop.cli.main): raised while it runs, restored after, and gc.freeze
run at the process's exit."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

from forlop import cli
from tests.cli import forlop

ROOT = Path(__file__).resolve().parents[1]


def test_a_command_raises_the_thresholds_only_while_it_runs(monkeypatch) -> None:  # noqa: ANN001 - pytest fixture
    seen = []
    monkeypatch.setattr(cli, "_run_app", lambda: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    for _ in range(3):
        cli.main()
    assert seen == [cli.GC_THRESHOLDS] * 3
    assert gc.get_threshold() == before


def test_a_failing_command_restores_them_too() -> None:
    before = gc.get_threshold()
    result = forlop("pathways", "--data", "/no/such/folder", "--out", "/tmp/forlop-never-written")
    assert result.exit_code == 2
    assert gc.get_threshold() == before


def test_at_exit_the_objects_are_frozen() -> None:
    # gc.freeze runs at exit, before the modules are torn down: the last atexit callback sees them frozen
    script = textwrap.dedent(
        """
        import atexit, gc, sys
        atexit.register(lambda: print("frozen", gc.get_freeze_count() > 1000))
        sys.argv = ["forlop", "--help"]
        from forlop.cli import main
        try:
            main()
        except SystemExit:
            pass
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src")}
    )
    assert "frozen True" in done.stdout
