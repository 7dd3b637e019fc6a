"""Pages of the web application. Authentication, sessions, CSRF and password hashing are Django's own
(``django.contrib.auth``, ``SessionMiddleware``, ``CsrfViewMiddleware``); lock-out is django-axes.

Isolation rule: every page, chart, export and JSON response of a team looks the team up among the teams the
user may read (``services.visible_teams``) and answers 404 when it is not there, the same answer as for a
team that does not exist, so a member of one team learns nothing of another team, not even that it exists.
The coordinators' pages (overview, audit log, collaborative export) answer 404 to other roles for the same
reason; the indicator set's page (``indicators``) answers 404 to every role but administrators. A viewer who
posts to a team they read gets 403 (the team's existence is no secret to them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forlop.choices import QI_LANGUAGES, TRACKS
from forlop.i18n import default_language, month_name, t
from forlop.qi import SYMBOLS, indicator_part, legend, load_catalogue, overview_cell
from forlop.server import services
from forlop.server.models import AuditEntry, Event, Pdsa, Profile, Team, Value


class LanguageMiddleware:
    """``request.lang``: the session's choice (the language menu), else the user's profile, else ``FORLOP_LANG``;
    also Django's active language for the request, so Django's own texts (the password form) follow it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request.session.get("lang")
        if lang not in QI_LANGUAGES and request.user.is_authenticated:
            profile = Profile.objects.filter(user=request.user).first()
            lang = profile.lang if profile else None
        request.lang = lang if lang in QI_LANGUAGES else default_language()
        translation.activate(request.lang)
        try:
            return self.get_response(request)
        finally:
            translation.deactivate()


def _lang(request: HttpRequest) -> str:
    return getattr(request, "lang", default_language())


def _team(request: HttpRequest, team_id: int) -> Team:
    """The team if the user may read it, else 404 (the isolation rule)."""
    team = services.visible_teams(request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404
    return team


def _writable_team(request: HttpRequest, team_id: int) -> Team:
    team = _team(request, team_id)
    if not services.can_write(request.user, team):
        raise PermissionDenied
    return team


def _coordinator(request: HttpRequest) -> None:
    if services.role(request.user) not in services.COORDINATING:
        raise Http404


def _base(request: HttpRequest, **context: Any) -> dict:
    user_role = services.role(request.user) if request.user.is_authenticated else ""
    return {
        "lang": _lang(request),
        "languages": QI_LANGUAGES,
        "role": user_role,
        "coordinating": user_role in services.COORDINATING,
        **context,
    }


class LoginView(auth_views.LoginView):
    """Django's login view with the application's page."""

    template_name = "server/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict:
        return _base(self.request, **super().get_context_data(**kwargs))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, Django's password validators are not configured: the
    length and strength rules are the administrator's); the session stays valid after the change."""

    template_name = "server/password.html"
    success_url = "/?password=1"

    def get_context_data(self, **kwargs: Any) -> dict:
        return _base(self.request, **super().get_context_data(**kwargs))


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a locked-out username (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "server/locked.html", _base(request), status=429)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("lang", "")
    if lang in QI_LANGUAGES:
        request.session["lang"] = lang
    target = request.POST.get("next", "/")
    return HttpResponseRedirect(target if target.startswith("/") and not target.startswith("//") else "/")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    teams = services.visible_teams(request.user)
    return render(request, "server/home.html", _base(request, teams=teams))


PART_FORMAT = 1  # raise when indicator_part's output changes: parts cached by an older version are not used


def _part_key(item_id: str, rows: list[services.ChartRow], start: pd.Timestamp | None, lang: str) -> str:
    """The cache key of one indicator's chart part: a digest of everything the part is made from (the
    indicator, its rows as charted, PDSA notes included, the team's start month, the language)."""
    return "part:" + hashlib.sha256(repr((PART_FORMAT, item_id, str(start), lang, rows)).encode()).hexdigest()


def _section(team: Team, lang: str) -> dict:
    """The team's charts and readings, assembled from one part per indicator (``forlop.qi.indicator_part``: its
    chart as ``qi dashboard`` draws it and its reading).

    A part is a function of the indicator's rows (with the team's PDSA cycles as notes, ``services.chart_rows``),
    the team's start month and the language, so it is cached under a digest of exactly these (``_part_key``):
    a write to one indicator (a value, or an event rolled up into R1/R2/F1/F2) changes that indicator's key
    only, and a PDSA cycle changes the keys of the indicators with a value in its start month, where the note
    is drawn; every other part is served from the cache, and no page can show a stale part. Building a part
    takes about 0.04 s of CPU (qic, reading, plotly JSON); the team's ~10 parts about 0.4 s.

    The cache is Django's ``charts`` cache (a folder of files, ``settings.cache_dir``), shared by the server's
    worker processes, so a part built by one worker is served by the others."""
    start = pd.Timestamp(team.start_month) if team.start_month else None
    rows = services.chart_rows(team)
    charts = caches["charts"]
    parts = []
    for item in services.indicator_set(team.track):
        series = rows.get(item.id)
        if not series:
            continue
        key = _part_key(item.id, series, start, lang)
        part = charts.get(key)
        if part is None:
            part = indicator_part(services.series_frame(item.id, series), item, start, lang)
            charts.set(key, part)
        parts.append(part)
    return {
        "track": team.track,
        "subtitle": t("qi.dashboard.start", lang, month=month_name(start, lang) if start is not None else "?"),
        "parts": parts,
        "readings": [part["reading"] for part in parts],
        "cells": {part["id"]: part["cell"] for part in parts},
    }


@login_required
def team_page(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    lang = _lang(request)
    section = _section(team, lang)
    pdsas = Pdsa.objects.filter(team=team)
    return render(
        request,
        "server/team.html",
        _base(
            request,
            team=team,
            section=section,
            pdsas=pdsas,
            writable=services.can_write(request.user, team),
            months=_month_choices(team),
            start=month_name(team.start_month, lang) if team.start_month else "?",
        ),
    )


def _month_choices(team: Team) -> list[str]:
    months = pd.period_range(team.first_month, team.last_month, freq="M")
    return [m.strftime("%Y-%m") for m in months][::-1]


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, team_id: int) -> HttpResponse:
    """One month of every indicator of the team's track in the collaborative's set; errors beside the field."""
    team = _team(request, team_id)
    lang = _lang(request)
    items = services.indicator_set(team.track)
    month_text = (request.POST if request.method == "POST" else request.GET).get("month", "")
    if not month_text:
        month_text = f"{min(dt.date.today(), team.last_month):%Y-%m}"
    errors: dict = {}
    if request.method == "POST":
        if not services.can_write(request.user, team):
            raise PermissionDenied
        entries = {
            item.id: (
                request.POST.get(f"{item.id}-numerator", ""),
                request.POST.get(f"{item.id}-denominator", ""),
                request.POST.get(f"{item.id}-note", ""),
            )
            for item in items
        }
        result = services.save_month(request.user, team, month_text, entries, lang)
        if not result.errors:
            return HttpResponseRedirect(reverse("team", args=[team.pk]) + f"?saved={month_text}&n={result.written}")
        errors = result.errors
    current = {}
    try:
        month = dt.date(int(month_text[:4]), int(month_text[5:7]), 1)
        current = {v.indicator: v for v in Value.objects.filter(team=team, month=month)}
    except ValueError:
        pass
    rows = []
    for item in items:
        posted = request.method == "POST"
        value = current.get(item.id)
        rows.append(
            {
                "item": item,
                "name": item.name(lang),
                "numerator": request.POST.get(f"{item.id}-numerator") if posted else (value.numerator if value else ""),
                "denominator": request.POST.get(f"{item.id}-denominator")
                if posted
                else (value.denominator if value and value.denominator is not None else ""),
                "note": request.POST.get(f"{item.id}-note") if posted else (value.note if value else ""),
                "error": errors.get(item.id),
                "source": value.source if value else "",
            }
        )
    return render(
        request,
        "server/entry.html",
        _base(
            request,
            team=team,
            month=month_text,
            rows=rows,
            months=_month_choices(team),
            writable=services.can_write(request.user, team),
            has_errors=bool(errors),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    lang = _lang(request)
    kinds = services.event_kinds()
    error = None
    if request.method == "POST":
        if not services.can_write(request.user, team):
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        patient = request.POST.get("patient", "").strip()[:40]
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            date = None
        if kind not in kinds:
            error = t("server.events.bad_kind", lang)
        elif date is None or not team.first_month <= date.replace(day=1) <= team.last_month:
            error = t(
                "server.events.bad_date", lang, first=f"{team.first_month:%Y-%m}", last=f"{team.last_month:%Y-%m}"
            )
        elif not patient:
            error = t("server.events.no_patient", lang)
        else:
            services.log_event(request.user, team, date, kind, patient)
            return HttpResponseRedirect(reverse("events", args=[team.pk]) + "?saved=1")
    names = {k: v.get(f"name_{lang}", v["name_en"]) for k, v in kinds.items()}
    logged = [
        {"date": e.date, "kind": names.get(e.kind, e.kind), "patient": e.patient}
        for e in Event.objects.filter(team=team)[:200]
    ]
    return render(
        request,
        "server/events.html",
        _base(
            request,
            team=team,
            kinds=names,
            logged=logged,
            error=error,
            today=dt.date.today().isoformat(),
            writable=services.can_write(request.user, team),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    lang = _lang(request)
    result = None
    if request.method == "POST":
        if not services.can_write(request.user, team):
            raise PermissionDenied
        uploaded = request.FILES.get("template")
        if uploaded is None:
            result = services.UploadResult(error=t("server.upload.no_file", lang))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "template.xlsx"
                with path.open("wb") as handle:
                    for chunk in uploaded.chunks():
                        handle.write(chunk)
                result = services.upload_template(request.user, team, path, lang)
    return render(
        request,
        "server/upload.html",
        _base(request, team=team, result=result, writable=services.can_write(request.user, team)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pdsa(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    lang = _lang(request)
    error = None
    if request.method == "POST":
        if not services.can_write(request.user, team):
            raise PermissionDenied
        title = request.POST.get("title", "").strip()[:200]
        start: dt.date | None
        end: dt.date | None
        try:
            start = dt.date.fromisoformat(request.POST.get("start", ""))
            end_text = request.POST.get("end", "").strip()
            end = dt.date.fromisoformat(end_text) if end_text else None
        except ValueError:
            start = end = None
        if not title:
            error = t("server.pdsa.no_title", lang)
        elif start is None or (end is not None and end < start):
            error = t("server.pdsa.bad_dates", lang)
        else:
            services.add_pdsa(
                request.user,
                team,
                title,
                start,
                end,
                request.POST.get("change", "").strip(),
                request.POST.get("learned", "").strip(),
            )
            return HttpResponseRedirect(reverse("team", args=[team.pk]) + "?pdsa=1")
    return render(
        request,
        "server/pdsa.html",
        _base(
            request,
            team=team,
            pdsas=Pdsa.objects.filter(team=team),
            error=error,
            writable=services.can_write(request.user, team),
        ),
    )


@login_required
@require_GET
def history(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    return render(request, "server/history.html", _base(request, team=team, entries=services.value_history(team)))


def _export_frame(team: Team) -> pd.DataFrame:
    frame = services.team_values(team)
    frame.insert(0, "team", team.name)
    frame["month"] = frame["month"].dt.strftime("%Y-%m")
    return frame


@login_required
@require_GET
def export_csv(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    response = HttpResponse(_export_frame(team).to_csv(index=False), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team_{team.pk}.csv"'
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    buffer = io.BytesIO()
    _export_frame(team).to_excel(buffer, index=False, sheet_name="data")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="team_{team.pk}.xlsx"'
    return response


@login_required
@require_GET
def team_json(request: HttpRequest, team_id: int) -> JsonResponse:
    """The team's values and readings as JSON (for scripts; same isolation as the pages)."""
    team = _team(request, team_id)
    lang = _lang(request)
    section = _section(team, lang)
    values = _export_frame(team)
    return JsonResponse(
        {
            "team": team.name,
            "track": team.track,
            "values": values.astype(object).where(values.notna(), None).to_dict("records"),
            "readings": section["readings"],
        }
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Every team's reading status per indicator (the dashboard's overview), for coordinators."""
    _coordinator(request)
    lang = _lang(request)
    used = {item.id for track in TRACKS for item in services.indicator_set(track)}
    ids = [item.id for item in load_catalogue() if item.id in used]
    rows = []
    for team in Team.objects.all():
        section = _section(team, lang)
        rows.append({"team": team, "cells": [overview_cell(section, i, lang) for i in ids]})
    return render(
        request, "server/overview.html", _base(request, rows=rows, ids=ids, legend=legend(ids, lang), symbols=SYMBOLS)
    )


def _admin(request: HttpRequest) -> None:
    if services.role(request.user) != "admin":
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    """The collaborative's indicator set, per track: which catalogue indicators are used (enabled) and their order
    (position), for administrators only (``services.change_indicator_set``, audited)."""
    _admin(request)
    lang = _lang(request)
    changed = None
    if request.method == "POST":
        track = request.POST.get("track", "")
        if track not in TRACKS:
            raise Http404
        wanted = {}
        for item, _, position in services.indicator_rows(track):
            try:
                new_position = int(request.POST.get(f"{item.id}-position", position))
            except ValueError:
                new_position = position
            wanted[item.id] = (request.POST.get(f"{item.id}-enabled") == "on", new_position)
        changed = services.change_indicator_set(request.user, track, wanted)
    tracks = [
        {
            "track": track,
            "rows": [
                {"id": item.id, "name": item.name(lang), "enabled": enabled, "position": position}
                for item, enabled, position in services.indicator_rows(track)
            ],
        }
        for track in TRACKS
    ]
    return render(request, "server/indicators.html", _base(request, tracks=tracks, changed=changed))


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    entries = AuditEntry.objects.select_related("team").order_by("-at", "-id")[:1000]
    return render(request, "server/history.html", _base(request, team=None, entries=entries))


@login_required
@require_GET
def export_parquet(request: HttpRequest) -> HttpResponse:
    """The whole collaborative in the columns of ``qi import``'s qi_data.parquet, for coordinators."""
    _coordinator(request)
    data, _ = services.dataset()
    buffer = io.BytesIO()
    data.to_parquet(buffer, index=False)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.apache.parquet")
    response["Content-Disposition"] = 'attachment; filename="collaborative.parquet"'
    return response


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js from the installed plotly package: the application makes no request outside itself."""
    return HttpResponse(_plotly_js(), content_type="application/javascript; charset=utf-8")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The same short page for every 404, whatever the reason (isolation)."""
    return render(request, "server/error.html", _base(request, key="server.error.404"), status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "server/error.html", _base(request, key="server.error.403"), status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "server/error.html", _base(request, key="server.error.csrf"), status=403)
