"""The shared browser helper sees what a person would: figures drawn, errors, network requests."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import pytest

from tests.browser import check_page

pytestmark = pytest.mark.browser


def _page(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


def test_one_drawn_figure_one_empty_no_errors(tmp_path: Path) -> None:
    drawn = go.Figure(go.Bar(x=["a", "b"], y=[3, 5])).to_html(
        full_html=False, include_plotlyjs="inline", div_id="drawn")
    empty = go.Figure().to_html(full_html=False, include_plotlyjs=False, div_id="empty")
    page = _page(tmp_path, drawn + empty)
    shot = tmp_path / "shot.png"
    check = check_page(page, shot, evaluate={"n_bars": "() => document.querySelectorAll('g.point').length"})
    assert check.console_errors == []
    assert check.failed_or_external_requests == []
    assert check.figure_stats["graphs"] == 2
    assert check.figure_stats["drawn"] == 1
    assert check.figure_stats["empty"] == ["empty"]
    assert check.evaluated["n_bars"] == 2
    assert shot.stat().st_size > 1000 and shot.read_bytes()[:4] == b"\x89PNG"
    assert not check.ok  # the empty figure makes the page not ok


def test_external_request_and_console_error_are_recorded(tmp_path: Path) -> None:
    body = ('<img src="https://example.org/x.png">'
            '<script>console.error("boom"); undefined_function();</script>')
    check = check_page(_page(tmp_path, body))
    assert check.failed_or_external_requests == ["https://example.org/x.png"]
    assert any("boom" in e for e in check.console_errors)
    assert any("undefined_function" in e for e in check.console_errors)
    assert not check.ok
