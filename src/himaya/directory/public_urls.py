"""Public "find help" pages (no login, no cookie, no third-party request)."""

from django.urls import path  # noqa: F401

app_name = "help"

urlpatterns: list = []
