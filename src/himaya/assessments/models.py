"""Trafficking screening, formal identification, danger assessment, safety and case plans, case conferences.

Every record belongs to a case (``cases.models.CaseOwned``: visible exactly when its case is). The question lists
(screening indicators, danger questions) are versioned data under ``data/``; a record keeps the version it was
answered with. Free text that may identify someone is encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.assessments import choices
from himaya.cases.choices import RiskLevel
from himaya.cases.models import CaseOwned
from himaya.core.fields import EncryptedTextField


def _empty_dict() -> dict[str, str]:
    return {}


def _empty_list() -> list[str]:
    return []


class Screening(CaseOwned):
    """A trafficking screening: the indicators answered, the elements found and the outcome of the rule."""

    tool_version = models.CharField(_("indicator list version"), max_length=16)
    answers = models.JSONField(_("answers"), default=_empty_dict, blank=True)  # indicator code -> Answer
    notes = EncryptedTextField(_("notes on the answers"), blank=True)  # JSON: indicator code -> note
    child = models.BooleanField(_("a child (under 18)"))
    age_basis = models.CharField(_("age known from"), max_length=16, choices=choices.AgeBasis.choices)
    elements = models.JSONField(
        _("elements"), default=_empty_dict, blank=True
    )  # Element -> Answer (computed)
    outcome = models.CharField(_("outcome"), max_length=16, choices=choices.ScreeningOutcome.choices)
    screened_at = models.DateTimeField(_("screened"), default=timezone.now)

    class Meta:
        ordering = ["-screened_at", "-id"]
        verbose_name = _("trafficking screening")
        verbose_name_plural = _("trafficking screenings")


class FormalIdentification(CaseOwned):
    """The competent authority's decision, recorded apart from the screening (which is decision support)."""

    authority = models.CharField(_("authority"), max_length=24, choices=choices.Authority.choices)
    authority_name = models.CharField(_("name of the authority"), max_length=200, blank=True)
    decided_on = models.DateField(_("date of the decision"))
    decision = models.CharField(_("decision"), max_length=16, choices=choices.IdentificationDecision.choices)
    reference = EncryptedTextField(_("file reference"), blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("formal identification")
        verbose_name_plural = _("formal identifications")


class RiskAssessment(CaseOwned):
    """A danger assessment (DASH style): answers, score, computed level, escalation, professional judgement."""

    tool_version = models.CharField(_("question list version"), max_length=16)
    answers = models.JSONField(_("answers"), default=_empty_dict, blank=True)  # question code -> Answer
    score = models.PositiveSmallIntegerField(_("number of yes answers"))
    computed_level = models.CharField(_("level from the score"), max_length=16, choices=RiskLevel.choices)
    escalated = models.BooleanField(_("raised for repeat incidents within 12 months"), default=False)
    level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    judgement_reason = EncryptedTextField(_("reason for the professional judgement"), blank=True)
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("danger assessment")
        verbose_name_plural = _("danger assessments")


class Plan(CaseOwned):
    """A case's safety plan or case plan (one of each); its actions carry the work."""

    kind = models.CharField(_("kind"), max_length=8, choices=choices.PlanKind.choices)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="plan_one_of_each_kind")]


class PlanAction(models.Model):
    """One action of a plan: for which need, what, who, by when, where it stands."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    need = models.CharField(_("need"), max_length=16, choices=choices.PlanNeed.choices)
    description = EncryptedTextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=choices.ActionStatus.choices, default=choices.ActionStatus.TODO
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="plan_action_owner_due"),
            models.Index(fields=["plan", "status"], name="plan_action_plan_status"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def audit_organisation_id(self) -> int:
        return self.plan.case.organisation_id


class CaseConference(CaseOwned):
    """A multi-agency case conference (asked for when the risk is high): when, which organisations, decisions."""

    held_on = models.DateField(_("held on"))
    participants = models.JSONField(_("organisations present"), default=_empty_list, blank=True)  # ids
    decisions = EncryptedTextField(_("decisions"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
