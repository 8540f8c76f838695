"""Reads of organisations, users and the audit trail, scoped by the access policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.accounts.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction, AuditEvent


def organisation_list(
    *, viewer: User, search: str = "", kind: str = "", region: str = ""
) -> QuerySet[Organisation]:
    require(viewer, "accounts.view_organisation")
    queryset = Organisation.objects.select_related("region", "province", "city").annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(name_ar__icontains=search) | Q(acronym__icontains=search)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    if region:
        queryset = queryset.filter(region__code=region)
    return queryset.order_by("name")


def organisation_get(*, viewer: User, pk: int) -> Organisation:
    require(viewer, "accounts.view_organisation")
    try:
        return Organisation.objects.select_related("region", "province", "city", "parent").get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def _users_with_roles() -> QuerySet[User]:
    return User.objects.select_related("organisation").prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("region", "province"))
    )


def user_list(*, viewer: User, search: str = "", organisation_id: int | None = None) -> QuerySet[User]:
    require(viewer, "accounts.list_users")
    queryset = _users_with_roles().filter(pk__in=User.objects.visible_to(viewer).values("pk"))
    if search:
        queryset = queryset.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if organisation_id:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.order_by("organisation__name", "full_name")


def user_get(*, viewer: User, pk: int, audit_read: bool = True) -> User:
    """One user, if the viewer may see them (404 otherwise, so ids of other organisations reveal nothing)."""
    try:
        user = _users_with_roles().filter(pk__in=User.objects.visible_to(viewer).values("pk")).get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    if not viewer.has_perm("accounts.view_user", user):
        raise PermissionDenied
    if audit_read and user.pk != viewer.pk:
        audit.record(AuditAction.READ, actor=viewer, target=user, fields=["full_name", "email", "phone"])
    return user


def role_summary(user: User) -> list[dict[str, Any]]:
    return [
        {
            "role": assignment.role,
            "label": assignment.get_role_display(),
            "region": assignment.region,
            "province": assignment.province,
        }
        for assignment in user.role_assignments.all()
    ]


def audit_events(*, viewer: User, action: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    require(viewer, "core.view_audit")
    queryset = AuditEvent.objects.visible_to(viewer)
    if action:
        queryset = queryset.filter(action=action)
    if actor:
        queryset = queryset.filter(actor_email__icontains=actor)
    return queryset.order_by("-id")


def organisation_names(ids: set[int]) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
