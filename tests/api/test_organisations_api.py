"""GET /api/v1/organisations and /organisations/{id}: any staff member reads the directory; a token needs the
organisations:read scope and sees the active organisations only."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_it_lists_organisations_to_a_caseworker(client_for, user_factory, org, other_org):
    caseworker = user_factory("caseworker", organisation=org)
    response = client_for(caseworker).get("/api/v1/organisations")
    assert response.status_code == 200
    body = response.json()
    assert {"Cellule A", "Cellule B"} <= set(names(response))
    assert body["count"] == len(body["items"])
    cellule_a = next(item for item in body["items"] if item["id"] == org.pk)
    assert cellule_a["province"]["code"] == "04.421"
    assert cellule_a["region"]["code"] == "04"


def test_it_searches_and_filters_by_kind(client_for, user_factory, org):
    make_organisation(name="Association Annajda", acronym="ANJ", kind="ngo", sector="civil_society")
    client = client_for(user_factory("caseworker", organisation=org))
    assert names(client.get("/api/v1/organisations", {"q": "annajda"})) == ["Association Annajda"]
    assert names(client.get("/api/v1/organisations", {"q": "ANJ", "kind": "court_cell"})) == []
    assert "Association Annajda" in names(client.get("/api/v1/organisations", {"kind": "ngo"}))
    assert "Cellule A" not in names(client.get("/api/v1/organisations", {"kind": "ngo"}))


def test_it_rejects_an_unknown_kind(client_for, user_factory, org):
    response = client_for(user_factory("caseworker", organisation=org)).get("/api/v1/organisations?kind=bank")
    assert response.status_code == 422
    location = response.json()["detail"][0]["loc"]
    assert location[0] == "query"
    assert "kind" in location


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "offset=-1", "offset=1000001", "limit=abc", "q=" + "x" * 101]
)
def test_it_rejects_out_of_range_input(client_for, user_factory, org, query):
    response = client_for(user_factory("caseworker", organisation=org)).get(f"/api/v1/organisations?{query}")
    assert response.status_code == 422


def test_it_paginates(client_for, user_factory, org, other_org):
    client = client_for(user_factory("caseworker", organisation=org))
    everything = client.get("/api/v1/organisations", {"limit": 100}).json()
    second = client.get("/api/v1/organisations", {"limit": 1, "offset": 1}).json()
    assert second["count"] == everything["count"] >= 2
    assert second["items"] == everything["items"][1:2]


def test_it_shows_one_organisation(client_for, user_factory, org, other_org):
    response = client_for(user_factory("caseworker", organisation=org)).get(
        f"/api/v1/organisations/{other_org.pk}"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Cellule B"


def test_it_answers_404_for_a_missing_organisation(client_for, user_factory, org):
    response = client_for(user_factory("caseworker", organisation=org)).get(
        "/api/v1/organisations/987654321", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("organisation_id", ["0", "abc", "99999999999999999999999"])
def test_it_rejects_an_invalid_id(client_for, user_factory, org, organisation_id):
    response = client_for(user_factory("caseworker", organisation=org)).get(
        f"/api/v1/organisations/{organisation_id}"
    )
    assert response.status_code == 422


def test_it_lists_active_organisations_to_a_token(client, org, issue_token):
    closed = make_organisation(name="Cellule fermée", is_active=False)
    _, secret = issue_token(org, scopes=["organisations:read"])
    response = client.get("/api/v1/organisations", {"limit": 100}, **bearer(secret))
    assert response.status_code == 200
    assert "Cellule A" in names(response)
    assert "Cellule fermée" not in names(response)
    assert client.get(f"/api/v1/organisations/{closed.pk}", **bearer(secret)).status_code == 404
    assert client.get(f"/api/v1/organisations/{org.pk}", **bearer(secret)).json()["id"] == org.pk


def test_it_requires_scope(client, org, issue_token):
    _, secret = issue_token(org, scopes=["users:read"])
    for path in ("/api/v1/organisations", f"/api/v1/organisations/{org.pk}"):
        response = client.get(path, **bearer(secret), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, path
        assert response.json() == {"detail": "This token lacks the scope organisations:read."}
