"""Writing and verifying the hash-chained audit trail.

Every event stores the hash of the previous one; ``verify_chain`` recomputes the chain and names the first
event whose stored hash or link does not match. Appends are serialised (an advisory lock on PostgreSQL, the
IMMEDIATE write transaction on SQLite) so that two writers never link to the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from himaya.core.models import AuditAction, AuditEvent

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_451_220_001

# Set by AuditContextMiddleware for the duration of a request.
current_client_address: ContextVar[str | None] = ContextVar("himaya_client_address", default=None)


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "actor_roles": event.actor_roles,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_organisation_id": event.object_organisation_id,
        "fields": list(event.fields),
        "detail": event.detail,
        "client_address": event.client_address,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _actor_facts(actor: Any) -> tuple[int | None, str, str, int | None]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", "", None
    roles = ",".join(sorted(actor.role_codes())) if hasattr(actor, "role_codes") else ""
    return actor.pk, actor.email, roles, getattr(actor, "organisation_id", None)


def record(
    action: AuditAction | str,
    *,
    actor: Any = None,
    target: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    object_organisation_id: int | None = None,
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Append one event. ``fields`` are field *names*; ``detail`` must never hold personal values."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        if object_organisation_id is None:
            object_organisation_id = getattr(target, "audit_organisation_id", None)
    actor_id, email, roles, organisation_id = _actor_facts(actor)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor_id,
        actor_email=email or actor_email[:254],
        actor_roles=roles,
        organisation_id=organisation_id,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_organisation_id=object_organisation_id,
        fields=sorted(set(fields)),
        detail=detail or {},
        client_address=current_client_address.get(),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.previous_hash = last or GENESIS_HASH
        event.hash = compute_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in id order; report the first event whose link or content was altered."""
    expected_previous = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.previous_hash != expected_previous:
            return ChainReport(False, checked, event.pk, "link to the previous event is broken")
        if compute_hash(event) != event.hash:
            return ChainReport(False, checked, event.pk, "content does not match its hash")
        expected_previous = event.hash
        checked += 1
    return ChainReport(True, checked)


def record_denied(request: Any, *, status: int, reason: str) -> None:
    """Audit a refused request (403, 404 of a signed-in user, forged CSRF): who tried what, never a payload."""
    user = getattr(request, "user", None)
    if status == 404 and not getattr(user, "is_authenticated", False):
        return  # anonymous 404s are noise, not an access attempt on data
    record(
        AuditAction.DENIED,
        actor=user,
        detail={"status": status, "reason": reason, "method": request.method, "path": request.path[:200]},
    )
