"""Views: searching survivors and cases, a survivor's page (identity masked until revealed), editing her details.
Thin: forms, services, queries. Every page here reads personal data and is audited by its query."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.cases.forms.survivors import SurvivorForm, SurvivorSearchForm, country_name, language_names
from himaya.cases.models import Survivor
from himaya.cases.queries import survivors as queries
from himaya.cases.services import survivors as services
from himaya.cases.services.common import RecordConflict
from himaya.cases.views.cases import allow, user_of
from himaya.core.errors import BusinessRuleError
from himaya.core.pagination import paginate


def display_value(name: str, value: Any) -> str:
    """A survivor value as a person reads it (choice labels, country and language names); "" when empty."""
    if value in (None, "", []):
        return ""
    if name == "nationality":
        return country_name(str(value))
    if name == "languages":
        return ", ".join(language_names(list(value)))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    model_field = Survivor._meta.get_field(name)
    labels = dict(getattr(model_field, "choices", None) or {})
    return str(labels.get(value, value))


def _label(name: str) -> str:
    return str(getattr(Survivor._meta.get_field(name), "verbose_name", name))


def _profile_rows(survivor: Survivor) -> list[tuple[str, str]]:
    return [(_label(name), display_value(name, getattr(survivor, name))) for name in services.PROFILE_FIELDS]


def _identity_rows(survivor: Survivor, revealed: dict[str, str] | None) -> list[dict[str, Any]]:
    """One row per identifying field: its label, whether it holds a value, and the value once revealed."""
    return [
        {
            "name": name,
            "label": _label(name),
            "filled": bool(getattr(survivor, name)),
            "value": (revealed or {}).get(name, ""),
            "multiline": name in ("address", "identity_notes", "safe_contact_instructions"),
        }
        for name in services.IDENTIFYING_FIELDS
    ]


def _detail(request: HttpRequest, survivor: Survivor, revealed: dict[str, str] | None) -> HttpResponse:
    viewer = user_of(request)
    context = {
        "survivor": survivor,
        "profile": _profile_rows(survivor),
        "identity": _identity_rows(survivor, revealed),
        "revealed": revealed is not None,
        "cases": queries.survivor_cases(viewer, survivor),
        "do_not_contact": survivor.safe_to_contact == "no" or survivor.safe_contact_method == "none",
        "can_change": viewer.has_perm("cases.change_survivor", survivor),
    }
    return render(request, "cases/survivors/survivor_detail.html", context)


@never_cache
@require_GET
@login_required
def survivor_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Her profile in clear, identifying fields masked, her cases (codes) that the user may see."""
    viewer = user_of(request)
    survivor = queries.survivor_get(viewer, code)
    queries.survivor_profile_read(viewer, survivor)
    return _detail(request, survivor, revealed=None)


@never_cache
@require_POST
@login_required
def survivor_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """Show her identifying values in this response only; the reveal is audited with the field names."""
    viewer = user_of(request)
    survivor = queries.survivor_get(viewer, code)
    revealed = queries.survivor_identity_reveal(viewer, survivor)
    return _detail(request, survivor, revealed=revealed)


def _conflict_rows(error: RecordConflict, submitted: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (_label(name), display_value(name, value), display_value(name, submitted.get(name)))
        for name, value in error.current.items()
    ]


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def survivor_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Her details, with the version the form was opened with: a stale save changes nothing and shows the values
    saved meanwhile next to what the user entered."""
    viewer = user_of(request)
    survivor = queries.survivor_get(viewer, code)
    allow(viewer, "cases.change_survivor", survivor)
    form = SurvivorForm(data=request.POST if request.method == "POST" else None, instance=survivor)
    conflict: list[tuple[str, str, str]] = []
    conflict_message = ""
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.survivor_update(
                actor=viewer, survivor=survivor, values=form.values(), expected_version=form.expected_version
            )
        except RecordConflict as error:
            conflict = _conflict_rows(error, form.values())
            fresh = queries.survivor_get(viewer, code)
            form = SurvivorForm(instance=fresh)  # the saved values and version: re-apply the change knowingly
            conflict_message = str(error.message)
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Her details are saved.") if changed else _("Nothing changed."))
            return redirect("cases:survivor_detail", code=survivor.code)
    # The form shows her identifying values: opening it is a reveal, audited as such.
    queries.survivor_identity_reveal(viewer, survivor, purpose="edit")
    context = {"survivor": survivor, "form": form, "conflict": conflict, "conflict_message": conflict_message}
    return render(request, "cases/survivors/survivor_form.html", context)


@require_GET
@login_required
def survivor_search(request: HttpRequest) -> HttpResponse:
    """Exact search by name, telephone, document number or code, and case filters; results show codes only."""
    viewer = user_of(request)
    allow(viewer, "cases.search_survivors")
    form = SurvivorSearchForm(request.GET or None)
    page = None
    searched = False
    if form.is_bound and form.is_valid():
        criteria = queries.SearchCriteria(**form.cleaned_data)
        searched = bool(criteria.kinds())
        if searched:
            page = paginate(request, queries.case_search(viewer, criteria))
    context = {"form": form, "page": page, "searched": searched}
    return render(request, "cases/survivors/search.html", context)


urlpatterns: list[URLPattern] = [
    path("survivors/search/", survivor_search, name="survivor_search"),
    path("survivors/<survivor:code>/", survivor_detail, name="survivor_detail"),
    path("survivors/<survivor:code>/reveal/", survivor_reveal, name="survivor_reveal"),
    path("survivors/<survivor:code>/edit/", survivor_edit, name="survivor_edit"),
]
