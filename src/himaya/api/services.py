"""Issuing, checking and revoking API tokens. The secret is shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import require
from himaya.api.models import ApiToken, Scope
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

TOKEN_PREFIX = "hmy_"  # noqa: S105  (a public marker that starts every token, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *, actor: User, organisation: Organisation, name: str, scopes: Iterable[str], days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is never shown again."""
    require(actor, "api.manage_tokens", organisation)
    wanted = sorted(set(scopes))
    if not wanted or any(scope not in Scope.values for scope in wanted):
        raise BusinessRuleError(_("Choose at least one valid scope."))
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name.strip()[:100],
        prefix=prefix,
        token_hash=_digest(secret),
        scopes=wanted,
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_TTL_DAYS),
    )
    audit.record(
        AuditAction.PERMISSION_CHANGE, actor=actor, target=token, detail={"token": "issued", "scopes": wanted}
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    require(actor, "api.manage_tokens", token.organisation)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(AuditAction.PERMISSION_CHANGE, actor=actor, target=token, detail={"token": "revoked"})
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The usable token matching ``secret``, or None. Marks its last use (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("organisation").filter(token_hash=_digest(secret)).first()
    if token is None or not token.is_usable or not token.organisation.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
