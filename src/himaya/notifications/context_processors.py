"""The unread notifications badge of the navigation: one COUNT query for a signed-in user, none otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from himaya.notifications.queries import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: the query runs only when a template shows the badge (never for a JSON or file response).
    return {"NOTIFICATIONS_UNREAD": SimpleLazyObject(lambda: unread_count(user))}
