"""Danger assessment: score and thresholds, escalation for repeat incidents, professional judgement, the case's
risk level and timeline, the high-risk alert to the organisation's supervisors, history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from himaya.assessments import toolkits
from himaya.assessments.choices import PlanKind
from himaya.assessments.models import CaseConference, Plan, RiskAssessment
from himaya.assessments.queries import risk as queries
from himaya.assessments.services import risk as services
from himaya.cases.models import Case, CaseEvent, Incident
from himaya.cases.services import incidents as incident_services
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from himaya.notifications.models import Notification
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CODES = [item.code for item in toolkits.current("risk").items]


def answers(yes: int, rest: str = "no") -> dict[str, str]:
    """``yes`` questions answered yes, the others ``rest``."""
    return {code: "yes" if index < yes else rest for index, code in enumerate(CODES)}


def incident_on(actor: Any, case: Case, day: date) -> Incident:
    return incident_services.incident_create(
        actor=actor,
        case=case,
        values={"occurred_on": day, "reported_on": day, "involved_physical_assault": True},
    )


def test_the_list_has_24_questions_in_three_languages_with_the_dash_thresholds() -> None:
    toolkit = toolkits.current("risk")
    assert toolkit.version == "2026-1"
    assert len(toolkit.items) == 24
    assert services.thresholds(toolkit) == {"medium": 10, "high": 14}
    assert all(set(item.labels) >= {"fr", "ar", "en"} for item in toolkit.items)


@pytest.mark.parametrize(
    ("yes", "level"), [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high")]
)
def test_the_level_follows_the_number_of_yes_answers_at_the_threshold_edges(
    staff: dict[str, Any], yes: int, level: str
) -> None:
    case = make_case(staff["caseworker"])
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(yes))
    assert (assessment.score, assessment.computed_level, assessment.level) == (yes, level, level)
    assert not assessment.escalated
    case.refresh_from_db()
    assert case.risk_level == level


def test_not_known_does_not_count_as_yes_and_a_question_left_out_is_not_known(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    given = answers(9, rest="unknown")
    del given[CODES[-1]]
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=given)
    assert assessment.score == 9 and assessment.level == "standard"
    assert assessment.answers[CODES[-1]] == "unknown" and len(assessment.answers) == 24


def test_unknown_questions_wrong_answers_and_no_answer_are_refused_with_nothing_saved(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    for given, message in [
        ({"not_a_question": "yes"}, "Unknown question"),
        ({CODES[0]: "maybe"}, "answer yes, no or not known"),
        ({}, "Answer the questions"),
    ]:
        with pytest.raises(BusinessRuleError, match=message):
            services.risk_assess(actor=staff["caseworker"], case=case, answers=given)
    assert not RiskAssessment.objects.exists()
    case.refresh_from_db()
    assert case.risk_level == "not_assessed"


def test_professional_judgement_raises_the_level_with_a_reason_and_not_without(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="needs a written reason"):
        services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(3), level="high")
    assessment = services.risk_assess(
        actor=staff["caseworker"],
        case=case,
        answers=answers(3),
        level="high",
        reason="Il a acheté une arme la semaine dernière.",
    )
    assert (assessment.computed_level, assessment.level) == ("standard", "high")
    assert services.judgement(assessment) == "raised"
    assert RiskAssessment.objects.get(pk=assessment.pk).judgement_reason.startswith("Il a acheté")


def test_lowering_the_level_without_a_reason_is_refused_and_with_one_accepted_and_marked(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="never lowered silently"):
        services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(14), level="medium")
    with pytest.raises(BusinessRuleError, match="never lowered silently"):
        services.risk_assess(
            actor=staff["caseworker"], case=case, answers=answers(14), level="standard", reason="   "
        )
    assert not RiskAssessment.objects.exists()
    assessment = services.risk_assess(
        actor=staff["caseworker"],
        case=case,
        answers=answers(14),
        level="medium",
        reason="L'agresseur est incarcéré pour cinq ans.",
    )
    assert (assessment.computed_level, assessment.level, services.judgement(assessment)) == (
        "high",
        "medium",
        "lowered",
    )
    event = CaseEvent.objects.get(case=case, kind="risk_assessed")
    assert event.detail["judgement"] == "lowered"
    assert "incarcéré" not in str(event.detail)
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_two_incidents_within_twelve_months_raise_the_level_one_step(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    today = timezone.localdate()
    incident_on(staff["caseworker"], case, today - timedelta(days=300))
    incident_on(staff["caseworker"], case, today - timedelta(days=10))
    standard = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(5))
    assert (standard.computed_level, standard.escalated, standard.level) == ("standard", True, "medium")
    medium = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(11))
    assert (medium.computed_level, medium.escalated, medium.level) == ("medium", True, "high")
    # The escalated level is the automatic one: keeping it needs no reason, lowering it does.
    with pytest.raises(BusinessRuleError, match="never lowered silently"):
        services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(5), level="standard")


def test_incidents_thirteen_months_apart_or_both_older_than_a_year_do_not_escalate(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    today = timezone.localdate()
    incident_on(staff["caseworker"], case, today - timedelta(days=400))  # about 13 months before the next
    incident_on(staff["caseworker"], case, today - timedelta(days=5))
    assert not services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(5)).escalated
    other = make_case(staff["caseworker"])
    incident_on(staff["caseworker"], other, today - timedelta(days=500))
    incident_on(staff["caseworker"], other, today - timedelta(days=400))  # close together, but too long ago
    assert not services.risk_assess(actor=staff["caseworker"], case=other, answers=answers(5)).escalated


def test_an_incident_without_a_date_counts_on_the_day_it_was_reported(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    today = timezone.localdate()
    incident_services.incident_create(
        actor=staff["caseworker"],
        case=case,
        values={"reported_on": today - timedelta(days=30), "involved_physical_assault": True},
    )
    incident_on(staff["caseworker"], case, today - timedelta(days=2))
    assert services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(1)).escalated


def test_the_timeline_gets_score_and_levels_never_answers_and_the_write_is_audited(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(10))
    event = CaseEvent.objects.get(case=case, kind="risk_assessed")
    assert event.object_id == assessment.pk
    assert event.detail["score"] == 10 and event.detail["level"] == "medium"
    assert event.detail["previous_level"] == "not_assessed"
    assert not set(CODES) & set(event.detail) and "yes" not in str(event.detail.values())
    audit = AuditEvent.objects.get(object_type="assessments.riskassessment", action="create")
    assert "answers" in audit.fields and audit.object_id == str(assessment.pk)


def test_high_risk_alerts_the_organisations_supervisors_only_and_records_the_alert(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    assessment = services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(15))
    high = Notification.objects.filter(kind="high_risk")
    assert {n.user_id for n in high} == {staff["supervisor"].pk}
    assert high.get().case_code == case.code
    assert not Notification.objects.filter(user=staff["outside_supervisor"]).exists()
    assert not Notification.objects.filter(user=staff["outsider"]).exists()
    alert = CaseEvent.objects.get(case=case, kind="risk_alert")
    assert alert.object_id == assessment.pk and alert.detail["supervisors"] == 1
    due = Notification.objects.filter(kind="safety_plan_due")
    assert {n.user_id for n in due} == {staff["caseworker"].pk, staff["supervisor"].pk}


def test_a_standard_or_medium_risk_alerts_nobody(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(12))
    assert not Notification.objects.exists()
    assert not CaseEvent.objects.filter(kind="risk_alert").exists()


def test_a_high_risk_case_requires_a_safety_plan_and_a_case_conference_until_both_exist(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    assert queries.risk_requirements(case) == []
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(14))
    case.refresh_from_db()
    assert [r.code for r in queries.risk_requirements(case)] == ["safety_plan", "case_conference"]
    Plan.objects.create(case=case, kind=PlanKind.CASE)
    assert [r.code for r in queries.risk_requirements(case)] == ["safety_plan", "case_conference"]
    Plan.objects.create(case=case, kind=PlanKind.SAFETY)
    assert [r.code for r in queries.risk_requirements(case)] == ["case_conference"]
    CaseConference.objects.create(case=case, held_on=timezone.localdate())
    assert queries.risk_requirements(case) == []


def test_with_a_safety_plan_already_no_safety_plan_reminder_is_sent(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    Plan.objects.create(case=case, kind=PlanKind.SAFETY)
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(20))
    assert Notification.objects.filter(kind="high_risk").exists()
    assert not Notification.objects.filter(kind="safety_plan_due").exists()


def test_every_assessment_is_kept_and_a_reassessment_compares_with_the_previous(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    first = services.risk_assess(
        actor=staff["caseworker"],
        case=case,
        answers=answers(14),
        assessed_at=timezone.now() - timedelta(days=30),
    )
    second = services.risk_assess(actor=staff["colleague"], case=case, answers=answers(4))
    assert list(queries.assessments_of(staff["caseworker"], case)) == [second, first]
    assert queries.latest(staff["caseworker"], case) == second
    assert queries.previous_of(second) == first and queries.previous_of(first) is None
    rows = queries.answer_rows(second, first)
    assert [row.code for row in rows if row.changed] == CODES[4:14]
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert CaseEvent.objects.filter(kind="risk_assessed").latest("at").detail["previous_level"] == "high"


def test_a_back_dated_assessment_does_not_replace_the_latest_level(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(12))
    services.risk_assess(
        actor=staff["caseworker"],
        case=case,
        answers=answers(1),
        assessed_at=timezone.now() - timedelta(days=60),
    )
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_a_future_date_is_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="future"):
        services.risk_assess(
            actor=staff["caseworker"],
            case=case,
            answers=answers(1),
            assessed_at=timezone.now() + timedelta(days=1),
        )


def test_outsiders_roles_without_case_work_and_closed_cases_cannot_record(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    for name in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        with pytest.raises(PermissionDenied):
            services.risk_assess(actor=staff[name], case=case, answers=answers(1))
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(1))
    assert not RiskAssessment.objects.exists()


def test_a_supervisor_who_is_also_system_administrator_gets_no_alert(org: Any, staff: dict[str, Any]) -> None:
    both = make_user("supervisor", "system_admin", organisation=org)
    case = make_case(staff["caseworker"])
    services.risk_assess(actor=staff["caseworker"], case=case, answers=answers(24))
    assert not Notification.objects.filter(user=both).exists()
