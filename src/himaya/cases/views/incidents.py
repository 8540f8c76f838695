"""Incident pages: record and correct an incident of a case, and the intake's step 3 (the first incident, or
"skip for now"). Thin: forms, services/incidents.py, queries/incidents.py."""

from __future__ import annotations

from typing import Any

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
from himaya.cases.forms.incidents import IncidentForm, perpetrator_formset, perpetrator_rows
from himaya.cases.models import Case, Incident
from himaya.cases.queries import incidents as queries
from himaya.cases.queries.cases import case_get
from himaya.cases.services import incidents as services
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, code: str, permission: str = "cases.add_incident") -> tuple[User, Case]:
    """The viewer and the case she may record incidents on (404 when not visible, then 403)."""
    viewer = _user(request)
    case = case_get(viewer=viewer, code=code)
    if not viewer.has_perm(permission, case):
        raise PermissionDenied
    return viewer, case


def _case_page(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"code": case.code}) + "#incidents"


def _conflict_rows(error: RecordConflict) -> list[tuple[str, str]]:
    return [
        (
            str(getattr(Incident._meta.get_field(name), "verbose_name", name)),
            queries.display_value(name, value),
        )
        for name, value in error.current.items()
        if name not in services.COMPUTED_FIELDS
    ]


def _save(request: HttpRequest, form: IncidentForm, formset: Any, save: Any) -> tuple[bool, list[Any]]:
    """Validate and save; (True, []) once saved, else (False, conflict rows) with the errors on the form."""
    if not (form.is_valid() and formset.is_valid()):
        return False, []
    try:
        save(form.values(), perpetrator_rows(formset))
    except RecordConflict as error:
        form.add_error(None, str(error.message))
        return False, _conflict_rows(error)
    except BusinessRuleError as error:
        form.add_error(None, error.message)
        return False, []
    return True, []


def _render(request: HttpRequest, case: Case, form: IncidentForm, formset: Any, **extra: Any) -> HttpResponse:
    context = {"case": case, "form": form, "formset": formset, **extra}
    return render(request, "cases/records/incident_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def incident_create(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code)
    data = request.POST if request.method == "POST" else None
    form, formset = IncidentForm(data), perpetrator_formset(data)
    if data is not None:
        saved, _rows = _save(
            request,
            form,
            formset,
            lambda values, rows: services.incident_create(
                actor=viewer, case=case, values=values, perpetrators=rows
            ),
        )
        if saved:
            messages.success(request, _("Incident recorded."))
            return redirect(_case_page(case))
    return _render(request, case, form, formset, title=_("New incident"))


@require_http_methods(["GET", "POST"])
@login_required
def incident_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    viewer, case = _case(request, code)
    incident = queries.incident_get(viewer=viewer, case=case, pk=pk)
    data = request.POST if request.method == "POST" else None
    current = [
        {"relationship": p.relationship, "sex": p.sex, "age_group": p.age_group}
        for p in incident.perpetrators.order_by("id")
    ]
    form, formset = IncidentForm(data, incident=incident), perpetrator_formset(data, rows=current)
    conflict: list[Any] = []
    if data is not None:
        saved, conflict = _save(
            request,
            form,
            formset,
            lambda values, rows: services.incident_update(
                actor=viewer,
                incident=incident,
                values=values,
                perpetrators=rows,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if saved:
            messages.success(request, _("Incident saved."))
            return redirect(_case_page(case))
        if conflict:  # the form now carries the saved version: a second, deliberate save applies the change
            fresh = queries.incident_get(viewer=viewer, case=case, pk=pk)
            resubmit = request.POST.copy()
            resubmit["version"] = str(fresh.version)
            errors = form.non_field_errors()
            form = IncidentForm(resubmit, incident=fresh)
            form.is_valid()
            for error in errors:
                form.add_error(None, error)
    return _render(
        request, case, form, formset, incident=incident, conflict=conflict, title=_("Edit the incident")
    )


@require_http_methods(["GET", "POST"])
@login_required
def intake_incident(request: HttpRequest, code: str) -> HttpResponse:
    """Intake step 3: the first incident, or "skip for now"; then the immediate needs (step 4)."""
    viewer, case = _case(request, code)
    data = request.POST if request.method == "POST" else None
    form, formset = IncidentForm(data), perpetrator_formset(data)
    if data is not None:
        if data.get("action") == "skip":
            services.intake_incident_skip(actor=viewer, case=case)
            return redirect("cases:intake_needs", code=case.code)
        saved, _rows = _save(
            request,
            form,
            formset,
            lambda values, rows: services.intake_incident_record(
                actor=viewer, case=case, values=values, perpetrators=rows
            ),
        )
        if saved:
            messages.success(request, _("Incident recorded."))
            return redirect("cases:intake_needs", code=case.code)
    return render(
        request,
        "cases/records/intake_incident.html",
        {
            "case": case,
            "form": form,
            "formset": formset,
            "step": choices.IntakeStep.INCIDENT,
            "title": _("What happened"),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<case:code>/incidents/new/", incident_create, name="incident_create"),
    path("<case:code>/incidents/<int:pk>/edit/", incident_edit, name="incident_edit"),
    path("<case:code>/intake/incident/", intake_incident, name="intake_incident"),
]
