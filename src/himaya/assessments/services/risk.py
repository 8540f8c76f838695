"""Recording a danger assessment (DASH style, domain.md "Risk assessment").

The level comes from the number of "yes" answers and the list's thresholds (``data/risk/<version>.json``); repeat
incidents within 12 months raise it one step; a professional judgement may set another level with a written
reason (raising it, or lowering it — never silently). The case's risk level follows the latest assessment. A high
risk alerts the organisation's supervisors at once and asks for a safety plan and a case conference.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.accounts.policies import works_on_cases
from himaya.accounts.roles import Role
from himaya.assessments import toolkits
from himaya.assessments.choices import Answer, PlanKind
from himaya.assessments.models import Plan, RiskAssessment
from himaya.cases.choices import RiskLevel
from himaya.cases.models import Case, EventKind, Incident
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, event_add, save_versioned
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction
from himaya.notifications.models import Kind
from himaya.notifications.services import notify

KIND = "risk"
# The levels an assessment may give, lowest first (``not_assessed`` is only the state of a case never assessed).
LEVELS: tuple[str, ...] = (RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH)
REASON_MAX = 5_000
RAISED, LOWERED = "raised", "lowered"


def _rank(level: str) -> int:
    return LEVELS.index(level)


def thresholds(toolkit: toolkits.Toolkit) -> dict[str, int]:
    """The list's thresholds on the number of "yes" answers (``{"medium": 10, "high": 14}`` for 2026-1)."""
    found = toolkit.extra.get("thresholds") or {}
    try:
        return {"medium": int(found["medium"]), "high": int(found["high"])}
    except (KeyError, TypeError, ValueError):
        raise toolkits.ToolkitError(f"risk list {toolkit.version}: no valid thresholds") from None


def level_for_score(score: int, limits: Mapping[str, int]) -> str:
    """The level the score gives: high at or above the high threshold, medium at or above the medium one."""
    if score >= limits["high"]:
        return str(RiskLevel.HIGH)
    if score >= limits["medium"]:
        return str(RiskLevel.MEDIUM)
    return str(RiskLevel.STANDARD)


def step_up(level: str) -> str:
    """One level higher (high stays high)."""
    return LEVELS[min(_rank(level) + 1, len(LEVELS) - 1)]


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def incident_dates(case: Case, *, until: date) -> list[date]:
    """When each incident of ``case`` happened (its date, else the day it was reported), oldest first."""
    rows = Incident.objects.filter(case=case).values_list("occurred_on", "reported_on")
    return sorted(
        day for day in (occurred or reported for occurred, reported in rows) if day and day <= until
    )


def repeat_incidents(case: Case, *, on: date) -> bool:
    """At least two incidents within 12 months of each other, the later one within the 12 months before ``on``."""
    days = incident_dates(case, until=on)
    window_start = _year_before(on)
    return any(later >= window_start and earlier >= _year_before(later) for earlier, later in pairwise(days))


def clean_answers(answers: Mapping[str, Any], toolkit: toolkits.Toolkit) -> dict[str, str]:
    """Every question of the list with its answer (a question not answered is "not known"); unknown codes and
    values are refused."""
    if not isinstance(answers, Mapping):
        raise BusinessRuleError(_("The answers must map each question code to yes, no or not known."))
    codes = [item.code for item in toolkit.items]
    unknown = sorted(set(map(str, answers)) - set(codes))
    if unknown:
        raise BusinessRuleError(
            _("Unknown question(s) in list %(version)s: %(codes)s.")
            % {"version": toolkit.version, "codes": ", ".join(unknown)}
        )
    if not answers:
        raise BusinessRuleError(
            _("Answer the questions (yes, no or not known) before saving the assessment.")
        )
    cleaned: dict[str, str] = {}
    for code in codes:
        value = answers.get(code, Answer.UNKNOWN)
        value = getattr(value, "value", value)
        if value not in Answer.values:
            item = toolkit.item(code)
            raise BusinessRuleError(
                _("“%(question)s”: answer yes, no or not known.") % {"question": item.label if item else code}
            )
        cleaned[code] = str(value)
    return cleaned


def automatic_level(assessment: RiskAssessment) -> str:
    """The level before any professional judgement: from the score, raised one step for repeat incidents."""
    return step_up(assessment.computed_level) if assessment.escalated else assessment.computed_level


def judgement(assessment: RiskAssessment) -> str:
    """Whether a professional judgement "raised" or "lowered" the automatic level ("" when it was kept)."""
    automatic, final = automatic_level(assessment), assessment.level
    if final not in LEVELS or automatic == final:
        return ""
    return RAISED if _rank(final) > _rank(automatic) else LOWERED


def _check_assessed_at(value: datetime | None) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, datetime):
        raise BusinessRuleError(_("The date of the assessment must be a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + timedelta(minutes=5):
        raise BusinessRuleError(_("The assessment cannot be dated in the future."))
    return value


def _final_level(*, automatic: str, level: str | None, reason: str) -> str:
    if level in (None, ""):
        return automatic
    if level not in LEVELS:
        raise BusinessRuleError(_("Choose the level: standard, medium or high."))
    if level == automatic:
        return automatic
    if not reason:
        names = {"automatic": RiskLevel(automatic).label, "chosen": RiskLevel(level).label}
        if _rank(level) < _rank(automatic):
            raise BusinessRuleError(
                _(
                    "The answers give the level “%(automatic)s”. Lowering it to “%(chosen)s” needs a written "
                    "reason (your professional judgement); a risk level is never lowered silently."
                )
                % names
            )
        raise BusinessRuleError(
            _(
                "Raising the level from “%(automatic)s” to “%(chosen)s” needs a written reason (your "
                "professional judgement)."
            )
            % names
        )
    return str(level)


def supervisors_of(case: Case) -> list[User]:
    """The active supervisors of the case's organisation who work on cases (nobody of another organisation)."""
    candidates = User.objects.filter(
        organisation_id=case.organisation_id, is_active=True, role_assignments__role=Role.SUPERVISOR
    ).distinct()
    return [user for user in candidates if works_on_cases(user)]


def _alert_high_risk(*, actor: User, case: Case, assessment: RiskAssessment) -> None:
    supervisors = supervisors_of(case)
    notify(supervisors, Kind.HIGH_RISK, case_code=case.code, detail={"score": assessment.score})
    event_add(
        case=case,
        kind=EventKind.RISK_ALERT,
        actor=actor,
        target=assessment,
        detail={"supervisors": len(supervisors), "level": assessment.level},
    )
    if not Plan.objects.filter(case=case, kind=PlanKind.SAFETY).exists():
        workers = [*case.caseworkers.all(), *supervisors]
        notify(workers, Kind.SAFETY_PLAN_DUE, case_code=case.code)


@transaction.atomic
def risk_assess(
    *,
    actor: User,
    case: Case,
    answers: Mapping[str, Any],
    level: str | None = None,
    reason: str = "",
    assessed_at: datetime | None = None,
) -> RiskAssessment:
    """Record a danger assessment of ``case`` with the current question list and set the case's risk level.

    ``level`` None (or ""): the level the answers give (raised one step for repeat incidents within 12 months);
    another level needs ``reason`` (professional judgement). Raises BusinessRuleError with a clear message."""
    require(actor, "assessments.record_risk", case)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one assessment of a case at a time
    toolkit = toolkits.current(KIND)
    cleaned = clean_answers(answers, toolkit)
    reason = check_text(reason, label=_("Reason for the professional judgement"), max_length=REASON_MAX)
    when = _check_assessed_at(assessed_at)
    score = sum(1 for value in cleaned.values() if value == Answer.YES)
    computed = level_for_score(score, thresholds(toolkit))
    escalated = computed != RiskLevel.HIGH and repeat_incidents(case, on=timezone.localdate(when))
    automatic = step_up(computed) if escalated else computed
    final = _final_level(automatic=automatic, level=level, reason=reason)
    previous = RiskAssessment.objects.filter(case=case).order_by("-assessed_at", "-id").first()
    assessment = RiskAssessment(
        case=case,
        created_by=actor,
        tool_version=toolkit.version,
        answers=cleaned,
        score=score,
        computed_level=computed,
        escalated=escalated,
        level=final,
        judgement_reason=reason if final != automatic else "",
        assessed_at=when,
    )
    assessment.full_clean()
    assessment.save()
    latest = RiskAssessment.objects.filter(case=case).order_by("-assessed_at", "-id").first()
    assert latest is not None
    previous_level = case.risk_level
    save_versioned(case, expected_version=None, values={"risk_level": latest.level})
    event_add(
        case=case,
        kind=EventKind.RISK_ASSESSED,
        actor=actor,
        target=assessment,
        detail={
            "tool_version": toolkit.version,
            "score": score,
            "computed_level": computed,
            "escalated": escalated,
            "level": final,
            "judgement": judgement(assessment),
            "previous_level": previous.level if previous else previous_level,
        },
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=assessment,
        fields=["answers", "score", "computed_level", "escalated", "level"]
        + (["judgement_reason"] if assessment.judgement_reason else []),
    )
    if final == RiskLevel.HIGH:
        _alert_high_risk(actor=actor, case=case, assessment=assessment)
    return assessment
