"""The database URL of ``forlop serve --db`` and the settings built from it (no Django set-up needed)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

import forlop.server
from forlop.server.settings import DatabaseUrlError, database, settings_for


def test_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database("sqlite:///forlop.sqlite3")["NAME"] == str(tmp_path / "forlop.sqlite3")
    absolute = database("sqlite:////srv/data/forlop.sqlite3")
    assert absolute["NAME"] == "/srv/data/forlop.sqlite3"
    assert absolute["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in absolute["OPTIONS"]["init_command"]


def test_postgresql_url() -> None:
    settings = database("postgresql://forlop:s%40cret@db.example:5433/collab")
    assert {k: settings[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")} == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "collab",
        "USER": "forlop",
        "PASSWORD": "s@cret",
        "HOST": "db.example",
        "PORT": "5433",
    }


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "forlop.sqlite3", ""])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(DatabaseUrlError):
        database(url)


def test_sessions_and_lock_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOP_SECRET_KEY", "x" * 50)
    settings = settings_for("sqlite:///x.sqlite3")
    assert settings["SESSION_COOKIE_AGE"] == 8 * 3600
    assert settings["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert settings["AXES_FAILURE_LIMIT"] == 5
    assert settings["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings["MIDDLEWARE"]
    assert settings["DEBUG"] is False


def test_every_text_of_the_pages_exists_in_nb_da_and_en() -> None:
    messages = yaml.safe_load(resources.files("forlop").joinpath("messages.yaml").read_text(encoding="utf-8"))
    folder = Path(forlop.server.__file__).parent / "templates" / "server"
    keys = set()
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        keys |= set(re.findall(r'{% t "([\w.]+)"(?:\s|%)', text))
        for prefix in re.findall(r'{% t "([\w.]+\.)"\|add:', text):
            keys |= {k for k in messages if k.startswith(prefix)}
    keys |= {"server.error.404", "server.error.403", "server.error.csrf"}
    assert len(keys) > 60
    assert sorted(k for k in keys if not {"nb", "da", "en"} <= set(messages.get(k, {}))) == []
    assert {"server.role.admin", "server.role.viewer", "server.track.youth"} <= keys


def test_https_settings_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORLOP_SECRET_KEY", "x" * 50)
    monkeypatch.delenv("FORLOP_HTTPS", raising=False)
    plain = settings_for("sqlite:///x.sqlite3")
    assert "SESSION_COOKIE_SECURE" not in plain and "SECURE_SSL_REDIRECT" not in plain  # loopback demo: plain HTTP
    monkeypatch.setenv("FORLOP_HTTPS", "1")
    monkeypatch.setenv("FORLOP_ALLOWED_HOSTS", "forlop.example.no collab.example.no")
    secure = settings_for("sqlite:///x.sqlite3")
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert secure["SECURE_SSL_REDIRECT"] is True and secure["SECURE_HSTS_SECONDS"] == 365 * 86400
    assert secure["CSRF_TRUSTED_ORIGINS"] == ["https://forlop.example.no", "https://collab.example.no"]
    assert "forlop.example.no" in secure["ALLOWED_HOSTS"]
