"""Recording a trafficking screening (decision support, not a legal finding) and the competent authority's
formal identification.

The rule (domain.md, "Trafficking identification"): an element (act, means, purpose) is indicated when one of its
indicators is answered yes, not indicated when every one of them is answered no, not known otherwise. An adult is
a presumed victim when act AND means AND purpose are indicated; a child (under 18) when act AND purpose are (means
are not required). Age: from her year of birth (18 in the year of the screening still counts as a possible minor:
presumption of minority), else from what the worker says (``age_basis``).

A presumed victim moves the case to the stage "identification" when the lifecycle allows it, and the supervisors
of the organisation are notified. ``decide`` is the rule alone, pure: it never fails on incomplete or
contradictory answers (anything but yes or no counts as not known).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.accounts.roles import Role
from himaya.assessments import toolkits
from himaya.assessments.choices import (
    AgeBasis,
    Answer,
    Authority,
    Element,
    IdentificationDecision,
    ScreeningOutcome,
)
from himaya.assessments.models import FormalIdentification, Screening
from himaya.cases import choices as case_choices
from himaya.cases.models import Case, EventKind
from himaya.cases.policies import require, stage_moves
from himaya.cases.services.cases import case_update
from himaya.cases.services.common import check_text, event_add
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction
from himaya.notifications.models import Kind
from himaya.notifications.services import notify

KIND = "screening"
ELEMENTS = (Element.ACT, Element.MEANS, Element.PURPOSE)
ADULT_REQUIRED = (Element.ACT, Element.MEANS, Element.PURPOSE)
CHILD_REQUIRED = (Element.ACT, Element.PURPOSE)
ADULT_AGE = 18  # under 18: a child; 18 in the year of the screening still counts as a possible minor
NOTE_MAX = 2_000
AUTHORITY_NAME_MAX = 200
REFERENCE_MAX = 200
# How long before the case was opened a formal identification may have been decided (an earlier procedure).
IDENTIFICATION_BEFORE_CASE = timedelta(days=365)
SCREENING_FIELDS = (
    "tool_version",
    "answers",
    "notes",
    "child",
    "age_basis",
    "elements",
    "outcome",
    "screened_at",
)
IDENTIFICATION_FIELDS = ("authority", "authority_name", "decided_on", "decision", "reference")


# ------------------------------------------------------------------------------------------------------ the rule


@dataclass(frozen=True)
class Decision:
    """What the rule found: the outcome, each element's answer, the reasons (per element, the labels of the
    indicators answered yes, in the active language) and the required elements not met (element -> "no": not
    indicated, "unknown": not known)."""

    outcome: str
    elements: dict[str, str]
    reasons: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()


def required_elements(child: bool) -> tuple[str, ...]:
    return tuple(str(element) for element in (CHILD_REQUIRED if child else ADULT_REQUIRED))


def _element_answer(answers: list[str]) -> str:
    if Answer.YES in answers:
        return str(Answer.YES)
    if answers and all(answer == Answer.NO for answer in answers):
        return str(Answer.NO)
    return str(Answer.UNKNOWN)


def decide(toolkit: toolkits.Toolkit, answers: Mapping[str, Any], child: bool) -> Decision:
    """Apply the rule to ``answers`` (indicator code -> yes / no / unknown; missing: unknown). Pure; never fails:
    unknown codes are ignored and any other value counts as not known."""
    elements: dict[str, str] = {}
    reasons: dict[str, list[str]] = {}
    for element in ELEMENTS:
        group = next((g for g in toolkit.groups if g.code == element), None)
        items = group.items if group is not None else ()
        given = [str(answers.get(item.code, Answer.UNKNOWN)) for item in items]
        given = [value if value in (Answer.YES, Answer.NO) else str(Answer.UNKNOWN) for value in given]
        elements[str(element)] = _element_answer(given)
        reasons[str(element)] = [
            item.label for item, value in zip(items, given, strict=True) if value == Answer.YES
        ]
    required = required_elements(child)
    missing = {element: elements[element] for element in required if elements[element] != Answer.YES}
    if not missing:
        outcome = ScreeningOutcome.PRESUMED
    elif all(elements[element] == Answer.NO for element in required) and Answer.YES not in elements.values():
        outcome = ScreeningOutcome.NO_INDICATION
    else:  # some element indicated, or a required element not known: follow-up needed
        outcome = ScreeningOutcome.POSSIBLE
    return Decision(
        outcome=str(outcome), elements=elements, reasons=reasons, missing=missing, required=required
    )


def decision_of(screening: Screening) -> Decision:
    """The rule applied again to a recorded screening, with the wording of the version it was answered with."""
    return decide(toolkits.get(KIND, screening.tool_version), screening.answers, screening.child)


# ----------------------------------------------------------------------------------------------------- the input


def clean_answers(toolkit: toolkits.Toolkit, answers: Mapping[str, Any]) -> dict[str, str]:
    """Every indicator of ``toolkit`` answered (unanswered: not known); an unknown code or answer is refused."""
    known = {item.code for item in toolkit.items}
    unknown = sorted(str(code) for code in answers if code not in known)
    if unknown:
        raise BusinessRuleError(
            _("Unknown indicator(s) for the list %(version)s: %(codes)s.")
            % {"version": toolkit.version, "codes": ", ".join(unknown)}
        )
    cleaned: dict[str, str] = {}
    for item in toolkit.items:
        value = answers.get(item.code)
        value = Answer.UNKNOWN if value in (None, "") else value
        if value not in Answer.values:
            raise BusinessRuleError(
                _("The answer to “%(indicator)s” must be yes, no or not known.") % {"indicator": item.label}
            )
        cleaned[item.code] = str(value)
    return cleaned


def clean_notes(toolkit: toolkits.Toolkit, notes: Mapping[str, Any]) -> dict[str, str]:
    """The notes on the answers, by indicator code (empty ones dropped)."""
    known = {item.code for item in toolkit.items}
    unknown = sorted(str(code) for code in notes if code not in known)
    if unknown:
        raise BusinessRuleError(
            _("Notes on unknown indicator(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    cleaned = {}
    for item in toolkit.items:
        text = check_text(str(notes.get(item.code) or ""), label=item.label, max_length=NOTE_MAX)
        if text:
            cleaned[item.code] = text
    return cleaned


def child_from(*, birth_year: int | None, age_basis: str | None, day: date) -> tuple[bool, str]:
    """(child, how it is known). Her year of birth decides when it is recorded; otherwise the worker says."""
    if birth_year is not None:
        return day.year - birth_year <= ADULT_AGE, str(AgeBasis.BIRTH_YEAR)
    if age_basis == AgeBasis.PRESUMED_MINOR:
        return True, str(AgeBasis.PRESUMED_MINOR)
    if age_basis == AgeBasis.DECLARED_ADULT:
        return False, str(AgeBasis.DECLARED_ADULT)
    if age_basis:
        raise BusinessRuleError(_("Her age: unknown value %(value)s.") % {"value": age_basis})
    raise BusinessRuleError(
        _(
            "Her year of birth is not recorded: say whether she is presumed a minor (when in doubt) or an adult. "
            "The rule differs: for a child, the means are not required."
        )
    )


def _check_screened_at(value: datetime | None, case: Case) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + timedelta(minutes=5):
        raise BusinessRuleError(_("The screening cannot be in the future."))
    if value < case.opened_at - IDENTIFICATION_BEFORE_CASE:
        raise BusinessRuleError(
            _("The screening cannot be dated more than a year before the case was opened.")
        )
    return value


# ------------------------------------------------------------------------------------------------------ services


def supervisors_of(organisation_id: int) -> list[User]:
    """The active supervisors of an organisation."""
    return list(
        User.objects.filter(
            organisation_id=organisation_id, is_active=True, role_assignments__role=Role.SUPERVISOR
        ).distinct()
    )


def _move_to_identification(*, actor: User, case: Case) -> bool:
    """Move a presumed victim's case to the stage "identification" when the lifecycle allows it."""
    current = Case.objects.filter(pk=case.pk).values_list("stage", flat=True).first() or case.stage
    if current == case_choices.Stage.IDENTIFICATION or case_choices.Stage.IDENTIFICATION not in stage_moves(
        current
    ):
        return False
    case.stage = current
    case_update(
        actor=actor, case=case, values={"stage": case_choices.Stage.IDENTIFICATION}, expected_version=None
    )
    return True


@transaction.atomic
def screening_record(
    *,
    actor: User,
    case: Case,
    answers: Mapping[str, Any],
    notes: Mapping[str, Any] | None = None,
    age_basis: str | None = None,
    screened_at: datetime | None = None,
) -> Screening:
    """Record a screening of ``case`` with the current indicator list; the outcome follows the rule.

    A presumed victim: the case moves to "identification" when its stage allows it (else it stays: the timeline
    event says ``stage_moved`` false) and the organisation's supervisors are notified."""
    require(actor, "assessments.record_screening", case)
    toolkit = toolkits.current(KIND)
    cleaned = clean_answers(toolkit, answers)
    cleaned_notes = clean_notes(toolkit, notes or {})
    when = _check_screened_at(screened_at, case)
    child, basis = child_from(
        birth_year=case.survivor.birth_year, age_basis=age_basis, day=timezone.localtime(when).date()
    )
    decision = decide(toolkit, cleaned, child)
    screening = Screening(
        case=case,
        created_by=actor,
        tool_version=toolkit.version,
        answers=cleaned,
        notes=json.dumps(cleaned_notes, ensure_ascii=False) if cleaned_notes else "",
        child=child,
        age_basis=basis,
        elements=decision.elements,
        outcome=decision.outcome,
        screened_at=when,
    )
    screening.full_clean()
    screening.save()
    presumed = decision.outcome == ScreeningOutcome.PRESUMED
    moved = _move_to_identification(actor=actor, case=case) if presumed else False
    detail: dict[str, Any] = {"outcome": decision.outcome, "version": toolkit.version, "child": child}
    if presumed:
        detail["stage_moved"] = moved
    event_add(case=case, kind=EventKind.SCREENING_RECORDED, actor=actor, target=screening, detail=detail)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=screening,
        fields=[name for name in SCREENING_FIELDS if name != "notes" or cleaned_notes],
    )
    if presumed:
        recipients = [user for user in supervisors_of(case.organisation_id) if user.pk != actor.pk]
        notify(recipients, Kind.PRESUMED_VICTIM, case_code=case.code, detail={"screening": screening.pk})
    return screening


def notes_of(screening: Screening) -> dict[str, str]:
    """The notes of a screening (decrypted JSON; a damaged value reads as no notes)."""
    if not screening.notes:
        return {}
    try:
        loaded = json.loads(screening.notes)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _check_decided_on(value: Any, case: Case) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise BusinessRuleError(_("Give the date of the decision."))
    if value > timezone.localdate():
        raise BusinessRuleError(_("The date of the decision cannot be in the future."))
    earliest = timezone.localtime(case.opened_at).date() - IDENTIFICATION_BEFORE_CASE
    if value < earliest:
        raise BusinessRuleError(
            _("The date of the decision cannot be more than a year before the case was opened (%(date)s).")
            % {"date": earliest.isoformat()}
        )
    return value


@transaction.atomic
def identification_record(
    *,
    actor: User,
    case: Case,
    authority: str,
    decided_on: date,
    decision: str,
    authority_name: str = "",
    reference: str = "",
) -> FormalIdentification:
    """Record the competent authority's decision on identifying her as a victim of trafficking."""
    require(actor, "assessments.record_identification", case)
    if authority not in Authority.values:
        raise BusinessRuleError(_("Authority: unknown value %(value)s.") % {"value": authority})
    if decision not in IdentificationDecision.values:
        raise BusinessRuleError(_("Decision: unknown value %(value)s.") % {"value": decision})
    identification = FormalIdentification(
        case=case,
        created_by=actor,
        authority=authority,
        authority_name=check_text(
            authority_name, label=_("Name of the authority"), max_length=AUTHORITY_NAME_MAX
        ),
        decided_on=_check_decided_on(decided_on, case),
        decision=decision,
        reference=check_text(reference, label=_("File reference"), max_length=REFERENCE_MAX),
    )
    identification.full_clean()
    identification.save()
    event_add(
        case=case,
        kind=EventKind.IDENTIFICATION_RECORDED,
        actor=actor,
        target=identification,
        detail={"authority": authority, "decision": decision},
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=identification,
        fields=[name for name in IDENTIFICATION_FIELDS if getattr(identification, name) not in ("", None)],
    )
    return identification
