"""Request-level controls: idle timeout and the audit context (client address)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from himaya.core.audit import current_client_address

IDLE_KEY = "himaya_last_seen"


class IdleTimeoutMiddleware:
    """Log out a session left idle longer than IDLE_TIMEOUT_MINUTES, whatever the cookie says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(IDLE_KEY)
            limit = settings.IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - float(last_seen) > limit:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended after %(minutes)s minutes without activity. Please sign in again.")
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                if request.path.startswith("/api/"):
                    return HttpResponse(status=401)
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - float(last_seen) >= settings.SESSION_TOUCH_SECONDS:
                # Written at most once a minute: a session saved on every request costs every page queries.
                # The timeout is measured from this stamp, so it never ends a session later than promised.
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class AuditContextMiddleware:
    """Make the client address available to audit events written during this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_client_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_client_address.reset(token)


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxy put in X-Forwarded-For (HIMAYA_PROXY_COUNT)."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
