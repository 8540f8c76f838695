"""The JSON API (/api/v1/): session auth for the browser, bearer tokens with scopes for partner systems."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer, SessionAuth

from himaya.accounts import queries as account_queries
from himaya.accounts.models import Organisation, User
from himaya.api import services
from himaya.api.models import ApiToken, Scope
from himaya.api.schemas import ApiRoot, ErrorOut, MeOut, OrganisationOut, UserOut
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = services.token_authenticate(token)
        if api_token is not None:
            request.api_token = api_token  # type: ignore[attr-defined]
        return api_token


class StaffSessionAuth(SessionAuth):
    """A signed-in, active staff member (two-factor enrolment is enforced by middleware)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="Himaya API",
    version="1",
    description="National platform for the coordinated care of women victims of violence and of trafficking.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[StaffSessionAuth(), TokenAuth()],
)

DENIED = {401: ErrorOut, 403: ErrorOut}


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "You do not have permission to do this."}, status=403)


@api.exception_handler(BusinessRuleError)
def business_rule(request: HttpRequest, exc: BusinessRuleError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=400)


def _token(request: HttpRequest) -> ApiToken | None:
    return getattr(request, "api_token", None)


def _require_scope(request: HttpRequest, scope: Scope) -> ApiToken:
    token = _token(request)
    if token is None:
        raise HttpError(401, "Authentication required.")
    if scope.value not in token.scopes:
        raise HttpError(403, f"This token lacks the scope {scope.value}.")
    return token


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    return user if _token(request) is None and isinstance(user, User) else None


def _user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "job_title": user.job_title,
        "organisation_id": user.organisation_id,
        "is_active": user.is_active,
        "roles": [
            {"role": a.role, "region_code": a.region.code if a.region else None,
             "province_code": a.province.code if a.province else None}
            for a in user.role_assignments.all()
        ],  # fmt: skip
    }


@api.get("/", auth=None, response=ApiRoot, summary="API root", tags=["meta"])
def root(request: HttpRequest) -> dict[str, Any]:
    return {
        "name": "Himaya",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "resources": {"organisations": "/api/v1/organisations", "users": "/api/v1/users", "me": "/api/v1/me"},
        "now": timezone.now(),
    }


@api.get("/me", response={200: MeOut, **DENIED}, summary="Who is calling", tags=["meta"])
def me(request: HttpRequest) -> dict[str, Any]:
    token = _token(request)
    if token is not None:
        return {"kind": "token", "organisation_id": token.organisation_id, "scopes": token.scopes}
    user = _staff(request)
    assert user is not None
    return {"kind": "user", "user": _user_out(user), "organisation_id": user.organisation_id, "scopes": []}


organisations = Router(tags=["organisations"])
users = Router(tags=["users"])


@organisations.get("", response={200: list[OrganisationOut], **DENIED}, summary="List organisations")
@paginate(LimitOffsetPagination)
def organisation_list(request: HttpRequest, q: str = "", kind: str = "") -> Any:
    user = _staff(request)
    if user is None:
        _require_scope(request, Scope.ORGANISATIONS_READ)
        return Organisation.objects.select_related("region", "province").filter(is_active=True)
    return account_queries.organisation_list(viewer=user, search=q[:100], kind=kind[:32])


@organisations.get("/{int:organisation_id}", response={200: OrganisationOut, **DENIED, 404: ErrorOut})
def organisation_detail(request: HttpRequest, organisation_id: int) -> Any:
    user = _staff(request)
    if user is None:
        _require_scope(request, Scope.ORGANISATIONS_READ)
        return get_object_or_404(Organisation.objects.select_related("region", "province"), pk=organisation_id)
    return account_queries.organisation_get(viewer=user, pk=organisation_id)


@users.get("", response={200: list[UserOut], **DENIED}, summary="List the users the caller may see")
@paginate(LimitOffsetPagination)
def user_list(request: HttpRequest, q: str = "") -> Any:
    user = _staff(request)
    if user is None:
        token = _require_scope(request, Scope.USERS_READ)
        rows = User.objects.filter(organisation_id=token.organisation_id).prefetch_related(
            "role_assignments__region", "role_assignments__province"
        )
    else:
        rows = account_queries.user_list(viewer=user, search=q[:100])
    return [_user_out(row) for row in rows]


@users.get("/{int:user_id}", response={200: UserOut, **DENIED, 404: ErrorOut})
def user_detail(request: HttpRequest, user_id: int) -> Any:
    viewer = _staff(request)
    if viewer is None:
        token = _require_scope(request, Scope.USERS_READ)
        subject = get_object_or_404(User, pk=user_id, organisation_id=token.organisation_id)
        audit.record(
            AuditAction.READ, actor_email=f"token:{token.prefix}", target=subject, fields=["full_name", "email"],
            detail={"api_token": token.pk},
        )  # fmt: skip
    else:
        subject = account_queries.user_get(viewer=viewer, pk=user_id)
    return _user_out(subject)


api.add_router("/organisations", organisations)
api.add_router("/users", users)
