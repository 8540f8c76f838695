"""Recording screenings and formal identifications: the outcome stored, notes encrypted, the timeline and the
audit, the age rule, a presumed victim's stage move and the supervisors' notification, the checks on input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from himaya.assessments.models import FormalIdentification, Screening
from himaya.assessments.queries import screening as queries
from himaya.assessments.services import screening as services
from himaya.cases.models import Case, CaseEvent, EventKind
from himaya.cases.services import cases as case_services
from himaya.core.models import AuditAction, AuditEvent
from himaya.notifications.models import Kind, Notification
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PRESUMED = {
    "act.deceptive_recruitment": "yes",
    "means.confiscated_documents": "yes",
    "purpose.domestic_servitude": "yes",
}
CHILD_PRESUMED = {"act.child_entrusted": "yes", "purpose.domestic_servitude": "yes"}


def _record(actor: Any, case: Case, answers: dict[str, str], **extra: Any) -> Screening:
    return services.screening_record(actor=actor, case=case, answers=answers, **extra)


def test_a_screening_is_stored_with_its_outcome_timeline_and_audit(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    screening = _record(
        worker,
        case,
        {"act.deceptive_recruitment": "yes", "means.threats": "no"},
        notes={"act.deceptive_recruitment": "Promised a job as a cook in Tangier."},
    )
    screening.refresh_from_db()
    assert screening.outcome == "possible"
    assert screening.tool_version == "2026-1"
    assert screening.child is False and screening.age_basis == "birth_year"
    assert screening.elements == {"act": "yes", "means": "unknown", "purpose": "unknown"}
    assert screening.answers["means.threats"] == "no"
    assert screening.answers["purpose.forced_labour"] == "unknown"
    assert services.notes_of(screening) == {
        "act.deceptive_recruitment": "Promised a job as a cook in Tangier."
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM assessments_screening WHERE id = %s", [screening.pk])
        raw = cursor.fetchone()[0]
    assert "Tangier" not in raw  # encrypted at rest
    event = CaseEvent.objects.get(case=case, kind=EventKind.SCREENING_RECORDED)
    assert event.detail == {"outcome": "possible", "version": "2026-1", "child": False}
    assert "Tangier" not in json.dumps(event.detail)
    audit = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="assessments.screening").get()
    assert "notes" in audit.fields and "outcome" in audit.fields
    case.refresh_from_db()
    assert case.stage == "reception"  # not presumed: the stage stays
    assert not Notification.objects.exists()


def test_a_presumed_victim_moves_to_identification_and_the_supervisors_are_told(
    staff: dict[str, Any],
) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    second_supervisor = make_user("supervisor", organisation=worker.organisation)
    inactive = make_user("supervisor", organisation=worker.organisation, is_active=False)
    screening = _record(worker, case, PRESUMED)
    assert screening.outcome == "presumed"
    case.refresh_from_db()
    assert case.stage == "identification"
    stage_event = CaseEvent.objects.get(case=case, kind=EventKind.STAGE_CHANGED)
    assert stage_event.detail == {"from": "reception", "to": "identification"}
    assert CaseEvent.objects.get(case=case, kind=EventKind.SCREENING_RECORDED).detail["stage_moved"] is True
    notified = set(Notification.objects.filter(kind=Kind.PRESUMED_VICTIM).values_list("user_id", flat=True))
    assert notified == {staff["supervisor"].pk, second_supervisor.pk}
    assert inactive.pk not in notified
    assert staff["outside_supervisor"].pk not in notified
    assert Notification.objects.filter(case_code=case.code).count() == 2


def test_a_presumed_victim_at_a_later_stage_keeps_her_stage(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    case_services.case_update(actor=worker, case=case, values={"stage": "assessment"}, expected_version=None)
    case_services.case_update(actor=worker, case=case, values={"stage": "plan"}, expected_version=None)
    _record(worker, case, PRESUMED)
    case.refresh_from_db()
    assert case.stage == "plan"  # plan -> identification is not a move of the lifecycle
    event = CaseEvent.objects.get(case=case, kind=EventKind.SCREENING_RECORDED)
    assert event.detail["stage_moved"] is False
    assert Notification.objects.filter(kind=Kind.PRESUMED_VICTIM).count() == 1  # the supervisor still is told


def test_from_assessment_a_presumed_victim_moves_and_a_second_screening_does_not_move_again(
    staff: dict[str, Any],
) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    case_services.case_update(actor=worker, case=case, values={"stage": "assessment"}, expected_version=None)
    _record(worker, case, PRESUMED)
    _record(worker, case, PRESUMED)
    case.refresh_from_db()
    assert case.stage == "identification"
    assert (
        CaseEvent.objects.filter(case=case, kind=EventKind.STAGE_CHANGED, detail__to="identification").count()
        == 1
    )


@pytest.mark.parametrize(
    ("birth_offset", "answers", "outcome", "child"),
    [
        (17, CHILD_PRESUMED, "presumed", True),
        (18, CHILD_PRESUMED, "presumed", True),  # 18 this year: presumption of minority
        (19, CHILD_PRESUMED, "possible", False),  # an adult: the means are required
    ],
)
def test_the_age_rule_from_her_birth_year(
    staff: dict[str, Any], birth_offset: int, answers: dict[str, str], outcome: str, child: bool
) -> None:
    worker = staff["caseworker"]
    case = make_case(worker, birth_year=timezone.localdate().year - birth_offset)
    screening = _record(worker, case, answers)
    assert (screening.outcome, screening.child, screening.age_basis) == (outcome, child, "birth_year")


def test_without_a_birth_year_the_worker_must_say(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker, birth_year=None)
    with pytest.raises(services.BusinessRuleError, match="year of birth is not recorded"):
        _record(worker, case, CHILD_PRESUMED)
    assert not Screening.objects.exists()
    minor = _record(worker, case, CHILD_PRESUMED, age_basis="presumed_minor")
    assert (minor.child, minor.age_basis, minor.outcome) == (True, "presumed_minor", "presumed")
    adult = _record(worker, case, CHILD_PRESUMED, age_basis="declared_adult")
    assert (adult.child, adult.outcome) == (False, "possible")


def test_bad_input_is_refused_and_nothing_is_saved(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    with pytest.raises(services.BusinessRuleError, match=r"act\.unheard_of"):
        _record(worker, case, {"act.unheard_of": "yes"})
    with pytest.raises(services.BusinessRuleError, match="too long"):
        _record(worker, case, {}, notes={"act.harbouring": "x" * 2_001})
    with pytest.raises(services.BusinessRuleError, match="future"):
        _record(worker, case, {}, screened_at=timezone.now() + timedelta(days=2))
    assert not Screening.objects.exists()
    assert not CaseEvent.objects.filter(kind=EventKind.SCREENING_RECORDED).exists()


def test_only_people_working_on_the_open_case_may_screen(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    for name in ("outsider", "analyst", "admin", "editor"):
        with pytest.raises(PermissionDenied):
            _record(staff[name], case, PRESUMED)
    assert _record(staff["colleague"], case, {}).outcome == "possible"


def test_history_newest_first_and_a_read_is_audited(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    first = _record(worker, case, {}, screened_at=timezone.now() - timedelta(days=3))
    second = _record(worker, case, PRESUMED)
    assert list(queries.screenings_of(viewer=worker, case=case)) == [second, first]
    with pytest.raises(PermissionDenied):
        queries.screenings_of(viewer=staff["outsider"], case=case)
    found = queries.screening_get(viewer=worker, case=case, pk=first.pk)
    assert found == first
    read = AuditEvent.objects.filter(action=AuditAction.READ, object_type="assessments.screening").get()
    assert "screening.notes" in read.fields
    other_case = make_case(worker)
    from django.http import Http404

    with pytest.raises(Http404):
        queries.screening_get(viewer=worker, case=other_case, pk=first.pk)


# ----------------------------------------------------------------------------------------- formal identification


def test_a_formal_identification_is_recorded(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    identification = services.identification_record(
        actor=worker,
        case=case,
        authority="prosecutor",
        authority_name="Parquet de Tanger",
        decided_on=timezone.localdate(),
        decision="identified",
        reference="PR-2026-114",
    )
    identification.refresh_from_db()
    assert identification.reference == "PR-2026-114"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reference FROM assessments_formalidentification WHERE id = %s", [identification.pk]
        )
        assert "PR-2026" not in cursor.fetchone()[0]
    event = CaseEvent.objects.get(case=case, kind=EventKind.IDENTIFICATION_RECORDED)
    assert event.detail == {"authority": "prosecutor", "decision": "identified"}
    assert list(queries.identifications_of(viewer=worker, case=case)) == [identification]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"decided_on": "tomorrow"}, "cannot be in the future"),
        ({"decided_on": "too_early"}, "more than a year before the case was opened"),
        ({"authority": "mayor"}, "Authority: unknown value"),
        ({"decision": "maybe"}, "Decision: unknown value"),
        ({"reference": "x" * 201}, "too long"),
        ({"authority_name": "Court\u202e"}, "text-direction"),
    ],
)
def test_identification_input_is_checked(staff: dict[str, Any], values: dict[str, Any], message: str) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    today = timezone.localdate()
    dates = {"tomorrow": today + timedelta(days=1), "too_early": today - timedelta(days=400)}
    arguments: dict[str, Any] = {
        "authority": "judicial_police",
        "decided_on": today,
        "decision": "pending",
        **values,
    }
    if arguments["decided_on"] in dates:
        arguments["decided_on"] = dates[arguments["decided_on"]]
    with pytest.raises(services.BusinessRuleError, match=message):
        services.identification_record(actor=worker, case=case, **arguments)
    assert not FormalIdentification.objects.exists()


def test_a_decision_a_few_months_before_the_case_is_accepted(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    found = services.identification_record(
        actor=worker,
        case=case,
        authority="national_commission",
        decided_on=timezone.localdate() - timedelta(days=200),
        decision="identified",
    )
    assert found.pk is not None
    with pytest.raises(PermissionDenied):
        services.identification_record(
            actor=staff["outsider"],
            case=case,
            authority="prosecutor",
            decided_on=timezone.localdate(),
            decision="identified",
        )
