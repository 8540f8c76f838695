"""Views of the plans area (thin: forms, services, queries)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
