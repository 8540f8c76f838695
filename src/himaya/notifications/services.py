"""Writing notifications: ``notify`` records one per recipient and has the worker e-mail them (after commit).

A notification carries a kind, a case *code* and codes or counts in ``detail``; never a name or a free text.
The e-mail says only that something awaits the reader in Himaya, with a link (no case code, no personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from himaya.accounts.models import User
from himaya.core import audit
from himaya.core.models import AuditAction
from himaya.notifications.models import Kind, Notification


def notify(
    users: Iterable[User], kind: Kind | str, *, case_code: str = "", detail: dict[str, Any] | None = None
) -> list[Notification]:
    """One notification per active recipient (each user once); their e-mails leave through the task worker."""
    kind = Kind(kind)
    recipients = {user.pk: user for user in users if user.is_active}
    created = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, case_code=case_code, detail=detail or {})
        for user in recipients.values()
    )
    if created:
        from himaya.notifications.tasks import send_notification_emails

        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return created


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> bool:
    """Mark one of the actor's own notifications read; False if it already was."""
    if notification.user_id != actor.pk:
        raise PermissionDenied
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        audit.record(AuditAction.UPDATE, actor=actor, target=notification, fields=["read_at"])
    return bool(changed)


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; the number marked."""
    changed = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            object_type="notifications.notification",
            fields=["read_at"],
            detail={"count": changed},
        )
    return changed
