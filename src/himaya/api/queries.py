"""Reads for the API and the token pages, scoped by the caller: a staff member or an organisation's token."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from himaya.accounts import queries as account_queries
from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.accounts.roles import Role
from himaya.api.models import ApiToken
from himaya.core import audit
from himaya.core.models import AuditAction


def token_list(*, viewer: User) -> QuerySet[ApiToken]:
    """Administrators see every organisation's tokens; a supervisor those of their organisation."""
    queryset = ApiToken.objects.select_related("organisation", "created_by", "acting_user")
    if viewer.has_role(Role.SYSTEM_ADMIN):
        return queryset
    if viewer.has_role(Role.SUPERVISOR):
        return queryset.filter(organisation_id=viewer.organisation_id)
    return queryset.none()


def token_get(*, viewer: User, pk: int) -> ApiToken:
    try:
        return token_list(viewer=viewer).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc


# Users -------------------------------------------------------------------------------------------------------


def _users_with_roles() -> QuerySet[User]:
    """Users with their roles (and the roles' territories) prefetched: two more queries per page, not per user."""
    return User.objects.prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("region", "province"))
    )


def _search_users(queryset: QuerySet[User], search: str) -> QuerySet[User]:
    if search:
        queryset = queryset.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return queryset


def user_list_for_staff(*, viewer: User, search: str = "") -> QuerySet[User]:
    """The users ``viewer`` may see (administrators all, supervisors their organisation, others themselves)."""
    queryset = _users_with_roles().filter(pk__in=User.objects.visible_to(viewer).values("pk"))
    return _search_users(queryset, search).order_by("full_name", "pk")


def user_get_for_staff(*, viewer: User, pk: int) -> User:
    """One user the viewer may see, 404 otherwise; the read of another person is audited."""
    return account_queries.user_get(viewer=viewer, pk=pk)


def user_me(*, viewer: User) -> User:
    return _users_with_roles().get(pk=viewer.pk)


def user_list_for_token(*, token: ApiToken, search: str = "") -> QuerySet[User]:
    """A token sees only the users of its own organisation."""
    queryset = _users_with_roles().filter(organisation_id=token.organisation_id)
    return _search_users(queryset, search).order_by("full_name", "pk")


def user_get_for_token(*, token: ApiToken, pk: int) -> User:
    """One user of the token's organisation (404 for any other); the read is audited under the token."""
    try:
        user = _users_with_roles().get(pk=pk, organisation_id=token.organisation_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    audit.record(
        AuditAction.READ, actor_email=f"token:{token.prefix}", target=user, fields=["full_name", "email"],
        detail={"api_token": token.pk},
    )  # fmt: skip
    return user


# Organisations -----------------------------------------------------------------------------------------------


def _search_organisations(queryset: QuerySet[Organisation], search: str, kind: str) -> QuerySet[Organisation]:
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(name_ar__icontains=search) | Q(acronym__icontains=search)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def organisation_list_for_staff(*, viewer: User, search: str = "", kind: str = "") -> QuerySet[Organisation]:
    return account_queries.organisation_list(viewer=viewer, search=search, kind=kind).order_by("name", "pk")


def organisation_get_for_staff(*, viewer: User, pk: int) -> Organisation:
    return account_queries.organisation_get(viewer=viewer, pk=pk)


def _active_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("region", "province").filter(is_active=True)


def organisation_list_for_token(*, search: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Partner systems with the organisations scope read the directory of active organisations."""
    return _search_organisations(_active_organisations(), search, kind).order_by("name", "pk")


def organisation_get_for_token(*, pk: int) -> Organisation:
    try:
        return _active_organisations().get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
