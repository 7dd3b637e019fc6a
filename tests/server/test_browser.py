"""A team member's session in headless Chromium (Playwright, Debian's chromium as tests/browser.py launches it)
against the real server: log in, enter a month and see the new point in the chart, upload a template, log a
PDSA cycle and see it as a note on the chart, log out. No request leaves 127.0.0.1 (plotly is served locally)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forlop.qi import write_template
from tests.browser import CHROMIUM, LAUNCH_ARGS
from tests.server.client import Client
from tests.server.conftest import Server

pytestmark = pytest.mark.browser

# Every data trace (lines+markers) of the charts as plotly.js decoded them (_fullData: typed arrays):
# x as 'YYYY-MM', y values and hover texts.
TRACES_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(g => g._fullData
  .filter(t => t.mode === 'lines+markers')
  .map(t => ({x: Array.from(t.x).map(v => String(v).slice(0, 7)), y: Array.from(t.y), text: Array.from(t.text || [])})))
"""


def _point(traces: list[dict], month: str, y: float) -> bool:
    return any(month in trace["x"] and trace["y"][trace["x"].index(month)] == y for trace in traces)


def _fill_template(path: Path, month: str, indicator: str, numerator: int) -> None:
    workbook = load_workbook(path)
    sheet = workbook[indicator]
    for row in sheet.iter_rows(min_row=1):
        if row[0].value == month:
            row[1].value = numerator
    workbook.save(path)


def test_member_session_in_the_browser(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")

            def route(request_route) -> None:  # noqa: ANN001
                url = request_route.request.url
                if url.startswith((server.base + "/", "data:", "about:", "blob:")):
                    request_route.continue_()
                else:
                    outside.append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(server.base + "/")
            assert page.url == server.base + "/login/?next=/"
            page.fill("#username", "member")
            page.fill("#password", server.logins["member"])
            page.click("#login")
            page.wait_for_url(server.base + "/")
            assert "Registrer" not in page.content()  # the demo users' profile language is nb ...
            page.click("button[value=en]")  # ... the language menu switches the session to English
            page.wait_for_selector("button[value=en][disabled]")
            page.click("#teams a")
            page.wait_for_selector(".js-plotly-plot")
            team_url = page.url
            team_name = page.inner_text("#team-name")
            before = page.evaluate(TRACES_JS)
            assert not any("2024-01" in trace["x"] for trace in before)

            # enter a month: R1 = 7 in January 2024 (the demo's data end in December 2023)
            page.goto(team_url + "entry/?month=2024-01")
            page.fill("#R1-numerator", "7")
            page.click("#save")
            page.wait_for_selector("#saved")
            page.wait_for_selector(".js-plotly-plot")
            assert page.url.startswith(team_url)
            after = page.evaluate(TRACES_JS)
            assert _point(after, "2024-01", 7)
            reading = page.inner_text("#readings tr[data-indicator=R1]")
            client = Client(server.base)
            client.login("member", server.logins["member"])
            readings = json.loads(client.get(team_url.removeprefix(server.base) + "data.json").text)["readings"]
            r1 = next(r for r in readings if r["id"] == "R1")  # the same reading as the server's JSON
            assert r1["symbol"] in reading

            # a wrong value: the message beside the field, nothing saved
            page.goto(team_url + "entry/?month=2024-01")
            page.fill("#R2-numerator", "two")
            page.click("#save")
            assert "is not a whole number" in page.inner_text("#R2-error")

            # upload a filled template: R1 = 4 in February 2024
            template = tmp_path / "template.xlsx"
            write_template(template, team_name, "adult", "2018-01", "2024-12", lang="en")
            _fill_template(template, "2024-02", "R1", 4)
            page.goto(team_url + "upload/")
            page.set_input_files("#template", str(template))
            page.click("#upload")
            page.wait_for_selector("#upload-result")
            assert "1 values saved" in page.inner_text("#upload-result")
            page.goto(team_url)
            page.wait_for_selector(".js-plotly-plot")
            assert _point(page.evaluate(TRACES_JS), "2024-02", 4)

            # a PDSA cycle: listed, and a note on the charts at its start month
            page.goto(team_url + "pdsa/")
            page.fill("#pdsa-title", "Morning huddle")
            page.fill("#pdsa-start", "2024-01-08")
            page.fill("#pdsa-change", "Daily risk review")
            page.fill("#pdsa-learned", "Fewer escalations")
            page.click("#pdsa-save")
            page.wait_for_selector("#pdsa-saved")
            assert "Morning huddle" in page.inner_text("#pdsa-list")
            notes = [
                trace["text"][trace["x"].index("2024-01")]
                for trace in page.evaluate(TRACES_JS)
                if "2024-01" in trace["x"]
            ]
            assert "PDSA: Morning huddle" in notes

            page.click("#logout")
            page.wait_for_url(server.base + "/login/")
            page.goto(team_url)
            assert page.url.startswith(server.base + "/login/")
        finally:
            browser.close()
    assert outside == []
    assert errors == []
