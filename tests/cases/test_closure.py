"""Closing a case: the request and its blockers, the supervisor's decision, withdrawal, reopening, legal hold,
the notifications and the audit trail (services/closure.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from himaya.cases.models import Case, CaseEvent, ClosureRequest, Note
from himaya.cases.services import cases as case_services
from himaya.cases.services import closure as services
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, AuditEvent
from himaya.notifications.models import Kind, Notification
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ALL_TICKED = list(services.CHECKLIST_CODES)


def ready_case(actor: Any) -> Case:
    """A case whose intake is finished (nothing blocks its closure)."""
    case = make_case(actor)
    case_services.case_set_needs(actor=actor, case=case, needs=[])
    return case


def ask(actor: Any, case: Case, **values: Any) -> ClosureRequest:
    values.setdefault("reason", "goals_met")
    values.setdefault("checklist", ALL_TICKED)
    return services.closure_request(actor=actor, case=case, **values)


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True))


def blockers_of(call: Any) -> list[str]:
    with pytest.raises(services.ClosureBlocked) as caught:
        call()
    return caught.value.blockers


# Blockers -------------------------------------------------------------------------------------------------------


def test_a_case_whose_intake_is_not_finished_cannot_be_closed(staff):
    case = make_case(staff["caseworker"])
    assert blockers_of(lambda: ask(staff["caseworker"], case)) == ["The intake is not finished."]
    case.refresh_from_db()
    assert case.status == "open"
    assert not ClosureRequest.objects.filter(case=case).exists()


def test_a_second_request_while_one_awaits_approval_is_refused(staff):
    case = ready_case(staff["caseworker"])
    ask(staff["caseworker"], case)
    found = blockers_of(lambda: ask(staff["colleague"], case))
    assert found == ["A closure request is already awaiting approval."]
    assert ClosureRequest.objects.filter(case=case).count() == 1


def test_the_reason_other_needs_an_explanation(staff):
    case = ready_case(staff["caseworker"])
    found = blockers_of(lambda: ask(staff["caseworker"], case, reason="other", explanation="   "))
    assert found == ["The reason “other” needs an explanation."]
    request = ask(staff["caseworker"], case, reason="other", explanation="She asked us to stop.")
    assert request.explanation == "She asked us to stop."


@pytest.mark.parametrize("missing", services.CHECKLIST_CODES)
def test_every_checklist_item_must_be_ticked(staff, missing):
    case = ready_case(staff["caseworker"])
    ticked = [code for code in ALL_TICKED if code != missing]
    [found] = blockers_of(lambda: ask(staff["caseworker"], case, checklist=ticked))
    label = str(dict(services.CHECKLIST)[missing])
    assert found.startswith("Checklist items not ticked:") and label in found
    others = [str(text) for code, text in services.CHECKLIST if code != missing]
    assert not any(other in found for other in others)


def test_a_checklist_given_as_a_mapping_counts_only_true_items(staff):
    case = ready_case(staff["caseworker"])
    checklist = {code: True for code in ALL_TICKED} | {"told": "yes"}
    assert (
        "Checklist items not ticked"
        in blockers_of(lambda: ask(staff["caseworker"], case, checklist=checklist))[0]
    )


def test_an_unknown_checklist_item_or_reason_is_refused(staff):
    case = ready_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="unknown item"):
        ask(staff["caseworker"], case, checklist=[*ALL_TICKED, "nonsense"])
    with pytest.raises(BusinessRuleError, match="unknown value"):
        ask(staff["caseworker"], case, reason="bored")


def test_every_blocker_is_listed_at_once(staff):
    case = make_case(staff["caseworker"])
    found = blockers_of(lambda: ask(staff["caseworker"], case, reason="other", checklist=[]))
    assert len(found) == 3
    assert found[0] == "The intake is not finished."
    assert found[1] == "The reason “other” needs an explanation."
    assert found[2].startswith("Checklist items not ticked:")


def no_referrals_ended(case: Case) -> list[str]:
    return [f"Referral of {case.code} is still open."]


HOOK = "tests.cases.test_closure.no_referrals_ended"


def test_the_other_apps_blockers_are_asked_and_listed(staff):
    case = ready_case(staff["caseworker"])
    with override_settings(HIMAYA_CLOSURE_BLOCKERS=["himaya.assessments.closure.blockers", HOOK]):
        found = blockers_of(lambda: ask(staff["caseworker"], case))
    assert found == [f"Referral of {case.code} is still open."]


def test_the_blockers_are_checked_again_at_approval(staff):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    with override_settings(HIMAYA_CLOSURE_BLOCKERS=[HOOK]):
        found = blockers_of(lambda: services.closure_approve(actor=staff["supervisor"], request=request))
    assert found == [f"Referral of {case.code} is still open."]
    case.refresh_from_db()
    request.refresh_from_db()
    assert (case.status, request.status) == ("closure_requested", "requested")


# Requesting ---------------------------------------------------------------------------------------------------


def test_a_request_awaits_approval_and_notifies_the_supervisors(staff, org):
    second_supervisor = make_user("supervisor", organisation=org)
    case = ready_case(staff["caseworker"])
    version = Case.objects.get(pk=case.pk).version
    request = ask(staff["caseworker"], case, reason="moved")
    case.refresh_from_db()
    assert case.status == "closure_requested"
    assert case.version == version + 1
    assert (request.reason, request.status, request.created_by) == ("moved", "requested", staff["caseworker"])
    assert request.checklist == {code: True for code in ALL_TICKED}
    event = CaseEvent.objects.get(case=case, kind="closure_requested")
    assert event.detail == {"reason": "moved", "from": "open"}
    notified = Notification.objects.filter(kind=Kind.CLOSURE_REQUESTED, case_code=case.code)
    assert {n.user for n in notified} == {staff["supervisor"], second_supervisor}
    assert staff["outside_supervisor"] not in {n.user for n in notified}
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.closurerequest").exists()


def test_nobody_outside_the_case_may_ask_to_close_it(staff):
    case = ready_case(staff["caseworker"])
    for who in ("outsider", "analyst", "admin", "editor"):
        with pytest.raises(PermissionDenied):
            ask(staff[who], case)


def test_the_explanation_is_stored_encrypted(staff):
    from django.db import connection

    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case, reason="other", explanation="Moved to Tanger with her sister")
    with connection.cursor() as cursor:
        cursor.execute("SELECT explanation FROM cases_closurerequest WHERE id = %s", [request.pk])
        [raw] = cursor.fetchone()
    assert "Tanger" not in raw


# Deciding -----------------------------------------------------------------------------------------------------


def test_a_supervisor_approves_and_the_case_is_closed(staff):
    case = ready_case(staff["caseworker"])
    case_services.case_update(
        actor=staff["caseworker"], case=case, values={"stage": "assessment"}, expected_version=None
    )
    request = ask(staff["caseworker"], case)
    services.closure_approve(actor=staff["supervisor"], request=request, comment="Good work.")
    case.refresh_from_db()
    request.refresh_from_db()
    assert (case.status, case.stage) == ("closed", "closure")
    assert case.closed_at is not None
    assert (request.status, request.decided_by, request.decision_comment) == (
        "approved",
        staff["supervisor"],
        "Good work.",
    )
    event = CaseEvent.objects.get(case=case, kind="closure_approved")
    assert event.detail == {"reason": "goals_met", "from_stage": "assessment"}
    [note] = Notification.objects.filter(kind=Kind.CLOSURE_DECIDED)
    assert (note.user, note.case_code, note.detail) == (
        staff["caseworker"],
        case.code,
        {"decision": "approved"},
    )


@pytest.mark.parametrize(
    "who", ["caseworker", "colleague", "outside_supervisor", "outsider", "analyst", "admin"]
)
def test_only_a_supervisor_of_the_organisation_decides(staff, who):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    with pytest.raises(PermissionDenied):
        services.closure_approve(actor=staff[who], request=request)
    with pytest.raises(PermissionDenied):
        services.closure_reject(actor=staff[who], request=request, comment="No.")
    case.refresh_from_db()
    assert case.status == "closure_requested"


def test_a_caseworker_never_approves_even_her_own_request(staff, org):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    with pytest.raises(PermissionDenied):
        services.closure_approve(actor=staff["caseworker"], request=request)


def test_a_rejection_needs_a_comment_and_reopens_the_case(staff):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    with pytest.raises(BusinessRuleError, match="comment is required"):
        services.closure_reject(actor=staff["supervisor"], request=request, comment="  ")
    request.refresh_from_db()
    assert request.status == "requested"
    services.closure_reject(actor=staff["supervisor"], request=request, comment="Her safety plan first.")
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.status == "open"
    assert (request.status, request.decision_comment) == ("rejected", "Her safety plan first.")
    assert Notification.objects.get(kind=Kind.CLOSURE_DECIDED).detail == {"decision": "rejected"}
    assert kinds(case)[-1] == "closure_rejected"


def test_a_decided_request_cannot_be_decided_again(staff):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    services.closure_reject(actor=staff["supervisor"], request=request, comment="Not yet.")
    with pytest.raises(BusinessRuleError, match="no longer awaiting"):
        services.closure_approve(actor=staff["supervisor"], request=request)
    case.refresh_from_db()
    assert case.status == "open"


def test_the_requester_or_a_supervisor_withdraws_nobody_else(staff):
    case = ready_case(staff["caseworker"])
    request = ask(staff["caseworker"], case)
    with pytest.raises(PermissionDenied):
        services.closure_withdraw(actor=staff["colleague"], request=request)
    services.closure_withdraw(actor=staff["caseworker"], request=request)
    case.refresh_from_db()
    request.refresh_from_db()
    assert (case.status, request.status) == ("open", "withdrawn")
    again = ask(staff["colleague"], case)
    services.closure_withdraw(actor=staff["supervisor"], request=again)
    assert kinds(case)[-4:] == [
        "closure_requested",
        "closure_withdrawn",
        "closure_requested",
        "closure_withdrawn",
    ]


# Reopening ------------------------------------------------------------------------------------------------------


def close(staff: dict[str, Any], case: Case, reason: str = "goals_met") -> ClosureRequest:
    request = ask(staff["caseworker"], case, reason=reason)
    services.closure_approve(actor=staff["supervisor"], request=request)
    case.refresh_from_db()
    return request


def test_reopening_keeps_the_history_and_a_second_closure_adds_to_it(staff):
    case = ready_case(staff["caseworker"])
    first = close(staff, case, reason="no_contact")
    closed_at = case.closed_at
    services.case_reopen(actor=staff["supervisor"], case=case, reason="She came back after a new incident.")
    case.refresh_from_db()
    assert (case.status, case.stage, case.closed_at) == ("open", "follow_up", None)
    event = CaseEvent.objects.get(case=case, kind="reopened")
    assert event.detail == {
        "closure_request": first.pk,
        "closed_reason": "no_contact",
        "closed_at": closed_at.isoformat(),
    }
    assert Note.objects.get(case=case).body == "Case reopened: She came back after a new incident."
    second = close(staff, case, reason="moved")
    requests = list(ClosureRequest.objects.filter(case=case).order_by("id"))
    assert [(r.pk, r.reason, r.status) for r in requests] == [
        (first.pk, "no_contact", "approved"),
        (second.pk, "moved", "approved"),
    ]
    assert kinds(case).count("closure_approved") == 2


def test_only_a_supervisor_reopens_only_a_closed_case(staff):
    case = ready_case(staff["caseworker"])
    with pytest.raises(PermissionDenied):
        services.case_reopen(actor=staff["supervisor"], case=case, reason="Why not.")
    close(staff, case)
    for who in ("caseworker", "outside_supervisor", "admin"):
        with pytest.raises(PermissionDenied):
            services.case_reopen(actor=staff[who], case=case, reason="Why not.")
    with pytest.raises(BusinessRuleError, match="reason is required"):
        services.case_reopen(actor=staff["supervisor"], case=case, reason="")
    case.refresh_from_db()
    assert case.status == "closed"


def test_a_closed_case_is_read_only(staff):
    case = ready_case(staff["caseworker"])
    close(staff, case)
    with pytest.raises(PermissionDenied):
        case_services.case_update(
            actor=staff["caseworker"], case=case, values={"priority": "high"}, expected_version=None
        )
    with pytest.raises(PermissionDenied):
        ask(staff["caseworker"], case)


# Legal hold -----------------------------------------------------------------------------------------------------


def test_a_supervisor_sets_and_lifts_a_legal_hold_with_a_reason(staff):
    case = ready_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="reason for the legal hold"):
        services.legal_hold_set(actor=staff["supervisor"], case=case, on=True, reason=" ")
    services.legal_hold_set(actor=staff["supervisor"], case=case, on=True, reason="Trial 2026/123")
    case.refresh_from_db()
    assert (case.legal_hold, case.legal_hold_reason) == (True, "Trial 2026/123")
    services.legal_hold_set(actor=staff["supervisor"], case=case, on=False)
    case.refresh_from_db()
    assert (case.legal_hold, case.legal_hold_reason) == (False, "")
    events = CaseEvent.objects.filter(case=case, kind="legal_hold").order_by("id")
    assert [e.detail for e in events] == [{"on": True}, {"on": False}]
    audits = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="cases.case", object_id=str(case.pk)
    )
    assert [a.fields for a in audits if "legal_hold" in a.fields] == [["legal_hold", "legal_hold_reason"]] * 2


def test_a_legal_hold_may_be_set_on_a_closed_case_but_not_by_a_caseworker(staff):
    case = ready_case(staff["caseworker"])
    with pytest.raises(PermissionDenied):
        services.legal_hold_set(actor=staff["caseworker"], case=case, on=True, reason="Trial")
    close(staff, case)
    services.legal_hold_set(actor=staff["supervisor"], case=case, on=True, reason="Appeal")
    case.refresh_from_db()
    assert case.legal_hold is True
