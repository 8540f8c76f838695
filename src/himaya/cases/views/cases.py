"""Views: the case page (summary, reminders, sections of the other record families, timeline), editing a case
and assigning its caseworkers. Thin: forms, services, queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.forms.cases import AssignForm, CaseEditForm
from himaya.cases.models import Case
from himaya.cases.queries import cases as queries
from himaya.cases.queries.consents import CONSENT_FIELDS_SHOWN
from himaya.cases.queries.documents import DOCUMENT_FIELDS_SHOWN
from himaya.cases.queries.incidents import INCIDENT_FIELDS_SHOWN
from himaya.cases.queries.notes import CONTACT_FIELDS_SHOWN, NOTE_FIELDS_SHOWN
from himaya.cases.services import cases as services
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError

# The sections other record families fill on the case page: (anchor, title, template taking ``case``, ``user``).
# The fields each shows are named in the page's READ audit.
SECTIONS = (
    ("incidents", gettext_lazy("Incidents"), "cases/records/_incidents.html", INCIDENT_FIELDS_SHOWN),
    ("consents", gettext_lazy("Consents"), "cases/records/_consents.html", CONSENT_FIELDS_SHOWN),
    ("notes", gettext_lazy("Notes"), "cases/followup/_notes.html", NOTE_FIELDS_SHOWN),
    ("contacts", gettext_lazy("Contacts"), "cases/followup/_contacts.html", CONTACT_FIELDS_SHOWN),
    ("documents", gettext_lazy("Documents"), "cases/followup/_documents.html", DOCUMENT_FIELDS_SHOWN),
)


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def case_for(request: HttpRequest, code: str, permission: str) -> tuple[User, Case]:
    """The viewer and case ``code`` on which she holds ``permission`` (404 when the case is not visible to her,
    then 403 without the permission): the first lines of every view of a case's records."""
    viewer = user_of(request)
    case = queries.case_get(viewer=viewer, code=code)
    allow(viewer, permission, case)
    return viewer, case


def allow(user: User, permission: str, obj: Any = None) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied


def safe_url(name: str, **kwargs: Any) -> str:
    """The address of a route another area provides, or "" while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def to_case(case: Case) -> HttpResponse:
    return redirect("cases:case_detail", code=case.code)


def _sections() -> list[dict[str, Any]]:
    """The case's own sections, then those other apps provide (``settings.HIMAYA_CASE_SECTIONS``: dotted paths to
    tuples like SECTIONS' rows; assessments and referrals build on cases, which must not import them)."""
    found = []
    provided = [import_string(dotted) for dotted in getattr(settings, "HIMAYA_CASE_SECTIONS", [])]
    for anchor, title, name, fields in (*SECTIONS, *provided):
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append({"anchor": anchor, "title": title, "template": name, "fields": fields})
    return found


@require_GET
@login_required
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    viewer = user_of(request)
    sections = _sections()
    shown = [*queries.CASE_FIELDS_SHOWN, *(name for section in sections for name in section["fields"])]
    case = queries.case_read(viewer=viewer, code=code, fields=shown)
    context = {
        "case": case,
        "reminders": queries.reminders_of(case),
        "caseworkers": queries.caseworkers_of(case),
        "needs": queries.need_labels(list(case.immediate_needs)),
        "timeline": queries.timeline(viewer=viewer, case=case),
        "sections": sections,
        "survivor_url": safe_url("cases:survivor_detail", code=case.survivor.code),
        "intake_done": case.intake_step == choices.IntakeStep.DONE,
        "can_change": viewer.has_perm("cases.change_case", case),
        "can_assign": viewer.has_perm("cases.assign_case", case),
    }
    return render(request, "cases/case_detail.html", context)


def _conflict_rows(error: RecordConflict) -> list[tuple[str, str]]:
    rows = []
    for name, value in error.current.items():
        model_field = Case._meta.get_field(name)
        display = dict(getattr(model_field, "choices", None) or {}).get(value, value)
        rows.append(
            (str(getattr(model_field, "verbose_name", name)), "" if display is None else str(display))
        )
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def case_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Priority, next follow-up, stage, status; a stale save shows the current values and saves nothing."""
    viewer = user_of(request)
    case = queries.case_get(viewer=viewer, code=code)
    allow(viewer, "cases.change_case", case)
    form = CaseEditForm(request.POST or None, initial=CaseEditForm.initial_for(case))
    conflict: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.case_update(
                actor=viewer, case=case, values=form.values(), expected_version=form.cleaned_data["version"]
            )
        except RecordConflict as error:
            conflict = _conflict_rows(error)
            fresh = Case.objects.get(pk=case.pk)
            data = request.POST.copy()
            data["version"] = str(fresh.version)  # a second, deliberate save applies the change
            form = CaseEditForm(data, initial=CaseEditForm.initial_for(fresh))
            form.is_valid()
            form.add_error(None, str(error.message))
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case saved.") if changed else _("Nothing changed."))
            return to_case(case)
    return render(request, "cases/case_edit.html", {"case": case, "form": form, "conflict": conflict})


@require_http_methods(["GET", "POST"])
@login_required
def case_assign(request: HttpRequest, code: str) -> HttpResponse:
    """The supervisor chooses the caseworkers among the organisation's members who work on cases."""
    viewer = user_of(request)
    case = queries.case_get(viewer=viewer, code=code)
    allow(viewer, "cases.assign_case", case)
    users = queries.assignable_users(viewer=viewer, case=case)
    form = AssignForm(
        request.POST or None,
        users=users,
        initial={"caseworkers": list(case.caseworkers.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            added, removed = services.case_assign(
                actor=viewer, case=case, users=form.cleaned_data["caseworkers"]
            )
        except BusinessRuleError as error:
            form.add_error("caseworkers", error.message)
        else:
            messages.success(request, _("Caseworkers saved.") if added or removed else _("Nothing changed."))
            return to_case(case)
    return render(request, "cases/case_assign.html", {"case": case, "form": form})


urlpatterns: list[URLPattern] = [
    path("<case:code>/", case_detail, name="case_detail"),
    path("<case:code>/edit/", case_edit, name="case_edit"),
    path("<case:code>/assign/", case_assign, name="case_assign"),
]
