"""Views: the intake flow. Step 1 (the person and the case, with the duplicate warning) and step 4 (immediate
needs, which completes the intake) live here; steps 2 and 3 (cases:intake_consent, cases:intake_incident) come
with consents and incidents. Each step is saved on its own (Case.intake_step): the case page and the queues
offer to resume where it stopped."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from himaya.cases import choices
from himaya.cases.forms.cases import CaseStartForm, NeedsForm
from himaya.cases.models import Case, Survivor
from himaya.cases.queries import cases as queries
from himaya.cases.services import cases as services
from himaya.cases.templatetags.cases_intake import intake_url
from himaya.cases.views.cases import allow, to_case, user_of
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

EXISTING = "existing:"  # the duplicate warning's "open a case for this survivor" button: existing:<code>
CONFIRM_NEW = "new"  # its "this is another person" button


def _survivor_values(form: Any) -> dict[str, Any]:
    values = getattr(form, "values", None)
    return dict(values() if callable(values) else form.cleaned_data)


def _next_step(case: Case) -> HttpResponse:
    return redirect(intake_url(case))


@require_http_methods(["GET", "POST"])
@login_required
def intake_new(request: HttpRequest) -> HttpResponse:
    """Step 1: who she is and how she came. Before saving, survivors that look the same are shown (codes and
    reasons) and the user chooses: open a new case for one of them, or confirm that she is another person."""
    from himaya.cases.forms.survivors import SurvivorForm
    from himaya.cases.queries.survivors import possible_duplicates

    viewer = user_of(request)
    allow(viewer, "cases.add_case")
    data = request.POST if request.method == "POST" else None
    survivor_form = SurvivorForm(data=data, prefix="survivor")
    case_form = CaseStartForm(data, prefix="case")
    duplicates: list[Any] = []
    if data is not None and survivor_form.is_valid() and case_form.is_valid():
        decision = request.POST.get("decision", "")
        case: Case | None = None
        try:
            if decision.startswith(EXISTING):
                survivor = Survivor.objects.visible_to(viewer).filter(code=decision[len(EXISTING) :]).first()
                if survivor is None:
                    raise BusinessRuleError(
                        _("This survivor is not among the people your organisation works with.")
                    )
                case = services.intake_existing(
                    actor=viewer, survivor=survivor, case_values=case_form.values()
                )
            else:
                values = _survivor_values(survivor_form)
                if decision != CONFIRM_NEW:
                    duplicates = possible_duplicates(viewer, values)
                if not duplicates:
                    case = services.intake_start(
                        actor=viewer, survivor_values=values, case_values=case_form.values()
                    )
        except BusinessRuleError as error:
            survivor_form.add_error(None, error.message)
            duplicates = []
        if case is not None:
            messages.success(
                request,
                _("Case %(case)s opened for %(survivor)s. Next: her consent.")
                % {"case": case.code, "survivor": case.survivor.code},
            )
            return _next_step(case)
        for duplicate in duplicates:  # their codes are shown: a read of who she may be
            audit.record(
                AuditAction.READ,
                actor=viewer,
                target=duplicate.survivor,
                detail={"view": "intake_duplicate_warning", "reasons": list(duplicate.reasons)},
            )
    context = {
        "survivor_form": survivor_form,
        "case_form": case_form,
        "duplicates": duplicates,
        "existing_prefix": EXISTING,
        "confirm_new": CONFIRM_NEW,
        "steps": choices.IntakeStep,
    }
    return render(request, "cases/intake_new.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def intake_needs(request: HttpRequest, code: str) -> HttpResponse:
    """Step 4: her immediate needs (the directory's needs); saving it completes the intake. After the intake the
    same page changes the needs."""
    viewer = user_of(request)
    case = queries.case_get(viewer=viewer, code=code)
    allow(viewer, "cases.change_case", case)
    form = NeedsForm(request.POST or None, initial={"needs": list(case.immediate_needs)})
    if request.method == "POST" and form.is_valid():
        try:
            completed = services.case_set_needs(actor=viewer, case=case, needs=form.cleaned_data["needs"])
        except BusinessRuleError as error:
            form.add_error("needs", error.message)
        else:
            messages.success(request, _("Intake complete.") if completed else _("Immediate needs saved."))
            return to_case(case)
    position = services.intake_position(case.intake_step)
    skipped = [
        label
        for value, label in choices.IntakeStep.choices
        if value in (choices.IntakeStep.CONSENT, choices.IntakeStep.INCIDENT)
        and services.intake_position(value) >= position
    ]
    context = {
        "case": case,
        "form": form,
        "in_intake": case.intake_step != choices.IntakeStep.DONE,
        "skipped": skipped,
    }
    return render(request, "cases/intake_needs.html", context)


urlpatterns: list[URLPattern] = [
    path("new/", intake_new, name="intake_new"),
    path("<case:code>/intake/needs/", intake_needs, name="intake_needs"),
]
