"""``forlop serve``: start the web application, create its database, or start a demo.

- ``forlop serve [--db URL] [--host 127.0.0.1] [--port 8000]``: apply pending migrations and serve.
- ``forlop serve init [--db URL]``: create the schema and the first administrator (one-time password printed once).
- ``forlop serve demo [--db URL] [--port N]``: the synthetic collaborative of ``qi synth`` with one demo user per
  role, the URL and the logins printed, then the server.

The HTTP server is gunicorn (maintained, pre-fork; Linux and other POSIX systems): ``--workers`` processes
(default: the cores this process may use) of ``--threads`` threads each (its ``gthread`` worker), all serving
Django's WSGI application, loaded once in the master before the fork. Several processes, because one Python
process runs Python code on one core at a time (the GIL): with waitress, the previous server, one process and
its threads shared one core, and a chart build held up every other request. Django's synchronous views and
ORM run as they are (an ASGI server such as uvicorn would hand every request to a thread pool anyway).

The processes share the database (SQLite: WAL, ``BEGIN IMMEDIATE`` and the busy timeout of ``settings`` work
across processes as across threads, since they are file locks; PostgreSQL: one connection per thread) and the
chart cache (a folder of files). Each worker dies with the master (Linux ``PR_SET_PDEATHSIG``): a killed server
is killed whole, and no orphaned worker goes on writing. Bad input (a --db that is not a database URL, a
database that cannot be opened) ends with one line and exit code 2.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from typing import Any

import typer

from forlop.errors import InputError
from forlop.i18n import t

DB_HELP = (
    "Database URL: sqlite:///file.sqlite3 (default: forlop_server.sqlite3 here) or postgresql://user:pw@host:port/db."
)
serve_app = typer.Typer(
    name="serve",
    help="The collaborative's web application: teams enter data and see their charts; coordinators see all teams.",
    add_completion=False,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
)
DB_OPTION = typer.Option(None, "--db", help=DB_HELP)
HOST_OPTION = typer.Option("127.0.0.1", "--host", help="Address to listen on (default loopback only).")
PORT_OPTION = typer.Option(8000, "--port", help="Port to listen on.")
THREADS_OPTION = typer.Option(8, "--threads", help="Threads of each worker process.")
WORKERS_OPTION = typer.Option(
    None, "--workers", min=1, help="Worker processes of the HTTP server (default: the cores this process may use)."
)
#: CPython's own thresholds of the garbage collector, for the long-running server and its forked workers.
PYTHON_GC_THRESHOLDS = (700, 10, 10)
WORKER_TIMEOUT_SECONDS = 120  # a worker silent this long is restarted by the master (gunicorn's heartbeat)
GRACEFUL_SECONDS = 10  # on SIGTERM, requests under way get this long to finish
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _setup(db: str | None) -> str:
    """Configure Django for ``db`` and bring the schema up to date (migrations); returns the URL."""
    from forlop.server.settings import DatabaseUrlError, configure

    try:
        url = configure(db)
    except DatabaseUrlError:
        raise InputError("--db", t("server.cli.bad_db"), example=str(db)) from None
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("migrate", interactive=False, verbosity=0)
        from forlop.server.services import ensure_indicator_set

        ensure_indicator_set()  # indicators added to the catalogue since the database was made
    except DatabaseError as error:
        raise InputError("--db", t("server.cli.no_db", error=str(error).splitlines()[0])) from None
    typer.echo(t("server.cli.schema", db=_safe(url)), err=True)
    return url


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _die_with_master(server: Any, worker: Any) -> None:
    """gunicorn's post_fork hook: the worker gets SIGKILL when the master ends (Linux), and ends at once if the
    master is already gone."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server.pid:
        os._exit(1)


def serve_forever(host: str, port: int, threads: int = 8, workers: int | None = None) -> None:
    """Serve the configured application with gunicorn (module docstring) until stopped."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()
    connections.close_all()  # the master's connection (migrations) is not handed to the forked workers
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": threads,
        "timeout": WORKER_TIMEOUT_SECONDS,
        "graceful_timeout": GRACEFUL_SECONDS,
        "post_fork": _die_with_master,
        "proc_name": "forlop",
        "errorlog": "-",
        "loglevel": "warning",
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    typer.echo(t("server.cli.listening", url=f"http://{host}:{port}/"))
    sys.stdout.flush()
    gc.set_threshold(*PYTHON_GC_THRESHOLDS)  # forlop.cli raised them for the start-up; the server runs for long
    Server().run()


@serve_app.callback()
def serve_root(
    ctx: typer.Context,
    db: str = DB_OPTION,
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
    threads: int = THREADS_OPTION,
    workers: int | None = WORKERS_OPTION,
) -> None:
    """Start the web application (migrations applied first). Subcommands: init, demo, run."""
    if ctx.invoked_subcommand is None:
        _setup(db)
        serve_forever(host, port, threads, workers)


@serve_app.command()
def run(
    db: str = DB_OPTION,
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
    threads: int = THREADS_OPTION,
    workers: int | None = WORKERS_OPTION,
) -> None:
    """Start the web application (the same as `forlop serve` without a subcommand)."""
    _setup(db)
    serve_forever(host, port, threads, workers)


@serve_app.command()
def init(db: str = DB_OPTION) -> None:
    """Create the schema and the first administrator; the one-time password is printed once."""
    _setup(db)
    from forlop.server.demo import create_first_admin

    username, password = create_first_admin()
    if password is None:
        typer.echo(t("server.cli.admin_exists", username=username))
        return
    typer.echo(t("server.cli.admin_created", username=username, password=password))


@serve_app.command()
def demo(
    db: str = DB_OPTION,
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
    threads: int = THREADS_OPTION,
    workers: int | None = WORKERS_OPTION,
    seed: int = typer.Option(2022, "--seed", help="Seed of the synthetic collaborative (`qi synth`)."),
    no_run: bool = typer.Option(False, "--no-run", help="Load the demo and print the logins, but do not serve."),
) -> None:
    """Load the synthetic collaborative with one demo user per role, print the URL and logins, and serve."""
    _setup(db)
    from forlop.server.demo import seed_demo

    summary = seed_demo(seed)
    typer.echo(t("server.cli.demo_seeded", teams=summary["teams"], values=summary["values"]))
    typer.echo(t("server.cli.logins"))
    for login in summary["logins"]:
        typer.echo(t("server.cli.login", **login))
    sys.stdout.flush()
    if not no_run:
        serve_forever(host, port, threads, workers)
