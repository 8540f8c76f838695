"""Safety and case plans (one of each per case), their actions, and case conferences.

Every change checks ``assessments.change_plan`` / ``assessments.record_conference`` on the case (who works on it,
while it is open), writes a line on the case timeline (codes only) and an audit event (field names only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import works_on_cases
from himaya.assessments.choices import ActionStatus, PlanKind, PlanNeed
from himaya.assessments.models import CaseConference, Plan, PlanAction
from himaya.cases.models import Case, EventKind
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, event_add, save_versioned
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

DESCRIPTION_MAX = 2_000
DECISIONS_MAX = 20_000
DUE_MAX_DAYS = 366 * 2  # "within two years", as the case's next follow-up
MAX_PARTICIPANTS = 50
OPEN_STATUSES = (ActionStatus.TODO, ActionStatus.IN_PROGRESS)
ACTION_FIELDS = ("need", "description", "owner", "due_on", "status")


def _check_kind(kind: str) -> str:
    if kind not in PlanKind.values:
        raise BusinessRuleError(_("Unknown kind of plan."))
    return str(kind)


def _check_need(need: str) -> str:
    if need not in PlanNeed.values:
        raise BusinessRuleError(_("Choose the need this action answers from the list."))
    return str(need)


def _check_description(description: str) -> str:
    text = check_text(description, label=_("Action"), max_length=DESCRIPTION_MAX)
    if not text:
        raise BusinessRuleError(_("Describe the action."))
    return text


def _check_owner(owner: User | None, case: Case) -> User | None:
    """The person responsible: an active member of the case's organisation who works on cases."""
    if owner is None:
        return None
    if owner.organisation_id != case.organisation_id or not works_on_cases(owner):
        raise BusinessRuleError(
            _("The person responsible must be an active member of the case's organisation with a case role.")
        )
    return owner


def _check_due(due_on: Any, *, today: date) -> date | None:
    if due_on is None:
        return None
    if not isinstance(due_on, date):
        raise BusinessRuleError(_("The due date must be a date."))
    if due_on < today:
        raise BusinessRuleError(_("The due date cannot be in the past."))
    if due_on > today + timedelta(days=DUE_MAX_DAYS):
        raise BusinessRuleError(_("The due date must lie within the next two years."))
    return due_on


def _touch(plan: Plan) -> None:
    """A change of its actions is a change of the plan: its version and time move on."""
    Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now(), version=F("version") + 1)
    plan.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def plan_get_or_create(*, actor: User, case: Case, kind: str) -> Plan:
    """The case's plan of ``kind`` (safety or case), created on first use (one of each per case)."""
    require(actor, "assessments.change_plan", case)
    kind = _check_kind(kind)
    plan, created = Plan.objects.get_or_create(case=case, kind=kind, defaults={"created_by": actor})
    if created:
        event_add(
            case=case,
            kind=EventKind.PLAN_UPDATED,
            actor=actor,
            target=plan,
            detail={"plan": kind, "change": "created"},
        )
        audit.record(AuditAction.CREATE, actor=actor, target=plan, fields=["kind"])
    return plan


@transaction.atomic
def action_add(
    *,
    actor: User,
    plan: Plan,
    need: str,
    description: str,
    owner: User | None = None,
    due_on: date | None = None,
) -> PlanAction:
    """Add an action to ``plan``: the need it answers, what, who (optional), by when (optional)."""
    case = plan.case
    require(actor, "assessments.change_plan", case)
    action = PlanAction(
        plan=plan,
        need=_check_need(need),
        description=_check_description(description),
        owner=_check_owner(owner, case),
        due_on=_check_due(due_on, today=timezone.localdate()),
        created_by=actor,
    )
    action.full_clean()
    action.save()
    _touch(plan)
    detail = {"plan": plan.kind, "change": "action_added", "need": action.need}
    event_add(case=case, kind=EventKind.PLAN_UPDATED, actor=actor, target=action, detail=detail)
    fields = ["need", "description", *(["owner"] if owner else []), *(["due_on"] if due_on else [])]
    audit.record(AuditAction.CREATE, actor=actor, target=action, fields=fields)
    return action


@transaction.atomic
def plan_action_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    need: str,
    description: str,
    owner: User | None = None,
    due_on: date | None = None,
) -> PlanAction:
    """Add an action to the case's plan of ``kind``, starting the plan with it: a refused action leaves no
    empty plan behind."""
    plan = plan_get_or_create(actor=actor, case=case, kind=kind)
    return action_add(actor=actor, plan=plan, need=need, description=description, owner=owner, due_on=due_on)


def _clean_values(action: PlanAction, values: Mapping[str, Any], case: Case) -> dict[str, Any]:
    unknown = sorted(set(values) - set(ACTION_FIELDS))
    if unknown:
        raise BusinessRuleError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "need":
            cleaned[name] = _check_need(value)
        elif name == "description":
            cleaned[name] = _check_description(value)
        elif name == "owner":
            cleaned[name] = value if value == action.owner else _check_owner(value, case)
        elif name == "due_on":
            # A date already set may have passed; a new one may not lie in the past.
            cleaned[name] = value if value == action.due_on else _check_due(value, today=timezone.localdate())
        elif name == "status":
            if value not in ActionStatus.values:
                raise BusinessRuleError(_("Choose the status from the list."))
            cleaned[name] = str(value)
    return cleaned


@transaction.atomic
def action_update(
    *, actor: User, action: PlanAction, values: Mapping[str, Any], expected_version: int | None
) -> list[str]:
    """Change an action (need, description, owner, due date, status). "Done" sets the completion time; leaving
    "done" clears it. A stale ``expected_version`` raises RecordConflict and nothing is saved. Returns the
    names of the fields changed."""
    case = action.plan.case
    require(actor, "assessments.change_plan", case)
    cleaned = _clean_values(action, values, case)

    def completion(current: PlanAction) -> None:
        if "status" not in cleaned:
            return
        if cleaned["status"] == ActionStatus.DONE and current.status != ActionStatus.DONE:
            cleaned["completed_at"] = timezone.now()
        elif cleaned["status"] != ActionStatus.DONE:
            cleaned["completed_at"] = None

    changed = save_versioned(action, expected_version=expected_version, values=cleaned, check=completion)
    if changed:
        _touch(action.plan)
        detail: dict[str, Any] = {
            "plan": action.plan.kind,
            "change": "action_updated",
            "need": action.need,
            "fields": [name for name in changed if name != "completed_at"],
        }
        if "status" in changed:
            detail["status"] = action.status
        event_add(case=case, kind=EventKind.PLAN_UPDATED, actor=actor, target=action, detail=detail)
        audit.record(AuditAction.UPDATE, actor=actor, target=action, fields=changed)
    return changed


def _check_participants(participants: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in participants:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise BusinessRuleError(_("Unknown organisation.")) from None
        if number not in ids:
            ids.append(number)
    if not ids:
        raise BusinessRuleError(_("Name the organisations present at the conference."))
    if len(ids) > MAX_PARTICIPANTS:
        raise BusinessRuleError(_("At most %(max)d organisations may be named.") % {"max": MAX_PARTICIPANTS})
    known = set(Organisation.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if known != set(ids):
        raise BusinessRuleError(_("Unknown organisation."))
    return sorted(ids)


@transaction.atomic
def conference_record(
    *, actor: User, case: Case, held_on: date, participants: Iterable[Any], decisions: str = ""
) -> CaseConference:
    """Record a multi-agency case conference: when (not in the future), which organisations, the decisions."""
    require(actor, "assessments.record_conference", case)
    if not isinstance(held_on, date):
        raise BusinessRuleError(_("Give the date the conference was held."))
    if held_on > timezone.localdate():
        raise BusinessRuleError(_("The conference cannot be in the future."))
    ids = _check_participants(participants)
    decisions = check_text(decisions, label=_("Decisions"), max_length=DECISIONS_MAX)
    conference = CaseConference(
        case=case, held_on=held_on, participants=ids, decisions=decisions, created_by=actor
    )
    conference.full_clean()
    conference.save()
    detail = {"held_on": held_on.isoformat(), "organisations": len(ids)}
    event_add(case=case, kind=EventKind.CASE_CONFERENCE, actor=actor, target=conference, detail=detail)
    fields = ["held_on", "participants", *(["decisions"] if decisions else [])]
    audit.record(AuditAction.CREATE, actor=actor, target=conference, fields=fields)
    return conference
