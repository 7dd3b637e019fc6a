"""The Django application of ``forlop.server``."""

from __future__ import annotations

from django.apps import AppConfig


class ServerConfig(AppConfig):
    """Models, migrations and templates of the collaborative's web application."""

    name = "forlop.server"
    label = "server"
    default_auto_field = "django.db.models.BigAutoField"
