"""The API root, its OpenAPI document, and who may call the API at all."""

from __future__ import annotations

import pytest
import schemathesis

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

OUR_PATHS = {
    "/api/v1/",
    "/api/v1/me",
    "/api/v1/organisations",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/users",
    "/api/v1/users/{user_id}",
    # The directory in the Open Referral HSDS API shape (American spelling, as HSDS).
    "/api/v1/organizations",
    "/api/v1/organizations/{organization_id}",
    "/api/v1/services",
    "/api/v1/services/{service_id}",
    "/api/v1/service_at_locations",
    "/api/v1/service_at_locations/{service_at_location_id}",
    "/api/v1/taxonomies",
    "/api/v1/taxonomies/{taxonomy_id}",
    "/api/v1/taxonomy_terms",
    "/api/v1/taxonomy_terms/{taxonomy_term_id}",
}
# Case management (docs/api-cases.md): reads and writes.
CASE_PATHS = {
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{code}": {"get", "patch"},
    "/api/v1/survivors": {"get"},
    "/api/v1/survivors/{code}": {"get", "patch"},
    "/api/v1/cases/{code}/incidents": {"get", "post"},
    "/api/v1/cases/{code}/incidents/{incident_id}": {"get"},
    "/api/v1/cases/{code}/consents": {"get", "post"},
    "/api/v1/cases/{code}/consents/{consent_id}/withdraw": {"post"},
    "/api/v1/cases/{code}/notes": {"get", "post"},
    "/api/v1/cases/{code}/closure-requests": {"get", "post"},
    "/api/v1/cases/{code}/closure-requests/{closure_id}/approve": {"post"},
    "/api/v1/cases/{code}/closure-requests/{closure_id}/reject": {"post"},
    "/api/v1/cases/{code}/reopen": {"post"},
    "/api/v1/screening-indicators": {"get"},
    "/api/v1/cases/{code}/screenings": {"get", "post"},
    "/api/v1/cases/{code}/screenings/{screening_id}": {"get"},
    "/api/v1/cases/{code}/identifications": {"get", "post"},
    "/api/v1/risk-questions": {"get"},
    "/api/v1/cases/{code}/risk-assessments": {"get", "post"},
    "/api/v1/cases/{code}/risk-assessments/{assessment_id}": {"get"},
    "/api/v1/cases/{code}/plans": {"get"},
    "/api/v1/cases/{code}/plans/{kind}": {"get"},
    "/api/v1/cases/{code}/plans/{kind}/actions": {"get", "post"},
    "/api/v1/cases/{code}/plans/actions/{action_id}": {"get", "patch"},
    "/api/v1/cases/{code}/conferences": {"get", "post"},
    "/api/v1/me/plan-actions": {"get"},
}


def test_it_describes_the_api_to_anyone(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Himaya"
    assert body["openapi"] == "/api/v1/openapi.json"
    assert body["resources"] == {
        "organisations": "/api/v1/organisations",
        "users": "/api/v1/users",
        "me": "/api/v1/me",
    }


def test_it_serves_a_valid_openapi_31_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.1")
    # Validated against the OpenAPI 3.1 meta-schema (raises on any violation).
    schemathesis.openapi.from_dict(document).validate()


def test_it_lists_our_paths(client):
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == OUR_PATHS | set(CASE_PATHS)
    assert all(set(document["paths"][path]) == {"get"} for path in OUR_PATHS)
    assert all(set(document["paths"][path]) == methods for path, methods in CASE_PATHS.items())


def test_it_declares_session_and_bearer_security(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["StaffSessionAuth"]["in"] == "cookie"
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert "security" not in document["paths"]["/api/v1/"]["get"]
    users = document["paths"]["/api/v1/users"]["get"]
    assert users["security"] == [{"StaffSessionAuth": []}, {"TokenAuth": []}]
    assert {"200", "401", "403", "422"} <= set(users["responses"])


def test_it_rejects_anonymous_callers(client):
    for path in ("/api/v1/me", "/api/v1/users", "/api/v1/organisations", "/api/v1/users/1"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")  # without it, the default language: French
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Authentication required."}


def test_it_rejects_post(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    response = client_for(supervisor).post("/api/v1/users", {"full_name": "Intrus"})
    assert response.status_code == 405
    assert not type(supervisor).objects.filter(full_name="Intrus").exists()


def test_it_describes_a_signed_in_caller(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    response = client_for(supervisor).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "user"
    assert body["organisation_id"] == org.pk
    assert body["user"]["id"] == supervisor.pk
    assert body["user"]["roles"] == [{"role": "supervisor", "region_code": None, "province_code": None}]


def test_it_describes_a_token_caller(client, org, issue_token):
    _, secret = issue_token(org, scopes=["users:read"])
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json() == {
        "kind": "token",
        "user": None,
        "organisation_id": org.pk,
        "scopes": ["users:read"],
    }


def test_it_refuses_a_session_without_two_factor_enrolment(client_for, user_factory, org):
    newcomer = user_factory("system_admin", organisation=org, totp=False)
    client = client_for(newcomer)
    for path in ("/api/v1/me", "/api/v1/users", "/api/v1/organisations"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, path
        assert response.json() == {"detail": "Two-factor enrolment required."}


def test_it_refuses_a_deactivated_user(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    client = client_for(supervisor)
    type(supervisor).objects.filter(pk=supervisor.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401
