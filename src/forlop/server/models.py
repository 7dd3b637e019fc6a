"""The database of the collaborative's web application.

- ``Team``: a team of the collaborative (name, track of the catalogue, start month in the project).
- ``Profile``: a user's role (``ROLES``) and language. Administrators and coordinators read every team;
  members read and write, viewers read, the teams they have a ``Membership`` of.
- ``Value``: one indicator of one team in one month (numerator, denominator for shares); unique per
  (team, indicator, month). A correction updates the row and writes the old and new value to ``AuditEntry``,
  which is the value's history.
- ``Event``: a coercive event logged as it happens (date, kind of ``events.yaml``, local patient pseudonym);
  rolled up into ``Value`` rows.
- ``Pdsa``: a PDSA cycle of a team (title, start, end, change tested, what was learned).
- ``TrackIndicator``: the collaborative's indicator set: per track, which catalogue indicators it uses
  (``enabled``) and in what order (``position``). Only selects and orders: the definitions (numerator,
  denominator, names) stay in ``forlop/qi/catalogue.yaml``. Seeded from the catalogue, all enabled, by migration
  0002 and by every ``forlop serve`` start (``services.ensure_indicator_set``); changed by administrators only.
- ``AuditEntry``: every write: who, when, team, what (a key such as ``value R1 2022-03``), old and new value
  (JSON). Written in the same transaction as the change, so the log and the data cannot disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROLES = ("admin", "coordinator", "member", "viewer")
TRACK_CHOICES = [("adult", "adult"), ("youth", "youth")]


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    track = models.CharField(max_length=10, choices=TRACK_CHOICES)
    start_month = models.DateField(null=True, blank=True)
    first_month = models.DateField(help_text="First month data may be entered for (the baseline's start).")
    last_month = models.DateField(help_text="Last month of the project.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=12, choices=[(r, r) for r in ROLES], default="viewer")
    lang = models.CharField(max_length=2, choices=[("nb", "nb"), ("da", "da"), ("en", "en")], default="nb")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership")]


class Value(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=10)
    month = models.DateField()
    numerator = models.IntegerField()
    denominator = models.IntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=10, default="form")  # form, upload, events, seed
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "indicator", "month"], name="one_value")]
        ordering = ["team", "indicator", "month"]


class Event(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    kind = models.CharField(max_length=20)
    patient = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-date", "-id"]


class Pdsa(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="pdsas")
    title = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    change = models.TextField(blank=True, default="")
    learned = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["start", "id"]


class TrackIndicator(models.Model):
    track = models.CharField(max_length=10, choices=TRACK_CHOICES)
    indicator = models.CharField(max_length=10)
    enabled = models.BooleanField(default=True)
    position = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["track", "indicator"], name="one_track_indicator")]
        ordering = ["track", "position", "indicator"]

    def __str__(self) -> str:
        return f"{self.track} {self.indicator}"


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150)
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="audit")
    what = models.CharField(max_length=200)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    class Meta:
        ordering = ["-at", "-id"]
