"""Issuing, checking and revoking API tokens. The secret is shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import require, works_on_cases
from himaya.api.models import CASE_SCOPES, ApiToken, IdempotencyKey, Scope
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

TOKEN_PREFIX = "hmy_"  # noqa: S105  (a public marker that starts every token, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    days: int | None = None,
    acting_user: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is never shown again.

    A token with a case scope acts as ``acting_user`` (required then): an active member of ``organisation``
    holding a case role. Only someone who works on that organisation's cases may issue it (never the system
    administrator: separation of duties), since the secret opens victims' data."""
    require(actor, "api.manage_tokens", organisation)
    wanted = sorted(set(scopes))
    if not wanted or any(scope not in Scope.values for scope in wanted):
        raise BusinessRuleError(_("Choose at least one valid scope."))
    if CASE_SCOPES & set(wanted):
        _check_case_token(actor=actor, organisation=organisation, acting_user=acting_user)
    else:
        acting_user = None
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
        acting_user=acting_user,
    )
    detail: dict[str, object] = {"token": "issued", "scopes": wanted}
    if acting_user is not None:
        detail["acting_user"] = acting_user.pk
    audit.record(AuditAction.PERMISSION_CHANGE, actor=actor, target=token, detail=detail)
    return token, secret


def acting_user_eligible(user: User | None, organisation_id: int) -> bool:
    """Whether ``user`` may be the acting user of a case token of ``organisation_id`` (now)."""
    return bool(
        user is not None
        and user.is_active
        and user.organisation_id == organisation_id
        and works_on_cases(user)
    )


def _check_case_token(*, actor: User, organisation: Organisation, acting_user: User | None) -> None:
    if not (works_on_cases(actor) and actor.organisation_id == organisation.pk):
        raise BusinessRuleError(
            _("Only a supervisor who works on this organisation's cases may issue a token with a case scope.")
        )
    if acting_user is None:
        raise BusinessRuleError(_("A token with a case scope acts as one person: choose its acting user."))
    if not acting_user_eligible(acting_user, organisation.pk):
        raise BusinessRuleError(
            _("The acting user must be an active member of the token's organisation who works on cases.")
        )


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
    token = (
        ApiToken.objects.select_related("organisation", "acting_user")
        .filter(token_hash=_digest(secret))
        .first()
    )
    if token is None or not token.is_usable or not token.organisation.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# Idempotency keys ----------------------------------------------------------------------------------------------

IDEMPOTENCY_TTL = timedelta(hours=24)


class IdempotencyMismatch(Exception):
    """The key was used for another request (another body or path): nothing is created."""


@dataclass(frozen=True)
class Created:
    """What an idempotent create produced: the object's type (``app_label.model``) and primary key, and whether
    this call only replayed an earlier one (nothing created)."""

    object_type: str
    object_id: int
    replayed: bool


def body_fingerprint(body: bytes) -> str:
    """SHA-256 of the request body in a canonical form: JSON with sorted keys and no spaces (the same request
    written with other spacing or key order is the same request); other bodies as they are."""
    try:
        canonical = json.dumps(
            json.loads(body or b"null"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _current(caller: str, key: str) -> IdempotencyKey | None:
    """The key's row if it is still in force (a row older than IDEMPOTENCY_TTL is removed: the key is free)."""
    row = IdempotencyKey.objects.filter(caller=caller, key=key).first()
    if row is not None and row.created_at < timezone.now() - IDEMPOTENCY_TTL:
        IdempotencyKey.objects.filter(pk=row.pk).delete()
        return None
    return row


def _replay(row: IdempotencyKey, *, method: str, path: str, fingerprint: str) -> Created:
    if (row.method, row.path, row.body_sha256) != (method, path, fingerprint) or row.object_id is None:
        raise IdempotencyMismatch
    return Created(row.object_type, row.object_id, replayed=True)


def idempotent_create(
    *,
    caller: str,
    key: str | None,
    method: str,
    path: str,
    body: bytes,
    create: Callable[[], models.Model],
) -> Created:
    """Run ``create`` once per (caller, key): a replay of the same request returns what the first call created;
    the same key with another request raises IdempotencyMismatch. Without a key, ``create`` simply runs.

    The key is claimed (a row under a unique constraint) in the same transaction as the create: of two identical
    concurrent requests, the second waits for the first, then finds its row and replays it."""
    if not key:
        created = create()
        return Created(created._meta.label_lower, int(created.pk), replayed=False)
    path = path[:300]
    fingerprint = body_fingerprint(body)
    row = _current(caller, key)
    if row is not None:
        return _replay(row, method=method, path=path, fingerprint=fingerprint)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                caller=caller, key=key, method=method, path=path, body_sha256=fingerprint
            )
            created = create()
            row.object_type, row.object_id = created._meta.label_lower, int(created.pk)
            row.save(update_fields=["object_type", "object_id"])
    except IntegrityError:
        # Another request claimed the key meanwhile (and committed): answer with its object.
        row = IdempotencyKey.objects.filter(caller=caller, key=key).first()
        if row is None:
            raise
        return _replay(row, method=method, path=path, fingerprint=fingerprint)
    return Created(row.object_type, row.object_id, replayed=False)


def idempotency_purge(*, older_than: timedelta = IDEMPOTENCY_TTL) -> int:
    """Forget the keys older than ``older_than`` (their callers may use them again). Returns how many."""
    deleted, _kinds = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
