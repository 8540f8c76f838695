"""The permission matrix: every URL pattern and API route, every role, own and other organisation.

A route missing from MATRIX fails ``test_every_route_is_in_the_matrix``. Each row says which roles may use
the route (on an object of their own organisation and of another one); everyone else must get 403 or 404,
anonymous visitors the login page (HTML) or 401 (API). Nothing may answer 500. The foundation's rows are here;
each later area keeps its rows in ``tests/security/rows_<area>.py`` (merged below) and its objects in the
``world`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from himaya.accounts.roles import Role
from himaya.api import services as api_services
from tests.cases.factories import make_case
from tests.directory.factories import make_location, make_service
from tests.factories import make_organisation, make_user
from tests.security import (
    rows_assessments_plans,
    rows_assessments_risk,
    rows_assessments_screening,
    rows_cases_api,
    rows_cases_closure,
    rows_cases_core,
    rows_cases_followup,
    rows_cases_records,
    rows_cases_survivors,
    rows_directory_api,
    rows_directory_public,
    rows_directory_reports,
    rows_directory_staff,
    rows_notifications,
    rows_retention,
)
from tests.security.matrix import (
    ADMIN,
    ALL,
    DENIED,
    MANAGERS,
    NOBODY,
    OK_GET,
    OK_POST,
    Row,
    auth,
    fixed,
    obj,
)

MATRIX: dict[str, Row] = {
    # Public and technical routes.
    "root": Row(url=fixed("/"), own=ALL, anonymous={302}, staff_status={302}),
    "healthz": Row(url=fixed("/healthz"), own=ALL, anonymous={200}),
    "landing": Row(url=fixed("/fr/"), own=ALL, anonymous={200}),
    # Authentication (django-allauth): reachable signed out; never a 500 signed in.
    "account_login": auth("/fr/accounts/login/", {200}, {302}),
    "account_logout": auth("/fr/accounts/logout/", {302}, {302}, method="POST"),
    "account_inactive": auth("/fr/accounts/inactive/", {200}, {200}),
    "account_change_password": auth("/fr/accounts/password/change/", {302}, {200}),
    "account_reset_password": auth("/fr/accounts/password/reset/", {200}, {200}),
    "account_reset_password_done": auth("/fr/accounts/password/reset/done/", {200}, {200}),
    "account_reset_password_from_key": auth("/fr/accounts/password/reset/key/1-bad-key/", {200}, {200}),
    "account_reset_password_from_key_done": auth("/fr/accounts/password/reset/key/done/", {200}, {200}),
    "account_reauthenticate": auth("/fr/accounts/reauthenticate/", {302}, {200}),
    "account_signup": auth("/fr/accounts/signup/", {200}, {302}),
    "mfa_index": auth("/fr/accounts/2fa/", {302}, {200}),
    "mfa_authenticate": auth("/fr/accounts/2fa/authenticate/", {302}, {302}),
    "mfa_reauthenticate": auth("/fr/accounts/2fa/reauthenticate/", {302}, {200}),
    "mfa_activate_totp": auth("/fr/accounts/2fa/totp/activate/", {302}, {302}),
    "mfa_deactivate_totp": auth("/fr/accounts/2fa/totp/deactivate/", {302}, {302, 403, 404}),
    "mfa_view_recovery_codes": auth("/fr/accounts/2fa/recovery-codes/", {302}, {200, 302, 404}),
    "mfa_generate_recovery_codes": auth("/fr/accounts/2fa/recovery-codes/generate/", {302}, {200, 302}),
    "mfa_download_recovery_codes": auth("/fr/accounts/2fa/recovery-codes/download/", {302}, {200, 302, 404}),
    # Staff pages.
    "accounts:home": Row(url=fixed("/fr/home/"), own=ALL),
    "accounts:security": Row(url=fixed("/fr/me/security/"), own=ALL),
    "accounts:logout_everywhere": Row(url=fixed("/fr/me/logout-everywhere/"), method="POST", own=ALL),
    "accounts:organisation_list": Row(url=fixed("/fr/organisations/"), own=ALL),
    "accounts:organisation_create": Row(url=fixed("/fr/organisations/new/"), own=ADMIN),
    "accounts:organisation_detail": Row(url=obj("/fr/organisations/{}/", "org"), own=ALL, other=ALL),
    "accounts:organisation_edit": Row(url=obj("/fr/organisations/{}/edit/", "org"), own=ADMIN, other=ADMIN),
    "accounts:user_list": Row(url=fixed("/fr/users/"), own=MANAGERS),
    "accounts:user_create": Row(url=fixed("/fr/users/new/"), own=MANAGERS),
    "accounts:user_detail": Row(url=obj("/fr/users/{}/", "user"), own=MANAGERS, other=ADMIN),
    "accounts:user_edit": Row(url=obj("/fr/users/{}/edit/", "user"), own=MANAGERS, other=ADMIN),
    "accounts:user_set_active": Row(
        url=obj("/fr/users/{}/active/", "user"), method="POST", own=MANAGERS, other=ADMIN
    ),
    "accounts:user_reset_two_factor": Row(
        url=obj("/fr/users/{}/reset-2fa/", "user"), method="POST", own=MANAGERS, other=ADMIN
    ),
    "accounts:audit_log": Row(url=fixed("/fr/audit/"), own=MANAGERS),
    "tokens:list": Row(url=fixed("/fr/api-tokens/"), own=MANAGERS),
    "tokens:create": Row(url=fixed("/fr/api-tokens/new/"), own=MANAGERS),
    "tokens:revoke": Row(
        url=obj("/fr/api-tokens/{}/revoke/", "token"), method="POST", own=MANAGERS, other=ADMIN
    ),
    # JSON API (session authentication; tokens are covered in tests/api).
    "api:root": Row(url=fixed("/api/v1/"), own=ALL, anonymous={200}, api=True),
    "api:api-root": Row(url=fixed("/api/v1/"), own=ALL, anonymous={200}, api=True),
    "api:openapi-json": Row(url=fixed("/api/v1/openapi.json"), own=ALL, anonymous={200}, api=True),
    "api:me": Row(url=fixed("/api/v1/me"), own=ALL, anonymous={401}, api=True),
    "api:organisation_list": Row(url=fixed("/api/v1/organisations"), own=ALL, anonymous={401}, api=True),
    "api:organisation_detail": Row(
        url=obj("/api/v1/organisations/{}", "org"), own=ALL, other=ALL, anonymous={401}, api=True
    ),
    "api:user_list": Row(url=fixed("/api/v1/users"), own=ALL, anonymous={401}, api=True),  # scoped list
    "api:user_detail": Row(
        url=obj("/api/v1/users/{}", "user"), own=MANAGERS, other=ADMIN, anonymous={401}, api=True
    ),
}
for _area in (
    rows_directory_public,
    rows_directory_staff,
    rows_directory_reports,
    rows_directory_api,
    rows_cases_survivors,
    rows_cases_core,
    rows_cases_records,
    rows_cases_followup,
    rows_cases_api,
    rows_cases_closure,
    rows_assessments_screening,
    rows_assessments_risk,
    rows_assessments_plans,
    rows_retention,
    rows_notifications,
):
    _overlap = set(MATRIX) & set(_area.ROWS)
    assert not _overlap, f"Routes with two rows in the matrix: {sorted(_overlap)}"
    MATRIX.update(_area.ROWS)


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def all_route_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix() -> None:
    routes = all_route_names()
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"Routes without a row in the permission matrix: {missing}"
    assert not stale, f"Matrix rows for routes that no longer exist: {stale}"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    own_org = make_organisation(name="Own cell")
    other_org = make_organisation(name="Other cell")
    users = {role: make_user(role, organisation=own_org) for role in Role.values}
    admin = users[Role.SYSTEM_ADMIN]
    own_token, _ = api_services.token_issue(
        actor=admin, organisation=own_org, name="own", scopes=["organisations:read"]
    )
    other_token, _ = api_services.token_issue(
        actor=admin, organisation=other_org, name="other", scopes=["organisations:read"]
    )
    own_service = make_service(organisation=own_org, location=make_location(organisation=own_org))
    other_service = make_service(organisation=other_org, location=make_location(organisation=other_org))
    other_user = make_user("caseworker", organisation=other_org)
    return {
        "users": users,
        "own_case": make_case(users[Role.CASEWORKER]),
        "other_case": make_case(other_user),
        "own_service": own_service,
        "other_service": other_service,
        "own_org": own_org,
        "other_org": other_org,
        "own_user": make_user("caseworker", organisation=own_org),
        "other_user": other_user,
        "own_token": own_token,
        "other_token": other_token,
    }


def _request(client: Client, row: Row, path: str) -> int:
    response = client.post(path) if row.method == "POST" else client.get(path)
    return response.status_code


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def _check(row: Row, path: str, client: Client, expected: set[int], who: str) -> None:
    with transaction.atomic():
        status = _request(client, row, path)
        transaction.set_rollback(True)
    assert status in expected, (
        f"{row.method} {path} as {who}: got {status}, expected one of {sorted(expected)}"
    )


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_allows_and_denies_by_role(route: str, world: dict[str, Any]) -> None:
    row = MATRIX[route]
    sides = ["own"] if row.other is None else ["own", "other"]
    for side in sides:
        path = row.url(world, side)
        _check(row, path, Client(), row.anonymous, "anonymous")
        allowed = row.own if side == "own" else (row.other or NOBODY)
        for role, user in world["users"].items():
            if row.staff_status is not None:
                expected = row.staff_status
            elif role in allowed:
                expected = OK_POST if row.method == "POST" and not row.api else OK_GET
            else:
                expected = DENIED
            _check(row, path, _as(user), expected, f"{role} ({side} organisation)")
