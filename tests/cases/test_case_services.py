"""Case services: editing with optimistic concurrency, assignment, the intake steps; timeline and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from himaya.cases.models import Case, CaseEvent
from himaya.cases.services import cases as services
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case
from tests.factories import make_user


def _events(case: Case, kind: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def test_it_updates_a_case_with_one_timeline_line_per_kind_of_change(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    due = timezone.localdate() + timedelta(days=3)
    changed = services.case_update(
        actor=staff["colleague"],
        case=case,
        values={"priority": "urgent", "follow_up_due": due, "stage": "assessment", "status": "open"},
        expected_version=case.version,
    )
    assert sorted(changed) == ["follow_up_due", "priority", "stage"]
    case.refresh_from_db()
    assert (case.priority, case.follow_up_due, case.stage, case.version) == ("urgent", due, "assessment", 2)
    [stage] = _events(case, "stage_changed")
    assert stage.detail == {"from": "reception", "to": "assessment"}
    assert stage.created_by == staff["colleague"]
    [update] = _events(case, "case_updated")
    assert set(update.detail["fields"]) == {"priority", "follow_up_due"}
    audit = AuditEvent.objects.filter(object_type="cases.case", action="update").get()
    assert audit.fields == ["follow_up_due", "priority", "stage"]


def test_a_second_stale_edit_is_refused_with_the_current_values(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    opened_with = case.version
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    services.case_update(
        actor=staff["caseworker"], case=first, values={"priority": "high"}, expected_version=opened_with
    )
    with pytest.raises(RecordConflict) as conflict:
        services.case_update(
            actor=staff["colleague"], case=second, values={"priority": "low"}, expected_version=opened_with
        )
    assert conflict.value.current == {"priority": "high"}
    assert "Someone else saved this record" in str(conflict.value.message)
    case.refresh_from_db()
    assert case.priority == "high" and case.version == opened_with + 1
    assert AuditEvent.objects.filter(object_type="cases.case", action="update").count() == 1


def test_nothing_changed_saves_nothing(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert (
        services.case_update(
            actor=staff["caseworker"], case=case, values={"priority": "normal"}, expected_version=case.version
        )
        == []
    )
    assert Case.objects.get(pk=case.pk).version == 1
    assert not _events(case, "case_updated")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": "closed"}, "closure procedure"),
        ({"stage": "nowhere"}, "unknown value"),
        ({"priority": "<script>"}, "unknown value"),
        ({"follow_up_due": "tomorrow"}, "must be a date"),
    ],
)
def test_it_refuses_bad_values_and_saves_nothing(
    staff: dict[str, Any], values: dict[str, Any], message: str
) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match=message):
        services.case_update(actor=staff["caseworker"], case=case, values=values, expected_version=1)
    case.refresh_from_db()
    assert (case.status, case.stage, case.priority, case.version) == ("open", "reception", "normal", 1)


def test_a_follow_up_years_ahead_is_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    far = timezone.localdate() + timedelta(days=3 * 365)
    with pytest.raises(BusinessRuleError, match="two years"):
        services.case_update(
            actor=staff["caseworker"], case=case, values={"follow_up_due": far}, expected_version=1
        )


@pytest.mark.parametrize("status", ["closure_requested", "closed"])
def test_the_status_changes_only_through_the_closure_procedure(staff: dict[str, Any], status: str) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="closure procedure"):
        services.case_update(
            actor=staff["caseworker"], case=case, values={"status": status}, expected_version=1
        )
    case.refresh_from_db()
    assert case.status == "open" and case.version == 1 and not _events(case, "status_changed")


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_only_the_organisation_may_edit_its_case(staff: dict[str, Any], role: str) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(PermissionDenied):
        services.case_update(actor=staff[role], case=case, values={"priority": "high"}, expected_version=1)


def test_the_supervisor_assigns_caseworkers_of_the_organisation(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    added, removed = services.case_assign(actor=staff["supervisor"], case=case, users=[staff["colleague"]])
    assert added == [staff["colleague"].pk] and removed == [staff["caseworker"].pk]
    assert list(case.caseworkers.all()) == [staff["colleague"]]
    [event] = _events(case, "assigned")
    assert event.detail == {"added": [staff["colleague"].pk], "removed": [staff["caseworker"].pk]}
    audit = AuditEvent.objects.filter(object_type="cases.case", action="update").get()
    assert audit.fields == ["caseworkers"] and audit.detail == {"added": 1, "removed": 1}


def test_assigning_the_same_caseworkers_records_nothing(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert services.case_assign(actor=staff["supervisor"], case=case, users=[staff["caseworker"]]) == ([], [])
    assert not _events(case, "assigned")


@pytest.mark.parametrize("who", ["outsider", "analyst", "editor", "admin", "inactive"])
def test_only_active_case_workers_of_the_organisation_may_be_assigned(
    staff: dict[str, Any], org: Any, who: str
) -> None:
    case = make_case(staff["caseworker"])
    if who == "inactive":
        person = make_user("caseworker", organisation=org)
        person.is_active = False
        person.save()
    else:
        person = staff[who]
    with pytest.raises(BusinessRuleError, match="Only active members"):
        services.case_assign(actor=staff["supervisor"], case=case, users=[staff["caseworker"], person])
    assert list(case.caseworkers.all()) == [staff["caseworker"]]
    assert not _events(case, "assigned")


def test_a_case_keeps_at_least_one_caseworker(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="at least one"):
        services.case_assign(actor=staff["supervisor"], case=case, users=[])


@pytest.mark.parametrize("role", ["caseworker", "outside_supervisor", "admin"])
def test_only_the_organisation_supervisor_assigns(staff: dict[str, Any], role: str) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(PermissionDenied):
        services.case_assign(actor=staff[role], case=case, users=[staff["colleague"]])


def test_the_needs_step_completes_the_intake_once(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert services.case_set_needs(actor=staff["caseworker"], case=case, needs=["medical_care", "reception"])
    case.refresh_from_db()
    assert case.intake_step == "done"
    assert case.immediate_needs == ["reception", "medical_care"]  # the directory's order
    [done] = _events(case, "intake_completed")
    assert done.detail == {"needs": ["reception", "medical_care"], "skipped": ["consent", "incident"]}
    assert not services.case_set_needs(actor=staff["caseworker"], case=case, needs=["reception"])
    assert len(_events(case, "intake_completed")) == 1
    assert _events(case, "case_updated")[0].detail == {"fields": ["immediate_needs"]}


def test_unknown_needs_are_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="unknown code"):
        services.case_set_needs(actor=staff["caseworker"], case=case, needs=["reception", "teleportation"])
    case.refresh_from_db()
    assert case.intake_step == "consent" and case.immediate_needs == []


def test_the_intake_step_only_moves_forward(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert services.intake_set_step(actor=staff["caseworker"], case=case, step="incident")
    assert not services.intake_set_step(actor=staff["caseworker"], case=case, step="consent")
    assert Case.objects.get(pk=case.pk).intake_step == "incident"
    with pytest.raises(BusinessRuleError):
        services.intake_set_step(actor=staff["caseworker"], case=case, step="done")


def test_a_known_survivor_gets_a_second_case_but_not_another_organisations(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    second = services.intake_existing(
        actor=staff["colleague"], survivor=case.survivor, case_values={"entry_point": "hotline"}
    )
    assert second.survivor_id == case.survivor_id and second.pk != case.pk
    with pytest.raises(BusinessRuleError, match="not among the people"):
        services.intake_existing(
            actor=staff["outsider"], survivor=case.survivor, case_values={"entry_point": "hotline"}
        )
    assert Case.objects.count() == 2
