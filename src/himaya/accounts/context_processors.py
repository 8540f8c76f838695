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
    # Apps built on accounts are reached by URL name only (accounts never imports them).
    if user.has_perm("cases.access_case_data"):
        items.append((_("My cases"), reverse("cases:my_cases")))
    if user.has_perm("cases.search_survivors"):
        items.append((_("Find a person"), reverse("cases:survivor_search")))
    if user.has_perm("cases.view_organisation_queue"):
        items.append((_("Organisation's cases"), reverse("cases:organisation_cases")))
    if user.has_perm("cases.view_pending_closures"):
        items.append((_("Closures to approve"), reverse("cases:closures_pending")))
    if user.has_perm("cases.access_case_data"):
        items.append((_("My plan actions"), reverse("assessments:my_actions")))
    if user.has_perm("retention.view_erasure_queue"):
        items.append((_("Erasure requests"), reverse("retention:erasure_queue")))
    if user.has_perm("retention.manage_policies"):
        items.append((_("Retention"), reverse("retention:policies")))
    if user.has_perm("directory.view_directory"):
        items.append((_("Directory"), reverse("directory:service_list")))
        items.append((_("Find help (public)"), reverse("help:search")))
    if user.has_perm("directory.verify_service"):
        items.append((_("To verify"), reverse("directory:stale_list")))
    if user.has_perm("directory.review_proposal"):
        items.append((_("Proposals"), reverse("directory:proposal_queue")))
    if user.has_perm("directory.view_directory"):
        items.append((_("Pathway sheets"), reverse("directory_reports:pathway")))
    if user.has_perm("directory.view_gaps"):
        items.append((_("Gap analysis"), reverse("directory_reports:gaps")))
    if user.has_perm("api.manage_tokens", user.organisation):
        items.append((_("API tokens"), reverse("tokens:list")))
    # One entry is active: the one whose address is the longest prefix of the current page.
    path = request.path
    active = max((url for _label, url in items if path.startswith(url)), key=len, default=None)
    return {"NAV_ITEMS": [{"label": label, "url": url, "active": url == active} for label, url in items]}
