"""The pages /<lang>/api-tokens/ where supervisors (their organisation) and administrators (any) manage tokens."""

from __future__ import annotations

import hashlib

import pytest

from himaya.api.models import ApiToken
from himaya.core.models import AuditAction, AuditEvent
from tests.api.conftest import bearer
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIST, CREATE = "/en/api-tokens/", "/en/api-tokens/new/"


def form(organisation, **values):
    data = {"name": "Hotline 8350", "organisation": organisation.pk, "scopes": ["users:read"], "days": 30}
    data.update(values)
    return data


def test_it_lets_a_supervisor_issue_a_token_for_their_organisation(client, client_for, org):
    supervisor_client = client_for(make_user("supervisor", organisation=org))
    assert supervisor_client.get(CREATE).status_code == 200
    response = supervisor_client.post(CREATE, form(org))
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.organisation == org
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The secret works (for a partner system, without any session), and is shown only once.
    assert client.get("/api/v1/me", **bearer(secret)).json()["organisation_id"] == org.pk
    listing = client_for(make_user("supervisor", organisation=org)).get(LIST)
    assert b"Hotline 8350" in listing.content
    assert secret.encode() not in listing.content


def test_it_sends_the_created_token_page_with_no_store(client_for, org):
    response = client_for(make_user("supervisor", organisation=org)).post(CREATE, form(org))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_it_keeps_a_supervisor_to_their_organisation(client_for, org, other_org):
    client = client_for(make_user("supervisor", organisation=org))
    response = client.post(CREATE, form(other_org))
    assert response.status_code == 200
    assert not ApiToken.objects.filter(organisation=other_org).exists()
    assert ApiToken.objects.get().organisation == org


def test_it_lets_an_admin_issue_for_any_organisation(client_for, org, other_org):
    client = client_for(make_user("system_admin", organisation=org))
    response = client.post(CREATE, form(other_org, scopes=["users:read", "organisations:read"]))
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.organisation == other_org
    assert token.scopes == ["organisations:read", "users:read"]


def test_it_requires_a_scope(client_for, org):
    response = client_for(make_user("supervisor", organisation=org)).post(CREATE, form(org, scopes=[]))
    assert response.status_code == 200
    assert response.context["form"].errors["scopes"]
    assert not ApiToken.objects.exists()


def test_it_forbids_a_caseworker(client_for, org, issue_token):
    token, _ = issue_token(org)
    client = client_for(make_user("caseworker", organisation=org))
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form(org)).status_code == 403
    assert client.post(f"/en/api-tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_it_sends_anonymous_visitors_to_login(client, org, issue_token):
    token, _ = issue_token(org)
    for response in (client.get(LIST), client.post(f"/en/api-tokens/{token.pk}/revoke/")):
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_lists_only_a_supervisors_organisation_tokens(client_for, org, other_org, issue_token):
    mine, _ = issue_token(org)
    theirs, _ = issue_token(other_org)
    ApiToken.objects.filter(pk=theirs.pk).update(name="Système de B")
    response = client_for(make_user("supervisor", organisation=org)).get(LIST)
    assert response.status_code == 200
    assert [token.pk for token in response.context["page"].object_list] == [mine.pk]
    assert "Système de B" not in response.content.decode()


def test_it_lists_every_token_to_an_admin(client_for, org, other_org, issue_token):
    mine, _ = issue_token(org)
    theirs, _ = issue_token(other_org)
    response = client_for(make_user("system_admin", organisation=org)).get(LIST)
    assert {token.pk for token in response.context["page"].object_list} == {mine.pk, theirs.pk}


def test_it_revokes_with_post_and_audits(client, client_for, org, issue_token):
    token, secret = issue_token(org)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    supervisor = make_user("supervisor", organisation=org)
    response = client_for(supervisor).post(f"/en/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == supervisor
    event = AuditEvent.objects.filter(object_type="api.apitoken", object_id=str(token.pk)).latest("id")
    assert (event.action, event.actor_id, event.detail) == (
        AuditAction.PERMISSION_CHANGE, supervisor.pk, {"token": "revoked"}
    )  # fmt: skip
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_it_rejects_get_on_revoke(client_for, org, issue_token):
    token, _ = issue_token(org)
    response = client_for(make_user("supervisor", organisation=org)).get(f"/en/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_hides_other_organisations_tokens_from_revocation(client_for, org, other_org, issue_token):
    theirs, _ = issue_token(other_org)
    response = client_for(make_user("supervisor", organisation=org)).post(
        f"/en/api-tokens/{theirs.pk}/revoke/"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_it_lets_an_admin_revoke_any_token(client_for, org, other_org, issue_token):
    theirs, _ = issue_token(other_org)
    response = client_for(make_user("system_admin", organisation=org)).post(
        f"/en/api-tokens/{theirs.pk}/revoke/"
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None


def test_it_offers_the_directory_scope_with_its_label(client_for, org):
    supervisor_client = client_for(make_user("supervisor", organisation=org))
    page = supervisor_client.get(CREATE).content.decode()
    assert 'value="directory:read"' in page
    assert "Read the directory of services at the network level" in page
    response = supervisor_client.post(CREATE, form(org, scopes=["directory:read"]))
    assert response.status_code == 200
    assert ApiToken.objects.get().scopes == ["directory:read"]


def test_the_directory_scope_label_is_translated():
    from django.utils import translation

    from himaya.api.models import Scope

    with translation.override("en"):
        english = str(Scope.DIRECTORY_READ.label)
    assert english == "Read the directory of services at the network level"
    # A lazy translation: rendered in the active language when shown, not frozen at import.
    assert Scope.DIRECTORY_READ.label.__class__.__name__ == "__proxy__"
