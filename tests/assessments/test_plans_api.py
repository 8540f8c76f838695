"""The plans API: plans and actions of a case, adding (Idempotency-Key), changing (409 on a stale version),
conferences, "my plan actions", tokens acting as their acting user, refusals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from himaya.api import services as api_services
from himaya.assessments.models import CaseConference, PlanAction
from himaya.assessments.services import plans as services
from himaya.cases.models import Case
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client_for: Any) -> Any:
    def build(user: Any) -> Client:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return build


def send(client: Client, method: str, path: str, body: Any, **extra: Any) -> Any:
    call = getattr(client, method)
    return call(path, data=json.dumps(body), content_type="application/json", **extra)


def add(actor: Any, case: Case, **values: Any) -> PlanAction:
    plan = services.plan_get_or_create(actor=actor, case=case, kind=values.pop("kind", "safety"))
    values.setdefault("need", "safety")
    values.setdefault("description", "Sac prêt")
    return services.action_add(actor=actor, plan=plan, **values)


def test_reading_the_plans_of_a_case(staff: dict[str, Any], api_for: Any) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case, owner=staff["colleague"], due_on=timezone.localdate())
    client = api_for(staff["caseworker"])
    plans = client.get(f"/api/v1/cases/{case.code}/plans").json()
    assert [(p["kind"], p["started"]) for p in plans] == [("safety", True), ("case", False)]
    [row] = plans[0]["actions"]
    assert row["id"] == action.pk and row["description"] == "Sac prêt" and row["due_state"] == "today"
    assert row["owner_id"] == staff["colleague"].pk and row["version"] == 1
    assert client.get(f"/api/v1/cases/{case.code}/plans/case").json()["actions"] == []
    assert len(client.get(f"/api/v1/cases/{case.code}/plans/safety/actions").json()) == 1
    assert client.get(f"/api/v1/cases/{case.code}/plans/other").status_code == 422
    assert client.get(f"/api/v1/cases/{case.code}/plans/actions/{action.pk}").json()["need"] == "safety"
    read = AuditEvent.objects.filter(action="read", object_type="cases.case").latest("id")
    assert "plan_action.description" in read.fields
    assert api_for(staff["outsider"]).get(f"/api/v1/cases/{case.code}/plans").status_code == 404
    assert api_for(staff["analyst"]).get(f"/api/v1/cases/{case.code}/plans").status_code in (403, 404)


def test_adding_an_action_with_an_idempotency_key_creates_it_once(
    staff: dict[str, Any], api_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = api_for(staff["caseworker"])
    url = f"/api/v1/cases/{case.code}/plans/case/actions"
    body = {"need": "economic", "description": "Formation", "owner_id": staff["colleague"].pk}
    first = send(client, "post", url, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    replay = send(client, "post", url, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and PlanAction.objects.count() == 1
    other = send(client, "post", url, {**body, "description": "Autre"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409
    assert first.json()["plan_kind"] == "case" and first.json()["status"] == "todo"


def test_refusals_of_an_action_answer_400_or_422(staff: dict[str, Any], api_for: Any) -> None:
    case = make_case(staff["caseworker"])
    client = api_for(staff["caseworker"])
    url = f"/api/v1/cases/{case.code}/plans/safety/actions"
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = send(client, "post", url, {"need": "safety", "description": "x", "due_on": past})
    assert response.status_code == 400 and response.json() == {
        "detail": "The due date cannot be in the past."
    }
    response = send(
        client, "post", url, {"need": "safety", "description": "x", "owner_id": staff["outsider"].pk}
    )
    assert response.status_code == 400 and "active member" in response.json()["detail"]
    unknown = send(client, "post", url, {"need": "safety", "description": "x", "owner_id": 987654})
    assert unknown.json() == response.json()  # an unknown id and another organisation's member look the same
    assert send(client, "post", url, {"need": "bogus", "description": "x"}).status_code == 422
    assert send(client, "post", url, {"need": "safety", "description": "x", "extra": 1}).status_code == 422
    outsider = send(api_for(staff["outsider"]), "post", url, {"need": "safety", "description": "x"})
    assert outsider.status_code == 404
    assert not PlanAction.objects.exists()


def test_changing_an_action_and_the_409_of_a_stale_version(staff: dict[str, Any], api_for: Any) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case)
    client = api_for(staff["caseworker"])
    url = f"/api/v1/cases/{case.code}/plans/actions/{action.pk}"
    done = send(client, "patch", url, {"version": 1, "status": "done", "owner_id": staff["colleague"].pk})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["completed_at"] and done.json()["version"] == 2
    stale = send(client, "patch", url, {"version": 1, "status": "todo", "owner_id": None})
    assert stale.status_code == 409
    changes = {c["field"]: c["current"] for c in stale.json()["changes"]}
    assert changes == {"status": "done", "owner": staff["colleague"].pk}
    action.refresh_from_db()
    assert action.status == "done" and action.version == 2
    reopened = send(client, "patch", url, {"version": 2, "status": "todo"}).json()
    assert reopened["completed_at"] is None and reopened["status"] == "todo"


def test_conferences_are_recorded_and_listed(staff: dict[str, Any], api_for: Any, org: Any) -> None:
    case = make_case(staff["caseworker"])
    client = api_for(staff["caseworker"])
    url = f"/api/v1/cases/{case.code}/conferences"
    today = timezone.localdate().isoformat()
    created = send(client, "post", url, {"held_on": today, "participants": [org.pk], "decisions": "Suivi"})
    assert created.status_code == 201, created.content
    assert created.json()["participants"] == [org.pk] and created.json()["decisions"] == "Suivi"
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == created.json()["id"]
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert send(client, "post", url, {"held_on": future, "participants": [org.pk]}).status_code == 400
    assert send(client, "post", url, {"held_on": today, "participants": []}).status_code == 422
    assert CaseConference.objects.count() == 1


def test_my_plan_actions_for_a_session_and_for_a_token_acting_as_me(
    staff: dict[str, Any], api_for: Any, org: Any
) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    mine = add(me, case, owner=me, due_on=timezone.localdate() + timedelta(days=2))
    add(me, case, owner=staff["colleague"], due_on=timezone.localdate())
    rows = api_for(me).get("/api/v1/me/plan-actions").json()
    assert rows["count"] == 1 and rows["items"][0] == {
        "id": mine.pk,
        "case_code": case.code,
        "plan_kind": "safety",
        "need": "safety",
        "due_on": mine.due_on.isoformat(),
        "due_state": "soon",
        "status": "todo",
        "version": 1,
    }
    assert api_for(me).get("/api/v1/me/plan-actions?state=later").json()["count"] == 0
    assert api_for(staff["analyst"]).get("/api/v1/me/plan-actions").status_code == 403
    _token, secret = api_services.token_issue(
        actor=staff["supervisor"], organisation=org, name="Partner", scopes=["cases:read"], acting_user=me
    )
    by_token = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert by_token.get("/api/v1/me/plan-actions").json()["count"] == 1
    write = send(
        by_token,
        "post",
        f"/api/v1/cases/{case.code}/plans/safety/actions",
        {"need": "safety", "description": "x"},
    )
    assert write.status_code == 403  # the token lacks cases:write
