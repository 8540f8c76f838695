from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu, by the permissions of the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"NAV_ITEMS": []}
    items = [(_("Home"), reverse("accounts:home"))]
    if user.has_perm("accounts.view_organisation"):
        items.append((_("Organisations"), reverse("accounts:organisation_list")))
    if user.has_perm("accounts.list_users"):
        items.append((_("Users"), reverse("accounts:user_list")))
    if user.has_perm("core.view_audit"):
        items.append((_("Audit log"), reverse("accounts:audit_log")))
    if user.has_perm("api.manage_tokens", user.organisation):
        items.append((_("API tokens"), reverse("tokens:list")))
    path = request.path
    return {
        "NAV_ITEMS": [{"label": label, "url": url, "active": path.startswith(url)} for label, url in items]
    }
