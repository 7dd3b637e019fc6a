"""The routes that take a team id, with their methods: what the isolation test requests with every other team's id.
Plain data (no Django import), so the tests can read it without configuring Django; ``urls.py`` must have exactly
these team routes (checked by tests/server/test_http.py)."""

from __future__ import annotations

TEAM_ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "team": ("/teams/{id}/", ("GET",)),
    "entry": ("/teams/{id}/entry/", ("GET", "POST")),
    "events": ("/teams/{id}/events/", ("GET", "POST")),
    "upload": ("/teams/{id}/upload/", ("GET", "POST")),
    "pdsa": ("/teams/{id}/pdsa/", ("GET", "POST")),
    "history": ("/teams/{id}/history/", ("GET",)),
    "export_csv": ("/teams/{id}/export.csv", ("GET",)),
    "export_xlsx": ("/teams/{id}/export.xlsx", ("GET",)),
    "team_json": ("/teams/{id}/data.json", ("GET",)),
}
#: Routes for administrators and coordinators only (404 for the other roles).
COORDINATOR_ROUTES = ("/overview/", "/audit/", "/export/collaborative.parquet")
#: Routes for administrators only (404 for every other role).
ADMIN_ROUTES = ("/indicators/",)
