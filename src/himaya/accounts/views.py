"""Staff pages for home, my security, users, organisations and the audit log. Thin: forms, services, queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts import queries, services
from himaya.accounts.forms import OrganisationForm, UserCreateForm, UserEditForm, UserRolesForm
from himaya.accounts.home import home_cards
from himaya.accounts.models import OrganisationKind, User
from himaya.accounts.roles import Role
from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import AuditAction, Region
from himaya.core.pagination import paginate


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"cards": home_cards(_user(request))})


@require_GET
@login_required
def security(request: HttpRequest) -> HttpResponse:
    from allauth.mfa.models import Authenticator

    authenticators = Authenticator.objects.filter(user=request.user).order_by("type")
    return render(
        request,
        "accounts/security.html",
        {"authenticators": authenticators, "idle_minutes": settings.IDLE_TIMEOUT_MINUTES},
    )


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.user_logout_everywhere(user=_user(request))
    logout(request)
    messages.success(request, _("All your sessions have been closed, on every device. Please sign in again."))
    return redirect("account_login")


# Organisations -------------------------------------------------------------------------------------------------


@require_GET
@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    organisations = queries.organisation_list(viewer=_user(request), search=search, kind=kind, region=region)
    context = {
        "page": paginate(request, organisations),
        "search": search,
        "kind": kind,
        "region": region,
        "kinds": OrganisationKind.choices,
        "regions": Region.objects.all(),
        "can_add": request.user.has_perm("accounts.add_organisation"),
    }
    return render(request, "accounts/organisation_list.html", context)


@require_GET
@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    organisation = queries.organisation_get(viewer=viewer, pk=pk)
    context = {
        "organisation": organisation,
        "can_change": viewer.has_perm("accounts.change_organisation", organisation),
        "can_see_members": viewer.has_perm("accounts.add_user", organisation),
    }
    return render(request, "accounts/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("accounts.add_organisation"):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            organisation = services.organisation_create(actor=viewer, **values)
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Organisation created."))
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    organisation = queries.organisation_get(viewer=viewer, pk=pk)
    if not viewer.has_perm("accounts.change_organisation", organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.organisation_update(
                actor=viewer,
                organisation=queries.organisation_get(viewer=viewer, pk=pk),
                expected_version=form.cleaned_data.get("version"),
                **values,
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("accounts:organisation_detail", pk=pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation})


# Users -------------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("accounts.list_users"):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()[:100]
    organisation = request.GET.get("organisation", "")
    organisation_id = int(organisation) if organisation.isdigit() else None
    users = queries.user_list(viewer=viewer, search=search, organisation_id=organisation_id)
    context = {"page": paginate(request, users), "search": search, "organisation": organisation_id}
    return render(request, "accounts/user_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("accounts.list_users"):
        raise PermissionDenied
    form = UserCreateForm(request.POST or None, granter=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=viewer,
                organisation=data["organisation"],
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                job_title=data["job_title"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                region=data["region"],
                province=data["province"],
            )
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            services.user_send_invitation(request=request, user=user)
            messages.success(
                request, _("Account created. An e-mail invites the new user to choose a password.")
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


@require_GET
@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    user = queries.user_get(viewer=viewer, pk=pk)
    context: dict[str, Any] = {
        "subject": user,
        "roles": queries.role_summary(user),
        "can_change": viewer.has_perm("accounts.change_user", user),
        "can_reset_2fa": viewer.has_perm("accounts.reset_user_2fa", user) and user.pk != viewer.pk,
    }
    return render(request, "accounts/user_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    user = queries.user_get(viewer=viewer, pk=pk, audit_read=request.method == "GET")
    if not viewer.has_perm("accounts.change_user", user):
        raise PermissionDenied
    form = UserEditForm(
        request.POST or None, instance=queries.user_get(viewer=viewer, pk=pk, audit_read=False)
    )
    roles_form = UserRolesForm(
        request.POST if "save_roles" in request.POST else None,
        granter=viewer,
        initial={"roles": sorted(user.role_codes()), **_analyst_scope(user)},
        prefix="roles",
    )
    if request.method == "POST" and "save_roles" in request.POST:
        if roles_form.is_valid():
            data = roles_form.cleaned_data
            try:
                services.user_set_roles(
                    actor=viewer,
                    user=user,
                    roles=data["roles"],
                    region=data["region"],
                    province=data["province"],
                )
            except BusinessRuleError as error:
                roles_form.add_error(None, error.message)
            else:
                messages.success(request, _("Roles saved."))
                return redirect("accounts:user_detail", pk=pk)
        form = UserEditForm(instance=user)
    elif request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.user_update(
                actor=viewer, user=user, expected_version=form.cleaned_data.get("version"), **values
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Account saved."))
            return redirect("accounts:user_detail", pk=pk)
    return render(
        request, "accounts/user_edit.html", {"form": form, "roles_form": roles_form, "subject": user}
    )


def _analyst_scope(user: User) -> dict[str, Any]:
    assignment = user.role_assignments.filter(role=Role.TERRITORIAL_ANALYST).first()
    if assignment is None:
        return {}
    return {"region": assignment.region_id, "province": assignment.province_id}


@require_POST
@login_required
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    user = queries.user_get(viewer=viewer, pk=pk, audit_read=False)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=viewer, user=user, active=active)
    except BusinessRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Account reactivated.") if active else _("Account deactivated."))
    return redirect("accounts:user_detail", pk=pk)


@require_POST
@login_required
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _user(request)
    user = queries.user_get(viewer=viewer, pk=pk, audit_read=False)
    if user.pk == viewer.pk:
        raise PermissionDenied
    services.user_reset_two_factor(actor=viewer, user=user)
    messages.success(request, _("Two-factor authentication reset: the user will enrol a new authenticator."))
    return redirect("accounts:user_detail", pk=pk)


# Audit log -----------------------------------------------------------------------------------------------------


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    if not viewer.has_perm("core.view_audit"):
        raise PermissionDenied
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "").strip()[:100]
    page = paginate(request, queries.audit_events(viewer=viewer, action=action, actor=actor), per_page=50)
    context = {"page": page, "action": action, "actor": actor, "actions": AuditAction.choices}
    return render(request, "accounts/audit_log.html", context)
