"""The web application over HTTP against the real server process (``forlop serve demo``), on SQLite and PostgreSQL:
login and redirects, CSRF refusal, isolation between teams, the checks of data entry, corrections in the audit log,
event roll-up, roles, lock-out, exports."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import forlop.server
from forlop.server.routes import COORDINATOR_ROUTES, TEAM_ROUTES
from tests.server.client import Client
from tests.server.conftest import Server, qi_dashboard, query


def same_page(a: str, b: str) -> bool:
    """The same page but for the per-response CSRF token and the requested path (the language menu's 'next')."""

    def normal(text: str) -> str:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        return re.sub(r'name="next" value="[^"]+"', "", text)

    return normal(a) == normal(b)


def login(server: Server, username: str) -> Client:
    client = Client(server.base)
    client.post("/lang/", {"lang": "en", "next": "/login/"}, token_from="/login/")  # messages checked in English
    answer = client.login(username, server.logins[username])
    assert answer.status == 302, answer.text[:500]
    return client


def teams(server: Server) -> list[tuple[int, str]]:
    return [(int(i), name) for i, name in query(server.db, "select id, name from server_team order by id")]


def value(server: Server, team: int, indicator: str, month: str) -> tuple | None:
    rows = query(
        server.db,
        f"select numerator, denominator from server_value where team_id = {team} and indicator = '{indicator}' "
        f"and month = '{month}-01'",
    )
    return rows[0] if rows else None


def test_isolation_test_knows_every_team_route() -> None:
    source = (Path(forlop.server.__file__).parent / "urls.py").read_text(encoding="utf-8")
    patterns = re.findall(r'path\("(teams/<int:team_id>/[^"]*)"', source)
    assert sorted("/" + p.replace("<int:team_id>", "{id}") for p in patterns) == sorted(
        pattern for pattern, _ in TEAM_ROUTES.values()
    )


def test_anonymous_visitor_is_sent_to_login(server: Server) -> None:
    client = Client(server.base)
    answer = client.get("/")
    assert answer.status == 302
    assert answer.headers["Location"] == "/login/?next=/"
    assert client.get("/teams/1/").headers["Location"] == "/login/?next=/teams/1/"
    assert client.get("/login/").status == 200


def test_post_without_csrf_token_is_refused(server: Server) -> None:
    client = Client(server.base)
    client.get("/login/")  # has the CSRF cookie, but the form carries no token
    refused = client.request("POST", "/login/", data={"username": "member", "password": server.logins["member"]})
    assert refused.status == 403
    assert "sessionid" not in {c.name for c in client.jar}
    member = login(server, "member")
    team_id = teams(server)[0][0]
    before = value(server, team_id, "R1", "2024-06")
    refused = member.request("POST", f"/teams/{team_id}/entry/", data={"month": "2024-06", "R1-numerator": "7"})
    assert refused.status == 403
    assert value(server, team_id, "R1", "2024-06") == before


def test_member_of_one_team_sees_nothing_of_another(server: Server) -> None:
    """Every team route with every other team's id, GET and POST: 404, the same page as for an id that does not
    exist, and no other team's name anywhere."""
    member = login(server, "member")
    all_teams = teams(server)
    own_id, own_name = all_teams[0]
    others = all_teams[1:]
    token = member.token("/")
    missing = member.get("/teams/999999/")
    assert missing.status == 404
    home = member.get("/").text
    assert own_name in home
    assert not any(name in home for _, name in others)
    for route, (pattern, methods) in TEAM_ROUTES.items():
        assert member.get(pattern.format(id=own_id)).status == 200, route
        for other_id, _ in [*others, (999999, "")]:
            path = pattern.format(id=other_id)
            for method in methods:
                data = (
                    {"csrfmiddlewaretoken": token, "month": "2024-06", "R1-numerator": "1"}
                    if method == "POST"
                    else None
                )
                answer = member.request(method, path, data=data)
                assert answer.status == 404, (method, path, answer.status)
                assert same_page(answer.text, missing.text)
                assert all(name not in answer.text for _, name in others)
    for path in COORDINATOR_ROUTES:
        answer = member.get(path)
        assert answer.status == 404
        assert same_page(answer.text, missing.text)
    assert query(
        server.db, f"select count(*) from server_value where month = '2024-06-01' and team_id <> {own_id}"
    ) == [(0,)]


def test_entry_checks_beside_the_field_and_saves_nothing(server: Server) -> None:
    member = login(server, "member")
    team_id = teams(server)[0][0]
    answer = member.post(
        f"/teams/{team_id}/entry/?month=2024-03",
        {"month": "2024-03", "R1-numerator": "2.5", "R2-numerator": "-1", "V1-numerator": "9", "V1-denominator": "4"},
    )
    assert answer.status == 200
    errors = dict(re.findall(r'id="(\w+)-error" data-field="\w+">([^<]+)<', answer.text))
    assert errors == {
        "R1": "numerator is not a whole number: &#x27;2.5&#x27;",
        "R2": "numerator is negative (-1)",
        "V1": "numerator (9) is larger than the denominator (4)",
    }
    assert value(server, team_id, "R1", "2024-03") is None
    outside = member.post(f"/teams/{team_id}/entry/", {"month": "2025-01", "R1-numerator": "2"})
    assert "month 2025-01 lies outside the project (2018-01 to 2024-12)" in outside.text
    missing = member.post(f"/teams/{team_id}/entry/", {"month": "2024-03", "V1-numerator": "2"})
    assert "denominator missing (the indicator is a proportion)" in missing.text


def test_correction_keeps_the_old_value_in_the_audit_log(server: Server) -> None:
    member = login(server, "member")
    team_id = teams(server)[0][0]
    first = member.post(
        f"/teams/{team_id}/entry/",
        {"month": "2024-04", "R1-numerator": "3", "V1-numerator": "2", "V1-denominator": "10"},
    )
    assert first.status == 302
    assert first.headers["Location"] == f"/teams/{team_id}/?saved=2024-04&n=2"
    again = member.post(f"/teams/{team_id}/entry/", {"month": "2024-04", "R1-numerator": "5"})
    assert again.status == 302
    assert value(server, team_id, "R1", "2024-04") == (5, None)
    assert value(server, team_id, "V1", "2024-04") == (2, 10)  # not typed again: left as it was
    log = query(
        server.db,
        f"select username, old, new from server_auditentry where team_id = {team_id} and what = 'value R1 2024-04' "
        "order by id",
    )
    assert [
        (
            u,
            None if o is None else json.loads(o) if isinstance(o, str) else o,
            json.loads(n) if isinstance(n, str) else n,
        )
        for u, o, n in log
    ] == [
        ("member", None, {"numerator": 3, "denominator": None, "note": ""}),
        (
            "member",
            {"numerator": 3, "denominator": None, "note": ""},
            {"numerator": 5, "denominator": None, "note": ""},
        ),
    ]
    history = member.get(f"/teams/{team_id}/history/").text
    assert "value R1 2024-04" in history


def test_events_roll_up_into_the_monthly_counts(server: Server) -> None:
    member = login(server, "member")
    team_id = teams(server)[0][0]
    for date, kind, patient in (
        ("2024-05-02", "admission", "P1"),
        ("2024-05-20", "admission", "P1"),
        ("2024-05-21", "admission", "P2"),
        ("2024-05-03", "other", "P1"),
        ("2024-06-01", "admission", "P3"),
    ):
        answer = member.post(f"/teams/{team_id}/events/", {"date": date, "kind": kind, "patient": patient})
        assert answer.status == 302, answer.text[:300]
    # May: 3 admissions of 2 patients (R2 = 3, R1 = 2); 1 other event of 1 patient (F2 = 1, F1 = 1)
    assert value(server, team_id, "R2", "2024-05") == (3, None)
    assert value(server, team_id, "R1", "2024-05") == (2, None)
    assert value(server, team_id, "F2", "2024-05") == (1, None)
    assert value(server, team_id, "F1", "2024-05") == (1, None)
    bad = member.post(f"/teams/{team_id}/events/", {"date": "2030-01-01", "kind": "admission", "patient": "P1"})
    assert "The date must lie in the project's months (2018-01 to 2024-12)." in html.unescape(bad.text)


def test_viewer_reads_but_cannot_write_and_lock_out(server: Server) -> None:
    viewer = login(server, "viewer")
    team_id = teams(server)[0][0]
    assert viewer.get(f"/teams/{team_id}/").status == 200
    assert viewer.post(f"/teams/{team_id}/entry/", {"month": "2024-07", "R1-numerator": "1"}).status == 403
    assert value(server, team_id, "R1", "2024-07") is None
    stranger = Client(server.base)
    statuses = [stranger.login("viewer", "wrong password").status for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]  # AXES_FAILURE_LIMIT = 5: the 5th failure locks
    locked = stranger.login("viewer", server.logins["viewer"])
    assert locked.status == 429
    assert "Too many failed logins" in locked.text


def test_logout_ends_the_session(server: Server) -> None:
    member = login(server, "member")
    assert member.get("/").status == 200
    assert member.post("/logout/", {}, token_from="/").headers["Location"] == "/login/"
    assert member.get("/").status == 302


def test_exports(server: Server) -> None:
    member = login(server, "member")
    team_id, name = teams(server)[0]
    csv = member.get(f"/teams/{team_id}/export.csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    count = query(server.db, f"select count(*) from server_value where team_id = {team_id}")[0][0]
    assert len(frame) == count
    assert set(frame["team"]) == {name}
    excel = pd.read_excel(io.BytesIO(member.get(f"/teams/{team_id}/export.xlsx").body))
    assert len(excel) == count
    coordinator = login(server, "coordinator")
    whole = pd.read_parquet(io.BytesIO(coordinator.get("/export/collaborative.parquet").body))
    assert len(whole) == query(server.db, "select count(*) from server_value")[0][0]
    assert whole["team"].nunique() == 10
    overview = coordinator.get("/overview/")
    assert overview.status == 200
    assert overview.text.count("<tr>") == 11  # header + 10 teams


@pytest.mark.parametrize("lang, word", [("nb", "Logg inn"), ("da", "Log ind"), ("en", "Log in")])
def test_language_menu(server: Server, lang: str, word: str) -> None:
    client = Client(server.base)
    client.post("/lang/", {"lang": lang, "next": "/login/"}, token_from="/login/")
    assert f"<h1>{word}</h1>" in client.get("/login/").text


def test_session_ends_with_the_browser_and_after_eight_hours(server: Server) -> None:
    client = Client(server.base)
    client.get("/login/")
    assert client.login("coordinator", server.logins["coordinator"]).status == 302
    cookie = next(c for c in client.jar if c.name == "sessionid")
    assert cookie.expires is None  # a browser-session cookie: gone when the browser closes
    assert cookie.has_nonstandard_attr("HttpOnly")  # not readable by scripts
    rows = query(server.db, "select expire_date from django_session")
    latest = max(pd.Timestamp(r[0]) for r in rows)
    latest = latest.tz_localize("UTC") if latest.tzinfo is None else latest
    hours = (latest - pd.Timestamp.now(tz="UTC")).total_seconds() / 3600
    assert 7.9 < hours <= 8.0


def test_qi_dashboard_from_the_database(server: Server, tmp_path: Path) -> None:
    done = qi_dashboard(server.db, tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "qi.html").read_text(encoding="utf-8")
    assert all(name in page for _, name in teams(server))
    assert re.search(r"\(10 teams, \d+ charts\)", done.stderr)


@pytest.mark.parametrize(
    ("lang", "label"), [("nb", "Gammelt passord"), ("da", "Gammel adgangskode"), ("en", "Old password")]
)
def test_password_form_in_the_users_language(server: Server, lang: str, label: str) -> None:
    """Django's own password form follows the language menu (Django's catalogues for nb and da)."""
    client = login(server, "coordinator")  # the viewer is locked out by an earlier test
    client.post("/lang/", {"lang": lang, "next": "/"}, token_from="/")
    page = client.get("/password/").text
    assert f'<label for="id_old_password">{label}:</label>' in page


def test_password_change(server: Server) -> None:
    """member2 changes its password: the old one stops working, the new one works (Django's own view)."""
    client = login(server, "member2")
    old = server.logins["member2"]
    changed = client.post(
        "/password/",
        {"old_password": old, "new_password1": "a new pass phrase 42", "new_password2": "a new pass phrase 42"},
    )
    assert changed.status == 302
    assert changed.headers["Location"] == "/?password=1"
    assert Client(server.base).login("member2", old).status == 200  # the form again, with its error
    fresh = Client(server.base)
    assert fresh.login("member2", "a new pass phrase 42").status == 302
    server.logins["member2"] = "a new pass phrase 42"


def chart_parts(page: str) -> dict[str, str]:
    """The team page's chart parts: indicator id -> the part's HTML (a plotly div with a random id per build)."""
    charts = page[page.index('<div id="charts">') : page.index("<h2", page.index('<div id="charts">'))]
    pieces = re.split(r'<div class="chart" data-indicator="(\w+)">', charts)[1:]
    return dict(zip(pieces[::2], pieces[1::2]))


def first_trace(part: str) -> dict[str, float]:
    """month -> y of the part's data trace (the first trace of its ``Plotly.newPlot`` call)."""
    call = part[part.index("Plotly.newPlot(") + len("Plotly.newPlot(") :]
    call = call[call.index(",") + 1 :].lstrip()
    traces, _ = json.JSONDecoder().raw_decode(call)
    return {x[:7]: y for x, y in zip(traces[0]["x"], traces[0]["y"])}


def cached_parts(server: Server) -> int:
    assert server.tmp is not None
    return len(list((server.tmp / "charts").glob("*.djcache")))


def test_a_write_rebuilds_only_the_charts_it_changes(server: Server) -> None:
    """A value rebuilds its indicator's chart part only (the new point is on it); every other part is the cached
    one (the same plotly div id, and one new cache entry). A PDSA cycle rebuilds the parts of the indicators with a
    value in its start month, where its note is drawn, and no other."""
    member = login(server, "member")
    team_id = teams(server)[0][0]
    page = f"/teams/{team_id}/"
    before = chart_parts(member.get(page).text)
    assert before == chart_parts(member.get(page).text)  # warm: every part served from the cache
    entries = cached_parts(server)
    assert member.post(f"/teams/{team_id}/entry/", {"month": "2024-07", "R1-numerator": "77"}).status == 302
    after = chart_parts(member.get(page).text)
    assert set(after) == set(before)
    assert [i for i in after if after[i] != before[i]] == ["R1"]
    assert first_trace(after["R1"])["2024-07"] == 77
    assert cached_parts(server) == entries + 1
    july = {
        i
        for (i,) in query(
            server.db, f"select indicator from server_value where team_id = {team_id} and month = '2024-07-01'"
        )
    }
    assert "R1" in july and july < set(after)  # the demo has months without some indicators
    answer = member.post(f"/teams/{team_id}/pdsa/", {"title": "Cache huddle", "start": "2024-07-10", "end": ""})
    assert answer.status == 302
    noted = chart_parts(member.get(page).text)
    assert {i for i in noted if noted[i] != after[i]} == july
    assert all("PDSA: Cache huddle" in noted[i] for i in july)
    assert not any("PDSA: Cache huddle" in noted[i] for i in set(noted) - july)
    assert cached_parts(server) == entries + 1 + len(july)
