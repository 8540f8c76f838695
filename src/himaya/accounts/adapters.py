"""django-allauth adapters: no self sign-up, TOTP secrets encrypted, TOTP cannot be switched off."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from himaya.core import crypto
from himaya.core.middleware import client_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are created by supervisors and administrators, never by sign-up."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """The first authenticator is enrolled right after the password: no second password prompt then."""
        from allauth.core import context

        request = context.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Land on the home page in the user's preferred language (an explicit ?next= still wins)."""
        language = getattr(request.user, "preferred_language", "") or "fr"
        with translation.override(language):
            return reverse("accounts:home")

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request) or "0.0.0.0"  # noqa: S104  (rate-limit key only)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Two-factor is mandatory: TOTP is replaced by a supervisor's reset, never switched off."""
        return authenticator.type != Authenticator.Type.TOTP

    def get_totp_label(self, user: Any) -> str:
        return str(user.email)
