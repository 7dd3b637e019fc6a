"""The first administrator (``serve init``) and the demo collaborative (``serve demo``).

Demo: the teams and values of ``forlop qi synth`` (10 teams, 2018-01..2023-12); the project months run to
``DEMO_LAST_MONTH`` so the coming months can be entered. Users, one per role, with new random passwords at every
start: ``admin``, ``coordinator``, ``member`` (member of the first team), ``viewer`` (reads the first team) and
``member2`` (member of the second team, for trying the isolation). Values are loaded without an audit entry each;
one audit entry records the load.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from pathlib import Path

import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction

from forlop.qi import write_collaborative
from forlop.server.models import AuditEntry, Team, Value
from forlop.server.services import create_user

DEMO_FIRST_MONTH = dt.date(2018, 1, 1)
DEMO_LAST_MONTH = dt.date(2024, 12, 1)
ADMIN_USERNAME = "admin"


def _password() -> str:
    return secrets.token_urlsafe(12)


def create_first_admin() -> tuple[str, str | None]:
    """Create ``admin`` with a one-time password unless an administrator exists; (username, password or None)."""
    existing = User.objects.filter(is_superuser=True).first()
    if existing is not None:
        return existing.username, None
    password = _password()
    create_user(ADMIN_USERNAME, password, "admin")
    return ADMIN_USERNAME, password


def seed_demo(seed: int = 2022) -> dict:
    """Load the demo collaborative (once per database) and (re)set the demo users' passwords."""
    if not Team.objects.exists():
        with tempfile.TemporaryDirectory() as folder:
            write_collaborative(Path(folder), seed=seed)
            data = pd.read_parquet(Path(folder) / "qi_data.parquet")
            teams = pd.read_parquet(Path(folder) / "teams.parquet")
        with transaction.atomic():
            made = {}
            for _, row in teams.iterrows():
                start = pd.Timestamp(row["start_month"]) if row["start_month"] is not None else None
                made[row["team"]] = Team.objects.create(
                    name=row["team"],
                    track=row["track"],
                    start_month=None if start is None or pd.isna(start) else start.date(),
                    first_month=DEMO_FIRST_MONTH,
                    last_month=DEMO_LAST_MONTH,
                )
            Value.objects.bulk_create(
                [
                    Value(
                        team=made[r.team],
                        indicator=r.indicator,
                        month=pd.Timestamp(r.month).date(),
                        numerator=int(r.numerator),
                        denominator=None if pd.isna(r.denominator) else int(r.denominator),
                        note="" if r.note is None or pd.isna(r.note) else str(r.note),
                        source="seed",
                    )
                    for r in data.itertuples()
                ],
                batch_size=2000,
            )
            AuditEntry.objects.create(
                username="system", what="demo load", new={"teams": len(made), "values": len(data)}
            )
    teams = list(Team.objects.order_by("pk"))
    logins = []
    for username, user_role, member_of in (
        ("admin", "admin", []),
        ("coordinator", "coordinator", []),
        ("member", "member", teams[:1]),
        ("viewer", "viewer", teams[:1]),
        ("member2", "member", teams[1:2]),
    ):
        password = _password()
        create_user(username, password, user_role, member_of)
        logins.append({"role": user_role, "username": username, "password": password})
    return {"teams": len(teams), "values": Value.objects.count(), "logins": logins}
