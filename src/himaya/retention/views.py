"""Views of retention (thin): the policies' delays (system administrator), erasure requests (recorded by case
workers, decided by supervisors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.models import User
from himaya.cases.queries.survivors import survivor_get
from himaya.core.errors import BusinessRuleError
from himaya.retention import queries, services
from himaya.retention.forms import DecisionForm, ErasureRequestForm, PolicyForm


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def allow(user: User, permission: str, obj: Any = None) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    """GET: every policy with its delay; POST: change one delay (``record_type``, ``years``)."""
    viewer = user_of(request)
    allow(viewer, "retention.manage_policies")
    policies = list(queries.policy_list(viewer=viewer))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            policy = next(p for p in policies if p.record_type == form.cleaned_data["record_type"])
            try:
                services.retention_policy_update(
                    actor=viewer, policy=policy, years=form.cleaned_data["years"]
                )
            except BusinessRuleError as error:
                errors[policy.record_type] = str(error.message)
            else:
                messages.success(request, _("Retention delay saved."))
                return redirect("retention:policies")
        else:
            record_type = request.POST.get("record_type", "")
            errors[record_type] = " ".join(str(e) for field in form.errors.values() for e in field)
    rows = [
        {
            "policy": policy,
            "form": PolicyForm(
                initial={"record_type": policy.record_type, "years": policy.years_after_closure}
            ),
            "error": errors.get(policy.record_type, ""),
        }
        for policy in policies
    ]
    status = 400 if errors else 200
    return render(request, "retention/policies.html", {"rows": rows}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def erasure_new(request: HttpRequest, code: str) -> HttpResponse:
    """Record her request that her identifying data be erased (a supervisor decides)."""
    viewer = user_of(request)
    survivor = survivor_get(viewer, code)
    allow(viewer, "retention.request_erasure", survivor)
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request_create(
                actor=viewer, survivor=survivor, reason=form.cleaned_data["reason"]
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Erasure request recorded: a supervisor will decide."))
            return redirect("cases:survivor_detail", survivor.code)
    return render(request, "retention/erasure_new.html", {"form": form, "survivor": survivor})


@require_GET
@login_required
def erasure_queue(request: HttpRequest) -> HttpResponse:
    viewer = user_of(request)
    allow(viewer, "retention.view_erasure_queue")
    return render(request, "retention/erasure_queue.html", {"requests": queries.erasure_queue(viewer=viewer)})


@require_GET
@login_required
def erasure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = user_of(request)
    erasure = queries.erasure_get(viewer=viewer, pk=pk)
    held = services.held_cases(erasure.survivor)
    context = {"erasure": erasure, "form": DecisionForm(), "held": held}
    return render(request, "retention/erasure_detail.html", context)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    viewer = user_of(request)
    erasure = queries.erasure_get(viewer=viewer, pk=pk)
    allow(viewer, "retention.decide_erasure", erasure)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if approve:
            services.erasure_approve(actor=viewer, request=erasure, comment=comment)
        else:
            services.erasure_reject(actor=viewer, request=erasure, comment=comment)
    except BusinessRuleError as error:
        messages.error(request, error.message)
        return redirect("retention:erasure_detail", erasure.pk)
    if approve:
        messages.success(request, _("Her identifying data have been erased across all her cases."))
    else:
        messages.success(request, _("Erasure request rejected."))
    return redirect(reverse("retention:erasure_queue"))


@require_POST
@login_required
def erasure_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
@login_required
def erasure_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
