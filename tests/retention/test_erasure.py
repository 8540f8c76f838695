"""Erasure on request (recorded by case workers, decided by a supervisor of the organisation) and the policies
page (system administrator only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaya.cases.models import Case, EventKind, Survivor
from himaya.core.models import AuditEvent
from himaya.notifications.models import Kind, Notification
from himaya.retention.models import ErasureRequest, ErasureStatus, RetentionPolicy
from himaya.retention.services import erasure_request_create
from tests.retention.helpers import SECRETS, full_case, traces

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def _request(staff: dict[str, Any]) -> tuple[Case, ErasureRequest]:
    case = full_case(staff["caseworker"])
    return case, erasure_request_create(
        actor=staff["caseworker"], survivor=case.survivor, reason="Elle l'a demandé"
    )


def test_a_caseworker_records_the_request_and_supervisors_are_notified(staff: dict[str, Any]) -> None:
    case = full_case(staff["caseworker"])
    url = f"/en/retention/erasure/new/{case.survivor.code}/"

    assert _as(staff["colleague"]).get(url).status_code == 200
    response = _as(staff["colleague"]).post(url, {"reason": "Asked by phone"})

    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert (request.status, request.requested_by, request.reason) == (
        "requested",
        staff["colleague"],
        "Asked by phone",
    )
    notified = Notification.objects.filter(kind=Kind.ERASURE_REQUESTED)
    assert list(notified.values_list("user", flat=True)) == [staff["supervisor"].pk]
    assert notified.get().case_code == ""
    # A second request while one is pending is refused with a message.
    response = _as(staff["caseworker"]).post(url, {"reason": ""})
    assert response.status_code == 200 and b"already awaits" in response.content
    assert ErasureRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "outside_supervisor", "analyst", "admin", "editor"])
def test_nobody_else_records_one(staff: dict[str, Any], who: str) -> None:
    case = full_case(staff["caseworker"])
    response = _as(staff[who]).post(f"/en/retention/erasure/new/{case.survivor.code}/", {"reason": "x"})
    assert response.status_code in {403, 404}
    assert not ErasureRequest.objects.exists()


def test_the_supervisor_approves_and_she_is_erased_at_once(staff: dict[str, Any]) -> None:
    case, request = _request(staff)
    client = _as(staff["supervisor"])
    queue = client.get("/en/retention/erasure/")
    assert case.survivor.code.encode() in queue.content
    detail = client.get(f"/en/retention/erasure/{request.pk}/")
    assert detail.status_code == 200 and b"Approve and erase" in detail.content
    assert AuditEvent.objects.filter(action="read", object_type="retention.erasurerequest").exists()

    response = client.post(f"/en/retention/erasure/{request.pk}/approve/", {"comment": ""})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ErasureStatus.DONE, staff["supervisor"])
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert all(getattr(survivor, name) == "" for name in SECRETS)
    assert survivor.birth_year == 1990
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.caseevents.filter(kind=EventKind.ANONYMISED, detail__reason="erasure_request").exists()
    assert [t for t in traces() if "erasurerequest" not in t] == []
    assert b"No erasure request awaits" in client.get("/en/retention/erasure/").content


@pytest.mark.parametrize("who", ["caseworker", "colleague", "outside_supervisor", "admin", "analyst"])
def test_only_a_supervisor_of_the_organisation_decides(staff: dict[str, Any], who: str) -> None:
    case, request = _request(staff)
    client = _as(staff[who])
    assert client.get(f"/en/retention/erasure/{request.pk}/").status_code in {403, 404}
    assert client.post(f"/en/retention/erasure/{request.pk}/approve/").status_code in {403, 404}
    assert client.post(f"/en/retention/erasure/{request.pk}/reject/", {"comment": "no"}).status_code in {
        403,
        404,
    }
    request.refresh_from_db()
    assert request.status == ErasureStatus.REQUESTED
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == SECRETS["given_name_latin"]


def test_legal_hold_refuses_the_approval_with_the_list(staff: dict[str, Any]) -> None:
    case, request = _request(staff)
    Case.objects.filter(pk=case.pk).update(legal_hold=True)
    client = _as(staff["supervisor"])

    detail = client.get(f"/en/retention/erasure/{request.pk}/")
    assert case.code.encode() in detail.content and b"Approve and erase" not in detail.content
    response = client.post(f"/en/retention/erasure/{request.pk}/approve/", follow=True)

    assert b"under legal hold" in response.content and case.code.encode() in response.content
    request.refresh_from_db()
    assert request.status == ErasureStatus.REQUESTED
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == SECRETS["given_name_latin"]


def test_rejection_needs_a_comment_and_erases_nothing(staff: dict[str, Any]) -> None:
    case, request = _request(staff)
    client = _as(staff["supervisor"])

    response = client.post(f"/en/retention/erasure/{request.pk}/reject/", {"comment": ""}, follow=True)
    assert b"Say why" in response.content
    request.refresh_from_db()
    assert request.status == ErasureStatus.REQUESTED

    client.post(f"/en/retention/erasure/{request.pk}/reject/", {"comment": "Court case pending"})
    request.refresh_from_db()
    assert (request.status, request.decision_comment) == (ErasureStatus.REJECTED, "Court case pending")
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == SECRETS["given_name_latin"]
    # Decided once: a late approval is refused.
    client.post(f"/en/retention/erasure/{request.pk}/approve/")
    request.refresh_from_db()
    assert request.status == ErasureStatus.REJECTED


def test_the_administrator_edits_the_delays_and_nobody_else(staff: dict[str, Any]) -> None:
    admin = _as(staff["admin"])
    assert admin.get("/en/retention/policies/").status_code == 200

    response = admin.post("/en/retention/policies/", {"record_type": "documents", "years": "3"})

    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(record_type="documents")
    assert (policy.years_after_closure, policy.updated_by) == (3, staff["admin"])
    event = AuditEvent.objects.filter(object_type="retention.retentionpolicy").latest("id")
    assert event.detail == {"record_type": "documents", "from": 2, "to": 3}
    bad = admin.post("/en/retention/policies/", {"record_type": "documents", "years": "0"})
    assert bad.status_code == 400
    assert RetentionPolicy.objects.get(record_type="documents").years_after_closure == 3
    for who in ("supervisor", "caseworker", "analyst"):
        client = _as(staff[who])
        assert client.get("/en/retention/policies/").status_code == 403
        assert (
            client.post("/en/retention/policies/", {"record_type": "documents", "years": "9"}).status_code
            == 403
        )
    assert RetentionPolicy.objects.get(record_type="documents").years_after_closure == 3
