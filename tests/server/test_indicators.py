"""The collaborative's indicator set (issue 13 item 3, the administrator's part) against the real server: an
administrator disables an indicator and the entry form, team page and exports stop showing it while its values
stay in the database and come back when it is enabled again; the order follows the set; other roles cannot see
or change the set; every change is in the audit log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forlop.qi import for_track, write_template
from forlop.server.routes import ADMIN_ROUTES
from tests.server.client import Client
from tests.server.conftest import Server, qi_dashboard, query, server_env
from tests.server.test_http import login, teams


def current_set(db: str, track: str) -> dict[str, tuple[bool, int]]:
    rows = query(db, f"select indicator, enabled, position from server_trackindicator where track = '{track}'")
    return {indicator: (bool(enabled), int(position)) for indicator, enabled, position in rows}


def as_json(stored: object) -> object:
    """A JSON column as read: text on SQLite, already decoded on PostgreSQL (jsonb)."""
    return json.loads(stored) if isinstance(stored, str) else stored


def form(track: str, wanted: dict[str, tuple[bool, int]]) -> dict[str, str]:
    data = {"track": track}
    for indicator_id, (enabled, position) in wanted.items():
        data[f"{indicator_id}-position"] = str(position)
        if enabled:
            data[f"{indicator_id}-enabled"] = "on"
    return data


@pytest.fixture
def admin(server: Server) -> Iterator[Client]:
    """The administrator's session; the set as it was is put back after the test, even when it fails."""
    sets = {track: current_set(server.db, track) for track in ("adult", "youth")}
    client = login(server, "admin")
    yield client
    for track, wanted in sets.items():
        if current_set(server.db, track) != wanted:
            client.post("/indicators/", form(track, wanted))


def chart_ids(client: Client, team_id: int) -> list[str]:
    page = client.get(f"/teams/{team_id}/").text
    return re.findall(r'<div class="chart" data-indicator="([^"]+)"', page)


def first_team(server: Server) -> tuple[int, str]:
    team_id = teams(server)[0][0]
    track = query(server.db, f"select track from server_team where id = {team_id}")[0][0]
    return team_id, track


def test_set_is_seeded_from_the_catalogue_all_enabled_in_its_order(server: Server) -> None:
    for track in ("adult", "youth"):
        expected = {item.id: (True, n) for n, item in enumerate(for_track(track), start=1)}
        assert current_set(server.db, track) == expected


def test_admin_disables_and_enables_an_indicator(server: Server, admin: Client) -> None:
    team_id, track = first_team(server)
    member = login(server, "member")
    stored = query(server.db, f"select count(*) from server_value where team_id = {team_id} and indicator = 'R1'")
    assert stored[0][0] > 0
    assert "R1" in chart_ids(member, team_id)
    before = current_set(server.db, track)
    assert before["R1"] == (True, 1)

    answer = admin.post("/indicators/", form(track, {**before, "R1": (False, 1)}))
    assert answer.status == 200
    assert 'id="changed"' in answer.text
    assert current_set(server.db, track)["R1"] == (False, 1)
    audit = query(
        server.db,
        f"select username, team_id, old, new from server_auditentry where what = 'indicators {track} R1' order by id",
    )
    username, audit_team, old, new = audit[-1]
    assert (username, audit_team) == ("admin", None)
    assert as_json(old) == {"enabled": True, "position": 1}
    assert as_json(new) == {"enabled": False, "position": 1}

    entry = member.get(f"/teams/{team_id}/entry/?month=2024-06").text
    assert 'name="R1-numerator"' not in entry
    assert 'name="R2-numerator"' in entry
    assert "R1" not in chart_ids(member, team_id)
    assert "R2" in chart_ids(member, team_id)
    assert ",R1," not in member.get(f"/teams/{team_id}/export.csv").text
    readings = json.loads(member.get(f"/teams/{team_id}/data.json").text)["readings"]
    assert "R1" not in {r["id"] for r in readings}
    # a posted R1 is not saved (not offered), the month's other values are
    member.post(
        f"/teams/{team_id}/entry/?month=2024-07", {"month": "2024-07", "R1-numerator": "3", "R2-numerator": "2"}
    )
    month_values = query(
        server.db,
        f"select indicator, numerator from server_value where team_id = {team_id} and month = '2024-07-01' "
        "and indicator in ('R1', 'R2')",
    )
    assert month_values == [("R2", 2)]
    # history is never deleted
    assert (
        query(server.db, f"select count(*) from server_value where team_id = {team_id} and indicator = 'R1'") == stored
    )

    admin.post("/indicators/", form(track, before))
    assert current_set(server.db, track) == before
    assert "R1" in chart_ids(member, team_id)
    assert 'name="R1-numerator"' in member.get(f"/teams/{team_id}/entry/?month=2024-06").text
    assert ",R1," in member.get(f"/teams/{team_id}/export.csv").text


def test_order_follows_the_set(server: Server, admin: Client) -> None:
    team_id, track = first_team(server)
    member = login(server, "member")
    before = current_set(server.db, track)
    shown = chart_ids(member, team_id)
    assert shown[:2] == ["R1", "R2"]
    admin.post("/indicators/", form(track, {**before, "R2": (True, 0)}))
    assert chart_ids(member, team_id)[:2] == ["R2", "R1"]
    admin.post("/indicators/", form(track, before))
    assert chart_ids(member, team_id) == shown


def test_other_roles_cannot_see_or_change_the_set(server: Server, admin: Client) -> None:
    _, track = first_team(server)
    before = current_set(server.db, track)
    changes = query(server.db, "select count(*) from server_auditentry where what like 'indicators %'")
    assert admin.get("/indicators/").status == 200
    for username in ("coordinator", "member", "viewer"):
        client = login(server, username)
        for path in ADMIN_ROUTES:
            assert client.get(path).status == 404, (username, path)
            answer = client.request(
                "POST",
                path,
                data={**form(track, {**before, "R1": (False, 1)}), "csrfmiddlewaretoken": client.token("/")},
            )
            assert answer.status == 404, (username, path)
        assert 'href="/indicators/"' not in client.get("/").text
    assert current_set(server.db, track) == before
    assert query(server.db, "select count(*) from server_auditentry where what like 'indicators %'") == changes


def test_qi_dashboard_from_the_database_follows_the_set(server: Server, admin: Client, tmp_path: Path) -> None:
    """With R1 disabled, ``qi dashboard --db`` draws one chart per team and enabled indicator with values, and one
    per track and enabled indicator for the collaborative."""
    _, track = first_team(server)
    before = current_set(server.db, track)
    admin.post("/indicators/", form(track, {**before, "R1": (False, 1)}))
    try:
        series = query(
            server.db,
            "select count(*) from (select distinct v.team_id, v.indicator from server_value v "
            "join server_team t on t.id = v.team_id join server_trackindicator s "
            "on s.track = t.track and s.indicator = v.indicator where s.enabled) x",
        )[0][0]
        collaborative = query(  # the collaborative's section per track: one chart per indicator with values
            server.db,
            "select count(*) from (select distinct t.track, v.indicator from server_value v "
            "join server_team t on t.id = v.team_id join server_trackindicator s "
            "on s.track = t.track and s.indicator = v.indicator where s.enabled) x",
        )[0][0]
        with_r1 = query(
            server.db,
            "select count(distinct v.team_id) from server_value v join server_team t on t.id = v.team_id "
            f"where v.indicator = 'R1' and t.track = '{track}'",
        )[0][0]
        assert with_r1 > 0
        done = qi_dashboard(server.db, tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"(10 teams, {series + collaborative} charts)" in done.stderr  # with R1: with_r1 + 1 more
    finally:
        admin.post("/indicators/", form(track, before))


MIGRATE_OLD_DATABASE = """
import sys
from forlop.server.settings import configure
configure(sys.argv[1])
from django.core.management import call_command
call_command("migrate", "server", "0001", verbosity=0)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("insert into server_team (name, track, first_month, last_month) "
                   "values ('Old team', 'youth', '2020-01-01', '2021-12-01')")
call_command("migrate", verbosity=0)
"""


def test_migration_seeds_the_set_of_an_existing_database(tmp_path: Path) -> None:
    """A database made before the set (migration 0001, with a team) gets every catalogue indicator, enabled, in
    catalogue order, from migration 0002."""
    db = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", MIGRATE_OLD_DATABASE, db], env=server_env(tmp_path), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert query(db, "select name from server_team") == [("Old team",)]
    for track in ("adult", "youth"):
        assert current_set(db, track) == {item.id: (True, n) for n, item in enumerate(for_track(track), 1)}


def _multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one file (the standard library has no encoder)."""
    boundary = "forlop-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="t.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_upload_refuses_rows_of_a_disabled_indicator(server: Server, admin: Client, tmp_path: Path) -> None:
    """A template row of an indicator outside the set is refused with its reason; the others are saved."""
    team_id, track = first_team(server)
    name = query(server.db, f"select name from server_team where id = {team_id}")[0][0]
    member = login(server, "member")
    before = current_set(server.db, track)
    template = tmp_path / "template.xlsx"
    write_template(template, name, track, "2018-01", "2024-12", lang="en")
    workbook = load_workbook(template)
    for indicator_id, numerator in (("R1", 4), ("R2", 5)):
        for row in workbook[indicator_id].iter_rows(min_row=1):
            if row[0].value == "2024-09":
                row[1].value = numerator
    workbook.save(template)
    admin.post("/indicators/", form(track, {**before, "R1": (False, 1)}))
    try:
        body, content_type = _multipart(
            {"csrfmiddlewaretoken": member.token(f"/teams/{team_id}/upload/")}, "template", template.read_bytes()
        )
        answer = member.request("POST", f"/teams/{team_id}/upload/", body=body, headers={"Content-Type": content_type})
        assert answer.status == 200
        assert "indicator R1 is not in the collaborative&#x27;s indicator set" in answer.text
        rows = query(
            server.db,
            f"select indicator, numerator from server_value where team_id = {team_id} and month = '2024-09-01' "
            "and indicator in ('R1', 'R2')",
        )
        assert rows == [("R2", 5)]
    finally:
        admin.post("/indicators/", form(track, before))
