"""A report whose suppression cannot protect every hidden cell stops with one line; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from forlop.privacy import SuppressionError, publisher
from tests.cli import forlop

FIXTURE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "results"


def test_unsafe_suppression_stops_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def cannot(*args: object, **kwargs: object) -> None:
        raise SuppressionError([3, 7])

    monkeypatch.setattr(publisher, "suppress", cannot)
    done = forlop("report", "--results", str(FIXTURE), "--html", str(tmp_path / "r.html"), "--lang", "en")
    assert done.exit_code == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "forlop: stopped: 2 hidden cells can be worked out from what is shown and no further cell can be hidden; "
        "nothing was published"
    )
    assert not (tmp_path / "r.html").exists()
