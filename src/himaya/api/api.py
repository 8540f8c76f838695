"""The JSON API (/api/v1/): session auth for the browser, bearer tokens with scopes for partner systems.

Handlers stay thin: reads through ``himaya.api.queries``, writes through services. Every status an operation can
answer is declared in its ``response=`` mapping, and every input constraint in ``himaya.api.schemas``, so that
the OpenAPI document is a contract that schemathesis checks (tests/api/test_schemathesis.py).
"""

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer, SessionAuth

from himaya.accounts.models import Organisation, User
from himaya.api import queries, services
from himaya.api.models import ApiToken, Scope
from himaya.api.schemas import (
    MAX_ID,
    ApiPagination,
    ApiRoot,
    ErrorOut,
    MeOut,
    OrganisationFilters,
    OrganisationOut,
    UserFilters,
    UserOut,
    ValidationErrorOut,
)
from himaya.core.audit import record_denied
from himaya.core.errors import BusinessRuleError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.token_authenticate(token)


class StaffSessionAuth(SessionAuth):
    """A signed-in, active staff member (two-factor enrolment is enforced by middleware)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if isinstance(user, User) and user.is_active else None


api = NinjaAPI(
    title="Himaya API",
    version="1",
    description="National platform for the coordinated care of women victims of violence and of trafficking.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[StaffSessionAuth(), TokenAuth()],
)

INVALID = {422: ValidationErrorOut}
DENIED = {401: ErrorOut, 403: ErrorOut}
NOT_FOUND = {404: ErrorOut}

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Authentication required.")}, status=401)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    record_denied(request, status=403, reason="forbidden")
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    record_denied(request, status=404, reason="not_found")
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ModelValidationError)
def model_invalid(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
    """A model's own validation (``full_clean`` in a service): 422 in the shape of ValidationErrorOut."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"type": "value_error", "loc": ["body", field], "msg": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"type": "value_error", "loc": ["body"], "msg": str(message)} for message in exc.messages]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(BusinessRuleError)
def business_rule(request: HttpRequest, exc: BusinessRuleError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=400)


def _caller(request: HttpRequest) -> User | ApiToken:
    """Who authenticated: a staff member (session) or a partner system (token)."""
    caller = request.auth  # type: ignore[attr-defined]
    assert isinstance(caller, User | ApiToken)
    return caller


def _require_scope(token: ApiToken, scope: Scope) -> None:
    if scope.value not in token.scopes:
        raise HttpError(403, _("This token lacks the scope %(scope)s.") % {"scope": scope.value})


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
    caller = _caller(request)
    if isinstance(caller, ApiToken):
        return {"kind": "token", "organisation_id": caller.organisation_id, "scopes": caller.scopes}
    return {"kind": "user", "user": queries.user_me(viewer=caller), "organisation_id": caller.organisation_id}


organisations = Router(tags=["organisations"])
users = Router(tags=["users"])


@organisations.get(
    "", response={200: list[OrganisationOut], **DENIED, **INVALID}, summary="List organisations"
)
@paginate(ApiPagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    caller, kind = _caller(request), filters.kind.value if filters.kind else ""
    if isinstance(caller, ApiToken):
        _require_scope(caller, Scope.ORGANISATIONS_READ)
        return queries.organisation_list_for_token(search=filters.q, kind=kind)
    return queries.organisation_list_for_staff(viewer=caller, search=filters.q, kind=kind)


@organisations.get(
    "/{organisation_id}",
    response={200: OrganisationOut, **DENIED, **NOT_FOUND, **INVALID},
    summary="One organisation",
)
def organisation_detail(request: HttpRequest, organisation_id: ObjectId) -> Organisation:
    caller = _caller(request)
    if isinstance(caller, ApiToken):
        _require_scope(caller, Scope.ORGANISATIONS_READ)
        return queries.organisation_get_for_token(pk=organisation_id)
    return queries.organisation_get_for_staff(viewer=caller, pk=organisation_id)


@users.get(
    "", response={200: list[UserOut], **DENIED, **INVALID}, summary="List the users the caller may see"
)
@paginate(ApiPagination)
def user_list(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    caller = _caller(request)
    if isinstance(caller, ApiToken):
        _require_scope(caller, Scope.USERS_READ)
        return queries.user_list_for_token(token=caller, search=filters.q)
    return queries.user_list_for_staff(viewer=caller, search=filters.q)


@users.get("/{user_id}", response={200: UserOut, **DENIED, **NOT_FOUND, **INVALID}, summary="One user")
def user_detail(request: HttpRequest, user_id: ObjectId) -> User:
    caller = _caller(request)
    if isinstance(caller, ApiToken):
        _require_scope(caller, Scope.USERS_READ)
        return queries.user_get_for_token(token=caller, pk=user_id)
    return queries.user_get_for_staff(viewer=caller, pk=user_id)


api.add_router("/organisations", organisations)
api.add_router("/users", users)

# The directory read API in the Open Referral HSDS shape (anonymous access at the public level).
from himaya.directory.api import router as directory_router  # noqa: E402

api.add_router("/", directory_router)

# Case management: cases, survivors, incidents, consents, notes (session staff, or tokens with an acting user).
from himaya.cases.api import router as cases_router  # noqa: E402

api.add_router("/", cases_router)

# Assessments and plans: trafficking screening, danger assessment, safety and case plans (under /cases/{code}/).
from himaya.assessments.api import router as assessments_router  # noqa: E402

api.add_router("/", assessments_router)
