"""Pages of the core shell: public landing, health check, error pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from himaya.core.audit import record_denied


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Public page: who we are, national hotlines, staff sign-in. Sets no cookie."""
    return render(request, "core/landing.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    record_denied(request, status=403, reason="csrf")
    return render(request, "core/error.html", {"code": 403, "kind": "csrf"}, status=403)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denied(request, status=403, reason="forbidden")
    return render(request, "core/error.html", {"code": 403, "kind": "forbidden"}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denied(request, status=404, reason="not_found")
    return render(request, "core/error.html", {"code": 404, "kind": "not_found"}, status=404)


def error_500(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return render(request, "core/error.html", {"code": 500, "kind": "server"}, status=500)
