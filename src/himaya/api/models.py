"""Revocable API tokens issued to an organisation's partner systems, limited by scopes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    ORGANISATIONS_READ = "organisations:read", _("Read the organisations")
    USERS_READ = "users:read", _("Read the organisation's users")
    DIRECTORY_READ = "directory:read", _("Read the directory of services at the network level")
    CASES_READ = "cases:read", _("Read cases and survivors, with the rights of the acting user")
    CASES_WRITE = "cases:write", _("Open and change cases and survivors, with the rights of the acting user")


# Scopes that reach victims' data: a token holding one acts as a named member of its organisation.
CASE_SCOPES = frozenset({Scope.CASES_READ.value, Scope.CASES_WRITE.value})


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The service account a token with a case scope acts as: never more than this user's own rights, and nothing
    # once this user is deactivated or loses the case role.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting user"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id


class IdempotencyKey(models.Model):
    """A create that a caller marked with an ``Idempotency-Key``: replaying the same request returns the object
    created the first time. Never the response body (it holds personal data): the object's type and key only."""

    caller = models.CharField(max_length=40)  # "user:<id>" or "token:<id>"
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.caller} {self.method} {self.path}"
