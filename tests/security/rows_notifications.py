"""Permission matrix rows: the in-app notifications (each user sees and opens only her own)."""

from __future__ import annotations

from typing import Any

from himaya.accounts.roles import Role
from himaya.notifications.models import Kind, Notification
from tests.security.matrix import ALL, Row, fixed


def _caseworkers_notification(world: dict[str, Any], side: str) -> str:
    """A notification of the caseworker of ``users``: she opens it; everyone else gets 404."""
    if "notification" not in world:
        world["notification"] = Notification.objects.create(
            user=world["users"][Role.CASEWORKER], kind=Kind.HIGH_RISK
        )
    return f"/fr/notifications/{world['notification'].pk}/open/"


ROWS: dict[str, Row] = {
    "notifications:list": Row(url=fixed("/fr/notifications/"), own=ALL),
    "notifications:read_all": Row(url=fixed("/fr/notifications/read-all/"), method="POST", own=ALL),
    "notifications:open": Row(url=_caseworkers_notification, method="POST", own=frozenset({Role.CASEWORKER})),
}
