"""Views of the risk area (thin: forms, services, queries): a new danger assessment, one assessment's result
with the history of the case's assessments (printable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from himaya.assessments import toolkits
from himaya.assessments.forms.risk import RiskAssessmentForm
from himaya.assessments.queries import risk as queries
from himaya.assessments.services import risk as services
from himaya.cases.queries.cases import case_get, record_case_read
from himaya.cases.views.cases import user_of as _user
from himaya.core.errors import BusinessRuleError


@require_http_methods(["GET", "POST"])
@login_required
def risk_new(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the questions of the current list; POST: record the assessment and show its result."""
    viewer = _user(request)
    case = case_get(viewer=viewer, code=code)
    if not viewer.has_perm("assessments.record_risk", case):
        raise PermissionDenied
    form = RiskAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_assess(
                actor=viewer,
                case=case,
                answers=form.answers(),
                level=form.cleaned_data["level"] or None,
                reason=form.cleaned_data["reason"],
            )
        except BusinessRuleError as error:
            form.add_error("reason" if form.cleaned_data["level"] else None, error.message)
        else:
            messages.success(request, _("Danger assessment recorded."))
            return redirect("assessments:risk_detail", case.code, assessment.pk)
    limits = services.thresholds(form.toolkit)
    context = {
        "case": case,
        "user": viewer,
        "form": form,
        "toolkit": form.toolkit,
        "thresholds": limits,
        "title": _("New danger assessment"),
    }
    return render(request, "assessments/risk_new.html", context)


@require_GET
@login_required
def risk_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One assessment: score, levels, reasons, answers beside the previous assessment's, and the history."""
    viewer = _user(request)
    case = case_get(viewer=viewer, code=code)
    assessment = queries.assessment_get(viewer, case, pk)
    previous = queries.previous_of(assessment)
    history = list(queries.assessments_of(viewer, case))
    record_case_read(viewer=viewer, case=case, fields=queries.HISTORY_FIELDS_SHOWN)
    context = {
        "case": case,
        "user": viewer,
        "assessment": assessment,
        "previous": previous,
        "toolkit": toolkits.get(services.KIND, assessment.tool_version),
        "thresholds": services.thresholds(toolkits.get(services.KIND, assessment.tool_version)),
        "rows": queries.answer_rows(assessment, previous),
        "history": history,
        "requirements": queries.risk_requirements(case),
        "can_assess": viewer.has_perm("assessments.record_risk", case),
        "title": _("Danger assessment"),
        **queries.summary(assessment),
    }
    return render(request, "assessments/risk_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("<case:code>/risk/new/", risk_new, name="risk_new"),
    path("<case:code>/risk/<int:pk>/", risk_detail, name="risk_detail"),
]
