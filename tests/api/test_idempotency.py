"""Idempotency keys on the cases API's creates: a replay returns the first object and creates nothing; the same
key with another request answers 409; keys are per caller, kept 24 hours, and never hold a response body."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from himaya.api import services
from himaya.api.models import IdempotencyKey
from himaya.cases.models import Case, Consent, Incident, Note, Survivor
from tests.api.conftest import bearer
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_CASE = {
    "survivor": {"given_name_latin": "Samira", "family_name_latin": "Alaoui", "phone": "0612345678"},
    "entry_point": "hotline",
}


@pytest.fixture
def caseworker(org: Any) -> Any:
    return make_user("caseworker", organisation=org)


@pytest.fixture
def api(client_for: Any, caseworker: Any) -> Client:
    client = client_for(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client: Client, path: str, body: Any, key: str | None = None, **extra: Any) -> Any:
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **extra)


def test_a_replayed_case_creation_returns_the_first_case_and_creates_nothing(api):
    first = post(api, "/api/v1/cases", NEW_CASE, key="intake-42")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = post(api, "/api/v1/cases", NEW_CASE, key="intake-42")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert Case.objects.count() == 1 and Survivor.objects.count() == 1


def test_the_same_request_written_differently_is_the_same_request(api):
    assert post(api, "/api/v1/cases", NEW_CASE, key="k1").status_code == 201
    reordered = json.dumps(
        {"entry_point": "hotline", "survivor": dict(reversed(NEW_CASE["survivor"].items()))}, indent=2
    )
    assert post(api, "/api/v1/cases", reordered, key="k1")["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_or_path_answers_409_and_creates_nothing(api, caseworker):
    case = make_case(caseworker)
    assert post(api, f"/api/v1/cases/{case.code}/notes", {"body": "First."}, key="n-1").status_code == 201
    other_body = post(api, f"/api/v1/cases/{case.code}/notes", {"body": "Second."}, key="n-1")
    assert other_body.status_code == 409
    assert other_body.json() == {
        "detail": "This Idempotency-Key was already used for another request; use a new key."
    }
    other_path = post(api, f"/api/v1/cases/{case.code}/incidents", {}, key="n-1")
    assert other_path.status_code == 409
    assert Note.objects.count() == 1 and not Incident.objects.exists()


def test_every_create_honours_the_key(api, caseworker):
    case = make_case(caseworker)
    for path, body, model in (
        (f"/api/v1/cases/{case.code}/incidents", {"involved_psychological_abuse": True}, Incident),
        (f"/api/v1/cases/{case.code}/consents", {"purpose": "services", "method": "verbal"}, Consent),
        (f"/api/v1/cases/{case.code}/notes", {"body": "Called her."}, Note),
    ):
        first = post(api, path, body, key=f"key-{model.__name__}")
        again = post(api, path, body, key=f"key-{model.__name__}")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["id"] == first.json()["id"]
        assert again["Idempotent-Replayed"] == "true"
        assert model.objects.count() == 1


def test_keys_belong_to_their_caller(api, client_for, org):
    assert post(api, "/api/v1/cases", NEW_CASE, key="shared").status_code == 201
    colleague = client_for(make_user("caseworker", organisation=org))
    response = post(colleague, "/api/v1/cases", NEW_CASE, key="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Case.objects.count() == 2


def test_a_token_and_its_acting_user_hold_separate_keys(api, client, caseworker, org, issue_token):
    token, secret = issue_token(org, scopes=["cases:read", "cases:write"], acting_user=caseworker)
    assert post(api, "/api/v1/cases", NEW_CASE, key="same").status_code == 201
    response = post(client, "/api/v1/cases", NEW_CASE, key="same", **bearer(secret))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    replay = post(client, "/api/v1/cases", NEW_CASE, key="same", **bearer(secret))
    assert replay["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 2
    assert set(IdempotencyKey.objects.values_list("caller", flat=True)) == {
        f"user:{caseworker.pk}",
        f"token:{token.pk}",
    }


def test_a_refused_request_does_not_use_up_its_key(api):
    refused = post(api, "/api/v1/cases", {"survivor": {}, "entry_point": "hotline"}, key="retry")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(api, "/api/v1/cases", NEW_CASE, key="retry").status_code == 201


def test_no_response_body_or_personal_value_is_stored_with_the_key(api):
    post(api, "/api/v1/cases", NEW_CASE, key="private")
    row = IdempotencyKey.objects.get()
    stored = json.dumps(
        [getattr(row, field.attname) for field in IdempotencyKey._meta.concrete_fields], default=str
    )
    for value in ("Samira", "Alaoui", "0612345678"):
        assert value not in stored
    assert row.object_type == "cases.case"
    assert row.object_id == Case.objects.get().pk
    assert len(row.body_sha256) == 64


def test_a_key_older_than_24_hours_may_be_used_again_and_is_purged(api):
    post(api, "/api/v1/cases", NEW_CASE, key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(api, "/api/v1/cases", NEW_CASE, key="old")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Case.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert services.idempotency_purge() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "with space", "x" * 101, "tab\there"])
def test_a_malformed_key_answers_422(api, key):
    response = post(api, "/api/v1/cases", NEW_CASE, key=key)
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_of_two_concurrent_identical_requests_the_second_returns_the_firsts_object(api, monkeypatch):
    """The race: the second request looked for the key before the first committed its claim; its own claim then
    meets the unique constraint, and it answers with the first request's object (nothing created twice)."""
    first = post(api, "/api/v1/cases", NEW_CASE, key="race")
    monkeypatch.setattr(services, "_current", lambda caller, key: None)  # it saw no claim yet
    second = post(api, "/api/v1/cases", NEW_CASE, key="race")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["code"] == first.json()["code"]
    assert Case.objects.count() == 1 and Survivor.objects.count() == 1
    different = post(api, "/api/v1/cases", {**NEW_CASE, "priority": "high"}, key="race")
    assert different.status_code == 409
    assert Case.objects.count() == 1
