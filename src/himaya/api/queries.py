from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.accounts.roles import Role
from himaya.api.models import ApiToken


def token_list(*, viewer: User) -> QuerySet[ApiToken]:
    """Administrators see every organisation's tokens; a supervisor those of their organisation."""
    queryset = ApiToken.objects.select_related("organisation", "created_by")
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
