"""Django's admin site for administrators: users, teams, memberships, roles. The indicator set
(``TrackIndicator``) is not here: it is changed on the application's own page (``views.indicators``), which writes
every change to the audit log."""

from __future__ import annotations

from django.contrib import admin

from forlop.server.models import AuditEntry, Membership, Profile, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "track", "start_month", "first_month", "last_month")


admin.site.register(Profile)
admin.site.register(Membership)


@admin.register(AuditEntry)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "team", "what")

    def has_change_permission(self, request, obj=None) -> bool:  # the log is never edited
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
