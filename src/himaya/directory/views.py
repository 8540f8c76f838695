"""Staff pages of the directory: list, detail, editing, verification, proposals, capacity. Thin: forms,
services, queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.models import User
from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import Province
from himaya.core.pagination import paginate
from himaya.directory import queries, services
from himaya.directory.forms import (
    AlertForm,
    AreaForm,
    CapacityForm,
    LocationForm,
    PhoneForm,
    ProposalForm,
    ReviewForm,
    ScheduleForm,
    ServiceForm,
    StatusForm,
    VerifyForm,
)
from himaya.directory.models import ChangeProposal, Location, Phone, Service, ServiceStatus, TaxonomyTerm
from himaya.directory.services import ServiceConflict


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _service(request: HttpRequest, pk: UUID) -> Service:
    return queries.service_get(viewer=_user(request), pk=pk)


def _allow(user: User, permission: str, obj: Any = None) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied


# Lists ---------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "need": request.GET.get("need", "")[:80],
        "province": request.GET.get("province", "")[:20],
        "status": request.GET.get("status", "")[:24],
        "verification": request.GET.get("verification", "")[:10],
        "sort": request.GET.get("sort", "name")[:20],
    }
    organisation = request.GET.get("organisation", "")
    organisation_id = int(organisation) if organisation.isdigit() else None
    services_qs = queries.service_list(
        viewer=viewer,
        organisation=organisation_id,
        q=filters["q"],
        need=filters["need"],
        province=filters["province"],
        status=filters["status"],
        verification=filters["verification"],
        sort=filters["sort"],
    )
    context = {
        "page": paginate(request, services_qs),
        "filters": filters,
        "organisation": organisation_id,
        "filtered": any(v for k, v in filters.items() if k != "sort") or organisation_id,
        "needs": TaxonomyTerm.objects.filter(taxonomy__code="himaya-needs"),
        "provinces": Province.objects.order_by("name_fr"),
        "statuses": ServiceStatus.choices,
        "verification_states": [
            ("verified", _("Verified and up to date")),
            ("stale", _("To verify (never or overdue)")),
            ("never", _("Never verified")),
        ],
        "sorts": [
            ("name", _("Name")),
            ("organisation", _("Organisation")),
            ("updated", _("Recently changed")),
            ("due", _("Verification due")),
        ],
        "can_add": viewer.has_perm("directory.add_service"),
    }
    return render(request, "directory/staff/service_list.html", context)


@require_GET
@login_required
def stale_list(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.verify_service")
    page = paginate(request, queries.stale_services(viewer=viewer))
    return render(request, "directory/staff/stale_list.html", {"page": page})


@require_GET
@login_required
def proposal_queue(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.review_proposal")
    page = paginate(request, queries.proposal_queue(viewer=viewer))
    return render(request, "directory/staff/proposal_queue.html", {"page": page})


@require_GET
@login_required
def my_organisation(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    context = {
        "services": queries.my_services(viewer=viewer),
        "proposals": queries.my_proposals(viewer=viewer)[:50],
        "capacity_due": queries.capacity_to_update(viewer=viewer),
        "can_propose": viewer.has_perm("directory.propose_change", viewer.organisation),
    }
    return render(request, "directory/staff/my_organisation.html", context)


# One service ---------------------------------------------------------------------------------------------------


def _editing(
    request: HttpRequest, pk: UUID, permission: str = "directory.change_service"
) -> tuple[User, Service]:
    """The viewer and the service she holds ``permission`` on (404 for an unknown service, then 403)."""
    viewer = _user(request)
    service = _service(request, pk)
    _allow(viewer, permission, service)
    return viewer, service


def _saved(
    request: HttpRequest, form: Any, save: Callable[[], object], done: str, *, field: str | None = None
) -> bool:
    """On a POST whose ``form`` is valid, call ``save``; True once it succeeded (with the message ``done``).

    False otherwise (a GET, an invalid form, or a change the rules refuse: its message goes on ``field`` of the
    form, None for the whole form); the view then shows the form again."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save()
    except BusinessRuleError as error:
        form.add_error(field, error.message)
        return False
    messages.success(request, done)
    return True


def _to_service(service: Service) -> HttpResponse:
    return redirect("directory:service_detail", pk=service.pk)


@require_GET
@login_required
def service_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer = _user(request)
    service = _service(request, pk)
    view = queries.service_view(viewer=viewer, service=service)
    context = {
        "service": service,
        "view": view,
        "areas": services.areas_of(service),
        "schedules": list(service.schedules.all()),
        "history": queries.service_history(viewer=viewer, service=service, limit=50),
        "proposals": queries.service_proposals(viewer=viewer, service=service)[:20],
        "shows_capacity": queries.shows_capacity(service),
        "capacity": queries.latest_capacity(viewer=viewer, service=service),
        "is_stale": service.is_stale(),
        "can_change": viewer.has_perm("directory.change_service", service),
        "can_verify": viewer.has_perm("directory.verify_service", service),
        "can_propose": viewer.has_perm("directory.propose_change", service),
        "can_record_capacity": viewer.has_perm("directory.record_capacity", service),
    }
    return render(request, "directory/staff/service_detail.html", context)


def _conflict_rows(error: ServiceConflict) -> list[tuple[str, Any, Any]]:
    return [
        (
            services.field_label(name),
            queries.display_value(name, pair[0]),
            queries.display_value(name, pair[1]),
        )
        for name, pair in error.changes.items()
    ]


@require_http_methods(["GET", "POST"])
@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.add_service")
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    form = ServiceForm(request.POST or None, initial=initial)
    created: list[Service] = []

    def save() -> None:
        created.append(
            services.service_create(
                actor=viewer,
                organisation=form.cleaned_data["organisation"],
                terms=form.cleaned_data["terms"],
                languages=form.cleaned_data["languages"],
                field_visibility=form.visibility(),
                **form.values(),
            )
        )

    if _saved(request, form, save, _("Service created. Verify it once its details are confirmed.")):
        return _to_service(created[0])
    return render(request, "directory/staff/service_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def service_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The one form with a stale-edit conflict: it shows what others changed meanwhile."""
    viewer, service = _editing(request, pk)
    form = ServiceForm(request.POST or None, service=service)
    conflict: list[tuple[str, Any, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=viewer,
                service=service,
                expected_version=form.cleaned_data.get("version"),
                terms=form.cleaned_data["terms"],
                languages=form.cleaned_data["languages"],
                field_visibility=form.visibility(),
                **form.values(),
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
            if isinstance(error, ServiceConflict):
                conflict = _conflict_rows(error)
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Service saved."))
            return _to_service(service)
    context = {"form": form, "service": service, "conflict": conflict}
    return render(request, "directory/staff/service_form.html", context)


def _simple_form(
    request: HttpRequest,
    service: Service,
    form: Any,
    *,
    title: str,
    intro: str = "",
    template: str = "directory/staff/simple_form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {"form": form, "service": service, "title": title, "intro": intro, **(extra or {})}
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def service_status(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk)
    form = StatusForm(request.POST or None, initial={"status": service.status})

    def save() -> None:
        services.service_set_status(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Status changed."), field="status"):
        return _to_service(service)
    intro = _(
        '"Active, not accepting referrals" keeps the service listed but tells referrers to look elsewhere '
        'for now. "Defunct" and "inactive" take it out of the public directory.'
    )
    return _simple_form(request, service, form, title=_("Change the status"), intro=intro)


@require_http_methods(["GET", "POST"])
@login_required
def service_alert(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk)
    form = AlertForm(
        request.POST or None, initial={"alert": service.alert, "alert_until": service.alert_until}
    )

    def save() -> None:
        services.service_set_alert(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Alert saved.")):
        return _to_service(service)
    return _simple_form(
        request,
        service,
        form,
        title=_("Alert"),
        intro=_("A short alert is shown on the entry until its end date, then disappears by itself."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def service_verify(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk, "directory.verify_service")
    form = VerifyForm(request.POST or None)

    def save() -> None:
        services.service_verify(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Verification recorded."), field="due"):
        return _to_service(service)
    intro = _(
        "Verifying confirms that the entry is still true (you called, visited or received a confirmation). "
        "It does not change the entry: edit it first if something is wrong."
    )
    return _simple_form(request, service, form, title=_("Verify the entry"), intro=intro)


@require_http_methods(["GET", "POST"])
@login_required
def service_capacity(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk, "directory.record_capacity")
    latest = queries.latest_capacity(viewer=viewer, service=service)
    form = CapacityForm(request.POST or None, initial={"places": latest.places})

    def save() -> None:
        services.capacity_record(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Capacity recorded."), field="vacancies"):
        return _to_service(service)
    intro = _('Vacancies older than 48 hours show as "unknown": update them at least every other day.')
    return _simple_form(request, service, form, title=_("Update the capacity"), intro=intro)


@require_http_methods(["GET", "POST"])
@login_required
def service_hours(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk)
    form = ScheduleForm(request.POST or None, schedules=service.schedules.all())

    def save() -> None:
        services.schedule_set(actor=viewer, service=service, openings=form.openings())

    if _saved(request, form, save, _("Opening hours saved.")):
        return _to_service(service)
    return render(request, "directory/staff/hours_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
@login_required
def service_areas(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The whole country, or regions and provinces (editors; an organisation's members cannot propose it)."""
    viewer, service = _editing(request, pk)
    form = AreaForm(request.POST or None, selection=services.area_selection(service))

    def save() -> None:
        services.service_set_areas(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Service areas saved.")):
        return _to_service(service)
    return render(request, "directory/staff/areas_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
@login_required
def location_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk)
    form = LocationForm(request.POST or None)

    def save() -> None:
        services.location_create(
            actor=viewer, organisation=service.organisation, service=service, **form.values()
        )

    if _saved(request, form, save, _("Location added.")):
        return _to_service(service)
    return _simple_form(request, service, form, title=_("New location"))


@require_http_methods(["GET", "POST"])
@login_required
def location_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.change_service")
    location = get_object_or_404(Location.objects.select_related("organisation"), pk=pk)
    service = location.services.order_by("name").first()
    form = LocationForm(request.POST or None, instance=location)

    def save() -> None:
        services.location_update(actor=viewer, location=location, **form.values())

    if _saved(request, form, save, _("Location saved.")):
        return _to_service(service) if service is not None else redirect("directory:service_list")
    context = {"form": form, "service": service, "location": location, "title": _("Edit the location")}
    return render(request, "directory/staff/simple_form.html", context)


# Telephones ----------------------------------------------------------------------------------------------------


def _phone(request: HttpRequest, pk: UUID) -> tuple[User, Phone, Service]:
    """The viewer and a telephone of a service she may change (404 for an unknown telephone, then 403)."""
    viewer = _user(request)
    phone = get_object_or_404(Phone.objects.select_related("service"), pk=pk, service__isnull=False)
    service = phone.service
    assert service is not None
    _allow(viewer, "directory.change_service", service)
    return viewer, phone, service


@require_http_methods(["GET", "POST"])
@login_required
def phone_add(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, service = _editing(request, pk)
    form = PhoneForm(request.POST or None)

    def save() -> None:
        services.phone_add(actor=viewer, service=service, **form.values())

    if _saved(request, form, save, _("Telephone added.")):
        return _to_service(service)
    return _simple_form(request, service, form, title=_("New telephone"))


@require_http_methods(["GET", "POST"])
@login_required
def phone_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    viewer, phone, service = _phone(request, pk)
    form = PhoneForm(request.POST or None, phone=phone)

    def save() -> None:
        services.phone_update(actor=viewer, phone=phone, **form.values())

    if _saved(request, form, save, _("Telephone saved.")):
        return _to_service(service)
    return _simple_form(request, service, form, title=_("Edit the telephone"))


@require_http_methods(["GET", "POST"])
@login_required
def phone_remove(request: HttpRequest, pk: UUID) -> HttpResponse:
    """GET: a confirmation page; POST: remove the telephone."""
    viewer, phone, service = _phone(request, pk)
    if request.method == "POST":
        try:
            services.phone_remove(actor=viewer, phone=phone)
        except BusinessRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Telephone removed."))
        return _to_service(service)
    context = {"service": service, "phone": phone, "title": _("Remove the telephone")}
    return render(request, "directory/staff/phone_remove.html", context)


# Proposals -----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Propose a change: edit the pre-filled values, preview the diff, then submit it for review."""
    viewer = _user(request)
    service = _service(request, pk)
    _allow(viewer, "directory.propose_change", service)
    form = ProposalForm(request.POST or None, service=service)
    preview: list[queries.DiffRow] = []
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("Nothing to propose: every value is the same as in the directory."))
        elif "submit" not in request.POST:
            preview = queries.diff_preview(service, changes)
        else:
            try:
                proposal = services.proposal_submit(
                    actor=viewer, service=service, changes=changes, comment=form.cleaned_data["comment"]
                )
            except BusinessRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Proposal sent. A directory editor will review it."))
                return redirect("directory:proposal_detail", pk=proposal.pk)
    context = {"form": form, "service": service, "preview": preview}
    return render(request, "directory/staff/proposal_form.html", context)


@require_GET
@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    proposal = queries.proposal_get(viewer=viewer, pk=pk)
    context = {
        "proposal": proposal,
        "service": proposal.service,
        "diff": queries.proposal_diff(proposal),
        "pending": proposal.status == ChangeProposal.Status.PENDING,
        "can_review": viewer.has_perm("directory.review_proposal", proposal.service),
        "can_withdraw": proposal.proposed_by_id == viewer.pk,
        "form": ReviewForm(),
    }
    return render(request, "directory/staff/proposal_detail.html", context)


def _review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    viewer = _user(request)
    proposal = queries.proposal_get(viewer=viewer, pk=pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if action == "approve":
            services.proposal_approve(actor=viewer, proposal=proposal, comment=comment)
            messages.success(request, _("Proposal approved: the service is updated."))
        elif action == "reject":
            services.proposal_reject(actor=viewer, proposal=proposal, comment=comment)
            messages.success(request, _("Proposal rejected. The organisation will see your comment."))
        else:
            services.proposal_withdraw(actor=viewer, proposal=proposal)
            messages.success(request, _("Proposal withdrawn."))
    except BusinessRuleError as error:
        messages.error(request, error.message)
    return redirect("directory:proposal_detail", pk=proposal.pk)


@require_POST
@login_required
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "approve")


@require_POST
@login_required
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "reject")


@require_POST
@login_required
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "withdraw")
