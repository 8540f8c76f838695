"""The closure API: requests with their blockers in the body, approval and rejection by a supervisor only (every
role tried with a valid body), reopening, idempotent creates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from himaya.cases.models import Case, ClosureRequest
from himaya.cases.services import cases as case_services
from himaya.cases.services import closure as services
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

ALL_TICKED = list(services.CHECKLIST_CODES)
BODY = {"reason": "goals_met", "checklist": ALL_TICKED}


@pytest.fixture
def api_for(client_for: Any) -> Any:
    def build(user: Any) -> Client:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return build


def post(client: Client, path: str, body: Any = None, **extra: Any) -> Any:
    if body is None:
        return client.post(path, **extra)
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def ready_case(actor: Any) -> Case:
    case = make_case(actor)
    case_services.case_set_needs(actor=actor, case=case, needs=[])
    return case


def pending(staff: dict[str, Any], case: Case) -> ClosureRequest:
    return services.closure_request(
        actor=staff["caseworker"], case=case, reason="goals_met", checklist=ALL_TICKED
    )


def test_a_refused_request_answers_400_with_the_blockers(api_for, staff):
    case = make_case(staff["caseworker"])
    response = post(
        api_for(staff["caseworker"]), f"/api/v1/cases/{case.code}/closure-requests", {"reason": "other"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["blockers"][0] == "The intake is not finished."
    assert body["blockers"][1] == "The reason “other” needs an explanation."
    assert body["blockers"][2].startswith("Checklist items not ticked:")
    assert body["detail"].startswith("The case cannot be closed yet:")
    assert not ClosureRequest.objects.exists()


def test_a_request_is_created_once_per_idempotency_key(api_for, staff):
    case = ready_case(staff["caseworker"])
    client = api_for(staff["caseworker"])
    path = f"/api/v1/cases/{case.code}/closure-requests"
    first = post(client, path, BODY, HTTP_IDEMPOTENCY_KEY="close-1")
    assert first.status_code == 201
    assert first.json()["status"] == "requested" and first.json()["case_code"] == case.code
    replay = post(client, path, BODY, HTTP_IDEMPOTENCY_KEY="close-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert ClosureRequest.objects.filter(case=case).count() == 1
    again = post(client, path, BODY)
    assert again.status_code == 400 and again.json()["blockers"] == [
        "A closure request is already awaiting approval."
    ]
    listed = client.get(path).json()
    assert [item["id"] for item in listed] == [first.json()["id"]]


def test_an_unknown_reason_or_extra_field_is_a_validation_error(api_for, staff):
    case = ready_case(staff["caseworker"])
    path = f"/api/v1/cases/{case.code}/closure-requests"
    assert post(api_for(staff["caseworker"]), path, {**BODY, "reason": "bored"}).status_code == 422
    assert post(api_for(staff["caseworker"]), path, {**BODY, "closed": True}).status_code == 422


ROLES = ["caseworker", "colleague", "outside_supervisor", "outsider", "analyst", "editor", "admin"]


@pytest.mark.parametrize("who", ROLES)
def test_only_a_supervisor_of_the_organisation_approves_or_rejects(api_for, staff, who):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    base = f"/api/v1/cases/{case.code}/closure-requests/{request.pk}"
    client = api_for(staff[who])
    assert post(client, f"{base}/approve", {"comment": "ok"}).status_code in (403, 404)
    assert post(client, f"{base}/reject", {"comment": "no"}).status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).status == "closure_requested"


def test_the_supervisor_approves_and_the_case_is_closed(api_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    response = post(
        api_for(staff["supervisor"]), f"/api/v1/cases/{case.code}/closure-requests/{request.pk}/approve"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["stage"]) == ("closed", "closure") and body["closed_at"]
    again = post(
        api_for(staff["supervisor"]), f"/api/v1/cases/{case.code}/closure-requests/{request.pk}/approve"
    )
    assert again.status_code == 400 and "no longer awaiting" in again.json()["detail"]


def test_a_rejection_needs_a_comment(api_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    path = f"/api/v1/cases/{case.code}/closure-requests/{request.pk}/reject"
    client = api_for(staff["supervisor"])
    assert post(client, path).status_code == 400
    assert post(client, path, {"comment": "  "}).status_code == 400
    response = post(client, path, {"comment": "Plan first."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_comment"]) == ("rejected", "Plan first.")
    assert Case.objects.get(pk=case.pk).status == "open"


@pytest.mark.parametrize("who", ROLES)
def test_only_a_supervisor_reopens(api_for, staff, who):
    case = ready_case(staff["caseworker"])
    services.closure_approve(actor=staff["supervisor"], request=pending(staff, case))
    response = post(api_for(staff[who]), f"/api/v1/cases/{case.code}/reopen", {"reason": "New facts."})
    assert response.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_the_supervisor_reopens_with_a_reason(api_for, staff):
    case = ready_case(staff["caseworker"])
    services.closure_approve(actor=staff["supervisor"], request=pending(staff, case))
    client = api_for(staff["supervisor"])
    path = f"/api/v1/cases/{case.code}/reopen"
    assert post(client, path, {"reason": ""}).status_code == 400
    response = post(client, path, {"reason": "New facts."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stage"]) == ("open", "follow_up")
    assert post(client, path, {"reason": "Again."}).status_code == 403  # not closed any more
    case.refresh_from_db()
    second = pending(staff, case)
    services.closure_approve(actor=staff["supervisor"], request=second)
    history = api_for(staff["caseworker"]).get(f"/api/v1/cases/{case.code}/closure-requests").json()
    assert [item["status"] for item in history] == ["approved", "approved"]


def test_anonymous_callers_get_401(staff):
    case = ready_case(staff["caseworker"])
    assert Client().get(f"/api/v1/cases/{case.code}/closure-requests").status_code == 401
    assert post(Client(), f"/api/v1/cases/{case.code}/reopen", {"reason": "x"}).status_code == 401


def test_a_token_needs_the_write_scope_to_ask(staff, org):
    from himaya.api import services as api_services

    case = ready_case(staff["caseworker"])
    _token, secret = api_services.token_issue(
        actor=staff["supervisor"],
        organisation=org,
        name="reader",
        scopes=["cases:read"],
        acting_user=staff["caseworker"],
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    path = f"/api/v1/cases/{case.code}/closure-requests"
    assert client.get(path).status_code == 200
    assert post(client, path, BODY).status_code == 403
    assert not ClosureRequest.objects.exists()
