"""The directory of actors in the Open Referral HSDS 3.0 shape, with Himaya's profile additions.

HSDS objects and their tables: organization -> ``accounts.Organisation`` (the foundation's actors, with a
``hsds_id``), service -> ``Service``, location -> ``Location`` (one physical address inline), service_at_location
-> ``ServiceAtLocation``, phone -> ``Phone``, schedule -> ``Schedule`` (one weekday per row, local time in
Africa/Casablanca), service_area -> ``ServiceArea``, language -> ``ServiceLanguage``, cost_option ->
``CostOption``, required_document -> ``RequiredDocument``, accessibility -> ``Accessibility``, taxonomy and
taxonomy_term -> ``Taxonomy`` and ``TaxonomyTerm`` (labels in fr/ar/en).

Himaya's additions (docs/hsds-profile.md): structured eligibility, the status "active, not accepting referrals",
short alerts with an end date, verification, capacity records, confidential locations with a "front door"
contact, and a visibility level per field (public / network / restricted). The directory holds no victim data.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.core.models import City, Province, Region

CAPACITY_FRESH_FOR = timedelta(hours=48)


def localised(obj: Any, field: str) -> str:
    """The Arabic or English variant of ``field`` on Arabic or English pages when it is filled."""
    language = (get_language() or "fr")[:2]
    if language in {"ar", "en"}:
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return str(value)
    return str(getattr(obj, field, "") or getattr(obj, f"{field}_fr", "") or "")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Network (signed-in professionals)")
    RESTRICTED = "restricted", _("Restricted (the organisation and directory editors)")


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NOT_ACCEPTING = "active_not_accepting", _("Active, not accepting referrals")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")


class Sex(models.TextChoices):
    FEMALE = "female", _("Women and girls")
    MALE = "male", _("Men and boys")


class MigrationStatus(models.TextChoices):
    MOROCCAN = "moroccan", _("Moroccan nationals")
    FOREIGN_RESIDENT = "foreign_resident", _("Foreign residents")
    MIGRANT = "migrant", _("Migrants (any status)")
    REFUGEE = "refugee", _("Refugees and asylum seekers")


class ViolenceForm(models.TextChoices):
    PHYSICAL = "physical", _("Physical violence")
    SEXUAL = "sexual", _("Sexual violence")
    PSYCHOLOGICAL = "psychological", _("Psychological violence")
    ECONOMIC = "economic", _("Economic violence")
    DIGITAL = "digital", _("Digital (technology-facilitated) violence")
    TRAFFICKING = "trafficking", _("Trafficking in persons")


class VerificationMethod(models.TextChoices):
    PHONE = "phone", _("Telephone call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    WORKSHOP = "workshop", _("Mapping workshop")
    SELF_REPORTED = "self_reported", _("Confirmed by the organisation")
    IMPORT = "import", _("Imported")


class Taxonomy(models.Model):
    """A vocabulary: Himaya's two facets (needs, populations) or one brought by an HSDS import."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("version"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(_("code"), max_length=80)
    family = models.CharField(_("service family"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    term_uri = models.URLField(_("URI"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy__code", "position", "code"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="term_unique_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "name")


class Location(models.Model):
    """Where services are delivered. A confidential location (a shelter) never shows its address or pin
    outside the restricted audience; the public sees its "front door" contact instead."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("Physical place")
        POSTAL = "postal", _("Postal address")
        VIRTUAL = "virtual", _("Virtual (telephone, online)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    name = models.CharField(_("name"), max_length=250, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    url = models.URLField(_("website"), blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # One physical address inline (HSDS address, address_type "physical").
    address_1 = models.CharField(_("address"), max_length=250, blank=True)
    address_2 = models.CharField(_("address (continued)"), max_length=250, blank=True)
    city_name = models.CharField(_("city"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="MA")
    city = models.ForeignKey(City, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("city"))
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province or prefecture")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    is_confidential = models.BooleanField(_("confidential address"), default=False)
    front_door_phone = models.CharField(_("front-door telephone"), max_length=40, blank=True)
    front_door_note = models.CharField(_("front-door instructions"), max_length=250, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=100, blank=True)
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        # Search by province: (province, id) answers "the locations of a province" from the index alone.
        indexes = [models.Index(fields=["province", "id"], name="location_province_pk")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.city_name or str(self.id)


class ServiceQuerySet(models.QuerySet["Service"]):
    def listed(self) -> ServiceQuerySet:
        """Services that exist for the public: not defunct nor inactive."""
        return self.exclude(status__in=[ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE])

    def verified(self) -> ServiceQuerySet:
        return self.filter(verified_at__isnull=False)


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE, db_index=True
    )
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to access"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("waiting time"), max_length=250, blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licences"), blank=True)
    eligibility_description = models.TextField(_("eligibility (free text)"), blank=True)
    # Structured eligibility (Himaya profile). An empty list means "no restriction".
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    eligible_sexes = models.JSONField(_("sexes served"), default=list, blank=True)
    eligible_migration_statuses = models.JSONField(
        _("nationality / migration status"), default=list, blank=True
    )
    eligible_violence_forms = models.JSONField(_("forms of violence"), default=list, blank=True)
    # A short alert (e.g. "closed during the holiday") shown until its end date.
    alert = models.CharField(_("alert"), max_length=300, blank=True)
    alert_until = models.DateField(_("alert until"), null=True, blank=True)
    terms = models.ManyToManyField(
        TaxonomyTerm, related_name="services", blank=True, verbose_name=_("categories")
    )
    locations = models.ManyToManyField(
        Location, through="ServiceAtLocation", related_name="services", blank=True
    )
    # Per-field visibility for the fields listed in directory.visibility.CONFIGURABLE_FIELDS.
    field_visibility = models.JSONField(_("visibility of fields"), default=dict, blank=True)
    # Verification (not editing): who confirmed the entry, how, when, and when to confirm it again.
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True, db_index=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_method = models.CharField(
        _("verification method"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    verification_due = models.DateField(_("next verification due"), null=True, blank=True, db_index=True)
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return localised(self, "name")

    @property
    def description_label(self) -> str:
        return localised(self, "description")

    @property
    def accepts_referrals(self) -> bool:
        return self.status == ServiceStatus.ACTIVE

    def current_alert(self, today: Any = None) -> str:
        today = today or timezone.localdate()
        if self.alert and (self.alert_until is None or self.alert_until >= today):
            return self.alert
        return ""

    def is_stale(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.verified_at is None or (
            self.verification_due is not None and self.verification_due < today
        )


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="sal_unique_pair")]
        indexes = [models.Index(fields=["location", "service"], name="sal_location_service")]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="hsds_phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=40)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(
        _("type"), max_length=20, blank=True
    )  # text, voice, fax, cell, video, pager, textphone
    description = models.CharField(_("description"), max_length=250, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("telephone")
        verbose_name_plural = _("telephones")

    def __str__(self) -> str:
        return self.number


class Weekday(models.TextChoices):
    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


WEEKDAY_INDEX = {code: index for index, code in enumerate(Weekday.values)}  # Monday = 0, as date.weekday()


class Schedule(models.Model):
    """Opening hours: one weekday per row, local wall-clock time in Africa/Casablanca (whose offset changes
    around Ramadan; "open now" converts the current instant with zoneinfo). ``closes_at`` earlier than
    ``opens_at`` means the period runs past midnight; 00:00-00:00 means the whole day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    weekday = models.CharField(_("day"), max_length=2, choices=Weekday.choices)
    weekday_index = models.PositiveSmallIntegerField(editable=False, db_index=True, default=0)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    notes = models.CharField(_("notes"), max_length=250, blank=True)

    class Meta:
        ordering = ["weekday_index", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        # "Open now": a service's (or link's, or location's) rows of one weekday. The link and location
        # indexes are partial: most rows have neither, and a full index would look useless to the planner.
        indexes = [
            models.Index(fields=["service", "weekday_index"], name="schedule_service_day"),
            models.Index(
                fields=["service_at_location", "weekday_index"],
                condition=Q(service_at_location__isnull=False),
                name="schedule_link_day",
            ),
            models.Index(
                fields=["location", "weekday_index"],
                condition=Q(location__isnull=False),
                name="schedule_location_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.weekday_index = WEEKDAY_INDEX.get(self.weekday, 0)
        super().save(*args, **kwargs)

    @property
    def minutes(self) -> int:
        """Length of the period in minutes (for "hours open per week")."""
        start = self.opens_at.hour * 60 + self.opens_at.minute
        end = self.closes_at.hour * 60 + self.closes_at.minute
        return (end - start) % (24 * 60) or 24 * 60


class ServiceArea(models.Model):
    """Where a service's users may come from: a region, a province, or the whole country (neither)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(_("name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        indexes = [models.Index(fields=["province", "service"], name="service_area_province")]

    def __str__(self) -> str:
        return self.name


class ServiceLanguage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=10, db_index=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="service_language_unique")]
        indexes = [models.Index(fields=["code", "service"], name="service_language_code")]

    def __str__(self) -> str:
        return self.code


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(_("option"), max_length=250, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="MAD")
    amount_description = models.CharField(_("amount description"), max_length=250, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")

    def __str__(self) -> str:
        return self.option


class RequiredDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="required_documents")
    document = models.CharField(_("document"), max_length=250)
    uri = models.URLField(blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.document


class Accessibility(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.CharField(_("accessibility"), max_length=250, blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.URLField(blank=True)

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description


class CapacityRecord(models.Model):
    """Places and vacancies of a shelter or reception centre at a point in time. Older than 48 h: unknown."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="capacity_records")
    places = models.PositiveIntegerField(_("places"))
    vacancies = models.PositiveIntegerField(_("vacancies"))
    as_of = models.DateTimeField(_("as of"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["-as_of"]
        get_latest_by = "as_of"
        verbose_name = _("capacity record")
        verbose_name_plural = _("capacity records")
        constraints = [
            models.CheckConstraint(
                condition=Q(vacancies__lte=models.F("places")), name="capacity_vacancies_le_places"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vacancies}/{self.places}"

    def is_fresh(self, now: Any = None) -> bool:
        return (now or timezone.now()) - self.as_of <= CAPACITY_FRESH_FOR


class Verification(models.Model):
    """One act of verification (history); the service carries the latest."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="verifications")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    due = models.DateField(_("next verification due"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self) -> str:
        return f"{self.service_id} {self.at:%Y-%m-%d}"


class ChangeProposal(models.Model):
    """A change to a service proposed by a member of its organisation, reviewed by a directory editor as a
    diff. ``changes`` maps field names to the proposed values; ``base`` holds the values when proposed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    base_version = models.PositiveIntegerField()
    base = models.JSONField(default=dict)
    changes = models.JSONField(default=dict)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")

    def __str__(self) -> str:
        return f"{self.service_id} ({self.status})"


class ServiceHistory(models.Model):
    """What changed in a service, when, by whom, and why (edit, proposal approved, verification, import)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        PROPOSAL_APPROVED = "proposal_approved", _("Proposed change approved")
        VERIFIED = "verified", _("Verified")
        STATUS = "status", _("Status changed")
        CAPACITY = "capacity", _("Capacity updated")
        IMPORTED = "imported", _("Imported")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    changes = models.JSONField(default=dict)  # field -> [old, new]
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("service history")
        verbose_name_plural = _("service history")

    def __str__(self) -> str:
        return f"{self.service_id} {self.kind}"
