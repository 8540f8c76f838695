"""django-axes hooks: which account a login attempt targets, and the page shown once it is locked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("email")
    return str(value or "").strip().lower()[:254]


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=403)
