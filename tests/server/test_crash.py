"""Crash: the server is killed (SIGKILL) during a burst of writes from several clients and started again. Every
write it acknowledged (the redirect after a save) is in the database, every write is whole (the value and its
audit entry, or neither), and the audit log matches the data. The server runs two worker processes, which die
with the killed master. On SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.server.client import Client
from tests.server.conftest import LOGIN_LINE, forlop, new_db, query, server_env, start_server

pytestmark = pytest.mark.slow
INDICATORS = ("R1", "R2", "F1", "F2")
CLIENTS = 6


def children(pid: int, count: int) -> list[int]:
    """The live processes whose parent is ``pid`` (Linux /proc), once there are ``count`` (at most 30 s)."""
    deadline = time.time() + 30
    while True:
        found = [p for p in Path("/proc").glob("[0-9]*") if p.name.isdigit() and _stat(int(p.name))[1] == pid]
        if len(found) >= count or time.time() > deadline:
            return [int(p.name) for p in found]
        time.sleep(0.2)


def _stat(pid: int) -> tuple[str, int]:
    """(state, parent) of a process, ("X", 0) if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return "X", 0
    return fields[0], int(fields[1])


def _months() -> list[str]:
    return [f"{year}-{month:02d}" for year in range(2018, 2025) for month in range(1, 13)]


def _json(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_kill_during_writes_loses_no_acknowledged_write(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = new_db(kind, tmp_path, request)
    seeded = subprocess.run(
        forlop("serve", "demo", "--db", db, "--no-run"),
        capture_output=True,
        text=True,
        env=server_env(tmp_path),
        cwd=tmp_path,
        check=True,
    )
    logins = {m.group(1): m.group(2) for line in seeded.stdout.splitlines() if (m := LOGIN_LINE.match(line))}
    team_id = query(db, "select id from server_team order by id")[0][0]
    original = {
        (i, f"{m:%Y-%m}" if not isinstance(m, str) else m[:7]): n
        for i, m, n in query(db, f"select indicator, month, numerator from server_value where team_id = {team_id}")
    }
    server = start_server(db, tmp_path, workers=2)
    workers = children(server.process.pid, 2)
    if len(workers) != 2:
        server.stop()  # not left running by a failed test
    assert len(workers) == 2
    keys = [(indicator, month) for month in _months() for indicator in INDICATORS]
    acknowledged: dict[tuple[str, str], int] = {}
    attempted: dict[tuple[str, str], int] = {}
    lock = threading.Lock()

    def writer(number: int) -> None:
        client = Client(server.base, timeout=10)
        try:
            client.login("member", logins["member"])
        except Exception:  # noqa: BLE001 - killed before this client had logged in: it writes nothing
            return
        for index in range(number, len(keys), CLIENTS):
            indicator, month = keys[index]
            value = 1000 + index
            with lock:
                attempted[(indicator, month)] = value
            try:
                answer = client.post_quick(
                    f"/teams/{team_id}/entry/", {"month": month, f"{indicator}-numerator": value}
                )
            except Exception:  # noqa: BLE001 - the server was killed: this write is not acknowledged
                return
            if answer.status == 302:
                with lock:
                    acknowledged[(indicator, month)] = value

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.time() + 60
    while len(acknowledged) < 60 and time.time() < deadline:
        time.sleep(0.05)
    server.stop(kill=True)  # SIGKILL to the master, mid-burst: its workers die with it
    time.sleep(0.5)
    assert all(_stat(pid)[0] in "XZ" for pid in workers)  # gone (or a zombie not yet reaped)
    for thread in threads:
        thread.join(timeout=30)
    assert 60 <= len(acknowledged) < len(keys)  # killed during the burst, not after it

    again = start_server(db, tmp_path)
    try:
        assert Client(again.base).get("/login/").status == 200
        rows = {
            (i, f"{m:%Y-%m}" if not isinstance(m, str) else m[:7]): n
            for i, m, n in query(db, f"select indicator, month, numerator from server_value where team_id = {team_id}")
        }
        for key, value in acknowledged.items():
            assert rows[key] == value, key
        for key, value in attempted.items():  # not acknowledged: written whole or not at all
            assert rows.get(key) in (value, original.get(key)), key
        audit = query(
            db,
            f"select what, new from server_auditentry where team_id = {team_id} and what like 'value %' order by id",
        )
        latest = {}
        for what, new in audit:
            _, indicator, month = what.split()
            latest[(indicator, month)] = _json(new)["numerator"]
        for key, value in rows.items():  # the audit log matches the data
            if key in attempted and rows[key] != original.get(key):
                assert latest[key] == value, key
        for key, value in acknowledged.items():
            assert latest[key] == value, key
        written = {key for key in attempted if rows.get(key) == attempted[key] != original.get(key)}
        assert set(latest) == written
    finally:
        again.stop()
