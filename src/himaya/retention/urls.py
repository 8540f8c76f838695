"""Routes of retention policies and erasure requests. Every route has its row in tests/security/rows_retention.py."""

from django.urls import URLPattern

app_name = "retention"

urlpatterns: list[URLPattern] = []
