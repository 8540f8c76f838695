"""The user's own notifications (thin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from himaya.core.pagination import paginate
from himaya.notifications import queries


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, queries.notifications_of(request.user))  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"page": page, "notifications": page.object_list})
