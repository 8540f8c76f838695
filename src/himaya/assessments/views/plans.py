"""Views of the plans area (thin: forms, services, queries): a case's safety and case plans (actions grouped by
need, add / edit / change status, printable), case conferences, and the lists of plan actions across cases
("mine", and the organisation's overdue ones for supervisors)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.models import User
from himaya.assessments.choices import PlanKind, PlanNeed
from himaya.assessments.forms.plans import (
    ActionEditForm,
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    ConferenceForm,
)
from himaya.assessments.models import Plan, PlanAction
from himaya.assessments.queries import plans as queries
from himaya.assessments.services import plans as services
from himaya.cases.models import Case
from himaya.cases.queries.cases import record_case_read
from himaya.cases.services.common import RecordConflict
from himaya.cases.views.cases import case_for as _case
from himaya.cases.views.cases import user_of as _user
from himaya.core.errors import BusinessRuleError
from himaya.core.pagination import paginate


def _kind(kind: str) -> str:
    if kind not in PlanKind.values:
        raise Http404
    return kind


def _case_page(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"code": case.code}) + "#plans"


def _grouped(plan: Plan | None, day: Any) -> list[dict[str, Any]]:
    """The plan's actions grouped by need (in the order of the needs), each with its due state."""
    if plan is None:
        return []
    labels = dict(PlanNeed.choices)
    groups: dict[str, list[dict[str, Any]]] = {}
    for action in plan.actions.all():
        groups.setdefault(action.need, []).append({"action": action, "state": queries.due_state(action, day)})
    return [
        {"need": need, "label": labels[need], "rows": groups[need]}
        for need in PlanNeed.values
        if need in groups
    ]


def _plan_context(viewer: User, case: Case, kind: str, **extra: Any) -> dict[str, Any]:
    plan = queries.plan_of(viewer=viewer, case=case, kind=kind)
    day = queries.today()
    record_case_read(viewer=viewer, case=case, fields=queries.PLAN_FIELDS_SHOWN)
    return {
        "case": case,
        "user": viewer,
        "kind": kind,
        "kind_label": dict(PlanKind.choices)[kind],
        "other_kinds": [(code, label) for code, label in PlanKind.choices if code != kind],
        "plan": plan,
        "groups": _grouped(plan, day),
        "today": day,
        "case_url": _case_page(case),
        "can_change": viewer.has_perm("assessments.change_plan", case),
        **extra,
    }


@require_GET
@login_required
def plan_detail(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """One plan of the case: its actions by need, and the form of a new action."""
    kind = _kind(kind)
    viewer, case = _case(request, code, "assessments.view_assessments")
    form = ActionForm(case=case) if viewer.has_perm("assessments.change_plan", case) else None
    return render(request, "assessments/plan_detail.html", _plan_context(viewer, case, kind, form=form))


@require_GET
@login_required
def plan_print(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """The plan laid out for paper (what a worker hands over or keeps in the file)."""
    kind = _kind(kind)
    viewer, case = _case(request, code, "assessments.view_assessments")
    return render(request, "assessments/plan_print.html", _plan_context(viewer, case, kind))


@require_POST
@login_required
def action_add(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """Add an action (the plan is created with its first action). Errors: the plan page with the form."""
    kind = _kind(kind)
    viewer, case = _case(request, code, "assessments.change_plan")
    form = ActionForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_add(
                actor=viewer,
                case=case,
                kind=kind,
                need=data["need"],
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect("assessments:plan_detail", case.code, kind)
    return render(request, "assessments/plan_detail.html", _plan_context(viewer, case, kind, form=form))


def _conflict_rows(error: RecordConflict) -> list[tuple[str, str]]:
    rows = []
    for name, value in error.current.items():
        if name == "completed_at":
            continue
        field = PlanAction._meta.get_field(name)
        shown = dict(getattr(field, "choices", None) or []).get(value, value)
        if isinstance(value, User):
            shown = value.full_name or value.email
        rows.append((str(getattr(field, "verbose_name", name)), "—" if shown in (None, "") else str(shown)))
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def action_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct an action or change its status; a stale version shows what changed meanwhile."""
    viewer, case = _case(request, code, "assessments.change_plan")
    action = queries.action_get(viewer=viewer, case=case, pk=pk)
    initial = {
        "need": action.need,
        "description": action.description,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "status": action.status,
        "version": action.version,
    }
    form = ActionEditForm(request.POST or None, case=case, initial=initial)
    conflict: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in services.ACTION_FIELDS}
        try:
            services.action_update(
                actor=viewer, action=action, values=values, expected_version=data["version"]
            )
        except RecordConflict as error:
            form.add_error(None, str(error.message))
            conflict = _conflict_rows(error)
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Action saved."))
            return redirect("assessments:plan_detail", case.code, action.plan.kind)
    context = {
        "case": case,
        "action": action,
        "form": form,
        "conflict": conflict,
        "kind_label": dict(PlanKind.choices)[action.plan.kind],
        "plan_url": reverse("assessments:plan_detail", args=[case.code, action.plan.kind]),
    }
    return render(request, "assessments/plan_action_edit.html", context)


@require_POST
@login_required
def action_status(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The quick buttons of the plan page: start, done, reopen, cancel (with the version shown)."""
    viewer, case = _case(request, code, "assessments.change_plan")
    action = queries.action_get(viewer=viewer, case=case, pk=pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            services.action_update(
                actor=viewer,
                action=action,
                values={"status": form.cleaned_data["status"]},
                expected_version=form.cleaned_data["version"],
            )
        except RecordConflict:
            messages.error(
                request,
                _("Someone else changed this action meanwhile. Nothing was saved: check it and try again."),
            )
        except BusinessRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Status changed."))
    return redirect("assessments:plan_detail", case.code, action.plan.kind)


@require_http_methods(["GET", "POST"])
@login_required
def conference_new(request: HttpRequest, code: str) -> HttpResponse:
    """Record a case conference (asked for when the risk is high)."""
    viewer, case = _case(request, code, "assessments.record_conference")
    form = ConferenceForm(request.POST or None, initial={"participants": [case.organisation_id]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conference_record(
                actor=viewer,
                case=case,
                held_on=data["held_on"],
                participants=[organisation.pk for organisation in data["participants"]],
                decisions=data["decisions"],
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case conference recorded."))
            return redirect(_case_page(case))
    return render(
        request, "assessments/conference_new.html", {"case": case, "form": form, "case_url": _case_page(case)}
    )


def _action_rows(actions: Iterable[PlanAction], day: Any) -> list[dict[str, Any]]:
    return [{"action": action, "state": queries.due_state(action, day)} for action in actions]


def _action_list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("cases.access_case_data"):
        raise PermissionDenied
    if not mine and not viewer.has_perm("assessments.view_organisation_actions"):
        raise PermissionDenied
    default = "" if mine else "overdue"
    form = ActionFilterForm(request.GET if "state" in request.GET else None, initial={"state": default})
    state = form.cleaned_data["state"] if form.is_valid() else default
    day = queries.today()
    if mine:
        actions = queries.my_actions(user=viewer, state=state, day=day)
        title = _("My plan actions")
    else:
        actions = queries.organisation_actions(supervisor=viewer, state=state, day=day)
        title = _("Plan actions of my organisation")
    page = paginate(request, actions)
    context = {
        "title": title,
        "mine": mine,
        "form": form,
        "page": page,
        "rows": _action_rows(page.object_list, day),
    }
    return render(request, "assessments/plan_actions.html", context)


@require_GET
@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=True)


@require_GET
@login_required
def organisation_actions(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=False)


urlpatterns: list[URLPattern] = [
    path("actions/", my_actions, name="my_actions"),
    path("actions/organisation/", organisation_actions, name="organisation_actions"),
    path("<case:code>/plans/actions/<int:pk>/edit/", action_edit, name="action_edit"),
    path("<case:code>/plans/actions/<int:pk>/status/", action_status, name="action_status"),
    path("<case:code>/plans/<str:kind>/", plan_detail, name="plan_detail"),
    path("<case:code>/plans/<str:kind>/print/", plan_print, name="plan_print"),
    path("<case:code>/plans/<str:kind>/actions/", action_add, name="action_add"),
    path("<case:code>/conferences/new/", conference_new, name="conference_new"),
]
