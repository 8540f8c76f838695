"""Closing a case (domain.md, "Case lifecycle"): a request with a reason and the checklist, decided by a
supervisor of the case's organisation; reopening a closed case (its history kept); the legal hold.

What stops a closure is gathered as a *list* (``ClosureBlocked.blockers``): the intake not finished, a request
already awaiting approval, an "other" reason without its explanation, checklist items not ticked, and what every
``settings.HIMAYA_CLOSURE_BLOCKERS`` function says (assessments, referrals: dotted paths to
``blockers(case) -> list[str]``, imported here by name so that cases does not depend on those apps). The blockers
are checked again when the supervisor approves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.models import User
from himaya.accounts.roles import Role
from himaya.cases import choices
from himaya.cases.models import Case, ClosureRequest, EventKind
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, event_add
from himaya.cases.services.notes import note_add
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction
from himaya.notifications.models import Kind
from himaya.notifications.services import notify

# The closure checklist: every item must be ticked (code -> label).
CHECKLIST: tuple[tuple[str, Any], ...] = (
    ("told", gettext_lazy("She was told that the case closes and how to come back.")),
    ("safety_reviewed", gettext_lazy("Her safety was reviewed.")),
    ("referrals_ended", gettext_lazy("The referrals are ended.")),
    ("follow_up_recorded", gettext_lazy("The follow-up is recorded.")),
)
CHECKLIST_CODES = tuple(code for code, _label in CHECKLIST)
MAX_EXPLANATION = 2_000
MAX_COMMENT = 2_000
MAX_HOLD_REASON = 300  # Case.legal_hold_reason


class ClosureBlocked(BusinessRuleError):
    """A closure refused; ``blockers`` lists every reason (translated), the message joins them."""

    def __init__(self, blockers: Iterable[str]) -> None:
        self.blockers = [str(blocker) for blocker in blockers]
        super().__init__(
            _("The case cannot be closed yet: %(blockers)s") % {"blockers": " ".join(self.blockers)}
        )


def _hooks() -> list[str]:
    """What the other apps say against closing ``case`` (settings.HIMAYA_CLOSURE_BLOCKERS)."""
    return list(getattr(settings, "HIMAYA_CLOSURE_BLOCKERS", []))


def case_blockers(case: Case, *, deciding: bool = False) -> list[str]:
    """What stops ``case`` from being closed whatever the request says: the intake, a pending request, and the
    other apps' blockers. Shown on the request page before submitting. ``deciding``: checked again when the
    supervisor approves the pending request (which then does not count against itself)."""
    found: list[str] = []
    if case.intake_step != choices.IntakeStep.DONE:
        found.append(_("The intake is not finished."))
    if case.status == choices.CaseStatus.CLOSURE_REQUESTED and not deciding:
        found.append(_("A closure request is already awaiting approval."))
    if case.status == choices.CaseStatus.CLOSED:
        found.append(_("The case is already closed."))
    for dotted in _hooks():
        found.extend(str(reason) for reason in import_string(dotted)(case))
    return found


def _checklist(checklist: Mapping[str, Any] | Iterable[str]) -> dict[str, bool]:
    """The checklist as {code: ticked} for every item (a list of ticked codes is accepted too)."""
    if isinstance(checklist, Mapping):
        ticked = {code for code, value in checklist.items() if value is True}
    else:
        ticked = set(checklist)
    unknown = sorted(ticked - set(CHECKLIST_CODES))
    if unknown:
        raise BusinessRuleError(_("Checklist: unknown item(s) %(codes)s.") % {"codes": ", ".join(unknown)})
    return {code: code in ticked for code in CHECKLIST_CODES}


def request_blockers(*, reason: str, explanation: str, checklist: Mapping[str, bool]) -> list[str]:
    """What the request itself lacks."""
    found: list[str] = []
    if reason == choices.ClosureReason.OTHER and not explanation:
        found.append(_("The reason “other” needs an explanation."))
    missing = [str(label) for code, label in CHECKLIST if not checklist.get(code)]
    if missing:
        found.append(_("Checklist items not ticked: %(items)s") % {"items": " ".join(missing)})
    return found


def _supervisors(case: Case) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=case.organisation_id, is_active=True, role_assignments__role=Role.SUPERVISOR
        ).distinct()
    )


def _set_case(case: Case, **values: Any) -> None:
    """Save lifecycle fields of ``case`` (already locked) and bump its version, so that a form opened before
    this change is refused as stale."""
    Case.objects.filter(pk=case.pk).update(**values, version=F("version") + 1, updated_at=timezone.now())
    for name, value in values.items():
        setattr(case, name, value)
    case.version = Case.objects.values_list("version", flat=True).get(pk=case.pk)


def _lock(case: Case) -> Case:
    """The case re-read under a row lock (the decisions below depend on its current status)."""
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def closure_request(
    *,
    actor: User,
    case: Case,
    reason: str,
    explanation: str = "",
    checklist: Mapping[str, Any] | Iterable[str] = (),
) -> ClosureRequest:
    """Ask to close ``case``. Raises ClosureBlocked with every blocker at once; on success the case awaits the
    approval of a supervisor (status "closure requested"), who is notified."""
    require(actor, "cases.request_closure", case)
    if reason not in choices.ClosureReason.values:
        raise BusinessRuleError(_("Reason: unknown value %(value)s.") % {"value": reason})
    explanation = check_text(explanation, label=_("Explanation"), max_length=MAX_EXPLANATION)
    ticked = _checklist(checklist)
    locked = _lock(case)
    blockers = [
        *case_blockers(locked),
        *request_blockers(reason=reason, explanation=explanation, checklist=ticked),
    ]
    if blockers:
        raise ClosureBlocked(blockers)
    request = ClosureRequest.objects.create(
        case=case, created_by=actor, reason=reason, explanation=explanation, checklist=ticked
    )
    previous = locked.status
    _set_case(case, status=choices.CaseStatus.CLOSURE_REQUESTED)
    event_add(
        case=case,
        kind=EventKind.CLOSURE_REQUESTED,
        actor=actor,
        target=request,
        detail={"reason": reason, "from": previous},
    )
    audit.record(
        AuditAction.CREATE, actor=actor, target=request, fields=["reason", "explanation", "checklist"]
    )
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["status"])
    notify(
        [user for user in _supervisors(case) if user.pk != actor.pk],
        Kind.CLOSURE_REQUESTED,
        case_code=case.code,
        detail={"reason": reason},
    )
    return request


def _pending(request: ClosureRequest) -> ClosureRequest:
    """The request re-read under a lock; refused unless it still awaits a decision."""
    locked = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != choices.ClosureStatus.REQUESTED:
        raise BusinessRuleError(
            _("This closure request is no longer awaiting a decision (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _notify_requester(request: ClosureRequest, actor: User, decision: str) -> None:
    requester = request.created_by
    if requester is not None and requester.pk != actor.pk:
        notify([requester], Kind.CLOSURE_DECIDED, case_code=request.case.code, detail={"decision": decision})


def _decide(request: ClosureRequest, *, actor: User, status: str, comment: str) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])


@transaction.atomic
def closure_approve(*, actor: User, request: ClosureRequest, comment: str = "") -> Case:
    """A supervisor of the case's organisation approves: the case is closed (status closed, stage closure).
    The case's blockers are checked again (refused with their list if something changed since the request)."""
    case = request.case
    require(actor, "cases.decide_closure", case)
    comment = check_text(comment, label=_("Comment"), max_length=MAX_COMMENT)
    locked_request = _pending(request)
    locked = _lock(case)
    blockers = case_blockers(locked, deciding=True)
    if blockers:
        raise ClosureBlocked(blockers)
    _decide(locked_request, actor=actor, status=choices.ClosureStatus.APPROVED, comment=comment)
    request.refresh_from_db()
    previous_stage = locked.stage
    _set_case(case, status=choices.CaseStatus.CLOSED, stage=choices.Stage.CLOSURE, closed_at=timezone.now())
    event_add(
        case=case,
        kind=EventKind.CLOSURE_APPROVED,
        actor=actor,
        target=request,
        detail={"reason": request.reason, "from_stage": previous_stage},
    )
    audit.record(AuditAction.UPDATE, actor=actor, target=request, fields=["status", "decision_comment"])
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["status", "stage", "closed_at"])
    _notify_requester(request, actor, choices.ClosureStatus.APPROVED)
    return case


@transaction.atomic
def closure_reject(*, actor: User, request: ClosureRequest, comment: str) -> ClosureRequest:
    """A supervisor refuses the closure, saying why (required); the case is open again."""
    case = request.case
    require(actor, "cases.decide_closure", case)
    comment = check_text(comment, label=_("Comment"), max_length=MAX_COMMENT)
    if not comment:
        raise BusinessRuleError(_("Say why the closure is rejected: the comment is required."))
    locked_request = _pending(request)
    _lock(case)
    _decide(locked_request, actor=actor, status=choices.ClosureStatus.REJECTED, comment=comment)
    request.refresh_from_db()
    _set_case(case, status=choices.CaseStatus.OPEN)
    event_add(case=case, kind=EventKind.CLOSURE_REJECTED, actor=actor, target=request, detail={})
    audit.record(AuditAction.UPDATE, actor=actor, target=request, fields=["status", "decision_comment"])
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["status"])
    _notify_requester(request, actor, choices.ClosureStatus.REJECTED)
    return request


def may_withdraw(user: User, request: ClosureRequest) -> bool:
    """The requester (still working on the case) or a supervisor of the case's organisation."""
    case = request.case
    if not user.has_perm("cases.view_case", case):
        return False
    return request.created_by_id == user.pk or user.has_perm("cases.decide_closure", case)


@transaction.atomic
def closure_withdraw(*, actor: User, request: ClosureRequest) -> ClosureRequest:
    """The requester (or a supervisor) takes the request back; the case is open again."""
    if not may_withdraw(actor, request):
        raise PermissionDenied("cases.withdraw_closure")
    case = request.case
    locked_request = _pending(request)
    _lock(case)
    locked_request.status = choices.ClosureStatus.WITHDRAWN
    locked_request.save(update_fields=["status"])
    request.refresh_from_db()
    _set_case(case, status=choices.CaseStatus.OPEN)
    event_add(case=case, kind=EventKind.CLOSURE_WITHDRAWN, actor=actor, target=request, detail={})
    audit.record(AuditAction.UPDATE, actor=actor, target=request, fields=["status"])
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["status"])
    return request


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    """A supervisor reopens a closed case: open, at the follow-up stage. The closure stays in the history (the
    approved request, and the event records the closing date); ``closed_at`` is cleared on the case."""
    require(actor, "cases.reopen_case", case)
    reason = check_text(reason, label=_("Reason"), max_length=MAX_COMMENT)
    if not reason:
        raise BusinessRuleError(_("Say why the case is reopened: the reason is required."))
    locked = _lock(case)
    if locked.status != choices.CaseStatus.CLOSED:
        raise BusinessRuleError(_("Only a closed case can be reopened."))
    last = (
        ClosureRequest.objects.filter(case=case, status=choices.ClosureStatus.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    closed_at = locked.closed_at
    _set_case(case, status=choices.CaseStatus.OPEN, stage=choices.Stage.FOLLOW_UP, closed_at=None)
    event_add(
        case=case,
        kind=EventKind.REOPENED,
        actor=actor,
        target=last,
        detail={
            "closure_request": last.pk if last else None,
            "closed_reason": last.reason if last else None,
            "closed_at": closed_at.isoformat() if closed_at else None,
        },
    )
    # The reason is free text (it may name someone): it is kept as a note of the case (encrypted), never in the
    # timeline's detail or the audit trail.
    note_add(actor=actor, case=case, body=_("Case reopened: %(reason)s") % {"reason": reason})
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["status", "stage", "closed_at"])
    return case


@transaction.atomic
def legal_hold_set(*, actor: User, case: Case, on: bool, reason: str = "") -> Case:
    """Set or lift the legal hold (it stops the anonymisation of the case); a reason is required to set it."""
    require(actor, "cases.set_legal_hold", case)
    reason = check_text(reason, label=_("Reason for the legal hold"), max_length=MAX_HOLD_REASON)
    if on and not reason:
        raise BusinessRuleError(_("Give the reason for the legal hold (court proceedings, a request…)."))
    locked = _lock(case)
    if locked.legal_hold == on and (not on or locked.legal_hold_reason == reason):
        return case
    _set_case(case, legal_hold=on, legal_hold_reason=reason if on else "")
    event_add(case=case, kind=EventKind.LEGAL_HOLD, actor=actor, detail={"on": on})
    audit.record(AuditAction.UPDATE, actor=actor, target=case, fields=["legal_hold", "legal_hold_reason"])
    return case
