"""Audit receivers for authentication events (login, logout, failures, lockouts, authenticators)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from himaya.accounts.lockout import username_from_request
from himaya.accounts.models import User
from himaya.core import audit
from himaya.core.models import AuditAction


@receiver(auth_signals.user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(AuditAction.LOGIN, actor=user, target=user)


@receiver(auth_signals.user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, actor=user, target=user)


@receiver(auth_signals.user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    email = username_from_request(request, credentials)
    audit.record(
        AuditAction.LOGIN_FAILED, actor_email=email, detail={"stage": "password"}, **_account_of(email)
    )


def _account_of(email: str) -> dict[str, Any]:
    """The targeted account, so that its supervisor sees failed logins and lockouts in the access log."""
    account = (
        User.objects.filter(email__iexact=email).values("pk", "organisation_id").first() if email else None
    )
    if account is None:
        return {}
    return {
        "object_type": "accounts.user",
        "object_id": account["pk"],
        "object_organisation_id": account["organisation_id"],
    }


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    audit.record(
        AuditAction.LOCKOUT,
        actor_email=username or "",
        detail={"stage": "password"},
        **_account_of(username or ""),
    )


@receiver(mfa_signals.authentication_failed)
def audit_second_factor_failed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(
        AuditAction.LOGIN_FAILED,
        actor_email=user.email,
        object_type="accounts.user",
        object_id=user.pk,
        object_organisation_id=user.organisation_id,
        detail={"stage": "second_factor"},
    )


@receiver(mfa_signals.authenticator_added)
@receiver(mfa_signals.authenticator_removed)
@receiver(mfa_signals.authenticator_reset)
def audit_authenticator_change(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit.record(
        AuditAction.SECURITY,
        actor=user,
        target=user,
        detail={"event": "authenticator", "type": authenticator.type},
    )
