"""Views of the screening area (thin: forms, services, queries): record a screening, read its result (outcome,
elements, reasons, what is missing, the rights of a presumed victim; printable), record a formal identification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from himaya.assessments import toolkits
from himaya.assessments.choices import ScreeningOutcome
from himaya.assessments.forms.screening import IdentificationForm, ScreeningForm
from himaya.assessments.queries import screening as queries
from himaya.assessments.services import screening as services
from himaya.cases import choices as case_choices
from himaya.cases.models import Case
from himaya.cases.views.cases import case_for as _case
from himaya.core.errors import BusinessRuleError


def _case_page(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"code": case.code}) + "#screening"


@require_http_methods(["GET", "POST"])
@login_required
def screening_new(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code, "assessments.record_screening")
    toolkit = toolkits.current(services.KIND)
    ask_age = case.survivor.birth_year is None
    data = request.POST if request.method == "POST" else None
    form = ScreeningForm(data, toolkit=toolkit, ask_age=ask_age)
    if data is not None and form.is_valid():
        stage_before = case.stage
        try:
            screening = services.screening_record(
                actor=viewer,
                case=case,
                answers=form.answers(),
                notes=form.notes(),
                age_basis=form.age_basis(),
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Screening recorded."))
            if screening.outcome == ScreeningOutcome.PRESUMED:
                if case.stage == case_choices.Stage.IDENTIFICATION and stage_before != case.stage:
                    messages.info(request, _("The case moved to the stage “identification”."))
                elif case.stage != case_choices.Stage.IDENTIFICATION:
                    messages.warning(
                        request,
                        _(
                            "The case stays at the stage “%(stage)s”: from there it cannot move to "
                            "“identification”. Change its stage by hand if that is right."
                        )
                        % {"stage": case_choices.Stage(case.stage).label},
                    )
            return redirect("assessments:screening_detail", code=case.code, pk=screening.pk)
    context = {
        "case": case,
        "form": form,
        "groups": form.groups(),
        "toolkit": toolkit,
        "title": _("Trafficking screening"),
    }
    return render(request, "assessments/screening_form.html", context)


@require_GET
@login_required
def screening_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    viewer, case = _case(request, code, "assessments.view_assessments")
    screening = queries.screening_get(viewer=viewer, case=case, pk=pk)
    decision = services.decision_of(screening)
    context: dict[str, Any] = {
        "case": case,
        "screening": screening,
        "decision": decision,
        "rows": queries.element_rows(screening, decision),
        "missing": queries.missing_labels(decision),
        "reasons": queries.reasons_text(decision),
        "presumed": decision.outcome == ScreeningOutcome.PRESUMED,
        "rights": queries.PRESUMED_RIGHTS,
        "toolkit": toolkits.get(services.KIND, screening.tool_version),
        "can_identify": viewer.has_perm("assessments.record_identification", case),
        "title": _("Screening result"),
    }
    return render(request, "assessments/screening_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def identification_new(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code, "assessments.record_identification")
    data = request.POST if request.method == "POST" else None
    form = IdentificationForm(data)
    if data is not None and form.is_valid():
        try:
            services.identification_record(actor=viewer, case=case, **form.values())
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Formal identification recorded."))
            return redirect(_case_page(case))
    context = {"case": case, "form": form, "title": _("Formal identification")}
    return render(request, "assessments/screening_identification_form.html", context)


urlpatterns: list[URLPattern] = [
    path("<case:code>/screening/new/", screening_new, name="screening_new"),
    path("<case:code>/screening/<int:pk>/", screening_detail, name="screening_detail"),
    path("<case:code>/identification/new/", identification_new, name="identification_new"),
]
