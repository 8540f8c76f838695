"""Survivors, cases, incidents, consent, notes, contacts, documents and the case timeline.

Identifying values (names in both scripts, identity document numbers, phones, address, free text) are
``EncryptedTextField``s; exact search on them goes through ``SurvivorLookup`` (keyed blind indexes). The
non-identifying attributes stay in clear for statistics. Every read of these models starts from
``visible_to(user)`` (policies.py); every write goes through services/.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.cases import choices
from himaya.core.fields import EncryptedTextField
from himaya.core.models import Province


def _empty_list() -> list[str]:
    return []


class SurvivorQuerySet(models.QuerySet["Survivor"]):
    def visible_to(self, user: Any) -> SurvivorQuerySet:
        from himaya.cases.policies import survivor_scope

        return survivor_scope(self, user)


class Survivor(models.Model):
    """The person helped, known in lists by a pseudonymous ``code`` (never derived from her name)."""

    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    # The organisation that registered her; visibility follows her cases, not this field.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    # Identifying: encrypted at rest.
    given_name_latin = EncryptedTextField(_("first name (Latin script)"), blank=True)
    family_name_latin = EncryptedTextField(_("family name (Latin script)"), blank=True)
    given_name_arabic = EncryptedTextField(_("first name (Arabic script)"), blank=True)
    family_name_arabic = EncryptedTextField(_("family name (Arabic script)"), blank=True)
    id_document_type = models.CharField(
        _("identity document"), max_length=24, choices=choices.IdDocumentType.choices, blank=True
    )
    id_document_number = EncryptedTextField(_("document number"), blank=True)
    phone = EncryptedTextField(_("telephone"), blank=True)
    other_phone = EncryptedTextField(_("other telephone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    identity_notes = EncryptedTextField(_("notes on identity"), blank=True)

    # Non-identifying: in clear, for statistics.
    sex = models.CharField(_("sex"), max_length=8, choices=choices.Sex.choices, default=choices.Sex.FEMALE)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_year_estimated = models.BooleanField(_("year of birth estimated"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, help_text=_("ISO country code")
    )
    migration_status = models.CharField(
        _("migration status"),
        max_length=20,
        choices=choices.MigrationStatus.choices,
        default=choices.MigrationStatus.UNKNOWN,
    )
    marital_status = models.CharField(
        _("marital status"),
        max_length=24,
        choices=choices.MaritalStatus.choices,
        default=choices.MaritalStatus.UNKNOWN,
    )
    children_count = models.PositiveSmallIntegerField(_("number of children"), null=True, blank=True)
    disability = models.CharField(
        _("disability"), max_length=16, choices=choices.Disability.choices, default=choices.Disability.UNKNOWN
    )
    education = models.CharField(
        _("education"), max_length=16, choices=choices.Education.choices, default=choices.Education.UNKNOWN
    )
    occupation = models.CharField(
        _("occupation"), max_length=24, choices=choices.Occupation.choices, default=choices.Occupation.UNKNOWN
    )
    languages = models.JSONField(_("languages"), default=_empty_list, blank=True)
    residence_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province of residence"),
    )

    # "Safe to contact? how? when?"
    safe_to_contact = models.CharField(
        _("safe to contact"),
        max_length=8,
        choices=choices.YesNoUnknown.choices,
        default=choices.YesNoUnknown.UNKNOWN,
    )
    safe_contact_method = models.CharField(
        _("how to contact her"), max_length=16, choices=choices.ContactMethod.choices, blank=True
    )
    safe_contact_instructions = EncryptedTextField(_("when and how it is safe to contact her"), blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = SurvivorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")

    def __str__(self) -> str:
        return self.code  # never the name

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    def age_on(self, day: date) -> int | None:
        return None if self.birth_year is None else day.year - self.birth_year

    @property
    def is_child(self) -> bool:
        age = self.age_on(timezone.localdate())
        return age is not None and age < 18


class SurvivorLookup(models.Model):
    """A keyed blind index of one identifying value: equal normalised values give equal digests.

    One row per organisation that works with her (hers and those of her cases): a search looks only at the
    searcher's organisation's rows, so a name shared by thousands of women across the country costs no more than
    the few her organisation knows."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        PHONE = "phone", _("telephone")
        ID_NUMBER = "id_number", _("document number")

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="lookups")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "kind", "digest"], name="survivor_lookup_org_digest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor", "organisation", "kind", "digest"], name="survivor_lookup_org_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:8]}"


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> CaseQuerySet:
        from himaya.cases.policies import case_scope

        return case_scope(self, user)


class Case(models.Model):
    """One organisation's work with one survivor."""

    code = models.CharField(_("case code"), max_length=16, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    survivor = models.ForeignKey(
        Survivor, on_delete=models.PROTECT, related_name="cases", verbose_name=_("survivor")
    )
    caseworkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_cases", blank=True, verbose_name=_("caseworkers")
    )
    entry_point = models.CharField(_("entry point"), max_length=32, choices=choices.EntryPoint.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=choices.CaseStatus.choices, default=choices.CaseStatus.OPEN
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=choices.Stage.choices, default=choices.Stage.RECEPTION
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=choices.Priority.choices, default=choices.Priority.NORMAL
    )
    risk_level = models.CharField(
        _("risk level"),
        max_length=16,
        choices=choices.RiskLevel.choices,
        default=choices.RiskLevel.NOT_ASSESSED,
    )
    immediate_needs = models.JSONField(
        _("immediate needs"), default=_empty_list, blank=True, help_text=_("codes of the directory's needs")
    )
    intake_step = models.CharField(
        _("intake step"),
        max_length=12,
        choices=choices.IntakeStep.choices,
        default=choices.IntakeStep.SURVIVOR,
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    follow_up_due = models.DateField(_("next follow-up"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Retention: a legal hold stops anonymisation (court proceedings…); set by a supervisor, audited.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=300, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "status", "-opened_at"], name="case_org_status"),
            models.Index(fields=["organisation", "follow_up_due"], name="case_org_follow_up"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def is_open(self) -> bool:
        return self.status != choices.CaseStatus.CLOSED


class CaseOwnedQuerySet(models.QuerySet[Any]):
    """Records that belong to one case are visible exactly when their case is."""

    def visible_to(self, user: Any) -> CaseOwnedQuerySet:
        from himaya.cases.policies import case_scope

        return self.filter(case__in=case_scope(Case.objects.all(), user).values("pk"))


class CaseOwned(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="%(class)ss")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CaseOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:  # no personal value: the kind of record and its number
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def audit_organisation_id(self) -> int:
        return self.case.organisation_id


class Incident(CaseOwned):
    """One episode or pattern of violence or exploitation, classified in every view of domain.md."""

    occurred_on = models.DateField(_("date (or start of the period)"), null=True, blank=True)
    occurred_until = models.DateField(_("end of the period"), null=True, blank=True)
    date_is_approximate = models.BooleanField(_("approximate date"), default=False)
    reported_on = models.DateField(_("reported to us on"), default=timezone.localdate)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    place_type = models.CharField(
        _("place"), max_length=16, choices=choices.PlaceType.choices, default=choices.PlaceType.UNKNOWN
    )
    law_forms = models.JSONField(_("forms of violence (Law 103-13)"), default=_empty_list, blank=True)
    # GBVIMS classification questions, in the order of the rule.
    involved_penetration = models.BooleanField(_("did it involve penetration?"), default=False)
    involved_sexual_contact = models.BooleanField(
        _("did it involve unwanted sexual contact without penetration?"), default=False
    )
    involved_physical_assault = models.BooleanField(_("did it involve physical assault?"), default=False)
    involved_forced_marriage = models.BooleanField(_("was it an act of forced marriage?"), default=False)
    involved_denial_of_resources = models.BooleanField(
        _("did it involve the denial of resources, opportunities or services?"), default=False
    )
    involved_psychological_abuse = models.BooleanField(
        _("did it involve psychological or emotional abuse?"), default=False
    )
    gbv_type = models.CharField(
        _("GBVIMS type"),
        max_length=24,
        choices=choices.GbvType.choices,
        default=choices.GbvType.NON_GBV,
        editable=False,
    )
    tech_forms = models.JSONField(_("technology-facilitated forms"), default=_empty_list, blank=True)
    platforms = models.JSONField(_("platforms"), default=_empty_list, blank=True)
    trafficking_forms = models.JSONField(
        _("forms of exploitation (trafficking)"), default=_empty_list, blank=True
    )
    perpetrator_count = models.PositiveSmallIntegerField(_("number of perpetrators"), default=1)
    reported_to_police_before = models.CharField(
        _("reported to the police before"),
        max_length=8,
        choices=choices.YesNoUnknown.choices,
        default=choices.YesNoUnknown.UNKNOWN,
    )
    reporting_delay = models.CharField(
        _("reporting delay"),
        max_length=12,
        choices=choices.ReportingDelay.choices,
        default=choices.ReportingDelay.UNKNOWN,
        editable=False,
    )
    description = EncryptedTextField(_("what happened"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")


class Perpetrator(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="perpetrators")
    relationship = models.CharField(
        _("relationship to her"), max_length=16, choices=choices.Relationship.choices
    )
    sex = models.CharField(_("sex"), max_length=8, choices=choices.Sex.choices, default=choices.Sex.MALE)
    age_group = models.CharField(
        _("age group"),
        max_length=8,
        choices=choices.PerpetratorAgeGroup.choices,
        default=choices.PerpetratorAgeGroup.UNKNOWN,
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")

    def __str__(self) -> str:
        return self.get_relationship_display()


class Consent(CaseOwned):
    """What she agreed to, for one purpose (and, for sharing, with one named organisation), until when."""

    purpose = models.CharField(_("purpose"), max_length=12, choices=choices.ConsentPurpose.choices)
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
    )
    shared_information = models.JSONField(
        _("information that may be shared"), default=_empty_list, blank=True
    )
    given_by = models.CharField(
        _("given by"),
        max_length=16,
        choices=choices.ConsentGiver.choices,
        default=choices.ConsentGiver.SURVIVOR,
    )
    guardian_name = EncryptedTextField(_("name of the guardian"), blank=True)
    best_interest_reason = EncryptedTextField(_("reason for the best-interest decision"), blank=True)
    method = models.CharField(_("how"), max_length=8, choices=choices.ConsentMethod.choices)
    given_at = models.DateTimeField(_("given on"), default=timezone.now)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_note = EncryptedTextField(_("note on the withdrawal"), blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="sharing") | Q(recipient__isnull=False),
                name="sharing_consent_has_recipient",
            )
        ]

    def is_active(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.withdrawn_at is None and (self.expires_on is None or self.expires_on >= day)


class Note(CaseOwned):
    """A case note. Notes are not edited: a correction is a new note."""

    body = EncryptedTextField(_("note"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")


class ContactLog(CaseOwned):
    kind = models.CharField(_("kind"), max_length=16, choices=choices.ContactKind.choices)
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    summary = EncryptedTextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-happened_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")


class Document(CaseOwned):
    """An attachment, encrypted on disk under ``storage_key``; downloaded only through an audited view."""

    kind = models.CharField(_("kind"), max_length=24, choices=choices.DocumentKind.choices)
    title = EncryptedTextField(_("title"))
    original_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")


class EventKind(models.TextChoices):
    """What the case timeline records. Later features (assessments, referrals) add their kinds."""

    CASE_OPENED = "case_opened", _("case opened")
    INTAKE_COMPLETED = "intake_completed", _("intake completed")
    SURVIVOR_UPDATED = "survivor_updated", _("personal details updated")
    CASE_UPDATED = "case_updated", _("case updated")
    STATUS_CHANGED = "status_changed", _("status changed")
    STAGE_CHANGED = "stage_changed", _("stage changed")
    ASSIGNED = "assigned", _("caseworkers changed")
    INCIDENT_ADDED = "incident_added", _("incident recorded")
    INCIDENT_UPDATED = "incident_updated", _("incident updated")
    CONSENT_GIVEN = "consent_given", _("consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    NOTE_ADDED = "note_added", _("note added")
    CONTACT_LOGGED = "contact_logged", _("contact recorded")
    DOCUMENT_ADDED = "document_added", _("document added")
    DOCUMENT_REMOVED = "document_removed", _("document removed")
    SCREENING_RECORDED = "screening_recorded", _("trafficking screening recorded")
    IDENTIFICATION_RECORDED = "identification_recorded", _("formal identification recorded")
    RISK_ASSESSED = "risk_assessed", _("danger assessment recorded")
    RISK_ALERT = "risk_alert", _("high risk: supervisor alerted")
    PLAN_UPDATED = "plan_updated", _("plan updated")
    CASE_CONFERENCE = "case_conference", _("case conference recorded")
    CLOSURE_REQUESTED = "closure_requested", _("closure requested")
    CLOSURE_APPROVED = "closure_approved", _("closure approved")
    CLOSURE_REJECTED = "closure_rejected", _("closure rejected")
    CLOSURE_WITHDRAWN = "closure_withdrawn", _("closure request withdrawn")
    REOPENED = "reopened", _("case reopened")
    LEGAL_HOLD = "legal_hold", _("legal hold changed")
    ANONYMISED = "anonymised", _("identifying data anonymised")


class CaseEvent(CaseOwned):
    """One line of the case timeline: what happened, who, when. ``detail`` never holds personal values."""

    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="case_event_timeline")]


class ClosureRequest(CaseOwned):
    """A caseworker asks to close a case, with a reason and the checklist; a supervisor approves or rejects it.
    Every request stays (the history of a case closed, reopened and closed again)."""

    reason = models.CharField(_("reason"), max_length=24, choices=choices.ClosureReason.choices)
    explanation = EncryptedTextField(_("explanation"), blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)  # item code -> bool
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=choices.ClosureStatus.choices,
        default=choices.ClosureStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = EncryptedTextField(_("supervisor's comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="closure_one_pending_per_case"
            )
        ]
