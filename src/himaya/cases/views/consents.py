"""Consent pages: record a consent of a case, withdraw one (effective at once), and the intake's step 2.
Thin: forms, services/consents.py, queries/consents.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.forms.consents import ConsentForm, IntakeConsentForm, WithdrawForm
from himaya.cases.models import Case
from himaya.cases.queries import consents as queries
from himaya.cases.queries.cases import case_get
from himaya.cases.services import consents as services
from himaya.core.errors import BusinessRuleError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, code: str, permission: str = "cases.manage_consent") -> tuple[User, Case]:
    """The viewer and the case she holds ``permission`` on (404 when not visible, then 403)."""
    viewer = _user(request)
    case = case_get(viewer=viewer, code=code)
    if not viewer.has_perm(permission, case):
        raise PermissionDenied
    return viewer, case


def _case_page(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"code": case.code}) + "#consents"


@require_http_methods(["GET", "POST"])
@login_required
def consent_create(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code)
    purpose = request.GET.get("purpose", "")
    initial = {"purpose": purpose} if purpose in choices.ConsentPurpose.values else {}
    if case.survivor.is_child:
        initial["given_by"] = choices.ConsentGiver.GUARDIAN
    form = ConsentForm(request.POST or None, initial=initial, organisation_id=case.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_give(actor=viewer, case=case, **form.values())
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(_case_page(case))
    return render(
        request,
        "cases/records/consent_form.html",
        {"case": case, "form": form, "is_child": case.survivor.is_child, "title": _("Record a consent")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    viewer, case = _case(request, code, permission="cases.view_case")
    consent = queries.consent_get(viewer=viewer, case=case, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(actor=viewer, consent=consent, note=form.cleaned_data["note"])
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Consent withdrawn. It no longer covers anything, from now on."))
            return redirect(_case_page(case))
    return render(
        request,
        "cases/records/consent_withdraw.html",
        {"case": case, "consent": consent, "form": form, "title": _("Withdraw a consent")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def intake_consent(request: HttpRequest, code: str) -> HttpResponse:
    """Intake step 2: at least her consent to receive services; statistics if she agrees. Then step 3."""
    viewer, case = _case(request, code)
    in_force = queries.active_consent(case, choices.ConsentPurpose.SERVICES)
    initial = {"given_by": choices.ConsentGiver.GUARDIAN} if case.survivor.is_child else {}
    form = IntakeConsentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if in_force is not None and request.POST.get("action") == "continue":
                services.intake_consents_continue(actor=viewer, case=case)
                return redirect("cases:intake_incident", code=case.code)
            if form.is_valid():
                services.intake_consents_record(
                    actor=viewer, case=case, statistics=form.cleaned_data["statistics"], **form.giver()
                )
                messages.success(request, _("Consent recorded."))
                return redirect("cases:intake_incident", code=case.code)
        except BusinessRuleError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "cases/records/intake_consent.html",
        {
            "case": case,
            "form": form,
            "in_force": in_force,
            "is_child": case.survivor.is_child,
            "step": choices.IntakeStep.CONSENT,
            "title": _("Consent"),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<case:code>/consents/new/", consent_create, name="consent_create"),
    path("<case:code>/consents/<int:pk>/withdraw/", consent_withdraw, name="consent_withdraw"),
    path("<case:code>/intake/consent/", intake_consent, name="intake_consent"),
]
