"""GET /api/v1/users and /users/{id}: each caller sees the users the access policy lets them see, no more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from himaya.accounts.models import User
from himaya.core.models import AuditAction, AuditEvent
from tests.api.conftest import bearer
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def ids(response) -> set[int]:
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def people(org, other_org):
    """Two organisations with a supervisor and a caseworker each."""
    return {
        "supervisor_a": make_user("supervisor", organisation=org),
        "caseworker_a": make_user("caseworker", organisation=org),
        "supervisor_b": make_user("supervisor", organisation=other_org),
        "caseworker_b": make_user("caseworker", organisation=other_org),
    }


def test_it_lists_only_themself_to_a_caseworker(client_for, people):
    response = client_for(people["caseworker_a"]).get("/api/v1/users")
    assert ids(response) == {people["caseworker_a"].pk}
    assert response.json()["count"] == 1


def test_it_lists_their_organisation_to_a_supervisor(client_for, people):
    response = client_for(people["supervisor_a"]).get("/api/v1/users")
    assert ids(response) == {people["supervisor_a"].pk, people["caseworker_a"].pk}


def test_it_lists_every_user_to_a_system_admin(client_for, people, other_org):
    admin = make_user("system_admin", organisation=other_org)
    response = client_for(admin).get("/api/v1/users", {"limit": 100})
    assert ids(response) == set(User.objects.values_list("pk", flat=True))
    assert response.json()["count"] == User.objects.count()


def test_it_searches_users(client_for, people, org):
    make_user("caseworker", organisation=org, full_name="Salma Bennani")
    response = client_for(people["supervisor_a"]).get("/api/v1/users", {"q": "bennani"})
    assert [item["full_name"] for item in response.json()["items"]] == ["Salma Bennani"]


def test_it_paginates_users(client_for, people):
    client = client_for(people["supervisor_a"])
    everyone = client.get("/api/v1/users").json()["items"]
    page = client.get("/api/v1/users", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2
    assert page["items"] == everyone[1:]


def test_it_shows_roles_with_their_territory(client_for, org):
    analyst = make_user("territorial_analyst", "caseworker", organisation=org)
    response = client_for(analyst).get(f"/api/v1/users/{analyst.pk}")
    assert response.status_code == 200
    assert sorted(response.json()["roles"], key=lambda role: role["role"]) == [
        {"role": "caseworker", "region_code": None, "province_code": None},
        {"role": "territorial_analyst", "region_code": "04", "province_code": None},
    ]


def test_it_shows_a_supervisor_a_colleague_and_audits_the_read(client_for, people):
    supervisor, colleague = people["supervisor_a"], people["caseworker_a"]
    response = client_for(supervisor).get(f"/api/v1/users/{colleague.pk}")
    assert response.status_code == 200
    assert response.json()["email"] == colleague.email
    event = AuditEvent.objects.get(action=AuditAction.READ, object_id=str(colleague.pk))
    assert event.actor_id == supervisor.pk
    assert event.object_type == "accounts.user"
    assert "email" in event.fields
    assert colleague.email not in str(event.detail)


def test_it_hides_other_organisations_users(client_for, people):
    response = client_for(people["supervisor_a"]).get(
        f"/api/v1/users/{people['caseworker_b'].pk}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


def test_it_hides_colleagues_from_a_caseworker(client_for, people):
    client = client_for(people["caseworker_a"])
    assert client.get(f"/api/v1/users/{people['supervisor_a'].pk}").status_code == 404
    assert client.get(f"/api/v1/users/{people['caseworker_a'].pk}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/users?q=%00",
        "/api/v1/users?offset=99999999999999999999",
        "/api/v1/users/99999999999999999999",
    ],
)
def test_it_rejects_input_the_database_cannot_take(client_for, people, url):
    response = client_for(people["supervisor_a"]).get(url)
    assert response.status_code == 422


def test_it_lists_only_its_organisations_users_to_a_token(client, people, org, issue_token):
    _, secret = issue_token(org, scopes=["users:read"])
    response = client.get("/api/v1/users", **bearer(secret))
    assert ids(response) == {people["supervisor_a"].pk, people["caseworker_a"].pk}
    other = client.get(f"/api/v1/users/{people['caseworker_b'].pk}", **bearer(secret))
    assert other.status_code == 404


def test_it_audits_a_token_read(client, people, org, issue_token):
    token, secret = issue_token(org, scopes=["users:read"])
    subject = people["caseworker_a"]
    response = client.get(f"/api/v1/users/{subject.pk}", **bearer(secret))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.READ, object_id=str(subject.pk))
    assert event.actor_email == f"token:{token.prefix}"
    assert event.detail == {"api_token": token.pk}
    assert event.object_organisation_id == org.pk


def test_it_requires_scope(client, people, org, issue_token):
    _, secret = issue_token(org, scopes=["organisations:read"])
    for path in ("/api/v1/users", f"/api/v1/users/{people['caseworker_a'].pk}"):
        response = client.get(path, **bearer(secret), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, path
        assert response.json() == {"detail": "This token lacks the scope users:read."}
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


def test_it_lists_a_tokens_users_in_a_constant_number_of_queries(
    client, org, issue_token, django_assert_max_num_queries
):
    """Roles and their territories come from prefetches: the query count does not grow with the users."""
    _, secret = issue_token(org, scopes=["users:read"])
    make_user("territorial_analyst", organisation=org)
    client.get("/api/v1/users", **bearer(secret))  # records the token's first use (one UPDATE)

    with CaptureQueriesContext(connection) as few:
        assert len(ids(client.get("/api/v1/users", **bearer(secret)))) == 1
    for _ in range(8):
        make_user("caseworker", "territorial_analyst", organisation=org)
    with django_assert_max_num_queries(len(few)):
        assert len(ids(client.get("/api/v1/users", **bearer(secret)))) == 9
    # Token, count, page, roles with their territories: a handful, whatever the page size.
    assert len(few) <= 6


def test_it_lists_a_supervisors_users_in_a_constant_number_of_queries(
    client_for, org, django_assert_max_num_queries
):
    supervisor = make_user("supervisor", organisation=org)
    client = client_for(supervisor)
    client.get("/api/v1/users")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/users")
    for _ in range(8):
        make_user("caseworker", "territorial_analyst", organisation=org)
    with django_assert_max_num_queries(len(few)):
        assert len(ids(client.get("/api/v1/users"))) == 9
