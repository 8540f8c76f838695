"""Opening a case, the intake steps, editing a case (priority, follow-up, stage, status) and assigning it.

Closing a case (reason, supervisor approval) belongs to the case lifecycle and is not built here: the status
``closed`` is refused by ``case_update``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.accounts.policies import works_on_cases
from himaya.cases import choices, codes
from himaya.cases.models import Case, EventKind, Survivor
from himaya.cases.policies import require, stage_moves
from himaya.cases.services import survivors
from himaya.cases.services.common import check_codes, event_add, save_versioned, unique_code
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

# The fields ``case_update`` changes (the risk level comes from assessments, the needs from the intake step).
EDITABLE_FIELDS = ("priority", "follow_up_due", "stage", "status")
INTAKE_ORDER = list(choices.IntakeStep.values)
# How far ahead a follow-up may be planned.
FOLLOW_UP_MAX_DAYS = 366 * 2


def _check_choice(value: Any, choices_class: Any, *, label: str) -> str:
    if value not in choices_class.values:
        raise BusinessRuleError(_("%(field)s: unknown value %(value)s.") % {"field": label, "value": value})
    return str(value)


@transaction.atomic
def case_open(
    *,
    actor: User,
    survivor: Survivor,
    entry_point: str,
    priority: str = choices.Priority.NORMAL,
    intake_step: str = choices.IntakeStep.CONSENT,
) -> Case:
    """Open a case of the actor's organisation for ``survivor``, assigned to the actor."""
    require(actor, "cases.add_case")
    # Another organisation's survivor is reachable only when one of her cases is visible to the actor.
    if (
        survivor.pk is not None
        and survivor.organisation_id != actor.organisation_id
        and not Survivor.objects.visible_to(actor).filter(pk=survivor.pk).exists()
    ):
        raise BusinessRuleError(_("This survivor is not among the people your organisation works with."))
    _check_choice(entry_point, choices.EntryPoint, label=_("Entry point"))
    _check_choice(priority, choices.Priority, label=_("Priority"))
    case = Case(
        code=unique_code(Case, codes.CASE_PREFIX),
        organisation_id=actor.organisation_id,
        survivor=survivor,
        entry_point=entry_point,
        priority=priority,
        intake_step=intake_step,
        created_by=actor,
    )
    case.full_clean()
    case.save()
    if survivor.organisation_id != case.organisation_id:
        survivors.lookups_open_to(survivor, case.organisation_id)
    case.caseworkers.add(actor)
    event_add(case=case, kind=EventKind.CASE_OPENED, actor=actor, detail={"entry_point": entry_point})
    audit.record(AuditAction.CREATE, actor=actor, target=case, fields=["entry_point", "priority"])
    return case


@transaction.atomic
def intake_start(*, actor: User, survivor_values: Mapping[str, Any], case_values: Mapping[str, Any]) -> Case:
    """First step of the intake: the person and the case, saved together (nothing half on error)."""
    require(actor, "cases.add_case")
    _check_choice(case_values.get("entry_point"), choices.EntryPoint, label=_("Entry point"))
    survivor = survivors.survivor_create(actor=actor, values=survivor_values)
    return case_open(
        actor=actor,
        survivor=survivor,
        entry_point=case_values["entry_point"],
        priority=case_values.get("priority") or choices.Priority.NORMAL,
    )


@transaction.atomic
def intake_existing(*, actor: User, survivor: Survivor, case_values: Mapping[str, Any]) -> Case:
    """First step of the intake for a survivor already known (the duplicate warning's "same person")."""
    if not Survivor.objects.visible_to(actor).filter(pk=survivor.pk).exists():
        raise BusinessRuleError(_("This survivor is not among the people your organisation works with."))
    return case_open(
        actor=actor,
        survivor=survivor,
        entry_point=str(case_values.get("entry_point") or ""),
        priority=case_values.get("priority") or choices.Priority.NORMAL,
    )


def intake_position(step: str) -> int:
    return INTAKE_ORDER.index(step) if step in INTAKE_ORDER else 0


@transaction.atomic
def intake_set_step(*, actor: User, case: Case, step: str) -> bool:
    """Move the intake forward to ``step`` (never back, never to "done": ``intake_complete`` does that).

    For the consent and incident steps: call it once the step is saved. Returns whether the step moved."""
    require(actor, "cases.change_case", case)
    _check_choice(step, choices.IntakeStep, label=_("Intake step"))
    if step == choices.IntakeStep.DONE:
        raise BusinessRuleError(_("The intake is completed with its last step, the immediate needs."))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if intake_position(step) <= intake_position(locked.intake_step):
        case.intake_step = locked.intake_step
        return False
    Case.objects.filter(pk=case.pk).update(intake_step=step, updated_at=timezone.now())
    case.intake_step = step
    return True


def need_codes() -> list[str]:
    from himaya.cases.queries.cases import need_terms

    return [term.code for term in need_terms()]


@transaction.atomic
def case_set_needs(*, actor: User, case: Case, needs: Iterable[str]) -> bool:
    """Record her immediate needs (codes of the directory's needs); the last intake step completes the intake.

    Returns True when this call completed the intake."""
    require(actor, "cases.change_case", case)
    cleaned = check_codes(needs, need_codes(), label=_("Immediate needs"))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    completing = locked.intake_step != choices.IntakeStep.DONE
    changed = cleaned != list(locked.immediate_needs)
    if not changed and not completing:
        return False
    fields = {"immediate_needs": cleaned, "updated_at": timezone.now()}
    if completing:
        fields["intake_step"] = choices.IntakeStep.DONE
    Case.objects.filter(pk=case.pk).update(**fields)
    case.immediate_needs = cleaned
    case.intake_step = choices.IntakeStep.DONE
    if completing:
        event_add(
            case=case,
            kind=EventKind.INTAKE_COMPLETED,
            actor=actor,
            detail={"needs": cleaned, "skipped": _skipped_steps(locked.intake_step)},
        )
    elif changed:
        event_add(case=case, kind=EventKind.CASE_UPDATED, actor=actor, detail={"fields": ["immediate_needs"]})
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=case,
        fields=["immediate_needs", *(["intake_step"] if completing else [])],
    )
    return completing


def _skipped_steps(step: str) -> list[str]:
    """The steps before "needs" that the intake had not reached when it was completed."""
    position = intake_position(step)
    return [
        s for s in (choices.IntakeStep.CONSENT, choices.IntakeStep.INCIDENT) if intake_position(s) >= position
    ]


def _closure_procedure_message() -> str:
    return _(
        "A case is closed through its closure procedure (reason and supervisor approval), "
        "not by changing its status here."
    )


def _clean_update(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name == "priority":
            cleaned[name] = _check_choice(value, choices.Priority, label=_("Priority"))
        elif name == "stage":
            cleaned[name] = _check_choice(value, choices.Stage, label=_("Stage"))
        elif name == "status":
            cleaned[name] = _check_choice(value, choices.CaseStatus, label=_("Status"))
            if value == choices.CaseStatus.CLOSED:
                raise BusinessRuleError(_closure_procedure_message())
        elif name == "follow_up_due":
            if value is not None and not isinstance(value, date):
                raise BusinessRuleError(_("The next follow-up must be a date."))
            if value is not None:
                today = timezone.localdate()
                if (value - today).days > FOLLOW_UP_MAX_DAYS:
                    raise BusinessRuleError(_("The next follow-up must lie within the next two years."))
            cleaned[name] = value
    return cleaned


def _check_stage_move(current: str, target: str) -> None:
    """Refuse a stage change the lifecycle does not allow, naming the stages the case may go to."""
    if target in stage_moves(current):
        return
    if target == choices.Stage.CLOSURE:
        raise BusinessRuleError(
            _("A case reaches the closure stage through its closure request, approved by a supervisor.")
        )
    allowed = [str(choices.Stage(stage).label) for stage in stage_moves(current)]
    names = {"current": choices.Stage(current).label, "target": choices.Stage(target).label}
    if not allowed:
        raise BusinessRuleError(
            _("A case at the stage “%(current)s” cannot move to “%(target)s”; reopen it first.") % names
        )
    raise BusinessRuleError(
        _("A case at the stage “%(current)s” cannot move to “%(target)s”. It may move to: %(allowed)s.")
        % {**names, "allowed": ", ".join(allowed)}
    )


@transaction.atomic
def case_update(
    *, actor: User, case: Case, values: Mapping[str, Any], expected_version: int | None
) -> list[str]:
    """Change the priority, the next follow-up, the stage or the status (any but closed).

    Returns the names of the fields that changed. A stale ``expected_version`` raises RecordConflict (nothing
    saved). Stage and status changes get their own line on the timeline."""
    require(actor, "cases.change_case", case)
    cleaned = _clean_update(values)
    before = {name: getattr(case, name) for name in cleaned}
    current = Case.objects.filter(pk=case.pk).values(*cleaned).first() if cleaned else None
    if current is not None:
        before = current

    def check(locked: Case) -> None:
        # The status follows the closure procedure (request, approval, rejection, reopening), never a plain edit.
        if "status" in cleaned and cleaned["status"] != locked.status:
            raise BusinessRuleError(_closure_procedure_message())
        if "stage" in cleaned and cleaned["stage"] != locked.stage:
            _check_stage_move(locked.stage, cleaned["stage"])

    changed = save_versioned(case, expected_version=expected_version, values=cleaned, check=check)
    if not changed:
        return []
    if "stage" in changed:
        event_add(
            case=case,
            kind=EventKind.STAGE_CHANGED,
            actor=actor,
            detail={"from": before["stage"], "to": case.stage},
        )
    if "status" in changed:
        event_add(
            case=case,
            kind=EventKind.STATUS_CHANGED,
            actor=actor,
            detail={"from": before["status"], "to": case.status},
        )
    others = [name for name in changed if name not in ("stage", "status")]
    if others:
        detail: dict[str, Any] = {"fields": others}
        if "priority" in others:
            detail["priority"] = case.priority
        if "follow_up_due" in others:
            detail["follow_up_due"] = case.follow_up_due.isoformat() if case.follow_up_due else None
        event_add(case=case, kind=EventKind.CASE_UPDATED, actor=actor, detail=detail)
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=changed)
    return changed


def assignable(user: Any, organisation_id: int) -> bool:
    """Whether ``user`` may be assigned a case of ``organisation_id``: an active member holding a case role."""
    return bool(user.organisation_id == organisation_id and works_on_cases(user))


@transaction.atomic
def case_assign(*, actor: User, case: Case, users: Iterable[User]) -> tuple[list[int], list[int]]:
    """Set the caseworkers of ``case`` (supervisor of its organisation). Returns (added, removed) user ids."""
    require(actor, "cases.assign_case", case)
    wanted = {user.pk: user for user in users}
    if not wanted:
        raise BusinessRuleError(_("A case needs at least one caseworker."))
    refused = [user for user in wanted.values() if not assignable(user, case.organisation_id)]
    if refused:
        raise BusinessRuleError(
            _(
                "Only active members of the case's organisation who work on cases may be assigned "
                "(%(count)d person cannot)."
            )
            % {"count": len(refused)}
        )
    Case.objects.select_for_update().filter(pk=case.pk).first()
    current = set(case.caseworkers.values_list("pk", flat=True))
    added = sorted(set(wanted) - current)
    removed = sorted(current - set(wanted))
    if not added and not removed:
        return [], []
    if removed:
        case.caseworkers.remove(*removed)
    if added:
        case.caseworkers.add(*added)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    event_add(case=case, kind=EventKind.ASSIGNED, actor=actor, detail={"added": added, "removed": removed})
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=case,
        fields=["caseworkers"],
        detail={"added": len(added), "removed": len(removed)},
    )
    return added, removed
