"""Views: a case's notes and contact log (each page lists them, newest first, and adds one)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from himaya.accounts.models import User
from himaya.cases.forms.notes import ContactForm, NoteForm
from himaya.cases.models import Case
from himaya.cases.queries import notes as queries
from himaya.cases.queries.cases import case_get, record_case_read
from himaya.cases.services import notes as services
from himaya.core.errors import BusinessRuleError
from himaya.core.pagination import paginate


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def case_page_url(case: Case) -> str:
    """The case page (views/cases.py names it ``cases:case_detail``); the notes page until it exists."""
    try:
        return reverse("cases:case_detail", args=[case.code])
    except NoReverseMatch:
        return reverse("cases:case_notes", args=[case.code])


def followup_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    return {"case": case, "user": user_of(request), "case_url": case_page_url(case), **extra}


@require_http_methods(["GET", "POST"])
@login_required
def note_list(request: HttpRequest, code: str) -> HttpResponse:
    """GET: every note of the case, newest first, and the form of a new one; POST: add the note."""
    viewer = user_of(request)
    case = case_get(viewer=viewer, code=code)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_add(actor=viewer, case=case, body=form.cleaned_data["body"])
        except BusinessRuleError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("Note added."))
            return redirect("cases:case_notes", case.code)
    page = paginate(request, queries.case_notes(viewer=viewer, case=case))
    record_case_read(viewer=viewer, case=case, fields=queries.NOTE_FIELDS_SHOWN)
    context = followup_context(request, case, form=form, page=page, title=_("Notes"))
    return render(request, "cases/followup/notes.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def contact_list(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the contact log of the case, most recent first, and the form of a new entry; POST: record it."""
    viewer = user_of(request)
    case = case_get(viewer=viewer, code=code)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_add(
                actor=viewer,
                case=case,
                kind=data["kind"],
                happened_at=data["happened_at"],
                duration_minutes=data["duration_minutes"],
                summary=data["summary"],
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect("cases:case_contacts", case.code)
    page = paginate(request, queries.case_contacts(viewer=viewer, case=case))
    record_case_read(viewer=viewer, case=case, fields=queries.CONTACT_FIELDS_SHOWN)
    context = followup_context(request, case, form=form, page=page, title=_("Contact log"))
    return render(request, "cases/followup/contacts.html", context)


urlpatterns: list[URLPattern] = [
    path("<case:code>/notes/", note_list, name="case_notes"),
    path("<case:code>/contacts/", contact_list, name="case_contacts"),
]
