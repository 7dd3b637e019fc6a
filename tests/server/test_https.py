"""``FORLOP_HTTPS=1`` against the real server process behind a (simulated) TLS-ending proxy: plain HTTP is
redirected to HTTPS, and over HTTPS the CSRF and session cookies are Secure and HSTS is sent."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.server.conftest import Server, start_demo

PROXY = {"X-Forwarded-Proto": "https"}  # what the proxy in front of the server adds


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("server_https")
    running = start_demo(f"sqlite:///{tmp / 'forlop.sqlite3'}", tmp, env={"FORLOP_HTTPS": "1"})
    try:
        yield running
    finally:
        running.stop()


def request(server: Server, method: str, path: str, headers: dict, body: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request(method, path, body=body, headers=headers)
    return connection.getresponse()


def test_plain_http_is_redirected_to_https(secure_server: Server) -> None:
    answer = request(secure_server, "GET", "/login/", {})
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://127.0.0.1:{secure_server.port}/login/"


def test_cookies_are_secure_and_hsts_is_sent_over_https(secure_server: Server) -> None:
    page = request(secure_server, "GET", "/login/", PROXY)
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    csrf_cookie = next(c for c in page.headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken="))
    assert "; Secure" in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    cookie = csrf_cookie.split(";")[0]
    username = "admin" if "admin" in secure_server.logins else next(iter(secure_server.logins))
    form = urlencode({"username": username, "password": secure_server.logins[username], "csrfmiddlewaretoken": token})
    headers = {
        **PROXY,
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://127.0.0.1:{secure_server.port}/login/",
        "Host": f"127.0.0.1:{secure_server.port}",
    }
    answer = request(secure_server, "POST", "/login/", headers, form)
    assert answer.status == 302, answer.read()[:300]
    session = next(c for c in answer.headers.get_all("Set-Cookie") or [] if c.startswith("sessionid="))
    assert "; Secure" in session and "; HttpOnly" in session
