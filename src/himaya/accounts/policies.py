"""Who may do what to users and organisations (rules predicates), and the user scope.

Deny by default: a permission not added here is refused. Services call ``require(...)``.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from himaya.accounts.roles import ANALYST_ROLES, CASE_ROLES, SUPERVISOR_GRANTABLE, Role


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def role_predicate(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"has_role_{role.value}")
    def check(user: Any, obj: Any = None) -> bool:
        return _is_active_user(user) and user.has_role(role)

    return check


is_caseworker = role_predicate(Role.CASEWORKER)
is_supervisor = role_predicate(Role.SUPERVISOR)
is_system_admin = role_predicate(Role.SYSTEM_ADMIN)
is_directory_editor = role_predicate(Role.DIRECTORY_EDITOR)
is_national_analyst = role_predicate(Role.NATIONAL_ANALYST)
is_territorial_analyst = role_predicate(Role.TERRITORIAL_ANALYST)


@rules.predicate
def is_staff_member(user: Any) -> bool:
    return _is_active_user(user)


@rules.predicate
def works_on_cases(user: Any) -> bool:
    """Holds a case role. The system administrator never does, even if also given one (separation of duties)."""
    return (
        _is_active_user(user)
        and not user.has_role(Role.SYSTEM_ADMIN)
        and bool(user.role_codes() & CASE_ROLES)
    )


@rules.predicate
def is_analyst(user: Any) -> bool:
    return _is_active_user(user) and bool(user.role_codes() & ANALYST_ROLES)


def _organisation_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    return getattr(obj, "pk", None)


@rules.predicate
def same_organisation(user: Any, obj: Any) -> bool:
    return _is_active_user(user) and obj is not None and user.organisation_id == _organisation_id(obj)


@rules.predicate
def is_self(user: Any, obj: Any) -> bool:
    return _is_active_user(user) and obj is not None and getattr(obj, "pk", None) == user.pk


supervises = is_supervisor & same_organisation

# Organisations: staff read the list of actors; administrators manage them.
rules.add_perm("accounts.view_organisation", is_staff_member)
rules.add_perm("accounts.add_organisation", is_system_admin)
rules.add_perm("accounts.change_organisation", is_system_admin)
# Users: supervisors manage their organisation's users, administrators all users.
rules.add_perm("accounts.list_users", is_system_admin | is_supervisor)
rules.add_perm("accounts.add_user", is_system_admin | supervises)  # obj: the organisation
rules.add_perm("accounts.view_user", is_system_admin | supervises | is_self)
rules.add_perm("accounts.change_user", is_system_admin | supervises)
rules.add_perm("accounts.reset_user_2fa", is_system_admin | supervises)
# Audit trail: supervisors their organisation's log; administrators account events.
rules.add_perm("core.view_audit", is_system_admin | is_supervisor)
# API tokens for partner systems: an organisation's supervisor, or an administrator.
rules.add_perm("api.manage_tokens", is_system_admin | supervises)  # obj: the organisation
# Victim data: only case roles; never the administrator (later apps add object rules on top).
rules.add_perm("cases.access_case_data", works_on_cases)


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``user`` holds ``permission`` on ``obj``."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


def grantable_roles(granter: Any) -> set[str]:
    if _is_active_user(granter) and granter.has_role(Role.SYSTEM_ADMIN):
        return {role.value for role in Role}
    if _is_active_user(granter) and granter.has_role(Role.SUPERVISOR):
        return {role.value for role in SUPERVISOR_GRANTABLE}
    return set()


def user_scope(queryset: QuerySet[Any], viewer: Any) -> QuerySet[Any]:
    """Administrators: all users; supervisors: their organisation; everyone else: themselves."""
    if not _is_active_user(viewer):
        return queryset.none()
    if viewer.has_role(Role.SYSTEM_ADMIN):
        return queryset
    if viewer.has_role(Role.SUPERVISOR):
        return queryset.filter(organisation_id=viewer.organisation_id)
    return queryset.filter(pk=viewer.pk)
