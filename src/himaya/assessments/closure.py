"""What the assessments and plans say against closing a case (settings.HIMAYA_CLOSURE_BLOCKERS)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himaya.assessments.choices import PlanKind, PlanNeed
from himaya.assessments.models import CaseConference, Plan, PlanAction
from himaya.assessments.queries.plans import OPEN_STATUSES
from himaya.cases.choices import RiskLevel
from himaya.cases.models import Case


def blockers(case: Case) -> list[str]:
    """Translated reasons why ``case`` cannot be closed yet; empty when nothing here blocks it.

    - actions of its plans still to do or in progress (counted by need);
    - a high risk without a safety plan (started with its first action) or without a case conference.
    """
    reasons: list[str] = []
    open_by_need = dict(
        PlanAction.objects.filter(plan__case=case, status__in=OPEN_STATUSES)
        .values_list("need")
        .annotate(count=Count("id"))
        .values_list("need", "count")
    )
    if open_by_need:
        labels = dict(PlanNeed.choices)
        total = sum(open_by_need.values())
        listed = ", ".join(
            f"{labels[need]} ({open_by_need[need]})" for need in PlanNeed.values if need in open_by_need
        )
        reasons.append(
            ngettext(
                "%(n)s plan action is still open: %(needs)s.",
                "%(n)s plan actions are still open: %(needs)s.",
                total,
            )
            % {"n": total, "needs": listed}
        )
    if case.risk_level == RiskLevel.HIGH:
        if not Plan.objects.filter(case=case, kind=PlanKind.SAFETY).exists():
            reasons.append(_("The risk is high and the case has no safety plan."))
        if not CaseConference.objects.filter(case=case).exists():
            reasons.append(_("The risk is high and no case conference has been recorded."))
    return reasons
