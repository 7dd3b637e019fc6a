"""What the web application does to the database, apart from the web: checks, writes with their audit entries,
roll-up of events, template upload, and the data frames the charts and exports are made from.

Rules:
- A value is checked as ``qi import`` checks a template row (``forlop.qi.check_entry``: month, whole numbers
  >= 0, numerator <= denominator, denominator present for a share) and must lie in the team's project months
  (``Team.first_month`` .. ``Team.last_month``); the indicator must be one of the team's track.
- Every write runs in one transaction with its ``AuditEntry`` (who, when, what, old, new): the data and the
  log cannot disagree, and a write the server acknowledged (HTTP response sent after commit) is in both.
- A correction (a value for a team, indicator and month that has one) replaces it; the old value stays in the
  audit log, which is the value's history (``value_history``). Writing the same value again writes nothing.
- Events roll up into the month's counts by ``events.yaml``; a template upload runs the importer's checks
  (``forlop.qi.read_template``, ``reject_duplicates``) and saves the rows that pass, for the template's team
  only (a template naming another team is refused).
- The indicator set (``TrackIndicator``): per track, the catalogue indicators the collaborative uses, in its
  order. Entry (form and template upload), the team page's charts, the exports and ``qi dashboard --db`` follow
  it (``indicator_set``); a disabled indicator is not offered and not charted, but its stored values are never
  deleted and reappear when it is enabled again. Events still roll up into every indicator of the track, so a
  re-enabled R1/R2/F1/F2 is complete. Only administrators change the set (``change_indicator_set``), audited as
  ``indicators <track> <id>`` with old and new (enabled, position).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction

from forlop.choices import TRACKS
from forlop.datafile import package_yaml
from forlop.i18n import t
from forlop.qi import Indicator, Rejection, check_entry, for_track, read_template, reject_duplicates
from forlop.server.models import AuditEntry, Event, Membership, Pdsa, Profile, Team, TrackIndicator, Value

COORDINATING = ("admin", "coordinator")


@cache
def event_kinds() -> dict[str, dict[str, str]]:
    """The kinds of ``events.yaml``: kind -> names and the indicators it makes."""
    return package_yaml("forlop.server", "events.yaml")["kinds"]


def role(user: Any) -> str:
    """The user's role (``models.ROLES``); a superuser without a profile is an administrator."""
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        return profile.role
    return "admin" if user.is_superuser else "viewer"


def visible_teams(user: Any):
    """The teams ``user`` may read: every team for administrators and coordinators, else their memberships."""
    if role(user) in COORDINATING:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)


def can_write(user: Any, team: Team) -> bool:
    """Members write the teams they belong to; administrators write every team; coordinators and viewers read."""
    user_role = role(user)
    if user_role == "admin":
        return True
    return user_role == "member" and Membership.objects.filter(user=user, team=team).exists()


def ensure_indicator_set() -> int:
    """Add every catalogue indicator missing from the set of its tracks, enabled, after the ones there (the seed
    of a new database, and of an indicator added to the catalogue later); returns the number added."""
    added = 0
    with transaction.atomic():
        for track in TRACKS:
            rows = TrackIndicator.objects.filter(track=track)
            present = set(rows.values_list("indicator", flat=True))
            position = max(rows.values_list("position", flat=True), default=0)
            for item in for_track(track):
                if item.id not in present:
                    position += 1
                    TrackIndicator.objects.create(track=track, indicator=item.id, enabled=True, position=position)
                    added += 1
    return added


def indicator_rows(track: str) -> list[tuple[Indicator, bool, int]]:
    """Every catalogue indicator of ``track`` with (enabled, position) from the set, in the set's order;
    an indicator without a row (not yet seeded) counts as enabled, after the others, in catalogue order."""
    stored = {r.indicator: r for r in TrackIndicator.objects.filter(track=track)}
    rows = []
    for number, item in enumerate(for_track(track)):
        row = stored.get(item.id)
        rows.append((item, row.enabled if row else True, row.position if row else 10_000 + number))
    return sorted(rows, key=lambda r: (r[2], r[0].id))


def indicator_set(track: str) -> list[Indicator]:
    """The indicators of ``track`` the collaborative uses, in its order (module docstring)."""
    return [item for item, enabled, _ in indicator_rows(track) if enabled]


def change_indicator_set(user: Any, track: str, wanted: dict[str, tuple[bool, int]]) -> int:
    """Set (enabled, position) of the track's indicators in ``wanted`` (id -> (enabled, position)); one audit
    entry per indicator changed, in one transaction; ids outside the track's catalogue are ignored. Returns the
    number changed. The caller checks that ``user`` is an administrator."""
    in_track = {item.id for item in for_track(track)}
    changed = 0
    with transaction.atomic():
        for indicator_id, (enabled, position) in wanted.items():
            if indicator_id not in in_track:
                continue
            row = TrackIndicator.objects.select_for_update().filter(track=track, indicator=indicator_id).first()
            old = None if row is None else {"enabled": row.enabled, "position": row.position}
            new = {"enabled": bool(enabled), "position": int(position)}
            if old == new:
                continue
            if row is None:
                row = TrackIndicator(track=track, indicator=indicator_id)
            row.enabled, row.position = new["enabled"], new["position"]
            row.save()
            _audit(user, None, f"indicators {track} {indicator_id}", old, new)
            changed += 1
    return changed


def month_start(value: dt.date | pd.Timestamp) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _value_json(value: Value | None) -> dict | None:
    if value is None:
        return None
    return {"numerator": value.numerator, "denominator": value.denominator, "note": value.note}


def _audit(user: Any, team: Team | None, what: str, old: Any, new: Any) -> None:
    AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=getattr(user, "username", "") or "system",
        team=team,
        what=what,
        old=old,
        new=new,
    )


def value_key(indicator_id: str, month: dt.date) -> str:
    """The ``AuditEntry.what`` of a value: ``value R1 2022-03``."""
    return f"value {indicator_id} {month:%Y-%m}"


def _upsert(
    user: Any,
    team: Team,
    indicator_id: str,
    month: dt.date,
    numerator: int,
    denominator: int | None,
    note: str,
    source: str,
) -> bool:
    """Write one checked value and its audit entry (inside the caller's transaction); False if nothing changed."""
    existing = Value.objects.select_for_update().filter(team=team, indicator=indicator_id, month=month).first()
    new = {"numerator": numerator, "denominator": denominator, "note": note}
    old = _value_json(existing)
    if old == new:
        return False
    if existing is None:
        Value.objects.create(
            team=team,
            indicator=indicator_id,
            month=month,
            numerator=numerator,
            denominator=denominator,
            note=note,
            source=source,
            updated_by=user if user is not None and user.pk else None,
        )
    else:
        existing.numerator, existing.denominator, existing.note, existing.source = numerator, denominator, note, source
        existing.updated_by = user if user is not None and user.pk else None
        existing.save()
    _audit(user, team, value_key(indicator_id, month), old, new)
    return True


def check_value(
    team: Team, item: Indicator, month_value: object, numerator: object, denominator: object, lang: str | None
) -> tuple[dt.date, int, int | None] | Rejection:
    """``forlop.qi.check_entry`` plus the team's project months (module docstring)."""
    checked = check_entry(item, month_value, numerator, denominator, lang)
    if isinstance(checked, Rejection):
        return checked
    month = month_start(checked.month)
    if not team.first_month <= month <= team.last_month:
        return Rejection(
            "month",
            t(
                "server.month_outside",
                lang,
                month=f"{month:%Y-%m}",
                first=f"{team.first_month:%Y-%m}",
                last=f"{team.last_month:%Y-%m}",
            ),
        )
    return month, checked.numerator, checked.denominator


@dataclass
class MonthResult:
    """What ``save_month`` did: errors per indicator (field -> reason) and the number of values written."""

    errors: dict[str, Rejection] = field(default_factory=dict)
    written: int = 0


def save_month(
    user: Any, team: Team, month_text: str, entries: dict[str, tuple[str, str, str]], lang: str | None
) -> MonthResult:
    """Save one month of a team: ``entries`` maps indicator id -> (numerator, denominator, note) as typed.
    An indicator with nothing typed is left as it is. Nothing is saved if any entry is refused."""
    result = MonthResult()
    checked: list[tuple[str, dt.date, int, int | None, str]] = []
    items = {item.id: item for item in indicator_set(team.track)}
    for indicator_id, (numerator, denominator, note) in entries.items():
        item = items.get(indicator_id)
        if item is None:  # not in the collaborative's set: not offered, not saved
            continue
        if not str(numerator).strip() and not str(denominator).strip():
            continue
        outcome = check_value(team, item, month_text, numerator, denominator, lang)
        if isinstance(outcome, Rejection):
            result.errors[indicator_id] = outcome
        else:
            checked.append((indicator_id, *outcome, str(note or "").strip()[:500]))
    if result.errors:
        return result
    with transaction.atomic():
        for indicator_id, month, numerator_int, denominator_int, note_text in checked:
            result.written += _upsert(
                user, team, indicator_id, month, numerator_int, denominator_int, note_text, "form"
            )
    return result


def _roll_up(user: Any, team: Team, kind: str, month: dt.date) -> None:
    """Recount the month's indicators made by events of ``kind`` (events.yaml) from the events."""
    spec = event_kinds()[kind]
    end = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    events = Event.objects.filter(team=team, kind=kind, date__gte=month, date__lt=end)
    in_track = {item.id for item in for_track(team.track)}
    counts = {spec["events"]: events.count(), spec["persons"]: events.values("patient").distinct().count()}
    for indicator_id, count in counts.items():
        if indicator_id in in_track:
            _upsert(user, team, indicator_id, month, count, None, "", "events")


def log_event(user: Any, team: Team, date: dt.date, kind: str, patient: str) -> Event:
    """Record one event and recount its month (one transaction, audited)."""
    with transaction.atomic():
        event = Event.objects.create(team=team, date=date, kind=kind, patient=patient, created_by=user)
        _audit(user, team, f"event {event.pk}", None, {"date": date.isoformat(), "kind": kind, "patient": patient})
        _roll_up(user, team, kind, month_start(date))
    return event


def add_pdsa(user: Any, team: Team, title: str, start: dt.date, end: dt.date | None, change: str, learned: str) -> Pdsa:
    """Record one PDSA cycle (audited)."""
    with transaction.atomic():
        pdsa = Pdsa.objects.create(
            team=team, title=title, start=start, end=end, change=change, learned=learned, created_by=user
        )
        _audit(
            user,
            team,
            f"pdsa {pdsa.pk}",
            None,
            {
                "title": title,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "change": change,
                "learned": learned,
            },
        )
    return pdsa


@dataclass
class UploadResult:
    """What ``upload_template`` did: values written, rows refused (sheet, row, month, reason), or a fatal error."""

    written: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    error: str | None = None


def upload_template(user: Any, team: Team, path: Path, lang: str | None) -> UploadResult:
    """Import a filled template for ``team`` (module docstring)."""
    from forlop.errors import InputError

    result = UploadResult()
    try:
        imported = read_template(path, lang)
    except InputError as error:
        result.error = error.message  # without the server's temporary file name
        return result
    template_team = str(imported.teams["team"].iloc[0])
    if template_team != team.name or str(imported.teams["track"].iloc[0]) != team.track:
        result.error = t("server.upload.other_team", lang, team=template_team)
        return result
    data, duplicates = reject_duplicates(imported.data, lang)
    refused = pd.concat([imported.rejected, duplicates], ignore_index=True)
    result.rejected = [
        {
            "sheet": r["sheet"],
            "row": None if pd.isna(r["row"]) else int(r["row"]),
            "month": r["month"],
            "reason": r["reason"],
        }
        for _, r in refused.iterrows()
    ]
    good = []
    used = {item.id for item in indicator_set(team.track)}
    for _, row in data.iterrows():
        month = month_start(row["month"])
        if row["indicator"] not in used:
            result.rejected.append(
                {
                    "sheet": row["indicator"],
                    "row": int(row["row"]),
                    "month": f"{month:%Y-%m}",
                    "reason": t("server.indicators.not_used", lang, indicator=row["indicator"]),
                }
            )
            continue
        if not team.first_month <= month <= team.last_month:
            result.rejected.append(
                {
                    "sheet": row["indicator"],
                    "row": int(row["row"]),
                    "month": f"{month:%Y-%m}",
                    "reason": t(
                        "server.month_outside",
                        lang,
                        month=f"{month:%Y-%m}",
                        first=f"{team.first_month:%Y-%m}",
                        last=f"{team.last_month:%Y-%m}",
                    ),
                }
            )
            continue
        denominator = None if pd.isna(row["denominator"]) else int(row["denominator"])
        note = "" if row["note"] is None or pd.isna(row["note"]) else str(row["note"])[:500]
        good.append((row["indicator"], month, int(row["numerator"]), denominator, note))
    with transaction.atomic():
        for indicator_id, month, numerator, denominator, note in good:
            if _upsert(user, team, indicator_id, month, numerator, denominator, note, "upload"):
                result.written += 1
            else:
                result.unchanged += 1
    return result


def value_history(team: Team) -> list[AuditEntry]:
    """The audit entries of the team, newest first (corrections show old and new value)."""
    return list(AuditEntry.objects.filter(team=team).order_by("-at", "-id")[:500])


def team_values(team: Team) -> pd.DataFrame:
    """The team's values of the indicators in the set: indicator, month (Timestamp), numerator, denominator
    (Int64), note."""
    used = [item.id for item in indicator_set(team.track)]
    rows = list(
        Value.objects.filter(team=team, indicator__in=used).values(
            "indicator", "month", "numerator", "denominator", "note"
        )
    )
    frame = pd.DataFrame(rows, columns=["indicator", "month", "numerator", "denominator", "note"])
    frame["month"] = pd.to_datetime(frame["month"])
    frame["denominator"] = pd.to_numeric(frame["denominator"]).astype("Int64")
    frame["note"] = frame["note"].replace("", None)
    return frame


ChartRow = tuple[dt.date, int, int | None, str | None]


def chart_rows(team: Team) -> dict[str, list[ChartRow]]:
    """The team's values per indicator, by month: (month, numerator, denominator, note), with its PDSA cycles as
    notes: "PDSA: <title>" on the month a cycle starts (after any note typed for that month, "; " between), so the
    charts show them on the points. Only the indicators of the set (``indicator_set``). Plain tuples: the team page
    digests them for its chart cache on every read."""
    notes: dict[dt.date, list[str]] = {}
    for title, start in Pdsa.objects.filter(team=team).values_list("title", "start"):
        notes.setdefault(month_start(start), []).append(f"PDSA: {title}")
    rows: dict[str, list[ChartRow]] = {}
    used = [item.id for item in indicator_set(team.track)]
    values = Value.objects.filter(team=team, indicator__in=used).order_by("indicator", "month")
    for indicator_id, month, numerator, denominator, note in values.values_list(
        "indicator", "month", "numerator", "denominator", "note"
    ):
        text = "; ".join(x for x in (note, *notes.get(month, ())) if x) or None
        rows.setdefault(indicator_id, []).append((month, numerator, denominator, text))
    return rows


def series_frame(indicator_id: str, rows: list[ChartRow]) -> pd.DataFrame:
    """One indicator's ``chart_rows`` as a frame: indicator, month (Timestamp), numerator, denominator (Int64),
    note."""
    frame = pd.DataFrame(rows, columns=["month", "numerator", "denominator", "note"])
    frame.insert(0, "indicator", indicator_id)
    frame["month"] = pd.to_datetime(frame["month"])
    frame["denominator"] = pd.to_numeric(frame["denominator"]).astype("Int64")
    return frame


def chart_frame(team: Team) -> pd.DataFrame:
    """The team's ``chart_rows`` as one frame: team, indicator, month, numerator, denominator, note."""
    frames = [series_frame(indicator_id, rows) for indicator_id, rows in chart_rows(team).items()]
    if frames:
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = series_frame("", [])
    frame.insert(0, "team", team.name)
    return frame


def dataset(teams=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(data, teams) in the columns of ``qi import``'s ``qi_data.parquet`` and ``teams.parquet``, for
    ``forlop.qi.write_dashboard`` and the collaborative export."""
    teams = list(teams if teams is not None else Team.objects.all())
    frames = [chart_frame(team) for team in teams]
    data = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame(columns=["team", "indicator", "month", "numerator", "denominator", "note"])
    )
    team_frame = pd.DataFrame(
        {
            "team": [t_.name for t_ in teams],
            "track": [t_.track for t_ in teams],
            "start_month": [pd.Timestamp(t_.start_month) if t_.start_month else pd.NaT for t_ in teams],
        }
    )
    return data, team_frame


def create_user(username: str, password: str, user_role: str, teams: Sequence[Team] = (), lang: str = "nb") -> User:
    """A user with ``user_role``; administrators get Django's admin site (staff, superuser)."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.is_staff = user.is_superuser = user_role == "admin"
    user.set_password(password)
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": user_role, "lang": lang})
    for team in teams:
        Membership.objects.get_or_create(user=user, team=team)
    return user
