"""Referral pathway sheets (PDF) and the gap analysis."""

from django.urls import path  # noqa: F401

app_name = "directory_reports"

urlpatterns: list = []
