"""Reading notifications: a user sees only her own."""

from __future__ import annotations

from django.db.models import QuerySet

from himaya.accounts.models import User
from himaya.notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
