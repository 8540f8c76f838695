"""Reading danger assessments: a case's history (scoped by ``visible_to``), one assessment (404 outside the case or
the scope; the read is audited), the latest, the comparison with the previous one, and what a high risk still
requires (a safety plan, a case conference)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import rules
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.assessments import toolkits
from himaya.assessments.choices import Answer, PlanKind
from himaya.assessments.models import CaseConference, Plan, RiskAssessment
from himaya.assessments.services.risk import KIND, automatic_level, judgement
from himaya.cases.choices import RiskLevel
from himaya.cases.models import Case
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

# The fields an assessment's page shows (named, never valued, in its READ audit).
ASSESSMENT_FIELDS_SHOWN = (
    "answers",
    "score",
    "computed_level",
    "escalated",
    "level",
    "judgement_reason",
    "assessed_at",
)
# What the history rows show (no answers, no reason).
HISTORY_FIELDS_SHOWN = (
    "risk.level",
    "risk.score",
    "risk.computed_level",
    "risk.escalated",
    "risk.assessed_at",
)

SAFETY_PLAN = "safety_plan"
CASE_CONFERENCE = "case_conference"


class Requirement(NamedTuple):
    code: str
    label: str


def assessments_of(viewer: User, case: Case) -> QuerySet[RiskAssessment]:
    """Every assessment of ``case`` that ``viewer`` may see, newest first (without the encrypted reason)."""
    return (
        RiskAssessment.objects.visible_to(viewer)
        .filter(case=case)
        .defer("judgement_reason")
        .order_by("-assessed_at", "-id")
    )


def latest(viewer: User, case: Case) -> RiskAssessment | None:
    """The newest assessment of ``case`` visible to ``viewer``, if any."""
    return assessments_of(viewer, case).first()


def assessment_get(viewer: User, case: Case, pk: int) -> RiskAssessment:
    """Assessment ``pk`` of ``case``; 404 when it is not one of this case's or not visible. The read is audited
    with the names of the fields shown."""
    assessment = (
        RiskAssessment.objects.visible_to(viewer).filter(case=case, pk=pk).select_related("case").first()
    )
    if assessment is None:
        raise Http404
    require(viewer, "assessments.view_assessments", case)
    audit.record(AuditAction.READ, actor=viewer, target=assessment, fields=list(ASSESSMENT_FIELDS_SHOWN))
    return assessment


def previous_of(assessment: RiskAssessment) -> RiskAssessment | None:
    """The assessment of the same case made just before ``assessment`` (the one a re-assessment compares with)."""
    return (
        RiskAssessment.objects.filter(case_id=assessment.case_id)
        .exclude(pk=assessment.pk)
        .filter(assessed_at__lte=assessment.assessed_at)
        .exclude(assessed_at=assessment.assessed_at, pk__gt=assessment.pk)
        .defer("judgement_reason")
        .order_by("-assessed_at", "-id")
        .first()
    )


def risk_requirements(case: Case) -> list[Requirement]:
    """What a high-risk case still lacks: a safety plan, a multi-agency case conference (empty otherwise)."""
    if case.risk_level != RiskLevel.HIGH:
        return []
    found = []
    if not Plan.objects.filter(case=case, kind=PlanKind.SAFETY).exists():
        found.append(Requirement(SAFETY_PLAN, str(_("Safety plan required"))))
    if not CaseConference.objects.filter(case=case).exists():
        found.append(Requirement(CASE_CONFERENCE, str(_("Case conference required"))))
    return found


@dataclass(frozen=True)
class AnswerRow:
    group: str
    code: str
    question: str
    answer: str  # Answer code
    answer_label: str
    before: str  # the previous assessment's answer code ("" when none or not asked)
    before_label: str

    @property
    def changed(self) -> bool:
        return bool(self.before) and self.before != self.answer


def answer_rows(assessment: RiskAssessment, previous: RiskAssessment | None = None) -> list[AnswerRow]:
    """The questions of the assessment's own list version, in order, with its answers (and the previous ones)."""
    toolkit = toolkits.get(KIND, assessment.tool_version)
    labels = dict(Answer.choices)
    before = dict(previous.answers) if previous is not None else {}
    rows = []
    for group in toolkit.groups:
        for item in group.items:
            answer = str(assessment.answers.get(item.code, Answer.UNKNOWN))
            earlier = str(before.get(item.code, ""))
            rows.append(
                AnswerRow(
                    group=group.label,
                    code=item.code,
                    question=item.label,
                    answer=answer,
                    answer_label=str(labels.get(answer, answer)),
                    before=earlier,
                    before_label=str(labels.get(earlier, earlier)) if earlier else "",
                )
            )
    return rows


def summary(assessment: RiskAssessment) -> dict[str, Any]:
    """The derived facts a page or the API shows beside the stored ones."""
    return {"automatic_level": automatic_level(assessment), "judgement": judgement(assessment)}


# For the case page's section (which receives only ``case`` and ``user``): {% test_rule %} in the template.
@rules.predicate
def _needs_safety_plan(case: Any) -> bool:
    return any(r.code == SAFETY_PLAN for r in risk_requirements(case))


@rules.predicate
def _needs_conference(case: Any) -> bool:
    return any(r.code == CASE_CONFERENCE for r in risk_requirements(case))


rules.set_rule("assessments.risk_needs_safety_plan", _needs_safety_plan)
rules.set_rule("assessments.risk_needs_conference", _needs_conference)
