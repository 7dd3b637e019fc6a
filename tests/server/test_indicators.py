"""The collaborative's indicator set (issue 13 item 3, the administrator's part) against the real server: an
administrator disables an indicator and the entry form, team page and exports stop showing it while its values
stay in the database and come back when it is enabled again; the order follows the set; other roles cannot see
or change the set; every change is in the audit log."""

from __future__ import annotations

import json
import re

from forlop.qi import for_track
from forlop.server.routes import ADMIN_ROUTES
from tests.server.client import Client
from tests.server.conftest import Server, query
from tests.server.test_http import login, teams


def current_set(server: Server, track: str) -> dict[str, tuple[bool, int]]:
    rows = query(server.db, f"select indicator, enabled, position from server_trackindicator where track = '{track}'")
    return {indicator: (bool(enabled), int(position)) for indicator, enabled, position in rows}


def form(track: str, wanted: dict[str, tuple[bool, int]]) -> dict[str, str]:
    data = {"track": track}
    for indicator_id, (enabled, position) in wanted.items():
        data[f"{indicator_id}-position"] = str(position)
        if enabled:
            data[f"{indicator_id}-enabled"] = "on"
    return data


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
        assert current_set(server, track) == expected


def test_admin_disables_and_enables_an_indicator(server: Server) -> None:
    team_id, track = first_team(server)
    admin, member = login(server, "admin"), login(server, "member")
    stored = query(server.db, f"select count(*) from server_value where team_id = {team_id} and indicator = 'R1'")
    assert stored[0][0] > 0
    assert "R1" in chart_ids(member, team_id)
    before = current_set(server, track)
    assert before["R1"] == (True, 1)

    answer = admin.post("/indicators/", form(track, {**before, "R1": (False, 1)}))
    assert answer.status == 200
    assert 'id="changed"' in answer.text
    assert current_set(server, track)["R1"] == (False, 1)
    audit = query(
        server.db,
        f"select username, team_id, old, new from server_auditentry where what = 'indicators {track} R1' order by id",
    )
    username, audit_team, old, new = audit[-1]
    assert (username, audit_team) == ("admin", None)
    assert json.loads(old) == {"enabled": True, "position": 1}
    assert json.loads(new) == {"enabled": False, "position": 1}

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
    assert current_set(server, track) == before
    assert "R1" in chart_ids(member, team_id)
    assert 'name="R1-numerator"' in member.get(f"/teams/{team_id}/entry/?month=2024-06").text
    assert ",R1," in member.get(f"/teams/{team_id}/export.csv").text


def test_order_follows_the_set(server: Server) -> None:
    team_id, track = first_team(server)
    admin, member = login(server, "admin"), login(server, "member")
    before = current_set(server, track)
    shown = chart_ids(member, team_id)
    assert shown[:2] == ["R1", "R2"]
    admin.post("/indicators/", form(track, {**before, "R2": (True, 0)}))
    assert chart_ids(member, team_id)[:2] == ["R2", "R1"]
    admin.post("/indicators/", form(track, before))
    assert chart_ids(member, team_id) == shown


def test_other_roles_cannot_see_or_change_the_set(server: Server) -> None:
    _, track = first_team(server)
    before = current_set(server, track)
    changes = query(server.db, "select count(*) from server_auditentry where what like 'indicators %'")
    admin = login(server, "admin")
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
    assert current_set(server, track) == before
    assert query(server.db, "select count(*) from server_auditentry where what like 'indicators %'") == changes
