"""Pages to issue and revoke API tokens for partner systems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.models import User
from himaya.api import queries, services
from himaya.api.forms import TokenForm
from himaya.core.errors import BusinessRuleError
from himaya.core.pagination import paginate


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_perm("api.manage_tokens", user.organisation):
        raise PermissionDenied
    return user


@require_GET
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    return render(
        request, "api/token_list.html", {"page": paginate(request, queries.token_list(viewer=viewer))}
    )


@never_cache  # The page that answers the POST shows the secret: no cache may keep it.
@require_http_methods(["GET", "POST"])
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = TokenForm(request.POST or None, viewer=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = services.token_issue(
                actor=viewer, organisation=data["organisation"], name=data["name"], scopes=data["scopes"],
                days=data["days"], acting_user=data.get("acting_user"),
            )  # fmt: skip
        except BusinessRuleError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    services.token_revoke(actor=viewer, token=queries.token_get(viewer=viewer, pk=pk))
    messages.success(request, _("Token revoked: partner systems using it are refused from now on."))
    return redirect("tokens:list")
