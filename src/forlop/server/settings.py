"""Django settings built in code from a database URL (no settings module on disk, no environment file).

``configure(db_url)`` is called once per process before Django is used (``forlop serve``, the tests,
``qi dashboard --db``). Rules:
- ``sqlite:///path/to/file.sqlite3`` (the default: ``forlop_server.sqlite3`` in the working directory):
  one embedded file; every connection turns on WAL (readers do not block the writer, and a committed
  transaction survives a killed process), waits up to ``SQLITE_BUSY_SECONDS`` for the write lock, and
  starts write transactions with ``BEGIN IMMEDIATE`` (Django's ``transaction_mode``), so two writers
  queue instead of failing on a lock upgrade.
- ``postgresql://user:password@host:port/name``: Django's PostgreSQL backend through psycopg 3.
- The secret key (signs sessions and CSRF tokens): ``FORLOP_SECRET_KEY`` if set, else a random key
  kept in ``FORLOP_SECRET_FILE`` (default ``~/.config/forlop/server_secret``, created with mode 600).
- Charts: Django's ``charts`` cache, a folder of files (``cache_dir``) that the worker processes share.
- Sessions end ``SESSION_HOURS`` after login or when the browser closes; cookies are HttpOnly, SameSite=Lax.
- Behind HTTPS (``FORLOP_HTTPS=1``; :func:`https_settings`): the server sits behind a proxy that ends TLS
  and says so in ``X-Forwarded-Proto``; cookies are then Secure, plain HTTP is redirected, browsers are told
  to use HTTPS only (HSTS), and CSRF trusts ``https://`` + each of ``FORLOP_ALLOWED_HOSTS``.
- Lock-out: django-axes (maintained, Jazzband) locks a username after ``LOCKOUT_FAILURES`` failed logins
  for ``LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_DB = "sqlite:///forlop_server.sqlite3"
SQLITE_BUSY_SECONDS = 30
SESSION_HOURS = 8
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
CHART_CACHE_DAYS = 7
CHART_CACHE_ENTRIES = 5000  # a part is ~10 kB: ~50 MB at most; Django culls a third beyond it


class DatabaseUrlError(ValueError):
    """A --db value that is not a sqlite:/// or postgresql:// URL."""


def database(url: str) -> dict:
    """Django's DATABASES['default'] for ``url`` (rules in the module docstring)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif path.startswith("/"):
            path = path[1:]
        if not path:
            raise DatabaseUrlError(url)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(path).resolve()),
            "OPTIONS": {
                "timeout": SQLITE_BUSY_SECONDS,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise DatabaseUrlError(url)


def secret_key() -> str:
    """The key that signs sessions and CSRF tokens (see the module docstring)."""
    if os.environ.get("FORLOP_SECRET_KEY"):
        return os.environ["FORLOP_SECRET_KEY"]
    path = Path(os.environ.get("FORLOP_SECRET_FILE", Path.home() / ".config" / "forlop" / "server_secret"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def cache_dir(db_url: str) -> Path:
    """The folder of the chart cache (``views._section``): ``FORLOP_CACHE_DIR`` if set, else
    ``~/.cache/forlop/charts/<digest of the database URL>``, created private (mode 700): its files are pickles,
    which only this user may write. A file cache, not memory, so the worker processes share it."""
    if os.environ.get("FORLOP_CACHE_DIR"):
        path = Path(os.environ["FORLOP_CACHE_DIR"])
    else:
        digest = hashlib.sha256(db_url.encode()).hexdigest()[:16]
        path = Path.home() / ".cache" / "forlop" / "charts" / digest
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


#: How long browsers keep to HTTPS for the site once told (HSTS), when ``FORLOP_HTTPS`` is set.
HSTS_DAYS = 365


def https_settings() -> dict:
    """Django's settings for a server reached over HTTPS through a proxy (``FORLOP_HTTPS=1``), else none.

    Django's own switches, as its deployment checklist gives them: Secure session and CSRF cookies,
    ``SECURE_PROXY_SSL_HEADER`` (the proxy must set ``X-Forwarded-Proto`` and strip it from clients),
    ``SECURE_SSL_REDIRECT``, HSTS for ``HSTS_DAYS``, and ``CSRF_TRUSTED_ORIGINS`` for the public host names.
    Without it (loopback, ``forlop serve demo``) the cookies must work over plain HTTP, so none is set.
    """
    if os.environ.get("FORLOP_HTTPS", "").lower() not in ("1", "true", "yes"):
        return {}
    hosts = os.environ.get("FORLOP_ALLOWED_HOSTS", "").split()
    return {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": HSTS_DAYS * 86400,
        "CSRF_TRUSTED_ORIGINS": [f"https://{host}" for host in hosts],
    }


def settings_for(db_url: str, debug: bool = False) -> dict:
    """All Django settings for a server on ``db_url``."""
    return {
        "DEBUG": debug,
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]", *os.environ.get("FORLOP_ALLOWED_HOSTS", "").split()],
        "DATABASES": {"default": database(db_url)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "CACHES": {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "charts": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(cache_dir(db_url)),
                "TIMEOUT": CHART_CACHE_DAYS * 86400,
                "OPTIONS": {"MAX_ENTRIES": CHART_CACHE_ENTRIES},
            },
        },
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.admin",
            "axes",
            "forlop.server",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "forlop.server.views.LanguageMiddleware",
            "axes.middleware.AxesMiddleware",  # last, as django-axes asks
        ],
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before the password check
            "django.contrib.auth.backends.ModelBackend",
        ],
        "AXES_FAILURE_LIMIT": LOCKOUT_FAILURES,
        "AXES_COOLOFF_TIME": dt.timedelta(minutes=LOCKOUT_MINUTES),
        "AXES_LOCKOUT_PARAMETERS": ["username"],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_VERBOSE": False,
        "AXES_LOCKOUT_CALLABLE": "forlop.server.views.locked_out",
        "CSRF_FAILURE_VIEW": "forlop.server.views.csrf_failure",
        "ROOT_URLCONF": "forlop.server.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "LOGIN_URL": "/login/",
        "LOGIN_REDIRECT_URL": "/",
        "LOGOUT_REDIRECT_URL": "/login/",
        "SESSION_COOKIE_AGE": SESSION_HOURS * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "USE_TZ": True,
        "TIME_ZONE": "Europe/Oslo",
        # forlop's own texts come from messages.yaml (nb, da, en); Django's own (the password form's labels and
        # checks) from Django's catalogues, in the language LanguageMiddleware activates for each request
        "USE_I18N": True,
        "LANGUAGE_CODE": "en",
        "LANGUAGES": [("nb", "Norsk bokmål"), ("da", "Dansk"), ("en", "English")],
        "STATIC_URL": "/static/",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
        "LOGGING_CONFIG": None,
        **https_settings(),
    }


_configured: str | None = None


def configure(db_url: str | None = None, debug: bool = False) -> str:
    """Configure Django for ``db_url`` (default ``DEFAULT_DB``) and set it up; returns the URL.
    A second call with the same URL does nothing; another URL in the same process is an error."""
    global _configured
    import django
    from django.conf import settings

    db_url = db_url or DEFAULT_DB
    database(db_url)  # DatabaseUrlError before anything is set
    if _configured is not None:
        if _configured != db_url:
            raise RuntimeError(f"Django is already configured for {_configured}")
        return db_url
    settings.configure(**settings_for(db_url, debug))
    django.setup()
    _configured = db_url
    return db_url
