"""Closure pages: the request (blockers shown before submitting), the supervisor's decision, withdrawing a
request, reopening a closed case, the legal hold and the supervisor's queue of closures awaiting approval.
Thin: forms/closure.py, services/closure.py, queries/closure.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.cases import choices
from himaya.cases.forms.closure import ClosureDecisionForm, ClosureRequestForm, LegalHoldForm, ReopenForm
from himaya.cases.models import Case
from himaya.cases.queries import closure as queries
from himaya.cases.services import closure as services
from himaya.cases.views.cases import case_for as _case
from himaya.cases.views.cases import user_of as _user
from himaya.core.errors import BusinessRuleError


def _to_case(case: Case) -> HttpResponse:
    return redirect("cases:case_detail", code=case.code)


@require_http_methods(["GET", "POST"])
@login_required
def closure_request(request: HttpRequest, code: str) -> HttpResponse:
    """Ask to close the case: what blocks it is listed before the form, and again with every refusal."""
    viewer, case = _case(request, code, "cases.view_case")
    history = queries.closures_of(viewer=viewer, case=case)
    queries.record_closure_read(viewer=viewer, case=case)
    can_request = viewer.has_perm("cases.request_closure", case)
    if request.method == "POST" and not can_request:
        raise PermissionDenied
    form = ClosureRequestForm(request.POST or None)
    blockers = services.case_blockers(case)
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_request(actor=viewer, case=case, **form.values())
        except services.ClosureBlocked as error:
            refused = error.blockers
            form.add_error(None, _("The case cannot be closed yet. See what is missing below."))
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Closure requested. A supervisor will approve or reject it."))
            return _to_case(case)
    return render(
        request,
        "cases/closure_request.html",
        {
            "case": case,
            "form": form,
            "blockers": refused or blockers,
            "can_request": can_request,
            "history": history,
            "pending": next(
                (item for item in history if item.status == choices.ClosureStatus.REQUESTED), None
            ),
            "can_decide": viewer.has_perm("cases.decide_closure", case),
            "title": _("Close the case"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def closure_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    viewer, case = _case(request, code, "cases.decide_closure")
    closure = queries.closure_get(viewer=viewer, case=case, pk=pk)
    queries.record_closure_read(viewer=viewer, case=case)
    form = ClosureDecisionForm(request.POST or None)
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == ClosureDecisionForm.APPROVE:
                services.closure_approve(actor=viewer, request=closure, comment=comment)
                messages.success(request, _("Closure approved: the case is closed."))
            else:
                services.closure_reject(actor=viewer, request=closure, comment=comment)
                messages.success(request, _("Closure rejected: the case is open again."))
        except services.ClosureBlocked as error:
            refused = error.blockers
            form.add_error(None, _("The case cannot be closed yet. See what is missing below."))
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            return _to_case(case)
    return render(
        request,
        "cases/closure_decide.html",
        {
            "case": case,
            "closure": closure,
            "form": form,
            "blockers": refused or services.case_blockers(case, deciding=True),
            "checklist": [(label, closure.checklist.get(code)) for code, label in services.CHECKLIST],
            "title": _("Decide on the closure"),
        },
    )


@require_POST
@login_required
def closure_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    viewer, case = _case(request, code, "cases.view_case")
    closure = queries.closure_get(viewer=viewer, case=case, pk=pk)
    if not services.may_withdraw(viewer, closure):
        raise PermissionDenied
    try:
        services.closure_withdraw(actor=viewer, request=closure)
    except BusinessRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Closure request withdrawn: the case is open again."))
    return _to_case(case)


@require_http_methods(["GET", "POST"])
@login_required
def case_reopen(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code, "cases.reopen_case")
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reopen(actor=viewer, case=case, reason=form.cleaned_data["reason"])
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case reopened, at the follow-up stage."))
            return _to_case(case)
    return render(
        request, "cases/closure_reopen.html", {"case": case, "form": form, "title": _("Reopen the case")}
    )


@require_http_methods(["GET", "POST"])
@login_required
def legal_hold(request: HttpRequest, code: str) -> HttpResponse:
    viewer, case = _case(request, code, "cases.set_legal_hold")
    form = LegalHoldForm(
        request.POST or None, initial={"on": case.legal_hold, "reason": case.legal_hold_reason}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_set(
                actor=viewer, case=case, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Legal hold set.") if form.cleaned_data["on"] else _("No legal hold on this case.")
            )
            return _to_case(case)
    return render(
        request, "cases/closure_legal_hold.html", {"case": case, "form": form, "title": _("Legal hold")}
    )


@require_GET
@login_required
def closures_pending(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("cases.view_pending_closures"):
        raise PermissionDenied
    rows = list(queries.pending_closures(viewer=viewer)[:500])
    return render(
        request, "cases/closure_queue.html", {"rows": rows, "title": _("Closures awaiting approval")}
    )


urlpatterns: list[URLPattern] = [
    path("closures/", closures_pending, name="closures_pending"),
    path("<case:code>/closure/", closure_request, name="closure_request"),
    path("<case:code>/closure/<int:pk>/decide/", closure_decide, name="closure_decide"),
    path("<case:code>/closure/<int:pk>/withdraw/", closure_withdraw, name="closure_withdraw"),
    path("<case:code>/reopen/", case_reopen, name="case_reopen"),
    path("<case:code>/legal-hold/", legal_hold, name="legal_hold"),
]
