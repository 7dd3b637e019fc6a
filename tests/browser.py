"""Open a local HTML file in headless Chromium and report what a person would see.

Used by the browser tests of every module that writes HTML (common.md: "Browser tests use
Debian's chromium ... A shared helper"; test code, so it lives in tests/browser.py). The page is
opened from ``file://``; every request whose URL is not ``file:``, ``data:``, ``about:`` or
``blob:`` is recorded (and aborted, so a test never touches the network), console messages of
type ``error`` and uncaught page errors are recorded, a full-page screenshot is taken if asked,
and the plotly figures on the page are counted (``figure_stats``).

Playwright drives Debian's ``/usr/bin/chromium`` (not a downloaded browser) with the launch
flags of common.md.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("FORLOP_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# Counts plotly graph divs and how many of them have drawn something: a trace layer with
# at least one SVG path/point/bar, or a WebGL canvas (scattergl). `empty` lists the ids
# (or a positional label) of graph divs that drew nothing.
FIGURE_STATS_JS = """
() => {
  const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const empty = [];
  let drawn = 0;
  graphs.forEach((g, i) => {
    const marks = g.querySelectorAll(
      'g.trace path, g.trace rect, g.points path, g.boxlayer path, g.barlayer path, ' +
      'g.scatterlayer path, g.heatmaplayer image, canvas');
    const visible = Array.from(marks).filter(m => {
      if (m.tagName === 'CANVAS') return m.width > 0 && m.height > 0;
      const d = m.getAttribute('d');
      return (d && d.length > 2 && d !== 'M0,0Z') || m.tagName !== 'path';
    });
    const hasData = Array.isArray(g.data) && g.data.length > 0;
    if (hasData && visible.length > 0) { drawn += 1; }
    else { empty.push(g.id || g.getAttribute('data-figure') || ('#' + i)); }
  });
  return {graphs: graphs.length, drawn: drawn, empty: empty,
          plotly_loaded: typeof window.Plotly !== 'undefined'};
}
"""


@dataclass
class PageCheck:
    """What happened when the page was opened.

    - ``console_errors``: console messages of type error and uncaught page errors, as text.
    - ``failed_or_external_requests``: URLs of requests that were not local (file/data/about/
      blob), plus local requests that failed (e.g. a missing file). Should be empty.
    - ``screenshot``: path of the full-page PNG, or None.
    - ``figure_stats``: ``{"graphs": n, "drawn": m, "empty": [ids], "plotly_loaded": bool}``.
    - ``evaluated``: results of the extra JavaScript expressions passed to ``check_page``.
    - ``title``: the document title.
    """

    console_errors: list[str] = field(default_factory=list)
    failed_or_external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    figure_stats: dict[str, Any] = field(default_factory=dict)
    evaluated: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    @property
    def ok(self) -> bool:
        """True if no console error, no external or failed request and no empty figure."""
        return (
            not self.console_errors
            and not self.failed_or_external_requests
            and not self.figure_stats.get("empty")
        )


def check_page(
    html_path: Path,
    screenshot_path: Path | None = None,
    timeout_ms: int = 30000,
    evaluate: dict[str, str] | None = None,
    viewport: tuple[int, int] = (1280, 900),
    print_pdf_path: Path | None = None,
) -> PageCheck:
    """Open ``html_path`` in headless Chromium and return a :class:`PageCheck`.

    ``evaluate`` maps a name to a JavaScript function source (e.g. ``"() => document.title"``)
    evaluated after load; results land in ``PageCheck.evaluated[name]``. ``print_pdf_path``
    additionally prints the page to PDF (print CSS applied) so tests can check it prints.
    """
    from playwright.sync_api import sync_playwright

    html_path = Path(html_path).resolve()
    result = PageCheck()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()

            def on_console(msg: Any) -> None:
                if msg.type == "error":
                    result.console_errors.append(msg.text)

            def on_route(route: Any) -> None:
                url = route.request.url
                if url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    result.failed_or_external_requests.append(url)
                    route.abort()

            def on_failed(request: Any) -> None:
                url = request.url
                if url.startswith(LOCAL_SCHEMES) and url not in result.failed_or_external_requests:
                    result.failed_or_external_requests.append(url)

            page.on("console", on_console)
            page.on("pageerror", lambda exc: result.console_errors.append(f"pageerror: {exc}"))
            page.on("requestfailed", on_failed)
            context.route("**/*", on_route)

            page.goto(html_path.as_uri(), wait_until="load", timeout=timeout_ms)
            # Plotly draws asynchronously after load; give it a moment to settle.
            page.wait_for_timeout(500)
            # A figure that never draws shows up in figure_stats, so a timeout here is not an error.
            with contextlib.suppress(Exception):  # noqa: BLE001
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                    ".every(g => g._fullLayout !== undefined)",
                    timeout=min(timeout_ms, 10000),
                )
            result.title = page.title()
            result.figure_stats = page.evaluate(FIGURE_STATS_JS)
            for name, source in (evaluate or {}).items():
                result.evaluated[name] = page.evaluate(source)
            if screenshot_path is not None:
                screenshot_path = Path(screenshot_path)
                screenshot_path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot_path), full_page=True)
                result.screenshot = screenshot_path
            if print_pdf_path is not None:
                page.emulate_media(media="print")
                Path(print_pdf_path).parent.mkdir(parents=True, exist_ok=True)
                page.pdf(path=str(print_pdf_path), format="A4", print_background=True)
        finally:
            browser.close()
    return result
