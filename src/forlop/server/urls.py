"""URLs of the web application (team ids are the database's; see views.py for the isolation rule)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from forlop.server import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lang/", views.set_language, name="lang"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("teams/<int:team_id>/", views.team_page, name="team"),
    path("teams/<int:team_id>/entry/", views.entry, name="entry"),
    path("teams/<int:team_id>/events/", views.events, name="events"),
    path("teams/<int:team_id>/upload/", views.upload, name="upload"),
    path("teams/<int:team_id>/pdsa/", views.pdsa, name="pdsa"),
    path("teams/<int:team_id>/history/", views.history, name="history"),
    path("teams/<int:team_id>/export.csv", views.export_csv, name="export_csv"),
    path("teams/<int:team_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("teams/<int:team_id>/data.json", views.team_json, name="team_json"),
    path("overview/", views.overview, name="overview"),
    path("audit/", views.audit, name="audit"),
    path("indicators/", views.indicators, name="indicators"),
    path("export/collaborative.parquet", views.export_parquet, name="export_parquet"),
    path("static/plotly.min.js", views.plotly_js, name="plotly_js"),
    path("admin/", admin.site.urls),
]

handler404 = views.not_found
handler403 = views.forbidden
