"""Views: the work queues. "My cases" (assigned to me) and, for supervisors, the organisation's cases: filters,
sorting, pagination, computed reminders. Lists show codes, never names."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from himaya.cases.forms.cases import QueueFilterForm
from himaya.cases.queries import cases as queries
from himaya.cases.views.cases import allow, user_of
from himaya.core.pagination import paginate


def _queue(request: HttpRequest, *, organisation: bool) -> HttpResponse:
    viewer = user_of(request)
    allow(viewer, "cases.view_organisation_queue" if organisation else "cases.access_case_data")
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    cases = (
        queries.organisation_cases(viewer=viewer, filters=filters)
        if organisation
        else queries.my_cases(viewer=viewer, filters=filters)
    )
    page = paginate(
        request, queries.OneQueryPage(cases, page=request.GET.get("page"), per_page=settings.PAGE_SIZE)
    )
    context = {
        "title": _("My organisation's cases") if organisation else _("My cases"),
        "organisation": organisation,
        "form": form,
        "filtered": filters.is_filtered(),
        "page": page,
        "rows": queries.queue_rows(page.object_list, with_caseworkers=organisation),
        "can_add": viewer.has_perm("cases.add_case"),
        "can_search": viewer.has_perm("cases.search_survivors"),
        "can_see_organisation": viewer.has_perm("cases.view_organisation_queue"),
    }
    return render(request, "cases/queue.html", context)


@require_GET
@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    return _queue(request, organisation=False)


@require_GET
@login_required
def organisation_cases(request: HttpRequest) -> HttpResponse:
    return _queue(request, organisation=True)


urlpatterns: list[URLPattern] = [
    path("", my_cases, name="my_cases"),
    path("organisation/", organisation_cases, name="organisation_cases"),
]
