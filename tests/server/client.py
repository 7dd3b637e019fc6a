"""A small HTTP client for the server tests and the load benchmark: cookies, Django's CSRF token, no redirects
followed unless asked (the standard library only, so the benchmark needs nothing more)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


class Client:
    """One browser-like session against ``base`` (http://127.0.0.1:PORT)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(
        self, method: str, path: str, data: dict | None = None, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def token(self, path: str) -> str:
        """The CSRF token of the form on ``path`` (or the login page)."""
        page = self.get(path)
        found = TOKEN.search(page.text)
        if found is None:
            found = TOKEN.search(self.get("/login/").text)
        assert found is not None, f"no CSRF token on {path} ({page.status})"
        return found.group(1)

    def post(self, path: str, data: dict, token_from: str | None = None) -> Response:
        """POST ``data`` with the CSRF token of the page ``token_from`` (default: the same path)."""
        token = self.token(token_from or path)
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token})

    def cookie_token(self) -> str:
        """The CSRF cookie's secret, which Django also accepts as the form's token (one request instead of two)."""
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post_quick(self, path: str, data: dict) -> Response:
        """POST ``data`` with the CSRF cookie's secret as token (no page fetched first)."""
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": self.cookie_token()})

    def login(self, username: str, password: str) -> Response:
        return self.post("/login/", {"username": username, "password": password})
