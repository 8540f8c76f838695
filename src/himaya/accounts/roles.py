"""The roles a user may hold, and which roles a supervisor may grant."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    JUDICIAL_OFFICER = "judicial_officer", _("Judicial officer")
    TERRITORIAL_ANALYST = "territorial_analyst", _("Territorial analyst")
    NATIONAL_ANALYST = "national_analyst", _("National analyst")
    DIRECTORY_EDITOR = "directory_editor", _("Directory editor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Roles that work on victims' cases (and so may, subject to the policy, read victim data).
CASE_ROLES = frozenset(
    {Role.CASEWORKER, Role.SUPERVISOR, Role.SERVICE_PROVIDER, Role.HOTLINE_OPERATOR, Role.JUDICIAL_OFFICER}
)
# Roles a supervisor may grant inside their own organisation; the others only an administrator grants.
SUPERVISOR_GRANTABLE = frozenset(CASE_ROLES)
ANALYST_ROLES = frozenset({Role.TERRITORIAL_ANALYST, Role.NATIONAL_ANALYST})
