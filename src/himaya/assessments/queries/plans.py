"""Reading plans, their actions and case conferences. Every read starts from the cases the viewer may see
(``visible_to``); lists and home cards show case codes and codes, never names or descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.models import User
from himaya.assessments.choices import ActionStatus, PlanKind
from himaya.assessments.models import CaseConference, Plan, PlanAction
from himaya.cases.models import Case
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

SOON_DAYS = 7
DUE_STATES = ("overdue", "today", "soon", "later", "none")
OPEN_STATUSES = (ActionStatus.TODO, ActionStatus.IN_PROGRESS)
# List filters: "" (the default: overdue, due today or within SOON_DAYS), one due state, or "all" open actions.
LIST_FILTERS = ("", *DUE_STATES, "all")
# What the plan pages (and the API) show, named in the READ audit of the case.
PLAN_FIELDS_SHOWN = (
    "plan.kind",
    "plan_action.need",
    "plan_action.description",
    "plan_action.owner",
    "plan_action.due_on",
    "plan_action.status",
    "plan_action.completed_at",
)
CONFERENCE_FIELDS_SHOWN = (
    "caseconference.held_on",
    "caseconference.participants",
    "caseconference.decisions",
)
LIST_COLUMNS = ("id", "need", "due_on", "status", "version", "owner_id", "plan__kind", "plan__case__code")


def today() -> date:
    return timezone.localdate()


def due_state(action: PlanAction, day: date | None = None) -> str:
    """Where an open action stands against its due date on ``day``: overdue, today, soon (within 7 days), later;
    "none" without a due date or once done or cancelled."""
    day = day or today()
    if action.due_on is None or action.status not in OPEN_STATUSES:
        return "none"
    if action.due_on < day:
        return "overdue"
    if action.due_on == day:
        return "today"
    if action.due_on <= day + timedelta(days=SOON_DAYS):
        return "soon"
    return "later"


def _state_filter(state: str, day: date) -> Q:
    soon = day + timedelta(days=SOON_DAYS)
    return {
        "overdue": Q(due_on__lt=day),
        "today": Q(due_on=day),
        "soon": Q(due_on__gt=day, due_on__lte=soon),
        "later": Q(due_on__gt=soon),
        "none": Q(due_on__isnull=True),
        "": Q(due_on__lte=soon),
        "all": Q(),
    }.get(state, Q(due_on__lte=soon))


def visible_actions(viewer: User) -> QuerySet[PlanAction]:
    """The actions of the plans of the cases ``viewer`` may see."""
    return PlanAction.objects.filter(plan__case__in=Case.objects.visible_to(viewer).values("pk"))


# One case ------------------------------------------------------------------------------------------------------


def _with_actions(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    actions = PlanAction.objects.select_related("owner").order_by("need", "due_on", "id")
    return plans.prefetch_related(Prefetch("actions", queryset=actions))


def plans_of(*, viewer: User, case: Case) -> dict[str, Plan | None]:
    """The case's safety plan and case plan (None when not started), each with its actions and their owners."""
    found = {plan.kind: plan for plan in _with_actions(Plan.objects.visible_to(viewer).filter(case=case))}
    return {kind: found.get(kind) for kind in PlanKind.values}


def plan_of(*, viewer: User, case: Case, kind: str) -> Plan | None:
    if kind not in PlanKind.values:
        raise Http404
    return plans_of(viewer=viewer, case=case)[kind]


def action_get(*, viewer: User, case: Case, pk: int) -> PlanAction:
    """Action ``pk`` of one of ``case``'s plans for editing (404 otherwise); the read of its text is audited."""
    action = visible_actions(viewer).filter(plan__case=case, pk=pk).select_related("plan", "owner").first()
    if action is None:
        raise Http404
    require(viewer, "assessments.view_assessments", case)
    action.plan.case = case
    audit.record(AuditAction.READ, actor=viewer, target=action, fields=["description", "owner", "due_on"])
    return action


def conferences_of(*, viewer: User, case: Case) -> QuerySet[CaseConference]:
    return CaseConference.objects.visible_to(viewer).filter(case=case).order_by("-held_on", "-id")


def latest_conference(*, viewer: User, case: Case) -> CaseConference | None:
    return conferences_of(viewer=viewer, case=case).defer("decisions").first()


def organisation_names(ids: list[int]) -> list[str]:
    """The names of the organisations present at a conference (organisations are public to staff)."""
    from himaya.accounts.models import Organisation

    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids if pk in names]


@dataclass(frozen=True)
class PlanSummary:
    kind: str
    label: str
    exists: bool
    open: int
    overdue: int
    upcoming: int  # due today or within SOON_DAYS


def plan_summaries(*, viewer: User, case: Case, day: date | None = None) -> list[PlanSummary]:
    """For the case page: each plan with its counts of open, overdue and upcoming actions (one query)."""
    day = day or today()
    soon = day + timedelta(days=SOON_DAYS)
    opened = Q(actions__status__in=OPEN_STATUSES)
    rows = {
        row["kind"]: row
        for row in Plan.objects.visible_to(viewer)
        .filter(case=case)
        .values("kind")
        .annotate(
            open=Count("actions", filter=opened),
            overdue=Count("actions", filter=opened & Q(actions__due_on__lt=day)),
            upcoming=Count("actions", filter=opened & Q(actions__due_on__gte=day, actions__due_on__lte=soon)),
        )
    }
    labels = dict(PlanKind.choices)
    return [
        PlanSummary(
            kind=kind,
            label=str(labels[kind]),
            exists=kind in rows,
            open=rows.get(kind, {}).get("open", 0),
            overdue=rows.get(kind, {}).get("overdue", 0),
            upcoming=rows.get(kind, {}).get("upcoming", 0),
        )
        for kind in PlanKind.values
    ]


# Lists across cases --------------------------------------------------------------------------------------------


def _open_list(queryset: QuerySet[PlanAction], state: str, day: date) -> QuerySet[PlanAction]:
    return (
        queryset.filter(status__in=OPEN_STATUSES)
        .filter(_state_filter(state, day))
        .select_related("plan__case", "owner")
        .only(*LIST_COLUMNS, "plan__case_id", "owner__full_name", "owner__email")
        .order_by("due_on", "id")
    )


def my_actions(*, user: User, state: str = "", day: date | None = None) -> QuerySet[PlanAction]:
    """The open actions ``user`` is responsible for on the cases she may see: by default overdue, due today or
    within 7 days; ``state`` narrows to one due state or widens to "all" open ones. Earliest due first."""
    require(user, "cases.access_case_data")
    return _open_list(visible_actions(user).filter(owner=user), state, day or today())


def organisation_actions(
    *, supervisor: User, state: str = "overdue", day: date | None = None
) -> QuerySet[PlanAction]:
    """The open actions of the supervisor's organisation's cases: by default the overdue ones (``state`` as in
    ``my_actions``: "" is overdue or due within 7 days)."""
    require(supervisor, "assessments.view_organisation_actions")
    return _open_list(visible_actions(supervisor), state, day or today())


@dataclass(frozen=True)
class ActionCounts:
    overdue: int
    upcoming: int  # due today or within SOON_DAYS


def _counts(queryset: QuerySet[PlanAction], day: date) -> ActionCounts:
    soon = day + timedelta(days=SOON_DAYS)
    found: dict[str, Any] = queryset.filter(status__in=OPEN_STATUSES).aggregate(
        overdue=Count("id", filter=Q(due_on__lt=day)),
        upcoming=Count("id", filter=Q(due_on__gte=day, due_on__lte=soon)),
    )
    return ActionCounts(overdue=found["overdue"] or 0, upcoming=found["upcoming"] or 0)


def my_action_counts(*, user: User, day: date | None = None) -> ActionCounts:
    return _counts(visible_actions(user).filter(owner=user), day or today())


def organisation_action_counts(*, supervisor: User, day: date | None = None) -> ActionCounts:
    require(supervisor, "assessments.view_organisation_actions")
    return _counts(visible_actions(supervisor), day or today())
