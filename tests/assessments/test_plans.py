"""Safety and case plans: one plan per kind, actions (owner, due dates, status, conflicts), case conferences, the
due states at their date edges, home cards and closure blockers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from himaya.accounts.home import home_cards as all_home_cards
from himaya.assessments import closure, home
from himaya.assessments.models import CaseConference, Plan, PlanAction
from himaya.assessments.queries import plans as queries
from himaya.assessments.services import plans as services
from himaya.cases.models import Case, CaseEvent
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def add(actor: Any, case: Case, kind: str = "safety", **values: Any) -> PlanAction:
    plan = services.plan_get_or_create(actor=actor, case=case, kind=kind)
    values.setdefault("need", "safety")
    values.setdefault("description", "Garder un sac prêt chez la voisine")
    return services.action_add(actor=actor, plan=plan, **values)


# Plans ----------------------------------------------------------------------------------------------------------


def test_one_plan_per_kind_created_once_with_a_timeline_line(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    safety = services.plan_get_or_create(actor=staff["caseworker"], case=case, kind="safety")
    again = services.plan_get_or_create(actor=staff["colleague"], case=case, kind="safety")
    case_plan = services.plan_get_or_create(actor=staff["caseworker"], case=case, kind="case")
    assert safety.pk == again.pk and case_plan.pk != safety.pk
    assert Plan.objects.filter(case=case).count() == 2
    created = CaseEvent.objects.filter(case=case, kind="plan_updated", detail__change="created")
    assert sorted(event.detail["plan"] for event in created) == ["case", "safety"]
    with pytest.raises(BusinessRuleError):
        services.plan_get_or_create(actor=staff["caseworker"], case=case, kind="other")


def test_only_who_works_on_the_open_case_may_change_its_plans(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    for name in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        with pytest.raises(PermissionDenied):
            services.plan_get_or_create(actor=staff[name], case=case, kind="safety")
    action = add(staff["caseworker"], case)
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    action.plan.case = case
    with pytest.raises(PermissionDenied):
        services.action_update(
            actor=staff["caseworker"], action=action, values={"status": "done"}, expected_version=1
        )


# Actions --------------------------------------------------------------------------------------------------------


def test_an_action_is_stored_encrypted_audited_by_name_and_on_the_timeline_by_code(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case, owner=staff["colleague"], due_on=today() + timedelta(days=3))
    assert PlanAction.objects.get(pk=action.pk).description.startswith("Garder")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM assessments_planaction WHERE id = %s", [action.pk])
        assert "Garder" not in cursor.fetchone()[0]
    event = CaseEvent.objects.filter(case=case, kind="plan_updated").latest("id")
    assert event.detail == {"plan": "safety", "change": "action_added", "need": "safety"}
    audit = AuditEvent.objects.get(object_type="assessments.planaction", action="create")
    assert audit.fields == ["description", "due_on", "need", "owner"]
    action.plan.refresh_from_db()
    assert action.plan.version == 2


@pytest.mark.parametrize("name", ["outsider", "analyst", "admin"])
def test_the_owner_must_work_on_cases_in_the_case_organisation(staff: dict[str, Any], name: str) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="active member of the case's organisation"):
        add(staff["caseworker"], case, owner=staff[name])
    assert not PlanAction.objects.exists()


def test_a_deactivated_colleague_cannot_be_made_responsible(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    staff["colleague"].is_active = False
    staff["colleague"].save()
    with pytest.raises(BusinessRuleError):
        add(staff["caseworker"], case, owner=staff["colleague"])
    assert add(staff["caseworker"], case, owner=staff["supervisor"]).owner == staff["supervisor"]


def test_due_dates_today_up_to_two_years_never_in_the_past(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert add(staff["caseworker"], case, due_on=today()).due_on == today()
    last = today() + timedelta(days=services.DUE_MAX_DAYS)
    assert add(staff["caseworker"], case, due_on=last).due_on == last
    with pytest.raises(BusinessRuleError, match="past"):
        add(staff["caseworker"], case, due_on=today() - timedelta(days=1))
    with pytest.raises(BusinessRuleError, match="two years"):
        add(staff["caseworker"], case, due_on=last + timedelta(days=1))


def test_empty_or_unknown_need_and_empty_description_are_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match="need"):
        add(staff["caseworker"], case, need="magic")
    with pytest.raises(BusinessRuleError, match="Describe"):
        add(staff["caseworker"], case, description="   ")
    with pytest.raises(BusinessRuleError, match="invisible"):
        add(staff["caseworker"], case, description="abc\u202edef")


def test_done_sets_completion_and_reopening_clears_it(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case)
    assert services.action_update(
        actor=staff["caseworker"], action=action, values={"status": "done"}, expected_version=1
    ) == ["status", "completed_at"]
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None and action.version == 2
    services.action_update(
        actor=staff["caseworker"], action=action, values={"status": "in_progress"}, expected_version=2
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and action.completed_at is None
    event = CaseEvent.objects.filter(case=case, kind="plan_updated").latest("id")
    assert event.detail["status"] == "in_progress" and event.detail["fields"] == ["status"]


def test_a_stale_version_is_a_conflict_naming_what_changed_and_saves_nothing(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case, due_on=today() + timedelta(days=10))
    stale = PlanAction.objects.get(pk=action.pk)
    stale.plan.case = case
    services.action_update(
        actor=staff["colleague"],
        action=action,
        values={"status": "done", "need": "health"},
        expected_version=1,
    )
    with pytest.raises(RecordConflict) as caught:
        services.action_update(
            actor=staff["caseworker"],
            action=stale,
            values={"status": "cancelled", "need": "health", "due_on": today() + timedelta(days=20)},
            expected_version=1,
        )
    # Listed: what differs from the values sent (the need was changed the same way meanwhile).
    assert caught.value.current == {"status": "done", "due_on": today() + timedelta(days=10)}
    action.refresh_from_db()
    assert (action.status, action.version, action.due_on) == ("done", 2, today() + timedelta(days=10))


def test_an_unchanged_past_due_date_may_stay_when_editing_other_fields(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case, due_on=today())
    PlanAction.objects.filter(pk=action.pk).update(due_on=today() - timedelta(days=5))
    action.refresh_from_db()
    action.plan.case = case
    changed = services.action_update(
        actor=staff["caseworker"],
        action=action,
        values={"due_on": action.due_on, "description": "Autre chose"},
        expected_version=1,
    )
    assert changed == ["description"]
    with pytest.raises(BusinessRuleError, match="past"):
        services.action_update(
            actor=staff["caseworker"],
            action=action,
            values={"due_on": today() - timedelta(days=1)},
            expected_version=2,
        )
    with pytest.raises(BusinessRuleError, match="cannot be changed"):
        services.action_update(
            actor=staff["caseworker"], action=action, values={"plan": None}, expected_version=2
        )


# Conferences ----------------------------------------------------------------------------------------------------


def test_a_conference_with_known_organisations_not_in_the_future(
    staff: dict[str, Any], org: Any, other_org: Any
) -> None:
    case = make_case(staff["caseworker"])
    conference = services.conference_record(
        actor=staff["caseworker"],
        case=case,
        held_on=today(),
        participants=[other_org.pk, org.pk, org.pk],
        decisions="Hébergement d'urgence",
    )
    assert conference.participants == sorted([org.pk, other_org.pk])
    event = CaseEvent.objects.get(case=case, kind="case_conference")
    assert event.detail == {"held_on": today().isoformat(), "organisations": 2}
    with pytest.raises(BusinessRuleError, match="future"):
        services.conference_record(
            actor=staff["caseworker"], case=case, held_on=today() + timedelta(days=1), participants=[org.pk]
        )
    with pytest.raises(BusinessRuleError, match="Unknown organisation"):
        services.conference_record(
            actor=staff["caseworker"], case=case, held_on=today(), participants=[999_999]
        )
    with pytest.raises(BusinessRuleError, match="Name the organisations"):
        services.conference_record(actor=staff["caseworker"], case=case, held_on=today(), participants=[])
    with pytest.raises(PermissionDenied):
        services.conference_record(actor=staff["outsider"], case=case, held_on=today(), participants=[org.pk])
    assert CaseConference.objects.count() == 1


# Due states and lists -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "state"),
    [(-30, "overdue"), (-1, "overdue"), (0, "today"), (1, "soon"), (7, "soon"), (8, "later"), (400, "later")],
)
def test_due_state_at_the_date_edges(offset: int, state: str) -> None:
    day = date(2026, 3, 1)
    action = PlanAction(due_on=day + timedelta(days=offset), status="todo")
    assert queries.due_state(action, day) == state
    action.status = "in_progress"
    assert queries.due_state(action, day) == state
    for closed in ("done", "cancelled"):
        action.status = closed
        assert queries.due_state(action, day) == "none"
    assert queries.due_state(PlanAction(due_on=None, status="todo"), day) == "none"


def _dated(actor: Any, case: Case, offset: int, **values: Any) -> PlanAction:
    action = add(actor, case, due_on=today(), **values)
    PlanAction.objects.filter(pk=action.pk).update(due_on=today() + timedelta(days=offset))
    return action


def test_my_actions_are_mine_open_and_due_within_a_week_on_cases_i_see(staff: dict[str, Any]) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    overdue = _dated(me, case, -1, owner=me)
    due_today = _dated(me, case, 0, owner=me)
    soon = _dated(me, case, 7, owner=me)
    later = _dated(me, case, 8, owner=me)
    undated = add(me, case, owner=me)
    _dated(me, case, -3, owner=staff["colleague"])  # someone else's
    done = _dated(me, case, -2, owner=me)
    PlanAction.objects.filter(pk=done.pk).update(status="done")
    other_case = make_case(staff["outsider"])
    _dated(staff["outsider"], other_case, -1, owner=staff["outsider"])
    assert list(queries.my_actions(user=me)) == [overdue, due_today, soon]
    assert list(queries.my_actions(user=me, state="later")) == [later]
    assert list(queries.my_actions(user=me, state="none")) == [undated]
    assert list(queries.my_actions(user=me, state="today")) == [due_today]
    assert set(queries.my_actions(user=me, state="all")) == {overdue, due_today, soon, later, undated}
    counts = queries.my_action_counts(user=me)
    assert (counts.overdue, counts.upcoming) == (1, 2)


def test_the_organisation_list_shows_the_overdue_actions_to_its_supervisor_only(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    overdue = _dated(staff["caseworker"], case, -1, owner=staff["colleague"])
    _dated(staff["caseworker"], case, 2)
    _dated(staff["outsider"], make_case(staff["outsider"]), -5)
    assert list(queries.organisation_actions(supervisor=staff["supervisor"])) == [overdue]
    assert list(queries.organisation_actions(supervisor=staff["outside_supervisor"])) != [overdue]
    assert queries.organisation_action_counts(supervisor=staff["supervisor"]).overdue == 1
    with pytest.raises(PermissionDenied):
        queries.organisation_actions(supervisor=staff["caseworker"])


def test_plan_summaries_count_open_overdue_and_upcoming(staff: dict[str, Any]) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    _dated(me, case, -1)
    _dated(me, case, 3)
    done = _dated(me, case, -4)
    PlanAction.objects.filter(pk=done.pk).update(status="done")
    summaries = {s.kind: s for s in queries.plan_summaries(viewer=me, case=case)}
    assert (summaries["safety"].exists, summaries["safety"].open) == (True, 2)
    assert (summaries["safety"].overdue, summaries["safety"].upcoming) == (1, 1)
    assert not summaries["case"].exists
    assert queries.plan_summaries(viewer=staff["outsider"], case=case)[0].exists is False


# Home cards -----------------------------------------------------------------------------------------------------


def test_home_cards_count_my_overdue_and_upcoming_actions(staff: dict[str, Any]) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    [card] = home.home_cards(me)
    assert card.title == "My plan actions" and "No plan action" in card.text
    _dated(me, case, -2, owner=me)
    _dated(me, case, -1, owner=me)
    _dated(me, case, 5, owner=me)
    _dated(me, case, 9, owner=me)
    [card] = home.home_cards(me)
    assert card.text == "2 actions are overdue. 1 action is due within 7 days."
    assert card.url == "/en/cases/actions/"


def test_supervisors_also_get_their_organisations_overdue_actions(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    _dated(staff["caseworker"], case, -1, owner=staff["caseworker"])
    cards = home.home_cards(staff["supervisor"])
    assert [c.title for c in cards] == ["My plan actions", "Overdue actions in my organisation"]
    assert cards[1].text == "1 action is overdue." and cards[1].url == "/en/cases/actions/organisation/"
    assert home.home_cards(staff["analyst"]) == [] and home.home_cards(staff["admin"]) == []
    assert "My plan actions" in [str(c.title) for c in all_home_cards(staff["caseworker"])]


def test_a_supervisor_who_is_also_administrator_sees_no_case_card(org: Any) -> None:
    both = make_user("supervisor", "system_admin", organisation=org)
    assert home.home_cards(both) == []


# Closure blockers -----------------------------------------------------------------------------------------------


def test_blockers_list_open_actions_by_need_and_count(staff: dict[str, Any]) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    assert closure.blockers(case) == []
    add(me, case, need="health")
    add(me, case, need="safety")
    second = add(me, case, kind="case", need="safety")
    services.action_update(actor=me, action=second, values={"status": "in_progress"}, expected_version=1)
    finished = add(me, case, need="legal")
    services.action_update(actor=me, action=finished, values={"status": "done"}, expected_version=1)
    cancelled = add(me, case, need="shelter")
    services.action_update(actor=me, action=cancelled, values={"status": "cancelled"}, expected_version=1)
    assert closure.blockers(case) == ["3 plan actions are still open: safety (2), health (1)."]


def test_a_high_risk_case_needs_a_safety_plan_and_a_case_conference(staff: dict[str, Any], org: Any) -> None:
    me = staff["caseworker"]
    case = make_case(me)
    Case.objects.filter(pk=case.pk).update(risk_level="high")
    case.refresh_from_db()
    assert closure.blockers(case) == [
        "The risk is high and the case has no safety plan.",
        "The risk is high and no case conference has been recorded.",
    ]
    action = add(me, case, kind="case")
    assert len(closure.blockers(case)) == 3  # a case plan is not a safety plan
    services.action_update(actor=me, action=action, values={"status": "done"}, expected_version=1)
    safety = add(me, case)
    services.action_update(actor=me, action=safety, values={"status": "done"}, expected_version=1)
    services.conference_record(actor=me, case=case, held_on=today(), participants=[org.pk])
    assert closure.blockers(case) == []


def test_a_refused_first_action_leaves_no_empty_plan(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError):
        services.plan_action_add(
            actor=staff["caseworker"],
            case=case,
            kind="safety",
            need="safety",
            description="x",
            owner=staff["outsider"],
        )
    assert not Plan.objects.filter(case=case).exists()
    action = services.plan_action_add(
        actor=staff["caseworker"], case=case, kind="safety", need="safety", description="Appeler la cellule"
    )
    assert action.plan.kind == "safety" and Plan.objects.filter(case=case).count() == 1
