from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_shows_the_supervisor_cards(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    response = client_for(supervisor).get("/en/home/")
    assert response.status_code == 200
    assert b"Access log" in response.content
    assert b"Manage my team" in response.content


@pytest.mark.django_db
def test_it_sends_a_user_without_authenticator_to_enrolment(client_for, user_factory, org):
    newcomer = user_factory("caseworker", organisation=org, totp=False)
    response = client_for(newcomer).get("/en/home/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/totp/activate/"


def test_it_redirects_anonymous_visitors_to_login(client, db):
    response = client.get("/fr/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/login/")
