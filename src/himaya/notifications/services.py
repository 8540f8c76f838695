"""Writing notifications: ``notify`` records one per recipient and has the worker e-mail them (after commit).

A notification carries a kind, a case *code* and codes or counts in ``detail``; never a name or a free text.
The e-mail says only that something awaits the reader in Himaya, with a link (no case code, no personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from himaya.accounts.models import User
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
