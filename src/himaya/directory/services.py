"""Every change to the directory: checked, transactional, audited, and written to the service's history.

Verification is not editing: an editor *verifies* an entry (who, how, when, next due date) without changing it;
an organisation's own members *propose* changes that an editor reviews as a diff. Every change writes a
``ServiceHistory`` row (field -> [old, new]) and an audit event. Edits use optimistic concurrency on
``Service.version``: a stale edit raises ``ServiceConflict`` naming what changed meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import require
from himaya.core import audit
from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import AuditAction, Province, Region
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.models import (
    CapacityRecord,
    ChangeProposal,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceHistory,
    ServiceStatus,
    TaxonomyTerm,
    Verification,
    VerificationMethod,
    Visibility,
    Weekday,
)
from himaya.directory.visibility import CONFIGURABLE_FIELDS

VERIFICATION_INTERVAL = timedelta(days=180)
# History rows of version-bumping changes carry the resulting version under this key (not a field).
VERSION_KEY = "_version"

# Fields an editor edits on the service form (status, alert, verification and visibility have their own paths).
EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "name_ar",
    "name_en",
    "alternate_name",
    "description",
    "description_ar",
    "description_en",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "fees_description",
    "wait_time",
    "interpretation_services",
    "accreditations",
    "licenses",
    "minimum_age",
    "maximum_age",
    "eligible_sexes",
    "eligible_migration_statuses",
    "eligible_violence_forms",
)
# Fields an organisation's members may propose to change (values are JSON: text, numbers, lists of codes).
PROPOSABLE_FIELDS: tuple[str, ...] = EDITABLE_FIELDS
LIST_FIELDS = ("eligible_sexes", "eligible_migration_statuses", "eligible_violence_forms")
TEXT_FIELDS = frozenset(
    name for name in (*EDITABLE_FIELDS, "alert") if name not in LIST_FIELDS and not name.endswith("_age")
)

# Bidirectional embedding/override/isolate controls: they can disguise a name (e.g. reverse it) on screen.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Plausible coordinates for a place in Morocco (the southern provinces included).
MOROCCO_LATITUDE = (Decimal("20.5"), Decimal("36.1"))
MOROCCO_LONGITUDE = (Decimal("-17.3"), Decimal("-0.9"))
LOCATION_FIELDS: tuple[str, ...] = (
    "location_type",
    "name",
    "name_ar",
    "alternate_name",
    "description",
    "transportation",
    "url",
    "latitude",
    "longitude",
    "address_1",
    "address_2",
    "city_name",
    "postal_code",
    "city",
    "province",
    "region",
    "is_confidential",
    "front_door_phone",
    "front_door_note",
)


class ServiceConflict(ConflictError):
    """A stale edit: ``changes`` holds what others changed since the editor opened the service."""

    def __init__(self, changes: Mapping[str, list[Any]]) -> None:
        super().__init__()
        self.changes = dict(changes)
        self.message: Any
        labels = ", ".join(str(field_label(name)) for name in self.changes) or _("its data")
        self.message = _(
            "Someone else changed this service while you were editing it (%(fields)s). Nothing was saved: "
            "review the current values below, then apply your change again."
        ) % {"fields": labels}


def field_label(name: str) -> str:
    """The translated label of a service field (for diffs, history and messages)."""
    if name == "terms":
        return str(gettext_lazy("categories"))
    if name == "schedules":
        return str(gettext_lazy("opening hours"))
    if name == "languages":
        return str(gettext_lazy("languages"))
    if name == "locations":
        return str(gettext_lazy("locations"))
    if name == "capacity":
        return str(gettext_lazy("capacity"))
    if name == "phones":
        return str(gettext_lazy("telephones"))
    if name == "service_areas":
        return str(gettext_lazy("service areas"))
    if name.startswith("location."):
        try:
            field = Location._meta.get_field(name.removeprefix("location."))
            return f"{gettext_lazy('location')}: {getattr(field, 'verbose_name', name)}"
        except FieldDoesNotExist:
            return name
    try:
        return str(getattr(Service._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def jsonable(value: Any) -> Any:
    """A value as it is stored in history and proposals (JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def _normalise(field: str, value: Any) -> Any:
    if field in LIST_FIELDS:
        return sorted({str(item) for item in (value or [])})
    if field in ("minimum_age", "maximum_age"):
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise BusinessRuleError(
                _("%(field)s must be a whole number.") % {"field": field_label(field)}
            ) from exc
    if value is None:
        return "" if field in TEXT_FIELDS else None
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value).strip()
    return value


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        parts: list[str] = []
        for field, messages in error.message_dict.items():
            prefix = "" if field == "__all__" else f"{field_label(field)}: "
            parts.extend(f"{prefix}{message}" for message in messages)
        return " ".join(parts)
    return " ".join(str(message) for message in error.messages)


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise BusinessRuleError(_validation_message(error)) from error


def _history(
    *, service: Service, actor: User | None, kind: str, changes: Mapping[str, Any], note: str = ""
) -> ServiceHistory:
    return ServiceHistory.objects.create(
        service=service, by=actor, kind=kind, changes=jsonable(dict(changes)), note=note[:500]
    )


def _audit(
    action: AuditAction, *, actor: User, service: Service, fields: Iterable[str], **detail: Any
) -> None:
    audit.record(
        action,
        actor=actor,
        target=service,
        object_organisation_id=service.organisation_id,
        fields=[name for name in fields if not name.startswith("_")],
        detail=jsonable(detail) if detail else None,
    )


def _changes_since(service: Service, version: int) -> dict[str, list[Any]]:
    """What was changed in ``service`` after ``version`` (from the history rows that carry a version)."""
    changes: dict[str, list[Any]] = {}
    for entry in service.history.order_by("at", "id"):
        bump = (entry.changes or {}).get(VERSION_KEY)
        if not bump or int(bump[1]) <= version:
            continue
        for name, pair in entry.changes.items():
            if name == VERSION_KEY:
                continue
            old = changes[name][0] if name in changes else pair[0]
            changes[name] = [old, pair[1]]
    return changes


def _bump(service: Service, expected_version: int | None) -> tuple[int, int]:
    """Claim the next version (compare-and-set): a stale ``expected_version`` raises ServiceConflict."""
    current = Service.objects.filter(pk=service.pk).values_list("version", flat=True).get()
    base = current if expected_version is None else expected_version
    if not Service.objects.filter(pk=service.pk, version=base).update(version=F("version") + 1):
        raise ServiceConflict(_changes_since(service, base))
    service.version = base + 1
    return base, base + 1


def _terms_codes(terms: Iterable[TaxonomyTerm]) -> list[str]:
    return sorted(f"{term.taxonomy.code}:{term.code}" for term in terms)


def _apply(service: Service, values: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, list[Any]]:
    """Set the changed fields of ``values`` on ``service``; return field -> [old, new] (JSON values)."""
    changes: dict[str, list[Any]] = {}
    for name in allowed:
        if name not in values:
            continue
        new = _normalise(name, values[name])
        old = _normalise(name, getattr(service, name))
        if jsonable(old) != jsonable(new):
            changes[name] = [jsonable(old), jsonable(new)]
            setattr(service, name, new)
    return changes


def _check_visibility(levels: Mapping[str, str]) -> dict[str, str]:
    unknown = [name for name in levels if name not in CONFIGURABLE_FIELDS]
    if unknown:
        raise BusinessRuleError(
            _("These fields have no configurable visibility: %(f)s") % {"f": ", ".join(unknown)}
        )
    wrong = [level for level in levels.values() if level not in Visibility.values]
    if wrong:
        raise BusinessRuleError(_("Unknown visibility level: %(levels)s") % {"levels": ", ".join(wrong)})
    # Store only the levels that differ from the default, so that a changed default applies to the others.
    return {name: level for name, level in sorted(levels.items()) if CONFIGURABLE_FIELDS[name] != level}


def _check_languages(codes: Iterable[str]) -> list[str]:
    wanted = sorted({str(code) for code in codes})
    unknown = [code for code in wanted if code not in LANGUAGES]
    if unknown:
        raise BusinessRuleError(_("Unknown language code: %(codes)s") % {"codes": ", ".join(unknown)})
    return wanted


# Services ---------------------------------------------------------------------------------------------------


@transaction.atomic
def service_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    terms: Iterable[TaxonomyTerm] = (),
    languages: Iterable[str] = (),
    field_visibility: Mapping[str, str] | None = None,
    **values: Any,
) -> Service:
    require(actor, "directory.add_service", organisation)
    language_codes = _check_languages(languages)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise BusinessRuleError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    service = Service(organisation=organisation)
    _apply(service, {**values, "name": name}, EDITABLE_FIELDS)
    if not service.name:
        raise BusinessRuleError(_("A service needs a name."))
    service.field_visibility = _check_visibility(field_visibility or {})
    _full_clean(service)
    service.save()
    terms = list(terms)
    service.terms.set(terms)
    snapshot = {
        name: [None, jsonable(getattr(service, name))] for name in EDITABLE_FIELDS if getattr(service, name)
    }
    if terms:
        snapshot["terms"] = [None, _terms_codes(terms)]
    for code in language_codes:
        service.languages.create(code=code)
    if language_codes:
        snapshot["languages"] = [None, language_codes]
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.CREATED,
        changes={**snapshot, VERSION_KEY: [0, 1]},
    )
    _audit(AuditAction.CREATE, actor=actor, service=service, fields=snapshot)
    return service


@transaction.atomic
def service_update(
    *,
    actor: User,
    service: Service,
    expected_version: int | None,
    terms: Iterable[TaxonomyTerm] | None = None,
    languages: Iterable[str] | None = None,
    field_visibility: Mapping[str, str] | None = None,
    note: str = "",
    **values: Any,
) -> Service:
    """Apply an editor's changes. ``expected_version`` is the version the editor opened (None: no check)."""
    require(actor, "directory.change_service", service)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise BusinessRuleError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    service = Service.objects.select_for_update().get(pk=service.pk)
    if expected_version is not None and service.version != expected_version:
        raise ServiceConflict(_changes_since(service, expected_version))
    changes = _apply(service, values, EDITABLE_FIELDS)
    if field_visibility is not None:
        levels = _check_visibility(field_visibility)
        if levels != (service.field_visibility or {}):
            changes["field_visibility"] = [service.field_visibility or {}, levels]
            service.field_visibility = levels
    new_terms: list[TaxonomyTerm] | None = None
    if terms is not None:
        new_terms = list(terms)
        old_codes = _terms_codes(service.terms.select_related("taxonomy"))
        new_codes = _terms_codes(new_terms)
        if old_codes != new_codes:
            changes["terms"] = [old_codes, new_codes]
        else:
            new_terms = None
    new_languages: list[str] | None = None
    if languages is not None:
        new_languages = _check_languages(languages)
        old_languages = sorted(service.languages.values_list("code", flat=True))
        if old_languages != new_languages:
            changes["languages"] = [old_languages, new_languages]
        else:
            new_languages = None
    if not changes:
        return service
    if not service.name:
        raise BusinessRuleError(_("A service needs a name."))
    _full_clean(service)
    old_version, new_version = _bump(service, expected_version)
    service.save()
    if new_terms is not None:
        service.terms.set(new_terms)
    if new_languages is not None:
        service.languages.exclude(code__in=new_languages).delete()
        existing = set(service.languages.values_list("code", flat=True))
        for code in new_languages:
            if code not in existing:
                service.languages.create(code=code)
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.EDITED,
        changes={**changes, VERSION_KEY: [old_version, new_version]},
        note=note,
    )
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=changes)
    return service


@transaction.atomic
def service_set_status(*, actor: User, service: Service, status: str, note: str = "") -> Service:
    require(actor, "directory.change_service", service)
    if status not in ServiceStatus.values:
        raise BusinessRuleError(_("Unknown status."))
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status == status:
        raise BusinessRuleError(_("The service already has this status."))
    changes = {"status": [service.status, status]}
    service.status = status
    old_version, new_version = _bump(service, None)
    service.save(update_fields=["status", "updated_at"])
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.STATUS,
        changes={**changes, VERSION_KEY: [old_version, new_version]},
        note=note,
    )
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=["status"], status=status)
    return service


@transaction.atomic
def service_set_alert(
    *, actor: User, service: Service, alert: str, alert_until: date | None, today: date | None = None
) -> Service:
    """Set (or, with an empty text, clear) the short alert shown until its end date."""
    require(actor, "directory.change_service", service)
    today = today or timezone.localdate()
    alert = " ".join((alert or "").split())
    if alert:
        if alert_until is None:
            raise BusinessRuleError(_("An alert needs an end date, so that it does not stay forever."))
        if alert_until < today:
            raise BusinessRuleError(_("The end date of the alert is in the past."))
        if len(alert) > Service._meta.get_field("alert").max_length:  # type: ignore[operator]
            raise BusinessRuleError(_("An alert must be short (300 characters at most)."))
    else:
        alert_until = None
    service = Service.objects.select_for_update().get(pk=service.pk)
    changes = _apply(service, {"alert": alert, "alert_until": alert_until}, ("alert", "alert_until"))
    if not changes:
        raise BusinessRuleError(_("Nothing to change: the alert is already like this."))
    old_version, new_version = _bump(service, None)
    service.save(update_fields=["alert", "alert_until", "updated_at"])
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.EDITED,
        changes={**changes, VERSION_KEY: [old_version, new_version]},
    )
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=changes)
    return service


@transaction.atomic
def service_verify(
    *,
    actor: User,
    service: Service,
    method: str,
    note: str = "",
    due: date | None = None,
    today: date | None = None,
) -> Verification:
    """Record that an editor confirmed the entry (verification, not editing): the content is not changed."""
    require(actor, "directory.verify_service", service)
    if method not in VerificationMethod.values:
        raise BusinessRuleError(_("Choose how the entry was verified."))
    today = today or timezone.localdate()
    due = due or today + VERIFICATION_INTERVAL
    if due <= today:
        raise BusinessRuleError(_("The next verification must be due after today."))
    if due > today + timedelta(days=2 * 366):
        raise BusinessRuleError(_("The next verification cannot be more than two years away."))
    service = Service.objects.select_for_update().get(pk=service.pk)
    now = timezone.now()
    verification = Verification.objects.create(
        service=service, at=now, by=actor, method=method, note=note.strip()[:500], due=due
    )
    changes = {
        "verified_at": [jsonable(service.verified_at), jsonable(now)],
        "verification_method": [service.verification_method, method],
        "verification_due": [jsonable(service.verification_due), jsonable(due)],
    }
    Service.objects.filter(pk=service.pk).update(
        verified_at=now, verified_by=actor, verification_method=method, verification_due=due
    )
    service.refresh_from_db(fields=["verified_at", "verified_by", "verification_method", "verification_due"])
    _history(service=service, actor=actor, kind=ServiceHistory.Kind.VERIFIED, changes=changes, note=note)
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=changes, method=method)
    return verification


# Locations and opening hours -----------------------------------------------------------------------------------


def _clean_text(value: Any) -> Any:
    return BIDI_CONTROLS.sub("", value).strip() if isinstance(value, str) else value


def _check_location(location: Location) -> None:
    latitude, longitude = location.latitude, location.longitude
    if (latitude is None) != (longitude is None):
        raise BusinessRuleError(_("Give both the latitude and the longitude, or neither."))
    if latitude is not None and longitude is not None:
        latitude, longitude = Decimal(str(latitude)), Decimal(str(longitude))
        if not (
            MOROCCO_LATITUDE[0] <= latitude <= MOROCCO_LATITUDE[1]
            and MOROCCO_LONGITUDE[0] <= longitude <= MOROCCO_LONGITUDE[1]
        ):
            raise BusinessRuleError(
                _(
                    "These coordinates are not in Morocco (latitude between 20.5 and 36.1, longitude between "
                    "-17.3 and -0.9). Check that the latitude comes first and that the longitude is negative."
                )
            )
    if location.is_confidential and not (location.front_door_phone or location.front_door_note):
        raise BusinessRuleError(
            _(
                "A confidential location needs a front-door contact (a telephone or instructions): it is what "
                "the public and the network see instead of the address."
            )
        )
    if location.city and location.province and location.city.province_id != location.province.pk:
        raise BusinessRuleError(_("This city is not in the chosen province."))
    if location.province and not location.region_id:
        location.region_id = location.province.region_id
    _full_clean(location, exclude=["organisation"])


@transaction.atomic
def location_create(
    *, actor: User, organisation: Organisation, service: Service | None = None, **values: Any
) -> Location:
    require(actor, "directory.change_service", service or organisation)
    if service is not None and service.organisation_id != organisation.pk:
        raise BusinessRuleError(_("A service is delivered at its own organisation's locations."))
    location = Location(
        organisation=organisation, **{k: v for k, v in values.items() if k in LOCATION_FIELDS}
    )
    _check_location(location)
    location.save()
    if service is not None:
        ServiceAtLocation.objects.create(service=service, location=location)
        _history(
            service=service,
            actor=actor,
            kind=ServiceHistory.Kind.EDITED,
            changes={"locations": [None, str(location)]},
        )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=location,
        object_organisation_id=organisation.pk,
        fields=values,
    )
    return location


@transaction.atomic
def location_update(*, actor: User, location: Location, **values: Any) -> Location:
    require(actor, "directory.change_service", location)
    location = Location.objects.select_for_update().get(pk=location.pk)
    values = {k: _clean_text(v) for k, v in values.items()}
    changes: dict[str, list[Any]] = {}
    for name in LOCATION_FIELDS:
        if name in values and getattr(location, name) != values[name]:
            changes[name] = [jsonable(getattr(location, name)), jsonable(values[name])]
            setattr(location, name, values[name])
    if not changes:
        return location
    _check_location(location)
    location.save()
    # Addresses of confidential places stay out of the history (restricted audience only): names of fields only.
    summary = {name: ["…", "…"] if location.is_confidential else pair for name, pair in changes.items()}
    for service in location.services.all():
        _history(
            service=service,
            actor=actor,
            kind=ServiceHistory.Kind.EDITED,
            changes={f"location.{name}": pair for name, pair in summary.items()},
            note=str(location),
        )
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=location,
        object_organisation_id=location.organisation_id,
        fields=changes,
    )
    return location


# Service areas -------------------------------------------------------------------------------------------------

# The name given to a whole-country area (data, as the demo writes it; HSDS names are not translated).
NATIONAL_AREA_NAME = "Maroc"


@dataclass(frozen=True)
class AreaSelection:
    """Where a service's users may come from: the whole country, or regions and provinces (HCP codes)."""

    national: bool = False
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


def _area_key(area: ServiceArea) -> tuple[int, str]:
    """(0, "") the whole country, (1, region code) a whole region, (2, province code) a province."""
    if area.province is not None:
        return (2, area.province.code)
    if area.region is not None:
        return (1, area.region.code)
    return (0, "")


def areas_of(service: Service) -> list[ServiceArea]:
    """The areas of ``service``: the whole country first, then regions, then provinces (by code)."""
    areas = service.service_areas.select_related("region", "province")
    return sorted(areas, key=lambda area: (_area_key(area), str(area.pk)))


def area_selection(service: Service) -> AreaSelection:
    keys = {_area_key(area) for area in areas_of(service)}
    return AreaSelection(
        national=(0, "") in keys,
        regions=tuple(sorted(code for kind, code in keys if kind == 1)),
        provinces=tuple(sorted(code for kind, code in keys if kind == 2)),
    )


def _area_text(area: ServiceArea) -> str:
    """An area as the history shows it: the French name and the HCP code (or the whole country)."""
    if area.province is not None:
        return f"{area.province.name_fr} ({area.province.code})"
    if area.region is not None:
        return f"{area.region.name_fr} ({area.region.code})"
    return NATIONAL_AREA_NAME


def _codes(values: Iterable[str]) -> list[str]:
    return sorted({str(value).strip() for value in values if str(value).strip()})


@transaction.atomic
def service_set_areas(
    *,
    actor: User,
    service: Service,
    national: bool,
    regions: Iterable[str] = (),
    provinces: Iterable[str] = (),
    note: str = "",
) -> list[ServiceArea]:
    """Replace the areas of ``service``: the whole country, or whole regions and provinces (HCP codes).

    Rows that stay keep their identifier, name and description (HSDS ids stay stable across exports)."""
    require(actor, "directory.change_service", service)
    region_codes, province_codes = _codes(regions), _codes(provinces)
    if national and (region_codes or province_codes):
        raise BusinessRuleError(
            _(
                "A service that serves the whole country has no separate regions or provinces: choose one or the other."
            )
        )
    if not national and not (region_codes or province_codes):
        raise BusinessRuleError(_("Choose the whole country, or at least one region or province."))
    found_regions = {region.code: region for region in Region.objects.filter(code__in=region_codes)}
    unknown = [code for code in region_codes if code not in found_regions]
    if unknown:
        raise BusinessRuleError(_("Unknown region code: %(codes)s.") % {"codes": ", ".join(unknown)})
    found_provinces = {
        province.code: province
        for province in Province.objects.select_related("region").filter(code__in=province_codes)
    }
    unknown = [code for code in province_codes if code not in found_provinces]
    if unknown:
        raise BusinessRuleError(_("Unknown province code: %(codes)s.") % {"codes": ", ".join(unknown)})
    covered = [p for code, p in sorted(found_provinces.items()) if p.region.code in found_regions]
    if covered:
        raise BusinessRuleError(
            _(
                "%(provinces)s: already served through the whole region. Choose the region or its provinces, "
                "not both."
            )
            % {"provinces": ", ".join(province.name for province in covered)}
        )
    service = Service.objects.select_for_update().get(pk=service.pk)
    current = areas_of(service)
    wanted: dict[tuple[int, str], ServiceArea] = {}
    if national:
        wanted[(0, "")] = ServiceArea(service=service, name=NATIONAL_AREA_NAME)
    for code, region in found_regions.items():
        wanted[(1, code)] = ServiceArea(service=service, name=region.name_fr, region=region)
    for code, province in found_provinces.items():
        wanted[(2, code)] = ServiceArea(service=service, name=province.name_fr, province=province)
    kept: dict[tuple[int, str], ServiceArea] = {}
    removed: list[ServiceArea] = []
    for area in current:
        key = _area_key(area)
        if key in wanted and key not in kept:
            kept[key] = area
        else:
            removed.append(area)  # no longer wanted, or a second row for the same territory
    if not removed and len(kept) == len(wanted):
        raise BusinessRuleError(_("Nothing to change: the service areas are already like this."))
    ServiceArea.objects.filter(pk__in=[area.pk for area in removed]).delete()
    result = [kept.get(key) or wanted[key] for key in sorted(wanted)]
    ServiceArea.objects.bulk_create([area for area in result if area._state.adding])
    service.save(update_fields=["updated_at"])  # the HSDS entry changed: its last_modified moves on
    old_text, new_text = [_area_text(area) for area in current], [_area_text(area) for area in result]
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.EDITED,
        changes={"service_areas": [old_text, new_text]},
        note=note,
    )
    _audit(
        AuditAction.UPDATE,
        actor=actor,
        service=service,
        fields=["service_areas"],
        national=national,
        regions=sorted(found_regions),
        provinces=sorted(found_provinces),
    )
    return result


# Telephones of a service ----------------------------------------------------------------------------------------

# HSDS phone types.
PHONE_TYPES: dict[str, Any] = {
    "voice": gettext_lazy("voice"),
    "cell": gettext_lazy("mobile"),
    "text": gettext_lazy("text messages"),
    "fax": gettext_lazy("fax"),
    "video": gettext_lazy("video"),
    "textphone": gettext_lazy("textphone"),
    "pager": gettext_lazy("pager"),
}
PHONE_NUMBER = re.compile(r"\+?[0-9][0-9 \-]*")
PHONE_DIGITS = (6, 20)
HTML_OR_FORMULA = re.compile(r"<|>|^[=+\-@\t\r]")


def phone_number_error(number: str) -> str | None:
    """Why ``number`` is not a telephone number (None when it is one): digits, spaces, + and - only."""
    number = number.strip()
    if not PHONE_NUMBER.fullmatch(number):
        return _("A telephone number may contain only digits, spaces, + (at the start) and -.")
    digits = sum(char.isdigit() for char in number)
    if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return _("A telephone number has between %(low)d and %(high)d digits.") % {
            "low": PHONE_DIGITS[0],
            "high": PHONE_DIGITS[1],
        }
    return None


def _phone_text(phone: Phone) -> str:
    """A telephone as the history shows it; a restricted one is hidden (its readers may not all see it)."""
    if phone.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        return "…"
    text = phone.number + (f" ({phone.extension})" if phone.extension else "")
    return f"{text} · {phone.description}" if phone.description else text


def _check_phone(phone: Phone) -> None:
    phone.number = " ".join(str(phone.number or "").split())
    error = phone_number_error(phone.number)
    if error:
        raise BusinessRuleError(error)
    phone.description = _clean_text(phone.description or "")
    if HTML_OR_FORMULA.search(phone.description):
        raise BusinessRuleError(
            _("The description may not contain < or > nor start with = + - @ (spreadsheet formula).")
        )
    if phone.type and phone.type not in PHONE_TYPES:
        raise BusinessRuleError(_("Unknown type of telephone."))
    if phone.visibility not in Visibility.values:
        raise BusinessRuleError(_("Unknown visibility level: %(levels)s") % {"levels": phone.visibility})
    if phone.extension == "":
        phone.extension = None
    phone.languages = _check_languages(phone.languages or [])
    _full_clean(phone, exclude=["organisation", "location", "service_at_location"])


def _phone_history(*, actor: User, service: Service, old: str | None, new: str | None) -> None:
    _history(service=service, actor=actor, kind=ServiceHistory.Kind.EDITED, changes={"phones": [old, new]})


PHONE_FIELDS = ("number", "extension", "type", "description", "languages", "visibility")


@transaction.atomic
def phone_add(
    *,
    actor: User,
    service: Service,
    number: str,
    extension: int | None = None,
    type: str = "",
    description: str = "",
    languages: Iterable[str] = (),
    visibility: str = Visibility.PUBLIC,
) -> Phone:
    """Add a telephone to ``service``."""
    require(actor, "directory.change_service", service)
    phone = Phone(
        service=service,
        number=number,
        extension=extension,
        type=type or "",
        description=description or "",
        languages=list(languages),
        visibility=visibility,
    )
    _check_phone(phone)
    phone.save()
    _phone_history(actor=actor, service=service, old=None, new=_phone_text(phone))
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=["phones"])
    return phone


def _phone_service(phone: Phone) -> Service:
    if phone.service is None:
        raise BusinessRuleError(_("This telephone belongs to no service."))
    return phone.service


@transaction.atomic
def phone_update(*, actor: User, phone: Phone, **values: Any) -> Phone:
    """Change a telephone of a service (only the fields given)."""
    service = _phone_service(phone)
    require(actor, "directory.change_service", service)
    phone = Phone.objects.select_for_update().get(pk=phone.pk)
    before = {name: jsonable(getattr(phone, name)) for name in PHONE_FIELDS}
    old_text = _phone_text(phone)
    for name in PHONE_FIELDS:
        if name in values:
            value = values[name]
            if value is None and name != "extension":
                value = [] if name == "languages" else ""
            setattr(phone, name, value)
    _check_phone(phone)
    changed = [name for name in PHONE_FIELDS if jsonable(getattr(phone, name)) != before[name]]
    if not changed:
        raise BusinessRuleError(_("Nothing to change: the telephone is already like this."))
    phone.save()
    _phone_history(actor=actor, service=service, old=old_text, new=_phone_text(phone))
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=["phones"], phone_fields=changed)
    return phone


@transaction.atomic
def phone_remove(*, actor: User, phone: Phone) -> None:
    """Remove a telephone from its service."""
    service = _phone_service(phone)
    require(actor, "directory.change_service", service)
    old_text = _phone_text(phone)
    phone.delete()
    _phone_history(actor=actor, service=service, old=old_text, new=None)
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=["phones"])


@dataclass(frozen=True)
class Opening:
    weekday: str
    opens_at: time
    closes_at: time
    notes: str = ""


def _schedule_text(rows: Iterable[Any]) -> list[str]:
    return [f"{row.weekday} {row.opens_at:%H:%M}-{row.closes_at:%H:%M}" for row in rows]


@transaction.atomic
def schedule_set(*, actor: User, service: Service, openings: Iterable[Opening]) -> list[Schedule]:
    """Replace the weekly opening hours of ``service`` (rows without a location)."""
    require(actor, "directory.change_service", service)
    openings = sorted(
        openings,
        key=lambda o: (Weekday.values.index(o.weekday) if o.weekday in Weekday.values else 9, o.opens_at),
    )
    for opening in openings:
        if opening.weekday not in Weekday.values:
            raise BusinessRuleError(_("Unknown day of the week."))
    seen = [o.weekday for o in openings]
    if len(seen) != len(set(seen)):
        raise BusinessRuleError(_("Give one period per day."))
    current = list(service.schedules.filter(location__isnull=True, service_at_location__isnull=True))
    old_text, new_text = _schedule_text(current), _schedule_text(openings)
    if old_text == new_text and [o.notes for o in openings] == [c.notes for c in current]:
        raise BusinessRuleError(_("Nothing to change: the opening hours are already like this."))
    for row in current:
        row.delete()
    created = [
        Schedule.objects.create(
            service=service,
            weekday=o.weekday,
            opens_at=o.opens_at,
            closes_at=o.closes_at,
            notes=o.notes.strip()[:250],
        )
        for o in openings
    ]
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.EDITED,
        changes={"schedules": [old_text, new_text]},
    )
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=["schedules"])
    return created


# Proposals -----------------------------------------------------------------------------------------------------


def _proposal_values(service: Service, changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in changes if name not in PROPOSABLE_FIELDS]
    if unknown:
        raise BusinessRuleError(
            _("These fields cannot be changed by a proposal: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    proposed: dict[str, Any] = {}
    for name, value in changes.items():
        new = jsonable(_normalise(name, value))
        if new != jsonable(_normalise(name, getattr(service, name))):
            proposed[name] = new
    return proposed


@transaction.atomic
def proposal_submit(
    *, actor: User, service: Service, changes: Mapping[str, Any], comment: str = ""
) -> ChangeProposal:
    """A member of the service's organisation proposes new values; an editor will review the diff."""
    require(actor, "directory.propose_change", service)
    service = Service.objects.get(pk=service.pk)
    if not changes:
        raise BusinessRuleError(_("The proposal is empty: change at least one field."))
    proposed = _proposal_values(service, changes)
    if not proposed:
        raise BusinessRuleError(_("Nothing to propose: every value is the same as in the directory."))
    trial = Service.objects.get(pk=service.pk)
    for name, value in proposed.items():
        setattr(trial, name, value)
    if "name" in proposed and not trial.name:
        raise BusinessRuleError(_("A service needs a name."))
    _full_clean(trial)
    proposal = ChangeProposal.objects.create(
        service=service,
        proposed_by=actor,
        base_version=service.version,
        base={name: jsonable(_normalise(name, getattr(service, name))) for name in proposed},
        changes=proposed,
        comment=comment.strip(),
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=proposal,
        object_organisation_id=service.organisation_id,
        fields=proposed,
    )
    return proposal


def _pending(proposal: ChangeProposal) -> ChangeProposal:
    locked = ChangeProposal.objects.select_for_update().select_related("service").get(pk=proposal.pk)
    if locked.status != ChangeProposal.Status.PENDING:
        raise BusinessRuleError(
            _("This proposal was already handled (%(status)s).") % {"status": locked.get_status_display()}
        )
    return locked


def proposal_conflicts(proposal: ChangeProposal, service: Service) -> dict[str, list[Any]]:
    """Proposed fields changed in the directory since the proposal was made: field -> [base, current]."""
    if service.version == proposal.base_version:
        return {}
    conflicts: dict[str, list[Any]] = {}
    for name in proposal.changes:
        current = jsonable(_normalise(name, getattr(service, name)))
        if current != proposal.base.get(name):
            conflicts[name] = [proposal.base.get(name), current]
    return conflicts


@transaction.atomic
def proposal_approve(*, actor: User, proposal: ChangeProposal, comment: str = "") -> Service:
    require(actor, "directory.review_proposal", proposal.service)
    proposal = _pending(proposal)
    service = Service.objects.select_for_update().get(pk=proposal.service_id)
    conflicts = proposal_conflicts(proposal, service)
    if conflicts:
        raise BusinessRuleError(
            _(
                "The service changed since this proposal was made, on the same fields (%(fields)s). Approving "
                "it would overwrite those changes: reject it and ask for a new proposal, or edit the service."
            )
            % {"fields": ", ".join(field_label(name) for name in conflicts)}
        )
    changes = _apply(service, proposal.changes, PROPOSABLE_FIELDS)
    if not changes:
        raise BusinessRuleError(_("The service already has these values: reject the proposal as done."))
    _full_clean(service)
    old_version, new_version = _bump(service, None)
    service.save()
    proposal.status = ChangeProposal.Status.APPROVED
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_comment = comment.strip()
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.PROPOSAL_APPROVED,
        changes={**changes, VERSION_KEY: [old_version, new_version]},
        note=comment or _("Proposal #%(n)s") % {"n": proposal.pk},
    )
    _audit(AuditAction.UPDATE, actor=actor, service=service, fields=changes, proposal=proposal.pk)
    return service


@transaction.atomic
def proposal_reject(*, actor: User, proposal: ChangeProposal, comment: str) -> ChangeProposal:
    require(actor, "directory.review_proposal", proposal.service)
    comment = (comment or "").strip()
    if not comment:
        raise BusinessRuleError(_("Say why the proposal is rejected: the organisation will read it."))
    proposal = _pending(proposal)
    proposal.status = ChangeProposal.Status.REJECTED
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_comment = comment
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=proposal,
        object_organisation_id=proposal.service.organisation_id,
        fields=["status", "review_comment"],
        detail={"status": "rejected"},
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: ChangeProposal) -> ChangeProposal:
    if not actor.is_active or proposal.proposed_by_id != actor.pk:
        raise PermissionDenied("directory.withdraw_proposal")
    proposal = _pending(proposal)
    proposal.status = ChangeProposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        target=proposal,
        object_organisation_id=proposal.service.organisation_id,
        fields=["status"],
        detail={"status": "withdrawn"},
    )
    return proposal


# Capacity ------------------------------------------------------------------------------------------------------


@transaction.atomic
def capacity_record(
    *,
    actor: User,
    service: Service,
    places: int,
    vacancies: int,
    note: str = "",
    as_of: datetime | None = None,
) -> CapacityRecord:
    """Places and vacancies now (or at ``as_of``, not in the future) of a shelter or reception centre."""
    require(actor, "directory.record_capacity", service)
    if places is None or vacancies is None or places < 0 or vacancies < 0:
        raise BusinessRuleError(_("Places and vacancies are whole numbers, zero or more."))
    if places > 100_000:
        raise BusinessRuleError(_("This number of places is not plausible."))
    if vacancies > places:
        raise BusinessRuleError(
            _("There cannot be more vacancies (%(v)s) than places (%(p)s).") % {"v": vacancies, "p": places}
        )
    now = timezone.now()
    as_of = as_of or now
    if as_of > now + timedelta(minutes=5):
        raise BusinessRuleError(_("The capacity cannot be dated in the future."))
    record = CapacityRecord.objects.create(
        service=service,
        places=places,
        vacancies=vacancies,
        as_of=as_of,
        recorded_by=actor,
        note=note.strip()[:250],
    )
    _history(
        service=service,
        actor=actor,
        kind=ServiceHistory.Kind.CAPACITY,
        changes={"capacity": [None, f"{vacancies}/{places}"]},
        note=note,
    )
    _audit(AuditAction.CREATE, actor=actor, service=service, fields=["capacity"])
    return record
