"""How long each kind of record keeps its identifying data after a case closes, and erasure on request.

A retention run (``himaya retention run [--dry-run]``) anonymises what its policy says once the delay after
closure has passed, unless the case is under legal hold; statistics (non-identifying attributes, classifications,
dates) stay. An erasure request anonymises one survivor at once, after a supervisor's approval.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.cases.models import Survivor
from himaya.core.fields import EncryptedTextField


class RecordType(models.TextChoices):
    SURVIVOR_IDENTITY = "survivor_identity", _("her identity (names, documents, phones, address)")
    NOTES = "notes", _("case notes and contact logs")
    DOCUMENTS = "documents", _("documents (files)")
    INCIDENT_DESCRIPTIONS = "incident_descriptions", _("descriptions of incidents")
    ASSESSMENT_TEXT = "assessment_text", _("free text of assessments and plans")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("anonymise (statistics kept)")
    DELETE = "delete", _("delete")


class RetentionPolicy(models.Model):
    """One per record type: what happens to it, how many years after the case is closed."""

    record_type = models.CharField(_("records"), max_length=24, choices=RecordType.choices, unique=True)
    action = models.CharField(_("action"), max_length=12, choices=RetentionAction.choices)
    years_after_closure = models.PositiveSmallIntegerField(_("years after closure"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.action} after {self.years_after_closure} years"


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    REJECTED = "rejected", _("rejected")
    DONE = "done", _("erased")


class ErasureRequest(models.Model):
    """She asked that her identifying data be erased: a caseworker records it, a supervisor approves it."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="erasure_requests")
    reason = EncryptedTextField(_("her request"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_comment = EncryptedTextField(_("supervisor's comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
