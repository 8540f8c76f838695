"""Two-factor authentication is mandatory for every staff account."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

ALLOWED_PREFIXES = ("/static/", "/healthz")
ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    # allauth asks for the password again before activating TOTP: without it enrolment loops forever.
    "account_reauthenticate",
    "account_logout",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
)


class RequireTwoFactorMiddleware:
    """Send a signed-in user without an authenticator app to TOTP enrolment before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not self._enrolled(request) and not self._allowed(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor enrolment required.")}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _enrolled(request: HttpRequest) -> bool:
        if request.session.get("himaya_totp_enrolled"):
            return True
        enrolled = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
        if enrolled:
            request.session["himaya_totp_enrolled"] = True
        return enrolled

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        if request.path.startswith(ALLOWED_PREFIXES):
            return True
        return any(request.path == reverse(name) for name in ALLOWED_URL_NAMES)
