"""Closure pages: request (blockers before submitting), decision, withdrawal, reopening, legal hold, the
supervisor's queue, and the case page's closure panel and timeline lines."""

from __future__ import annotations

from typing import Any

import pytest

from himaya.cases.models import Case, CaseEvent, ClosureRequest
from himaya.cases.queries.closure import describe_event
from himaya.cases.services import cases as case_services
from himaya.cases.services import closure as services
from himaya.core.models import AuditAction, AuditEvent
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

ALL_TICKED = list(services.CHECKLIST_CODES)


def ready_case(actor: Any) -> Case:
    case = make_case(actor)
    case_services.case_set_needs(actor=actor, case=case, needs=[])
    return case


def pending(staff: dict[str, Any], case: Case) -> ClosureRequest:
    return services.closure_request(
        actor=staff["caseworker"], case=case, reason="goals_met", checklist=ALL_TICKED
    )


def test_the_request_page_shows_the_blockers_before_submitting(client_for, staff):
    case = make_case(staff["caseworker"])
    html = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/closure/").content.decode()
    assert "What stops the closure" in html and "The intake is not finished." in html
    assert "Her safety was reviewed." in html  # the checklist
    assert "No closure was asked for this case." in html


def test_a_refused_request_lists_every_blocker_and_saves_nothing(client_for, staff):
    case = ready_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(
        f"/en/cases/{case.code}/closure/", {"reason": "other", "explanation": "", "checklist": ["told"]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The case cannot be closed yet." in html
    assert "The reason “other” needs an explanation." in html
    assert "Checklist items not ticked:" in html and "The follow-up is recorded." in html
    assert not ClosureRequest.objects.filter(case=case).exists()


def test_a_request_is_saved_and_the_case_page_shows_it_awaiting_approval(client_for, staff):
    case = ready_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    response = client.post(
        f"/en/cases/{case.code}/closure/", {"reason": "moved", "explanation": "", "checklist": ALL_TICKED}
    )
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.code}/"
    assert Case.objects.get(pk=case.pk).status == "closure_requested"
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "it awaits the approval of a supervisor" in html
    assert "Withdraw the request" in html
    assert "Approve or reject" not in html  # a caseworker never decides
    assert "Closure requested" in html and "she moved away" in html  # the timeline line and its reason


def test_the_supervisor_approves_from_her_queue(client_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    client = client_for(staff["supervisor"])
    queue = client.get("/en/cases/closures/").content.decode()
    assert case.code in queue and f"/en/cases/{case.code}/closure/{request.pk}/decide/" in queue
    assert (
        client_for(staff["outside_supervisor"]).get("/en/cases/closures/").content.decode().count(case.code)
        == 0
    )
    assert client_for(staff["caseworker"]).get("/en/cases/closures/").status_code == 403
    page = client.get(f"/en/cases/{case.code}/closure/{request.pk}/decide/").content.decode()
    assert "the plan&#x27;s goals are met" in page or "the plan's goals are met" in page
    response = client.post(f"/en/cases/{case.code}/closure/{request.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.stage) == ("closed", "closure")
    assert "No closure awaits your approval." in client.get("/en/cases/closures/").content.decode()
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "Reopen the case" in html and "Closure approved" in html


def test_a_rejection_without_a_comment_is_refused_on_the_form(client_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    client = client_for(staff["supervisor"])
    url = f"/en/cases/{case.code}/closure/{request.pk}/decide/"
    response = client.post(url, {"decision": "reject", "comment": ""})
    assert response.status_code == 200 and "the comment is required" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "closure_requested"
    assert client.post(url, {"decision": "reject", "comment": "Plan first."}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "open"


def test_a_caseworker_cannot_open_the_decision_page(client_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    url = f"/en/cases/{case.code}/closure/{request.pk}/decide/"
    assert client_for(staff["caseworker"]).get(url).status_code == 403
    assert client_for(staff["caseworker"]).post(url, {"decision": "approve"}).status_code == 403
    assert client_for(staff["outside_supervisor"]).get(url).status_code == 404
    assert Case.objects.get(pk=case.pk).status == "closure_requested"


def test_the_requester_withdraws_a_colleague_may_not(client_for, staff):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    url = f"/en/cases/{case.code}/closure/{request.pk}/withdraw/"
    assert client_for(staff["colleague"]).post(url).status_code == 403
    assert client_for(staff["caseworker"]).get(url).status_code == 405
    assert client_for(staff["caseworker"]).post(url).status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_the_supervisor_reopens_a_closed_case(client_for, staff):
    case = ready_case(staff["caseworker"])
    services.closure_approve(actor=staff["supervisor"], request=pending(staff, case))
    url = f"/en/cases/{case.code}/reopen/"
    assert client_for(staff["caseworker"]).get(url).status_code == 403
    client = client_for(staff["supervisor"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and Case.objects.get(pk=case.pk).status == "closed"
    assert client.post(url, {"reason": "She asked for help again."}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.stage) == ("open", "follow_up")
    html = client.get(f"/en/cases/{case.code}/closure/").content.decode()
    assert "approved" in html  # the first closure stays in the history
    assert client.get(url).status_code == 403  # an open case is not reopened


def test_the_legal_hold_page(client_for, staff):
    case = ready_case(staff["caseworker"])
    url = f"/en/cases/{case.code}/legal-hold/"
    assert client_for(staff["caseworker"]).get(url).status_code == 403
    client = client_for(staff["supervisor"])
    response = client.post(url, {"on": "on", "reason": ""})
    assert response.status_code == 200 and "Give the reason for the legal hold" in response.content.decode()
    assert client.post(url, {"on": "on", "reason": "Trial 2026/77"}).status_code == 302
    case.refresh_from_db()
    assert case.legal_hold and case.legal_hold_reason == "Trial 2026/77"
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "Trial 2026/77" in html and "Change the legal hold" in html and "hold set" in html


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_closure_pages_render_in_french_and_arabic(client_for, staff, language):
    case = ready_case(staff["caseworker"])
    request = pending(staff, case)
    supervisor = client_for(staff["supervisor"])
    for client, url in (
        (client_for(staff["caseworker"]), f"/{language}/cases/{case.code}/closure/"),
        (supervisor, f"/{language}/cases/{case.code}/closure/{request.pk}/decide/"),
        (supervisor, f"/{language}/cases/closures/"),
        (supervisor, f"/{language}/cases/{case.code}/legal-hold/"),
        (supervisor, f"/{language}/cases/{case.code}/"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'lang="{language}"' in html
        assert ('dir="rtl"' in html) == (language == "ar")


def test_the_closure_pages_audit_the_read_of_the_requests(client_for, staff):
    case = ready_case(staff["caseworker"])
    pending(staff, case)
    client_for(staff["colleague"]).get(f"/en/cases/{case.code}/closure/")
    event = AuditEvent.objects.filter(action=AuditAction.READ, actor_id=staff["colleague"].pk).latest("id")
    assert "closure.explanation" in event.fields and event.detail.get("view") == "closure"


@pytest.mark.parametrize(
    ("kind", "detail", "expected"),
    [
        ("closure_requested", {"reason": "moved", "from": "open"}, "she moved away"),
        ("closure_approved", {"reason": "deceased", "from_stage": "plan"}, "she died"),
        ("closure_rejected", {}, ""),
        ("closure_withdrawn", {}, ""),
        (
            "reopened",
            {"closure_request": 1, "closed_reason": "no_contact", "closed_at": "2026-01-05T10:00:00+00:00"},
            "closed on 2026-01-05 · no contact for a long time",
        ),
        ("legal_hold", {"on": True}, "hold set"),
        ("legal_hold", {"on": False}, "hold lifted"),
        ("screening_recorded", {"outcome": "presumed"}, "presumed victim of trafficking"),
        (
            "screening_recorded",
            {"outcome": "presumed", "version": "1", "child": False, "stage_moved": True},
            "presumed victim of trafficking · moved to the identification stage",
        ),
        (
            "identification_recorded",
            {"authority": "prosecutor", "decision": "identified"},
            "identified as a victim of trafficking · public prosecutor",
        ),
        (
            "risk_assessed",
            {
                "score": 14,
                "computed_level": "high",
                "escalated": False,
                "level": "high",
                "previous_level": "not_assessed",
            },
            "high · score 14",
        ),
        (
            "risk_assessed",
            {"score": 3, "escalated": True, "level": "medium", "judgement": "", "previous_level": "high"},
            "high → medium · score 3 · raised one level: repeat incidents within 12 months",
        ),
        (
            "risk_assessed",
            {"level": "high", "judgement": "raised"},
            "high · raised by professional judgement",
        ),
        ("risk_alert", {"supervisors": 2, "level": "high"}, "high · supervisors alerted: 2"),
        ("plan_updated", {"plan": "safety", "change": "created"}, "safety plan · plan started"),
        (
            "plan_updated",
            {
                "plan": "case",
                "change": "action_updated",
                "need": "health",
                "fields": ["status"],
                "status": "done",
            },
            "case plan · action updated · health · done",
        ),
        (
            "case_conference",
            {"held_on": "2026-03-02", "organisations": 3},
            "held on 2026-03-02 · organisations: 3",
        ),
        ("anonymised", {"reason": "retention"}, "end of the retention period"),
        ("anonymised", {}, ""),
        ("screening_recorded", {"outcome": "unheard-of"}, "unheard-of"),
    ],
)
def test_every_new_timeline_line_is_told_from_its_codes(kind, detail, expected):
    assert describe_event(CaseEvent(kind=kind, detail=detail)) == expected


def test_the_timeline_shows_a_line_for_each_new_kind(client_for, staff):
    from himaya.cases.services.common import event_add

    case = ready_case(staff["caseworker"])
    for kind in ("screening_recorded", "risk_alert", "case_conference", "anonymised"):
        event_add(case=case, kind=kind, actor=None, detail={})
    html = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/").content.decode()
    for label in (
        "Trafficking screening recorded",
        "High risk: supervisor alerted",
        "Case conference recorded",
        "Identifying data anonymised",
    ):
        assert label in html
