"""Issuing, using and revoking API tokens (services.token_issue / token_revoke / token_authenticate)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from himaya.api import services
from himaya.api.models import ApiToken
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, AuditEvent
from tests.api.conftest import bearer, expire
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_sha256_of_the_secret(org):
    supervisor = make_user("supervisor", organisation=org)
    token, secret = services.token_issue(
        actor=supervisor,
        organisation=org,
        name=" Hotline 8350 ",
        scopes=["users:read", "users:read"],
        days=10,
    )
    token.refresh_from_db()
    assert secret.startswith(f"hmy_{token.prefix}_")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    assert token.name == "Hotline 8350"
    assert token.scopes == ["users:read"]
    assert token.created_by == supervisor
    assert 9 <= (token.expires_at - timezone.now()).days <= 10


def test_it_gives_every_token_its_own_secret(org, issue_token):
    (_, first), (_, second) = issue_token(org), issue_token(org)
    assert first != second
    assert ApiToken.objects.filter(organisation=org).count() == 2


def test_it_audits_issue_and_revoke(org):
    supervisor = make_user("supervisor", organisation=org)
    token, secret = services.token_issue(actor=supervisor, organisation=org, name="SI", scopes=["users:read"])
    services.token_revoke(actor=supervisor, token=token)
    events = AuditEvent.objects.filter(object_type="api.apitoken", object_id=str(token.pk)).order_by("id")
    assert [(event.action, event.detail["token"]) for event in events] == [
        (AuditAction.PERMISSION_CHANGE, "issued"),
        (AuditAction.PERMISSION_CHANGE, "revoked"),
    ]
    assert all(event.actor_id == supervisor.pk for event in events)
    assert all(secret not in str(event.detail) for event in events)


def test_it_revokes_only_once(org, issue_token):
    token, _ = issue_token(org)
    admin = make_user("system_admin")
    first = services.token_revoke(actor=admin, token=token).revoked_at
    assert services.token_revoke(actor=admin, token=token).revoked_at == first
    assert AuditEvent.objects.filter(object_id=str(token.pk), detail__token="revoked").count() == 1


def test_it_refuses_an_empty_or_unknown_scope(org):
    supervisor = make_user("supervisor", organisation=org)
    for scopes in ([], ["cases:write"], ["users:read", "everything"]):
        with pytest.raises(BusinessRuleError):
            services.token_issue(actor=supervisor, organisation=org, name="SI", scopes=scopes)
    assert not ApiToken.objects.exists()


def test_it_refuses_a_supervisor_issuing_for_another_organisation(org, other_org):
    supervisor = make_user("supervisor", organisation=org)
    with pytest.raises(PermissionDenied):
        services.token_issue(actor=supervisor, organisation=other_org, name="SI", scopes=["users:read"])
    assert not ApiToken.objects.exists()


def test_it_refuses_a_caseworker_issuing_or_revoking(org, issue_token):
    caseworker = make_user("caseworker", organisation=org)
    token, _ = issue_token(org)
    with pytest.raises(PermissionDenied):
        services.token_issue(actor=caseworker, organisation=org, name="SI", scopes=["users:read"])
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=caseworker, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_it_authenticates_a_bearer_token(client, org, issue_token):
    token, secret = issue_token(org, scopes=["users:read"])
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["kind"] == "token"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_requires_scope(client, org, issue_token):
    _, secret = issue_token(org, scopes=["organisations:read"])
    assert client.get("/api/v1/users", **bearer(secret)).status_code == 403
    assert client.get("/api/v1/organisations", **bearer(secret)).status_code == 200


def test_it_rejects_revoked_token(client, org, issue_token):
    token, secret = issue_token(org)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    services.token_revoke(actor=make_user("system_admin"), token=token)
    response = client.get("/api/v1/me", **bearer(secret), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}


def test_it_rejects_expired_token(client, org, issue_token):
    token, secret = issue_token(org)
    expire(token)
    assert client.get("/api/v1/users", **bearer(secret)).status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None


def test_it_rejects_the_token_of_a_deactivated_organisation(client, org, issue_token):
    _, secret = issue_token(org)
    org.is_active = False
    org.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer hmy_nothing", "Bearer ", "Token abc", "Bearer " + "hmy_" + "x" * 300]
)
def test_it_rejects_unknown_or_malformed_tokens(client, org, issue_token, header):
    issue_token(org)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_it_rejects_a_secret_differing_by_one_character(client, org, issue_token):
    _, secret = issue_token(org)
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert client.get("/api/v1/me", **bearer(forged)).status_code == 401
