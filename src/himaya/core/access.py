"""Access helpers shared by every app: role codes known to core, scopes for core's own models.

Roles are defined in ``himaya.accounts.roles``; core only relies on ``user.has_role(code)`` and
``user.organisation_id`` so that it imports no app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from himaya.core.models import AuditEventQuerySet

SUPERVISOR = "supervisor"
SYSTEM_ADMIN = "system_admin"

ACCOUNT_ACTIONS = ("login", "logout", "login_failed", "lockout", "permission_change", "security")


def audit_scope(queryset: AuditEventQuerySet, user: Any) -> AuditEventQuerySet:
    """Supervisors: their organisation's events. Administrators: account events only. Others: none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    condition = Q(pk__in=[])
    if user.has_role(SUPERVISOR) and user.organisation_id:
        condition |= Q(organisation_id=user.organisation_id) | Q(object_organisation_id=user.organisation_id)
    if user.has_role(SYSTEM_ADMIN):
        condition |= Q(action__in=ACCOUNT_ACTIONS)
    return queryset.filter(condition)
