"""Run ``forlop ...`` in the test process, as the console script does, without starting a new Python.

A subprocess pays the import of ibis, DuckDB, pandas and plotly again for every command (about a second
each); in the process they are imported once per test session. ``forlop(*args)`` calls the same entry
function as the console script, ``forlop.cli:main`` (which turns ``InputError`` into one line on stderr
and exit code 2), with ``sys.argv`` set to the command line, inside Typer's ``CliRunner`` isolation
(stdin, stdout and stderr captured separately). Any other exception propagates and fails the test,
as the traceback of a real process would.

A few tests still start the installed console script as a real process (tests/pathways/test_cli.py).
"""

from __future__ import annotations

import sys
from unittest import mock

from typer.testing import CliRunner, Result

from forlop.cli import main


def forlop(*args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Result:
    """Run ``forlop ARGS`` through ``forlop.cli:main``; return the exit code, stdout and stderr."""
    runner = CliRunner()
    exit_code, exception, exc_info = 0, None, None
    with runner.isolation(input=input, env=env) as (stdout, stderr, output), \
            mock.patch.object(sys, "argv", ["forlop", *args]):
        try:
            main()
        except SystemExit as stop:
            code = stop.code
            exit_code = 0 if code is None else code if isinstance(code, int) else 1
            if exit_code != 0:
                exception, exc_info = stop, sys.exc_info()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(runner, stdout.getvalue(), stderr.getvalue(), output.getvalue(), None, exit_code, exception,
                      exc_info)
