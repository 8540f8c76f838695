"""Consent per purpose: recording it, withdrawing it (at once), and the guard other features call before they
use her information (``consent_require``). Also the intake's consent step and the intake step itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, User
from himaya.cases import choices
from himaya.cases.models import Case, Consent, EventKind
from himaya.cases.policies import require
from himaya.cases.queries.consents import active_consent, active_consents
from himaya.cases.services.cases import intake_set_step
from himaya.cases.services.common import check_codes, check_text, event_add
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

NAME_MAX, REASON_MAX, NOTE_MAX = 200, 2_000, 2_000
MINIMUM_INFORMATION = choices.SharedInformation.CODE_AND_NEEDS


def _day(value: date) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


def _check_giver(
    *, case: Case, given_by: str, guardian_name: str, best_interest_reason: str
) -> tuple[str, str, str]:
    given_by = check_codes([given_by], choices.ConsentGiver.values, label=str(_("given by")))[0]
    guardian_name = check_text(guardian_name, label=str(_("name of the guardian")), max_length=NAME_MAX)
    best_interest_reason = check_text(
        best_interest_reason, label=str(_("reason for the best-interest decision")), max_length=REASON_MAX
    )
    child = case.survivor.is_child
    if child and given_by == choices.ConsentGiver.SURVIVOR:
        raise BusinessRuleError(
            _(
                "She is a child: consent is given by a parent or guardian, or recorded as a best-interest "
                "decision with its reason."
            )
        )
    if given_by == choices.ConsentGiver.GUARDIAN and not guardian_name:
        raise BusinessRuleError(_("Give the name of the parent or guardian who consented."))
    if given_by == choices.ConsentGiver.BEST_INTEREST:
        if not child:
            raise BusinessRuleError(_("A best-interest decision applies to a child only."))
        if not best_interest_reason:
            raise BusinessRuleError(_("Give the reason for the best-interest decision."))
    if given_by != choices.ConsentGiver.GUARDIAN:
        guardian_name = ""
    if given_by != choices.ConsentGiver.BEST_INTEREST:
        best_interest_reason = ""
    return given_by, guardian_name, best_interest_reason


def _check_sharing(
    *, case: Case, purpose: str, recipient: Organisation | None, shared_information: Iterable[str]
) -> list[str]:
    information = list(shared_information)
    if purpose != choices.ConsentPurpose.SHARING:
        if recipient is not None or information:
            raise BusinessRuleError(_("Only a consent to share names an organisation and the information."))
        return []
    if recipient is None:
        raise BusinessRuleError(_("Name the organisation she agrees to share her information with."))
    if recipient.pk == case.organisation_id:
        raise BusinessRuleError(_("Name another organisation: this one already holds her case."))
    if not recipient.is_active:
        raise BusinessRuleError(_("This organisation is no longer active."))
    label = str(_("information that may be shared"))
    return check_codes([MINIMUM_INFORMATION, *information], choices.SharedInformation.values, label=label)


def _check_dates(*, given_at: datetime, expires_on: date | None) -> None:
    if given_at > timezone.now():
        raise BusinessRuleError(_("Consent cannot be given in the future."))
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise BusinessRuleError(_("The expiry date has already passed."))
        if expires_on < timezone.localdate(given_at):
            raise BusinessRuleError(_("The expiry date cannot come before the consent was given."))


@transaction.atomic
def consent_give(
    *,
    actor: User,
    case: Case,
    purpose: str,
    method: str,
    given_by: str = choices.ConsentGiver.SURVIVOR,
    guardian_name: str = "",
    best_interest_reason: str = "",
    recipient: Organisation | None = None,
    shared_information: Iterable[str] = (),
    given_at: datetime | None = None,
    expires_on: date | None = None,
) -> Consent:
    """Record a consent for one purpose (for sharing: with one named organisation, and which information;
    the case code and needs are always part of it). A child's consent comes from a guardian or a best-interest
    decision."""
    require(actor, "cases.manage_consent", case)
    purpose = check_codes([purpose], choices.ConsentPurpose.values, label=str(_("purpose")))[0]
    method = check_codes([method], choices.ConsentMethod.values, label=str(_("how")))[0]
    given_by, guardian_name, best_interest_reason = _check_giver(
        case=case, given_by=given_by, guardian_name=guardian_name, best_interest_reason=best_interest_reason
    )
    information = _check_sharing(
        case=case, purpose=purpose, recipient=recipient, shared_information=shared_information
    )
    given_at = given_at or timezone.now()
    _check_dates(given_at=given_at, expires_on=expires_on)
    consent = Consent(
        case=case,
        created_by=actor,
        purpose=purpose,
        recipient=recipient,
        shared_information=information,
        given_by=given_by,
        guardian_name=guardian_name,
        best_interest_reason=best_interest_reason,
        method=method,
        given_at=given_at,
        expires_on=expires_on,
    )
    consent.full_clean()
    consent.save()
    event_add(
        case=case,
        kind=EventKind.CONSENT_GIVEN,
        actor=actor,
        target=consent,
        detail={
            "purpose": purpose,
            "given_by": given_by,
            "method": method,
            "recipient": recipient.pk if recipient else None,
            "shared_information": information,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    fields = ["purpose", "given_by", "method", "given_at"]
    fields += ["guardian_name"] if guardian_name else []
    fields += ["best_interest_reason"] if best_interest_reason else []
    fields += ["recipient", "shared_information"] if recipient else []
    fields += ["expires_on"] if expires_on else []
    audit.record(AuditAction.CREATE, actor=actor, target=consent, fields=fields)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, note: str = "") -> Consent:
    """Withdraw a consent; it stops covering anything at once.

    Honoured on a closed case too (whoever works on the case may record it): a withdrawal is never refused for
    the state of the case."""
    case = consent.case
    require(actor, "cases.view_case", case)
    note = check_text(note, label=str(_("note on the withdrawal")), max_length=NOTE_MAX)
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None:
        raise BusinessRuleError(
            _("This consent was already withdrawn on %(day)s.")
            % {"day": _day(timezone.localdate(current.withdrawn_at))}
        )
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_note = note
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    event_add(
        case=case,
        kind=EventKind.CONSENT_WITHDRAWN,
        actor=actor,
        target=consent,
        detail={"purpose": consent.purpose, "recipient": consent.recipient_id},
    )
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=consent,
        fields=["withdrawn_at", "withdrawn_by", *(["withdrawal_note"] if note else [])],
    )
    return consent


def consent_require(
    case: Case,
    purpose: str,
    recipient: Organisation | None = None,
    information: Iterable[str] = (),
) -> Consent:
    """The consent that covers this use of her information today, or BusinessRuleError naming what is missing:
    no consent, expired, withdrawn, this organisation not named, this information not covered."""
    purpose = check_codes([purpose], choices.ConsentPurpose.values, label=str(_("purpose")))[0]
    wanted = check_codes(
        list(information), choices.SharedInformation.values, label=str(_("information that may be shared"))
    )
    purpose_label = choices.ConsentPurpose(purpose).label
    if purpose == choices.ConsentPurpose.SHARING:
        if recipient is None:
            raise BusinessRuleError(_("Name the organisation the information would be shared with."))
        active = list(active_consents(case, purpose, recipient))
        if not active:
            _refuse_inactive(case, purpose, purpose_label, recipient)
        covered = {MINIMUM_INFORMATION}.union(*(set(c.shared_information) for c in active))
        missing = [code for code in wanted if code not in covered]
        if missing:
            raise BusinessRuleError(
                _("Her consent to share with %(organisation)s does not cover: %(information)s.")
                % {
                    "organisation": recipient.name,
                    "information": ", ".join(str(choices.SharedInformation(code).label) for code in missing),
                }
            )
        return active[0]
    consent = active_consent(case, purpose)
    if consent is None:
        _refuse_inactive(case, purpose, purpose_label, None)
    assert consent is not None
    return consent


def _refuse_inactive(case: Case, purpose: str, purpose_label: Any, recipient: Organisation | None) -> None:
    """Raise the message that says why no consent covers ``purpose`` (and ``recipient``) today."""
    for_purpose = Consent.objects.filter(case=case, purpose=purpose)
    if recipient is not None:
        if not for_purpose.exists():
            raise BusinessRuleError(
                _("She has not consented to share her information with another organisation.")
            )
        for_purpose = for_purpose.filter(recipient=recipient)
        if not for_purpose.exists():
            raise BusinessRuleError(
                _("Her consent to share does not name %(organisation)s.") % {"organisation": recipient.name}
            )
    latest = for_purpose.order_by("-given_at", "-id").first()
    if latest is None:
        raise BusinessRuleError(_("There is no consent %(purpose)s.") % {"purpose": purpose_label})
    if latest.withdrawn_at is not None:
        raise BusinessRuleError(
            _("Her consent %(purpose)s was withdrawn on %(day)s.")
            % {"purpose": purpose_label, "day": _day(timezone.localdate(latest.withdrawn_at))}
        )
    if latest.expires_on is not None and latest.expires_on < timezone.localdate():
        raise BusinessRuleError(
            _("Her consent %(purpose)s expired on %(day)s.")
            % {"purpose": purpose_label, "day": _day(latest.expires_on)}
        )
    raise BusinessRuleError(_("There is no consent %(purpose)s in force.") % {"purpose": purpose_label})


# The intake steps ------------------------------------------------------------------------------------------


@transaction.atomic
def intake_consents_record(
    *,
    actor: User,
    case: Case,
    method: str,
    given_by: str = choices.ConsentGiver.SURVIVOR,
    guardian_name: str = "",
    best_interest_reason: str = "",
    expires_on: date | None = None,
    statistics: bool = False,
) -> list[Consent]:
    """Intake step 2: the consent to receive services (required) and, if she agrees, to de-identified
    statistics, from the same person in the same way; then the intake moves on to the incident."""
    given = [
        consent_give(
            actor=actor,
            case=case,
            purpose=purpose,
            method=method,
            given_by=given_by,
            guardian_name=guardian_name,
            best_interest_reason=best_interest_reason,
            expires_on=expires_on,
        )
        for purpose in (
            [choices.ConsentPurpose.SERVICES] + ([choices.ConsentPurpose.STATISTICS] if statistics else [])
        )
    ]
    intake_set_step(actor=actor, case=case, step=choices.IntakeStep.INCIDENT)
    return given


@transaction.atomic
def intake_consents_continue(*, actor: User, case: Case) -> None:
    """Intake step 2 when the consent to services is already in force: move on to the incident."""
    require(actor, "cases.manage_consent", case)
    consent_require(case, choices.ConsentPurpose.SERVICES)
    intake_set_step(actor=actor, case=case, step=choices.IntakeStep.INCIDENT)
