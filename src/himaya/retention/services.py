"""Retention runs and erasure on request: blank what identifies her, keep what counts.

What is blanked, by record type (``RecordType``):

- ``survivor_identity``: her names in both scripts, document number, phones, address, notes on identity and
  safe-contact instructions (``IDENTIFYING_FIELDS``), her blind-index rows (``SurvivorLookup``: nobody can find her
  again), and the identifying text of her consents (guardian's name, best-interest reason, withdrawal note);
- ``notes``: the bodies of case notes and the summaries of the contact log (rows kept: dates and kinds count;
  with the action "delete" the rows go too);
- ``documents``: the files (deleted from disk once the transaction commits) and the title, file name and hash;
  the rows stay with their kind, type and size;
- ``incident_descriptions``: "what happened";
- ``assessment_text``: screening notes, formal identification references, risk judgement reasons, plan action
  descriptions, case conference decisions, closure explanations and comments.

Everything else stays: sex, year of birth, nationality and the other statistical attributes, classifications,
dates, consents' purposes, the timeline (which holds codes only). Each step blanks only what still holds text, so
a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.accounts.roles import Role
from himaya.assessments.models import (
    CaseConference,
    FormalIdentification,
    PlanAction,
    RiskAssessment,
    Screening,
)
from himaya.cases import storage
from himaya.cases.choices import CaseStatus
from himaya.cases.models import (
    Case,
    ClosureRequest,
    Consent,
    ContactLog,
    Document,
    EventKind,
    Incident,
    Note,
    Survivor,
    SurvivorLookup,
)
from himaya.cases.services.common import check_text, event_add
from himaya.cases.services.survivors import IDENTIFYING_FIELDS
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction
from himaya.retention.models import (
    ErasureRequest,
    ErasureStatus,
    RecordType,
    RetentionAction,
    RetentionPolicy,
)
from himaya.retention.policies import require

HELD = "held"
CONSENT_IDENTIFYING_FIELDS = ("guardian_name", "best_interest_reason", "withdrawal_note")
MAX_YEARS = 100

Cases = QuerySet[Case]


def _blank(queryset: QuerySet[Any], fields: Iterable[str], *, dry_run: bool) -> int:
    """Empty ``fields`` in every row that still holds text in one of them; the number of such rows."""
    fields = list(fields)
    holding = Q()
    for name in fields:
        holding |= ~Q(**{name: ""})
    rows = queryset.filter(holding)
    if dry_run:
        return rows.count()
    values: dict[str, Any] = dict.fromkeys(fields, "")
    if any(field.name == "version" for field in queryset.model._meta.concrete_fields):
        values["version"] = F("version") + 1  # an edit form opened before is refused, not saved over
    return rows.update(**values)


def _notes(cases: Cases, *, dry_run: bool, action: str) -> int:
    notes = Note.objects.filter(case__in=cases)
    contacts = ContactLog.objects.filter(case__in=cases)
    if action == RetentionAction.DELETE:
        if dry_run:
            return notes.count() + contacts.count()
        return notes.delete()[0] + contacts.delete()[0]
    return _blank(notes, ["body"], dry_run=dry_run) + _blank(contacts, ["summary"], dry_run=dry_run)


def _documents(cases: Cases, *, dry_run: bool, action: str) -> int:
    """Files deleted (after commit), rows kept with kind, type and size; title, name and hash blanked."""
    documents = Document.objects.filter(case__in=cases).exclude(title="", original_name="", sha256="")
    if dry_run:
        return documents.count()
    keys = list(documents.values_list("storage_key", flat=True))
    changed = documents.update(title="", original_name="", sha256="")
    if keys:

        def delete_files() -> None:
            for key in keys:
                storage.delete(key)

        transaction.on_commit(delete_files)
    return changed


def _incident_descriptions(cases: Cases, *, dry_run: bool, action: str) -> int:
    return _blank(Incident.objects.filter(case__in=cases), ["description"], dry_run=dry_run)


ASSESSMENT_TEXT: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (Screening, "case__in", ("notes",)),
    (FormalIdentification, "case__in", ("reference",)),
    (RiskAssessment, "case__in", ("judgement_reason",)),
    (PlanAction, "plan__case__in", ("description",)),
    (CaseConference, "case__in", ("decisions",)),
    (ClosureRequest, "case__in", ("explanation", "decision_comment")),
)


def _assessment_text(cases: Cases, *, dry_run: bool, action: str) -> int:
    return sum(
        _blank(model._default_manager.filter(**{lookup: cases}), fields, dry_run=dry_run)
        for model, lookup, fields in ASSESSMENT_TEXT
    )


# Per record type attached to cases: the step, and the field names the audit trail records.
CASE_STEPS: dict[str, tuple[Callable[..., int], tuple[str, ...]]] = {
    RecordType.NOTES: (_notes, ("note.body", "contactlog.summary")),
    RecordType.DOCUMENTS: (_documents, ("document.content", "document.title", "document.original_name")),
    RecordType.INCIDENT_DESCRIPTIONS: (_incident_descriptions, ("incident.description",)),
    RecordType.ASSESSMENT_TEXT: (
        _assessment_text,
        tuple(
            f"{model._meta.model_name}.{name}" for model, _lookup, names in ASSESSMENT_TEXT for name in names
        ),
    ),
}


def _identity(survivor: Survivor, *, dry_run: bool) -> int:
    """Blank her identifying fields, her consents' identifying text and drop her blind indexes: 1 if anything
    was still there, else 0."""
    survivors = Survivor.objects.filter(pk=survivor.pk)
    consents = Consent.objects.filter(case__survivor=survivor)
    lookups = SurvivorLookup.objects.filter(survivor=survivor)
    if dry_run:
        holding = (
            _blank(survivors, IDENTIFYING_FIELDS, dry_run=True)
            or _blank(consents, CONSENT_IDENTIFYING_FIELDS, dry_run=True)
            or lookups.exists()
        )
        return 1 if holding else 0
    changed = _blank(survivors, IDENTIFYING_FIELDS, dry_run=False)
    changed += _blank(consents, CONSENT_IDENTIFYING_FIELDS, dry_run=False)
    changed += lookups.delete()[0]
    if changed:
        audit.record(
            AuditAction.UPDATE,
            target=survivor,
            fields=[*IDENTIFYING_FIELDS, *(f"consent.{name}" for name in CONSENT_IDENTIFYING_FIELDS)],
            detail={"anonymised": True},
        )
    return 1 if changed else 0


def _mark_anonymised(case: Case, *, actor: User | None, reason: str, record_types: list[str]) -> None:
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    event_add(case=case, kind=EventKind.ANONYMISED, actor=actor, detail={"reason": reason})
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=case,
        fields=["anonymised_at"],
        detail={"reason": reason, "record_types": record_types},
    )


def held_cases(survivor: Survivor) -> list[Case]:
    return list(Case.objects.filter(survivor=survivor, legal_hold=True).order_by("code"))


@transaction.atomic
def anonymise_survivor(survivor: Survivor, *, actor: User | None = None, reason: str) -> dict[str, int]:
    """Anonymise her at once, across all her cases: every record type, whatever the delays. ``reason`` is a
    code (``erasure_request``, ``retention``), never a free text. Refused while a case of hers is under legal
    hold. Returns the number of records blanked per record type."""
    held = held_cases(survivor)
    if held:
        raise BusinessRuleError(
            _("Her data cannot be erased: these cases are under legal hold: %(codes)s.")
            % {"codes": ", ".join(case.code for case in held)}
        )
    cases = Case.objects.filter(survivor=survivor)
    report = {RecordType.SURVIVOR_IDENTITY.value: _identity(survivor, dry_run=False)}
    touched: list[str] = []
    for record_type, (step, _fields) in CASE_STEPS.items():
        report[str(record_type)] = step(cases, dry_run=False, action=RetentionAction.ANONYMISE)
        touched.append(str(record_type))
    for case in cases.filter(anonymised_at__isnull=True):
        _mark_anonymised(
            case, actor=actor, reason=reason, record_types=[RecordType.SURVIVOR_IDENTITY, *touched]
        )
    return report


def cutoff(today: date, years: int) -> datetime:
    """The start of the day ``years`` years before ``today`` (29 February becomes the 28th)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return timezone.make_aware(datetime.combine(day, time.min))


def _survivor_free(survivor_id: int, identity_cutoff: datetime) -> bool:
    """All her cases are anonymised already or closed before the cutoff, none under legal hold."""
    blocking = (
        Case.objects.filter(survivor_id=survivor_id, anonymised_at__isnull=True)
        .exclude(status=CaseStatus.CLOSED, closed_at__lt=identity_cutoff, legal_hold=False)
        .exists()
    )
    return not blocking


def retention_run(*, dry_run: bool, today: date | None = None) -> dict[str, int]:
    """Apply every policy to the closed cases whose delay has passed; never to a case under legal hold (counted
    as ``held``), never again to a case already anonymised. With ``dry_run`` nothing changes and the report says
    what would. Each case is handled in its own transaction: a failure leaves the others done, and a new run
    goes on where it stopped. A case is marked anonymised (timeline, ``anonymised_at``) once every delay has
    passed and her identity is gone; her identity goes only when every case of hers may lose it."""
    today = today or timezone.localdate()
    report: dict[str, int] = {record_type.value: 0 for record_type in RecordType}
    report[HELD] = 0
    policies = {policy.record_type: policy for policy in RetentionPolicy.objects.all()}
    if not policies:
        return report
    cutoffs = {
        record_type: cutoff(today, policy.years_after_closure) for record_type, policy in policies.items()
    }
    due = Case.objects.filter(
        status=CaseStatus.CLOSED, closed_at__lt=max(cutoffs.values()), anonymised_at__isnull=True
    )
    report[HELD] = due.filter(legal_hold=True).count()
    identity_cutoff = cutoffs.get(RecordType.SURVIVOR_IDENTITY)
    survivors_seen: set[int] = set()
    for case in due.filter(legal_hold=False).select_related("survivor").order_by("pk"):
        with transaction.atomic():
            assert case.closed_at is not None
            closed_at = case.closed_at
            applied: list[str] = []
            fields: list[str] = []
            single = Case.objects.filter(pk=case.pk)
            for record_type, (step, names) in CASE_STEPS.items():
                if record_type in cutoffs and closed_at < cutoffs[record_type]:
                    changed = step(single, dry_run=dry_run, action=policies[record_type].action)
                    report[str(record_type)] += changed
                    applied.append(str(record_type))
                    if changed:
                        fields.extend(names)
            identity_done = (
                identity_cutoff is not None
                and closed_at < identity_cutoff
                and _survivor_free(case.survivor_id, identity_cutoff)
            )
            if identity_done and case.survivor_id not in survivors_seen:
                survivors_seen.add(case.survivor_id)
                report[RecordType.SURVIVOR_IDENTITY] += _identity(case.survivor, dry_run=dry_run)
            if dry_run:
                continue
            every_delay_passed = all(closed_at < moment for moment in cutoffs.values())
            if identity_done and every_delay_passed:
                _mark_anonymised(
                    case,
                    actor=None,
                    reason="retention",
                    record_types=[RecordType.SURVIVOR_IDENTITY, *applied],
                )
            elif fields:
                audit.record(AuditAction.UPDATE, target=case, fields=fields, detail={"retention": applied})
    return report


# Policies -------------------------------------------------------------------------------------------------------


@transaction.atomic
def retention_policy_update(*, actor: User, policy: RetentionPolicy, years: int) -> RetentionPolicy:
    """Change a policy's delay (system administrator only; audited with the old and new delays)."""
    require(actor, "retention.manage_policies")
    if not 0 < years <= MAX_YEARS:
        raise BusinessRuleError(
            _("The delay must be between 1 and %(max)d years after closure.") % {"max": MAX_YEARS}
        )
    policy = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    previous = policy.years_after_closure
    if previous == years:
        return policy
    policy.years_after_closure = years
    policy.updated_by = actor
    policy.save(update_fields=["years_after_closure", "updated_by", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=policy,
        fields=["years_after_closure"],
        detail={"record_type": policy.record_type, "from": previous, "to": years},
    )
    return policy


# Erasure on request ---------------------------------------------------------------------------------------------


def _supervisors_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=organisation_id, is_active=True, role_assignments__role=Role.SUPERVISOR
        ).distinct()
    )


@transaction.atomic
def erasure_request_create(*, actor: User, survivor: Survivor, reason: str = "") -> ErasureRequest:
    """Record her request that her identifying data be erased; her organisation's supervisors are notified."""
    require(actor, "retention.request_erasure", survivor)
    reason = check_text(reason, label=_("Her request"))
    if ErasureRequest.objects.filter(survivor=survivor, status=ErasureStatus.REQUESTED).exists():
        raise BusinessRuleError(_("An erasure request for her already awaits a supervisor's decision."))
    if not Case.objects.filter(survivor=survivor, anonymised_at__isnull=True).exists():
        raise BusinessRuleError(_("Her identifying data have already been erased."))
    request = ErasureRequest.objects.create(survivor=survivor, reason=reason, requested_by=actor)
    audit.record(AuditAction.CREATE, actor=actor, target=request, fields=["survivor", "reason"])
    from himaya.notifications.models import Kind
    from himaya.notifications.services import notify

    recipients = [user for user in _supervisors_of(actor.organisation_id) if user.pk != actor.pk]
    notify(recipients, Kind.ERASURE_REQUESTED, detail={"request": request.pk})
    return request


def _pending(actor: User, request: ErasureRequest) -> ErasureRequest:
    require(actor, "retention.decide_erasure", request)
    locked = ErasureRequest.objects.select_for_update().select_related("survivor").get(pk=request.pk)
    if locked.status != ErasureStatus.REQUESTED:
        raise BusinessRuleError(_("This request has already been decided."))
    return locked


@transaction.atomic
def erasure_approve(*, actor: User, request: ErasureRequest, comment: str = "") -> dict[str, int]:
    """A supervisor approves: she is anonymised at once across all her cases. Refused, with the list, while one
    of her cases is under legal hold (the request stays pending)."""
    request = _pending(actor, request)
    comment = check_text(comment, label=_("Comment"))
    report = anonymise_survivor(request.survivor, actor=actor, reason="erasure_request")
    request.status = ErasureStatus.DONE
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=request,
        fields=["status", "decided_by", "decided_at", "decision_comment"],
        detail={"status": ErasureStatus.DONE},
    )
    return report


@transaction.atomic
def erasure_reject(*, actor: User, request: ErasureRequest, comment: str) -> ErasureRequest:
    """A supervisor rejects the request, saying why (the comment is required)."""
    request = _pending(actor, request)
    comment = check_text(comment, label=_("Comment"))
    if not comment:
        raise BusinessRuleError(_("Say why the request is rejected."))
    request.status = ErasureStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=request,
        fields=["status", "decided_by", "decided_at", "decision_comment"],
        detail={"status": ErasureStatus.REJECTED},
    )
    return request
