"""Fixtures of the web application's tests: a real server process (``forlop serve demo``) on 127.0.0.1 at a free
port, over SQLite and over a throwaway PostgreSQL server started from Debian's package.

PostgreSQL: ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` (``apt-get install postgresql``, done by
``make system-deps``) into a temporary folder, trust authentication, listening on 127.0.0.1 at a free port only;
as root they run as the ``postgres`` user the package creates (initdb refuses root). The PostgreSQL tests are
skipped, with that reason, only when the binaries are absent.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BINARIES = "/usr/lib/postgresql/*/bin"
LOGIN_LINE = re.compile(r"^\s+\S+: \S+ (\S+), \S+ (\S+)\s*$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin() -> Path | None:
    """The newest PostgreSQL bin folder of Debian's package, or None."""
    found = sorted(
        glob.glob(PG_BINARIES), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0
    )
    found = [p for p in found if (Path(p) / "initdb").exists() and (Path(p) / "pg_ctl").exists()]
    return Path(found[-1]) if found else None


def server_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["FORLOP_SECRET_FILE"] = str(tmp / "secret")
    env["FORLOP_CACHE_DIR"] = str(tmp / "charts")
    env["FORLOP_LANG"] = "en"
    return env


def forlop(*args: str) -> list[str]:
    return [sys.executable, "-m", "forlop.cli", *args]


def qi_dashboard(db: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """``forlop qi dashboard --db DB --lang en`` in a process of its own, writing ``tmp``/qi.html."""
    return subprocess.run(
        forlop("qi", "dashboard", "--db", db, "--out", str(tmp / "qi.html"), "--lang", "en"),
        env=server_env(tmp),
        capture_output=True,
        text=True,
    )


@dataclass
class PostgresServer:
    folder: Path
    port: int
    prefix: list[str]
    bin: Path
    databases: int = 0

    def url(self) -> str:
        """A new empty database on this server."""
        self.databases += 1
        name = f"forlop_{self.databases}"
        subprocess.run(
            [*self.prefix, str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
            capture_output=True,
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        if self.prefix:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(folder: Path) -> PostgresServer | None:
    """A throwaway PostgreSQL server in ``folder`` (module docstring); None without Debian's binaries."""
    binaries = pg_bin()
    if binaries is None:
        return None
    prefix: list[str] = []
    if os.geteuid() == 0:  # pytest's folders are private to root: the postgres user gets a folder of its own
        prefix = ["runuser", "-u", "postgres", "--"]
        folder = Path(tempfile.mkdtemp(prefix="forlop-pg-"))
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = free_port()
    subprocess.run(
        [
            *prefix,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} -c max_connections=200"
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    return PostgresServer(folder, port, prefix, binaries)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session (module docstring)."""
    running = start_postgres(tmp_path_factory.mktemp("postgres"))
    if running is None:
        pytest.skip(f"PostgreSQL binaries not found under {PG_BINARIES} (apt-get install postgresql; make system-deps)")
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Server:
    """A running ``forlop serve`` process."""

    db: str
    port: int
    process: subprocess.Popen
    logins: dict[str, str] = field(default_factory=dict)
    tmp: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=30)


def wait_listening(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start listening")


def start_demo(db: str, tmp: Path, env: dict[str, str] | None = None) -> Server:
    """``forlop serve demo`` on a free port (``env``: more environment); the logins read from what it prints."""
    port = free_port()
    log = (tmp / f"server_{port}.log").open("w")
    process = subprocess.Popen(
        forlop("serve", "demo", "--db", db, "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**server_env(tmp), **(env or {})},
        cwd=tmp,
    )
    server = Server(db, port, process, tmp=tmp)
    assert process.stdout is not None
    for line in process.stdout:
        found = LOGIN_LINE.match(line)
        if found:
            server.logins[found.group(1)] = found.group(2)
        if "http://127.0.0.1" in line:
            break
    wait_listening(port, process)
    return server


def start_server(db: str, tmp: Path, port: int | None = None, workers: int | None = None) -> Server:
    """``forlop serve`` (no demo load) on ``port`` or a free one, with ``workers`` processes or the default."""
    port = port or free_port()
    log = (tmp / f"server_{port}_{time.time():.0f}.log").open("w")
    extra = ["--workers", str(workers)] if workers else []
    process = subprocess.Popen(
        forlop("serve", "--db", db, "--port", str(port), *extra), stdout=log, stderr=log, env=server_env(tmp), cwd=tmp
    )
    wait_listening(port, process)
    return Server(db, port, process, tmp=tmp)


def new_db(kind: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'forlop.sqlite3'}"
    postgres_server: PostgresServer = request.getfixturevalue("postgres")
    return postgres_server.url()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo collaborative served over SQLite and PostgreSQL (one server per test module and database)."""
    tmp = tmp_path_factory.mktemp(f"server_{request.param}")
    running = start_demo(new_db(request.param, tmp, request), tmp)
    try:
        yield running
    finally:
        running.stop()


def query(db: str, sql: str) -> list[tuple]:
    """Rows of ``sql`` on the database at ``db`` (the test's own connection, not the server's)."""
    if db.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(db) as connection:
        return connection.execute(sql).fetchall()
