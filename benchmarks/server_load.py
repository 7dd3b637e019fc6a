"""Benchmark: the web application (``forlop serve``) under 50 concurrent clients for 60 s on loopback, on SQLite and
on PostgreSQL.

Set-up per database: ``forlop serve demo --no-run`` (the 10 teams of ``qi synth``), then ``CLIENTS`` users
``bench01``.. as members of the teams in turn (5 per team), then ``forlop serve`` (gunicorn, ``--workers``
processes of 8 threads; default: the cores) in its own processes. PostgreSQL is a throwaway server from
Debian's package (tests/server/conftest.py).

Each client (a thread of this process, its own session): logs in, then until the time is up: writes one value
(POST of the month form for one indicator: a new value each time, so every write changes a row and adds one
audit entry), then reads its team's page with the run charts (``views._section`` keeps one part per indicator
under a digest of its rows: after a write the written indicator's part is rebuilt, the others are cache hits).
Latency is from sending the request to reading the whole answer. Reported: requests per second, p50/p95 per kind
(login, write, chart), and the check that the database holds exactly what the server acknowledged: the audit
entries of the bench users equal the acknowledged writes (nothing lost, nothing twice) and each written value is
the last acknowledged one of its key (one client per key, so its last acknowledged write is the final one).

The load generator shares the machine with the server (2 cores here): read the figures as the whole on one box.

    .venv/bin/python benchmarks/server_load.py [--seconds 60] [--clients 50] [--db sqlite postgresql]
        [--reads-per-write 1] [--workers N] [--out benchmarks/results/server_load.json]

``--reads-per-write 5`` is closer to a team's use (look more than type): reads after the first hit the chart
cache unless another client of the team wrote in between.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from forlop.server.cli import default_workers  # noqa: E402
from tests.server.client import Client  # noqa: E402
from tests.server.conftest import forlop, query, server_env, start_postgres, start_server  # noqa: E402

PASSWORD = "bench-password-1"
CREATE_USERS = r"""
import sys
from forlop.server.settings import configure
configure(sys.argv[1])
from forlop.qi import for_track
from forlop.server.models import Team
from forlop.server.services import create_user
teams = list(Team.objects.order_by("pk"))
for number in range(int(sys.argv[2])):
    team = teams[number % len(teams)]
    counts = [item.id for item in for_track(team.track) if not item.is_proportion]
    create_user(f"bench{number + 1:02d}", sys.argv[3], "member", [team])
    print(team.pk, counts[(number // len(teams)) % len(counts)])
"""
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]
NOTE = """Where the time goes (measured on this machine): a team page after a write rebuilds the chart part of the
written indicator only (qic, reading and plotly JSON: about 0.04 s of CPU; the other ~9 parts come from the file
cache shared by the worker processes); a login hashes the password with Django's PBKDF2 (1 000 000 iterations,
Django's default; 50 logins at once, about 0.5 s of CPU each); the load generator (50 Python threads) runs on the
same 2 cores as the server."""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def run(
    kind: str, db: str, tmp: Path, seconds: float, clients: int, reads: int = 1, workers: int | None = None
) -> dict:
    env = server_env(tmp)
    subprocess.run(forlop("serve", "demo", "--db", db, "--no-run"), env=env, cwd=tmp, check=True, capture_output=True)
    made = subprocess.run(
        [sys.executable, "-c", CREATE_USERS, db, str(clients), PASSWORD],
        env=env,
        cwd=tmp,
        check=True,
        capture_output=True,
        text=True,
    )
    plan = [(int(team), indicator) for team, indicator in (line.split() for line in made.stdout.split("\n") if line)]
    server = start_server(db, tmp, workers=workers)
    latencies: dict[str, list[float]] = {"login": [], "write": [], "chart": []}
    failures: dict[str, int] = {"login": 0, "write": 0, "chart": 0}
    acknowledged: list[tuple[int, str, str, int]] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def timed(kind_: str, call, ok) -> object:  # noqa: ANN001
        began = time.perf_counter()
        try:
            answer = call()
        except Exception:  # noqa: BLE001 - a refused or dropped connection counts as a failure
            answer = None
        spent = time.perf_counter() - began
        good = answer is not None and ok(answer)
        with lock:
            if good:
                latencies[kind_].append(spent)
            else:
                failures[kind_] += 1
        return answer if good else None

    def client(number: int) -> None:
        team, indicator = plan[number]
        session = Client(server.base, timeout=120)
        session.get("/login/")
        start_gate.wait()
        timed("login", lambda: session.login(f"bench{number + 1:02d}", PASSWORD), lambda a: a.status == 302)
        counter = 0
        while time.time() < deadline[0]:
            counter += 1
            month = MONTHS[counter % len(MONTHS)]
            value = 100 + counter
            form = {"month": month, f"{indicator}-numerator": value}
            answer = timed(
                "write",
                lambda form=form: session.post_quick(f"/teams/{team}/entry/", form),
                lambda a: a.status == 302,
            )
            if answer is not None:
                with lock:
                    acknowledged.append((team, indicator, month, value))
            for _ in range(reads):
                timed(
                    "chart",
                    lambda: session.get(f"/teams/{team}/"),
                    lambda a: a.status == 200 and b"plotly-graph-div" in a.body,
                )

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.time()
    deadline[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.time() - began
    server.stop()

    audit = query(db, "select count(*) from server_auditentry where username like 'bench%' and what like 'value %'")[0][
        0
    ]
    last: dict[tuple[int, str, str], int] = {}
    for team, indicator, month, value in acknowledged:
        last[(team, indicator, month)] = value
    wrong = 0
    for (team, indicator, month), value in last.items():
        row = query(
            db,
            f"select numerator from server_value where team_id = {team} and indicator = '{indicator}' "
            f"and month = '{month}-01'",
        )
        wrong += row != [(value,)]
    requests = sum(len(v) + failures[k] for k, v in latencies.items())
    return {
        "database": kind,
        "clients": clients,
        "reads_per_write": reads,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "failures": failures,
        "latency_ms": {
            k: {
                "n": len(v),
                "p50": round(1000 * statistics.median(v), 1) if v else None,
                "p95": round(1000 * percentile(v, 0.95), 1) if v else None,
            }
            for k, v in latencies.items()
        },
        "acknowledged_writes": len(acknowledged),
        "audit_entries": audit,
        "keys_written": len(last),
        "keys_with_other_value": wrong,
        "consistent": audit == len(acknowledged) and wrong == 0,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--reads-per-write", type=int, default=1, help="Chart page reads after each write.")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=None, help="Server worker processes (default: the cores).")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "server_load.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for kind in args.db:
            if kind == "sqlite":
                results.append(
                    run(
                        kind,
                        f"sqlite:///{tmp / 'bench.sqlite3'}",
                        tmp,
                        args.seconds,
                        args.clients,
                        args.reads_per_write,
                        args.workers,
                    )
                )
            else:
                postgres = start_postgres(tmp)
                if postgres is None:
                    print("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: skipped", file=sys.stderr)
                    continue
                try:
                    results.append(
                        run(
                            kind,
                            postgres.url(),
                            tmp,
                            args.seconds,
                            args.clients,
                            args.reads_per_write,
                            args.workers,
                        )
                    )
                finally:
                    postgres.stop()
            print(json.dumps(results[-1], indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# forlop serve under load",
        "",
        (
            f"{args.clients} concurrent clients for {args.seconds:.0f} s on loopback (`benchmarks/server_load.py`); "
            f"each logs in, then writes a value and reads its team's chart page {args.reads_per_write} time(s) in a "
            f"loop. Server: gunicorn, {args.workers or default_workers()} worker processes of 8 threads."
        ),
        "",
        (
            "| database | requests/s | login p50/p95 ms | write p50/p95 ms | chart p50/p95 ms | acknowledged writes "
            "| audit entries | DB = acknowledged | failures |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lat = r["latency_ms"]
        lines.append(
            f"| {r['database']} | {r['requests_per_second']} | {lat['login']['p50']}/{lat['login']['p95']} "
            f"| {lat['write']['p50']}/{lat['write']['p95']} | {lat['chart']['p50']}/{lat['chart']['p95']} "
            f"| {r['acknowledged_writes']} | {r['audit_entries']} | {'yes' if r['consistent'] else 'NO'} "
            f"| {sum(r['failures'].values())} |"
        )
    lines += [
        "",
        f"Load average at the end: {results[-1]['load_average'] if results else '-'} (2 cores, shared).",
        "",
        NOTE,
    ]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not all(r["consistent"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
