"""Open Referral HSDS 3.0 export of the directory (docs/hsds-profile.md).

``export_hsds`` writes, in a directory: ``services.json`` (a page whose ``contents`` are services in the
"service_full" shape of schema/compiled/service.json), ``organizations.json``, ``taxonomies.json`` and
``taxonomy_terms.json`` (pages as in the official ``*_list.json`` examples), and the tabular datapackage
``csv/datapackage.json`` with one CSV per HSDS table. What each audience sees is decided by
``himaya.directory.visibility`` only: fields above the audience are left out, phones above it are left out,
confidential locations lose their address and coordinates and show their front-door telephone instead.

Services are read in chunks with a constant number of queries per chunk (``iterator(chunk_size=...)`` with
prefetching), so the export of 20,000 services stays within seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from himaya.accounts.models import Organisation
from himaya.core import audit
from himaya.core.models import AuditAction, City, Province, Region
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.models import (
    Accessibility,
    CapacityRecord,
    CostOption,
    Location,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from himaya.directory.visibility import (
    CAPACITY_AUDIENCE,
    CONFIGURABLE_FIELDS,
    VERIFICATION_AUDIENCE,
    Audience,
    address_visible,
    field_visible,
    location_view,
    visible_phones,
)

HSDS_VERSION = "3.0"
PROFILE_URI = "https://github.com/himaya/himaya/blob/main/docs/hsds-profile.md"
# Deterministic ids for the rows Himaya derives (front-door phone, term links, addresses).
HIMAYA_NAMESPACE = uuid.UUID("5d0c1d52-5b1e-4c55-9a3e-2f1f6f0b7a11")
_NAMESPACE_BYTES = HIMAYA_NAMESPACE.bytes
# HSDS knows four statuses; ours has a fifth, exported as "active" plus the profile field "himaya_status".
HSDS_STATUS = {
    ServiceStatus.ACTIVE: "active",
    ServiceStatus.NOT_ACCEPTING: "active",
    ServiceStatus.TEMPORARILY_CLOSED: "temporarily closed",
    ServiceStatus.INACTIVE: "inactive",
    ServiceStatus.DEFUNCT: "defunct",
}
CHUNK_SIZE = 1000


def derived_id(*parts: object) -> str:
    """uuid5(HIMAYA_NAMESPACE, "a:b:c") as text, computed without building UUID objects (hot in exports)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + ":".join(map(str, parts)).encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def reference_dir() -> Path | None:
    """The official HSDS schemas and examples: $HIMAYA_HSDS_DIR, else ../shared/hsds beside the checkout,
    else /work/shared/hsds. None when none exists (the import then checks structure without them; see
    ``schema_dir`` for the copy of the schemas shipped with Himaya)."""
    configured = os.environ.get("HIMAYA_HSDS_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path(__file__).resolve().parents[4] / "shared" / "hsds", Path("/work/shared/hsds")]
    for candidate in candidates:
        if (candidate / "schema" / "service.json").is_file():
            return candidate
    return None


PACKAGED_SCHEMAS = Path(__file__).resolve().parent / "data" / "hsds" / "schema"


def schema_dir() -> Path:
    """The schemas to validate imports against: the reference copy when present, else the packaged one."""
    reference = reference_dir()
    return reference / "schema" if reference is not None else PACKAGED_SCHEMAS


TABLES: dict[str, tuple[str, tuple[tuple[str, str, bool], ...]]] = {
    "organization": (
        "organizations.csv",
        (
            ("id", "string", True),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", True),
            ("email", "string", False),
            ("website", "string", False),
            ("tax_status", "string", False),
            ("tax_id", "string", False),
            ("year_incorporated", "number", False),
            ("legal_status", "string", False),
            ("logo", "string", False),
            ("uri", "string", False),
            ("parent_organization_id", "string", False),
        ),
    ),
    "program": (
        "programs.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", True),
        ),
    ),
    "service": (
        "services.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("program_id", "string", False),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", False),
            ("url", "string", False),
            ("email", "string", False),
            ("status", "string", True),
            ("interpretation_services", "string", False),
            ("application_process", "string", False),
            ("fees_description", "string", False),
            ("wait_time", "string", False),
            ("fees", "string", False),
            ("accreditations", "string", False),
            ("eligibility_description", "string", False),
            ("minimum_age", "number", False),
            ("maximum_age", "number", False),
            ("assured_date", "date", False),
            ("assurer_email", "string", False),
            ("licenses", "string", False),
            ("alert", "string", False),
            ("last_modified", "datetime", False),
        ),
    ),
    "attribute": (
        "attributes.csv",
        (
            ("id", "string", True),
            ("link_id", "string", True),
            ("taxonomy_term_id", "string", True),
            ("link_type", "string", False),
            ("link_entity", "string", True),
            ("value", "string", False),
        ),
    ),
    "service_at_location": (
        "service_at_location.csv",
        (
            ("id", "string", True),
            ("service_id", "string", True),
            ("location_id", "string", True),
            ("description", "string", False),
        ),
    ),
    "location": (
        "locations.csv",
        (
            ("id", "string", True),
            ("location_type", "string", True),
            ("url", "string", False),
            ("organization_id", "string", False),
            ("name", "string", False),
            ("alternate_name", "string", False),
            ("description", "string", False),
            ("transportation", "string", False),
            ("latitude", "number", False),
            ("longitude", "number", False),
            ("external_identifier", "string", False),
            ("external_identifier_type", "string", False),
        ),
    ),
    "phone": (
        "phones.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("service_id", "string", False),
            ("organization_id", "string", False),
            ("contact_id", "string", False),
            ("service_at_location_id", "string", False),
            ("number", "string", True),
            ("extension", "number", False),
            ("type", "string", False),
            ("description", "string", False),
        ),
    ),
    "contact": (
        "contacts.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", False),
            ("service_id", "string", False),
            ("service_at_location_id", "string", False),
            ("location_id", "string", False),
            ("name", "string", False),
            ("title", "string", False),
            ("department", "string", False),
            ("email", "string", False),
        ),
    ),
    "address": (
        "addresses.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("attention", "string", False),
            ("address_1", "string", True),
            ("address_2", "string", False),
            ("city", "string", True),
            ("region", "string", False),
            ("state_province", "string", True),
            ("postal_code", "string", True),
            ("country", "string", True),
            ("address_type", "string", True),
        ),
    ),
    "schedule": (
        "schedules.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("location_id", "string", False),
            ("service_at_location_id", "string", False),
            ("valid_from", "date", False),
            ("valid_to", "date", False),
            ("dtstart", "date", False),
            ("timezone", "number", False),
            ("until", "date", False),
            ("count", "number", False),
            ("wkst", "string", False),
            ("freq", "string", False),
            ("interval", "number", False),
            ("byday", "string", False),
            ("byweekno", "string", False),
            ("bymonthday", "string", False),
            ("byyearday", "string", False),
            ("description", "string", False),
            ("opens_at", "time", False),
            ("closes_at", "time", False),
            ("schedule_link", "string", False),
            ("attending_type", "string", False),
            ("notes", "string", False),
        ),
    ),
    "funding": (
        "funding.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", False),
            ("service_id", "string", False),
            ("source", "string", False),
        ),
    ),
    "service_area": (
        "service_areas.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("name", "string", False),
            ("description", "string", False),
            ("extent", "string", False),
            ("extent_type", "string", False),
            ("uri", "string", False),
        ),
    ),
    "required_document": (
        "required_documents.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("document", "string", False),
            ("uri", "string", False),
        ),
    ),
    "language": (
        "languages.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("location_id", "string", False),
            ("phone_id", "string", False),
            ("name", "string", False),
            ("code", "string", False),
            ("note", "string", False),
        ),
    ),
    "accessibility": (
        "accessibility.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("description", "string", False),
            ("details", "string", False),
            ("url", "string", False),
        ),
    ),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        (
            ("id", "string", True),
            ("code", "string", False),
            ("name", "string", True),
            ("description", "string", True),
            ("parent_id", "string", False),
            ("taxonomy", "string", False),
            ("language", "string", False),
            ("taxonomy_id", "string", False),
            ("term_uri", "string", False),
        ),
    ),
    "metadata": (
        "metadata.csv",
        (
            ("id", "string", True),
            ("resource_id", "string", True),
            ("resource_type", "string", True),
            ("last_action_date", "date", True),
            ("last_action_type", "string", True),
            ("field_name", "string", True),
            ("previous_value", "string", True),
            ("replacement_value", "string", True),
            ("updated_by", "string", True),
        ),
    ),
    "meta_table_description": (
        "meta_table_descriptions.csv",
        (
            ("id", "string", True),
            ("name", "string", False),
            ("language", "string", False),
            ("character_set", "string", False),
        ),
    ),
    "cost_option": (
        "cost_options.csv",
        (
            ("id", "string", True),
            ("service_id", "string", True),
            ("valid_from", "date", False),
            ("valid_to", "date", False),
            ("option", "string", False),
            ("currency", "string", False),
            ("amount", "number", False),
            ("amount_description", "string", False),
        ),
    ),
    "organization_identifier": (
        "organization_identifiers.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("identifier_scheme", "string", False),
            ("identifier_type", "string", True),
            ("identifier", "string", True),
        ),
    ),
    "taxonomy": (
        "taxonomies.csv",
        (
            ("id", "string", True),
            ("name", "string", True),
            ("description", "string", True),
            ("uri", "string", False),
            ("version", "string", False),
        ),
    ),
}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values (HSDS: absent rather than empty); keep zeros and False."""
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _time(value: time) -> str:
    return value.replace(microsecond=0).isoformat()


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def taxonomy_to_hsds(taxonomy: Taxonomy) -> dict[str, Any]:
    return _clean(
        {
            "id": str(taxonomy.id),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
            "himaya_code": taxonomy.code,
        }
    )


def term_to_hsds(term: TaxonomyTerm, *, detail: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "description": term.description or term.name,
        "parent_id": str(term.parent_id) if term.parent_id else None,
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": str(term.taxonomy_id),
        "language": term.language,
        "term_uri": term.term_uri,
        "himaya_family": term.family,
        "himaya_translations": _clean({"ar": term.name_ar, "en": term.name_en}),
    }
    if detail:
        data["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy)
    return _clean(data)


def phone_to_hsds(phone: Phone, **links: str) -> dict[str, Any]:
    return _clean(
        {
            "id": str(phone.id),
            **links,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "languages": [
                {"id": derived_id("phone-language", phone.id, code), "phone_id": str(phone.id), "code": code}
                for code in phone.languages or []
            ],
            "himaya_visibility": phone.visibility if phone.visibility != "public" else "",
        }
    )


def schedule_to_hsds(schedule: dict[str, Any], **links: str) -> dict[str, Any]:
    """A schedule row (``Schedule.objects.values()``) as a weekly HSDS schedule of one day."""
    return _clean(
        {
            "id": str(schedule["id"]),
            **links,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": schedule["weekday"],
            "opens_at": _time(schedule["opens_at"]),
            "closes_at": _time(schedule["closes_at"]),
            "valid_from": _iso(schedule["valid_from"]),
            "valid_to": _iso(schedule["valid_to"]),
            "description": schedule["description"],
            "notes": schedule["notes"],
        }
    )


SCHEDULE_FIELDS = ("id", "weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description", "notes")


class Related:
    """Everything the services of one chunk need, read with a constant number of queries and grouped in
    Python (Django's per-instance prefetch machinery costs more than the queries at 20,000 services)."""

    def __init__(self, service_ids: list[Any], audience: Audience, cache: ExportCache) -> None:
        self.audience = audience
        self.cache = cache
        self.phones = _group(Phone.objects.filter(service_id__in=service_ids), "service_id")
        # The two largest tables are read with their uuids as text and grouped by the service's id as text.
        self.schedules = _group_text(
            Schedule.objects.filter(service_id__in=service_ids), "service_id", SCHEDULE_FIELDS
        )
        self.languages = _group_text(
            ServiceLanguage.objects.filter(service_id__in=service_ids),
            "service_id",
            ("id", "code", "name", "note"),
        )
        self.cost_options = _group_values(
            CostOption.objects.filter(service_id__in=service_ids),
            "service_id",
            ("id", "option", "amount", "currency", "amount_description", "valid_from", "valid_to"),
        )
        self.documents = _group_values(
            RequiredDocument.objects.filter(service_id__in=service_ids),
            "service_id",
            ("id", "document", "uri"),
        )
        self.areas = _group_values(
            ServiceArea.objects.filter(service_id__in=service_ids),
            "service_id",
            ("id", "name", "description", "province_id", "region_id"),
        )
        self.terms: dict[str, list[str]] = {}
        for service_id, term_id in (
            Service.terms.through.objects.filter(service_id__in=service_ids)
            .order_by("service_id", "taxonomyterm_id")
            .values_list(_text("service_id"), _text("taxonomyterm_id"))
        ):
            self.terms.setdefault(_uuid_text(service_id), []).append(_uuid_text(term_id))
        self.sals = _group_values(
            ServiceAtLocation.objects.filter(service_id__in=service_ids).order_by("id"),
            "service_id",
            ("id", "location_id", "description"),
        )
        sal_ids = [sal["id"] for rows in self.sals.values() for sal in rows]
        self.sal_phones = _group(
            Phone.objects.filter(service_at_location_id__in=sal_ids), "service_at_location_id"
        )
        self.sal_schedules = _group_values(
            Schedule.objects.filter(service_at_location_id__in=sal_ids),
            "service_at_location_id",
            SCHEDULE_FIELDS,
        )
        cache.load_locations({sal["location_id"] for rows in self.sals.values() for sal in rows}, audience)
        self.capacity: dict[Any, dict[str, Any]] = {}
        if audience >= CAPACITY_AUDIENCE:
            for record in (
                CapacityRecord.objects.filter(service_id__in=service_ids)
                .order_by("service_id", "-as_of")
                .values("service_id", "places", "vacancies", "as_of")
            ):
                self.capacity.setdefault(record["service_id"], dict(record))


def _group(queryset: QuerySet[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for item in queryset:
        grouped.setdefault(getattr(item, key), []).append(item)
    return grouped


def _text(name: str) -> Cast:
    return Cast(name, output_field=CharField())


def _uuid_text(value: str) -> str:
    """A uuid read as text: PostgreSQL gives its canonical form, SQLite its 32 hexadecimal digits."""
    if len(value) == 36:
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _group_text(
    queryset: QuerySet[Any], key: str, fields: tuple[str, ...], uuids: tuple[str, ...] = ("id",)
) -> dict[str, list[dict[str, Any]]]:
    """As ``_group_values``, keyed by ``key`` (a uuid) as text, with the ``uuids`` fields as text: at 20,000
    services, building uuid objects only to print them costs seconds."""
    texts = {f"_text_{name}": _text(name) for name in (key, *uuids)}
    plain = [name for name in fields if name not in uuids]
    grouped: dict[str, list[dict[str, Any]]] = {}
    # The model's own order, then the id: exports are identical from one run (and database) to the next.
    order = [*queryset.model._meta.ordering, "pk"]
    for row in queryset.order_by(*order).values(*plain, **texts):
        for name in uuids:
            row[name] = _uuid_text(row.pop(f"_text_{name}"))
        grouped.setdefault(_uuid_text(row.pop(f"_text_{key}")), []).append(row)
    return grouped


def _group_values(
    queryset: QuerySet[Any], key: str, fields: tuple[str, ...]
) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = {}
    order = queryset.query.order_by or [*queryset.model._meta.ordering, "pk"]
    for row in queryset.order_by(*order).values(key, *fields):
        grouped.setdefault(row[key], []).append(row)
    return grouped


class ExportCache:
    """What is the same for every service of an export: territories, terms, organisations, locations."""

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.cities: dict[Any, City] = {city.pk: city for city in City.objects.all()}
        self.provinces: dict[Any, Province] = {province.pk: province for province in Province.objects.all()}
        self.regions: dict[Any, Region] = {region.pk: region for region in Region.objects.all()}
        self.terms = {
            str(term.pk): term_to_hsds(term) for term in TaxonomyTerm.objects.select_related("taxonomy")
        }
        self.organisation_phones = _group(Phone.objects.filter(organisation__isnull=False), "organisation_id")
        self.organisations: dict[int, dict[str, Any]] = {}
        self.locations: dict[Any, dict[str, Any]] = {}

    def organization(self, organisation: Organisation) -> dict[str, Any]:
        if organisation.pk not in self.organisations:
            phones = [
                phone_to_hsds(phone, organization_id=str(organisation.hsds_id))
                for phone in visible_phones(self.organisation_phones.get(organisation.pk, []), self.audience)
            ]
            self.organisations[organisation.pk] = organization_to_hsds(organisation, phones)
        return self.organisations[organisation.pk]

    def load_locations(self, ids: set[Any], audience: Audience) -> None:
        missing = [pk for pk in ids if pk not in self.locations]
        if not missing:
            return
        phones = _group(Phone.objects.filter(location_id__in=missing), "location_id")
        schedules = _group_values(
            Schedule.objects.filter(location_id__in=missing), "location_id", SCHEDULE_FIELDS
        )
        accessibility = _group_values(
            Accessibility.objects.filter(location_id__in=missing),
            "location_id",
            ("id", "description", "details", "url"),
        )
        for location in Location.objects.filter(id__in=missing).select_related("organisation"):
            # Territories from the cache (select_related would build three objects per location).
            location.city = self.cities.get(location.city_id)
            location.province = self.provinces.get(location.province_id)
            location.region = self.regions.get(location.region_id)
            self.locations[location.id] = location_to_hsds(
                location,
                audience,
                phones=phones.get(location.id, []),
                schedules=schedules.get(location.id, []),
                accessibility=accessibility.get(location.id, []),
            )


def organization_to_hsds(
    organisation: Organisation, phones: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    data = _clean(
        {
            "id": str(organisation.hsds_id),
            "name": organisation.name,
            "alternate_name": organisation.acronym,
            "email": organisation.email,
            "website": organisation.website,
            "phones": phones or [],
            "himaya_translations": _clean({"ar": _clean({"name": organisation.name_ar})}),
        }
    )
    data["description"] = organisation.description  # required by HSDS, may be empty
    return data


def address_to_hsds(location: Location) -> dict[str, Any]:
    """The inline physical address as an HSDS address (required fields present, possibly empty)."""
    return {
        "id": derived_id("address", location.id),
        "location_id": str(location.id),
        "address_1": location.address_1,
        "address_2": location.address_2,
        "city": location.city_name or (location.city.name_fr if location.city else ""),
        "region": location.region.name_fr if location.region else "",
        "state_province": location.province.name_fr if location.province else "",
        "postal_code": location.postal_code,
        "country": location.country or "MA",
        "address_type": "postal" if location.location_type == Location.Kind.POSTAL else "physical",
    }


def location_to_hsds(
    location: Location,
    audience: Audience,
    *,
    phones: list[Phone],
    schedules: list[dict[str, Any]],
    accessibility: list[dict[str, Any]],
) -> dict[str, Any]:
    """A location as ``audience`` may see it (visibility.location_view decides)."""
    view = location_view(location, audience)
    shown = address_visible(location, audience)
    lid = str(location.id)
    phone_items = [phone_to_hsds(p, location_id=lid) for p in visible_phones(phones, audience)]
    if location.is_confidential and location.front_door_phone:
        phone_items.append(
            _clean(
                {
                    "id": derived_id("front-door", location.id),
                    "location_id": lid,
                    "number": location.front_door_phone,
                    "type": "voice",
                    "description": location.front_door_note,
                    "himaya_front_door": True,
                }
            )
        )
    place = _clean(
        {
            "city": location.city.slug if location.city else "",
            "city_name": view["city_name"],
            "province_code": location.province.code if location.province else "",
            "region_code": location.region.code if location.region else "",
        }
    )
    data = _clean(
        {
            "id": lid,
            "organization_id": str(location.organisation.hsds_id),
            "location_type": location.location_type,
            "url": location.url,
            "name": location.name,
            "alternate_name": location.alternate_name,
            "description": location.description,
            "transportation": view["transportation"],
            "latitude": _number(view["latitude"]),
            "longitude": _number(view["longitude"]),
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
            "addresses": [address_to_hsds(location)] if shown and location.address_1 else [],
            "accessibility": [
                _clean(
                    {
                        "id": str(item["id"]),
                        "location_id": lid,
                        **{k: item[k] for k in ("description", "details", "url")},
                    }
                )
                for item in accessibility
            ],
            "phones": phone_items,
            "schedules": [schedule_to_hsds(s, location_id=lid) for s in schedules],
            "himaya_translations": _clean({"ar": _clean({"name": location.name_ar})}),
            "himaya_place": place,
        }
    )
    if location.is_confidential:
        data["himaya_confidential"] = True
    return data


def _eligibility(service: Service) -> dict[str, Any]:
    return _clean(
        {
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "sexes": list(service.eligible_sexes or []),
            "migration_statuses": list(service.eligible_migration_statuses or []),
            "violence_forms": list(service.eligible_violence_forms or []),
        }
    )


def service_to_hsds(
    service: Service,
    audience: Audience = Audience.PUBLIC,
    *,
    related: Related | None = None,
    cache: ExportCache | None = None,
) -> dict[str, Any]:
    """One service in the "service_full" shape, as ``audience`` may see it. Without ``related`` (one
    service, e.g. an API detail) the related rows are read for it alone."""
    if cache is None:
        cache = related.cache if related is not None else ExportCache(audience)
    if related is None:
        related = Related([service.id], audience, cache)
    key = service.id
    sid = str(key)

    def shown(name: str) -> Any:
        return getattr(service, name) if field_visible(service, name, audience) else ""

    organisation = service.organisation
    translations: dict[str, Any] = {}
    for language in ("ar", "en"):
        translations[language] = _clean(
            {
                "name": getattr(service, f"name_{language}"),
                "description": getattr(service, f"description_{language}") if shown("description") else "",
            }
        )
    alert = service.current_alert()
    data: dict[str, Any] = {
        "id": sid,
        "organization_id": str(organisation.hsds_id),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "status": HSDS_STATUS.get(ServiceStatus(service.status), "inactive"),
        "alert": alert,
        "last_modified": service.updated_at.isoformat().replace("+00:00", "Z")
        if service.updated_at
        else None,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
    }
    for name in CONFIGURABLE_FIELDS:
        data[name] = shown(name)
    sals = []
    for sal in related.sals.get(key, []):
        sal_id = str(sal["id"])
        sals.append(
            _clean(
                {
                    "id": sal_id,
                    "service_id": sid,
                    "location_id": str(sal["location_id"]),
                    "description": sal["description"],
                    "phones": [
                        phone_to_hsds(p, service_at_location_id=sal_id)
                        for p in visible_phones(related.sal_phones.get(sal["id"], []), audience)
                    ],
                    "schedules": [
                        schedule_to_hsds(s, service_at_location_id=sal_id)
                        for s in related.sal_schedules.get(sal["id"], [])
                    ],
                    "location": cache.locations[sal["location_id"]],
                }
            )
        )
    areas = []
    for area in related.areas.get(key, []):
        province = cache.provinces.get(area["province_id"])
        region = cache.regions.get(area["region_id"])
        areas.append(
            _clean(
                {
                    "id": str(area["id"]),
                    "service_id": sid,
                    "name": area["name"]
                    or (province.name_fr if province else region.name_fr if region else ""),
                    "description": area["description"],
                    "himaya_area": _clean(
                        {
                            "province_code": province.code if province else "",
                            "region_code": region.code if region else "",
                        }
                    ),
                }
            )
        )
    data |= {
        "phones": [
            phone_to_hsds(p, service_id=sid) for p in visible_phones(related.phones.get(key, []), audience)
        ],
        "schedules": [schedule_to_hsds(s, service_id=sid) for s in related.schedules.get(sid, [])],
        "service_areas": areas,
        "service_at_locations": sals,
        "languages": [
            _clean(
                {
                    "id": str(language["id"]),
                    "service_id": sid,
                    "code": language["code"],
                    "name": language["name"] or LANGUAGES.get(language["code"], ("", "", ""))[2],
                    "note": language["note"],
                }
            )
            for language in sorted(related.languages.get(sid, []), key=lambda row: row["code"])
        ],
        "organization": cache.organization(organisation),
        "cost_options": [
            _clean(
                {
                    "id": str(cost["id"]),
                    "service_id": sid,
                    "option": cost["option"],
                    "amount": _number(cost["amount"]),
                    "currency": cost["currency"],
                    "amount_description": cost["amount_description"],
                    "valid_from": _iso(cost["valid_from"]),
                    "valid_to": _iso(cost["valid_to"]),
                }
            )
            for cost in related.cost_options.get(key, [])
        ],
        "required_documents": [
            _clean({"id": str(doc["id"]), "service_id": sid, "document": doc["document"], "uri": doc["uri"]})
            for doc in related.documents.get(key, [])
        ],
        "attributes": [
            {
                "id": derived_id("attribute", key, term_id),
                "link_id": sid,
                "taxonomy_term_id": str(term_id),
                "link_type": "taxonomy",
                "link_entity": "service",
                "taxonomy_term": cache.terms[term_id],
            }
            for term_id in sorted(related.terms.get(sid, []))
        ],
        # Himaya profile (docs/hsds-profile.md): HSDS allows additional properties.
        "himaya_status": service.status,
        "alert_until": _iso(service.alert_until) if alert else None,
        "eligibility": _eligibility(service),
        "himaya_translations": _clean(translations),
    }
    if audience >= VERIFICATION_AUDIENCE and service.verified_at:
        data["assured_date"] = service.verified_at.date().isoformat()
        data["verification"] = _clean(
            {
                "verified_at": _iso(service.verified_at),
                "method": service.verification_method,
                "due": _iso(service.verification_due),
            }
        )
    capacity = related.capacity.get(key)
    if audience >= CAPACITY_AUDIENCE and capacity:
        data["capacity"] = {
            "places": capacity["places"],
            "vacancies": capacity["vacancies"],
            "as_of": _iso(capacity["as_of"]),
        }
    if audience >= Audience.NETWORK and service.field_visibility:
        data["himaya_field_visibility"] = dict(service.field_visibility)
    return _clean(data)


def export_queryset(audience: Audience = Audience.PUBLIC) -> QuerySet[Service]:
    """The services an export holds: listed ones for the public, all for the network."""
    return Service.objects.all() if audience >= Audience.NETWORK else Service.objects.listed()


def iter_services(
    audience: Audience = Audience.PUBLIC,
    queryset: QuerySet[Service] | None = None,
    *,
    cache: ExportCache | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Services in id order, ``chunk_size`` at a time, each chunk with a constant number of queries."""
    queryset = (export_queryset(audience) if queryset is None else queryset).order_by("id")
    cache = cache or ExportCache(audience)
    last: Any = None
    while True:
        page_query = queryset if last is None else queryset.filter(id__gt=last)
        chunk = list(page_query.select_related("organisation")[:chunk_size])
        if not chunk:
            return
        related = Related([service.id for service in chunk], audience, cache)
        for service in chunk:
            yield service_to_hsds(service, audience, related=related, cache=cache)
        last = chunk[-1].id


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """The paginated wrapper of the official ``*_list.json`` examples (one page holding everything)."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


# --- Tabular datapackage ----------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe. Numbers and telephone numbers
    ("+212 5 22 ..", "-7.5") are data, not formulas, and are kept."""
    if not value or not value.startswith(FORMULA_PREFIXES):
        return value
    stripped = value.replace(" ", "").replace(".", "").replace("-", "").replace("(", "").replace(")", "")
    if value[0] in "+-" and stripped.lstrip("+").isdigit():
        return value
    return "'" + value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return neutralise(str(value))


def datapackage_descriptor() -> dict[str, Any]:
    """datapackage.json: the official HSDS 3.0 tabular data package, one resource per table."""
    return {
        "name": "human_services_data",
        "title": "Himaya directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "homepage": "http://docs.openreferral.org",
        "resources": [
            {
                "name": name,
                "path": path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "primaryKey": "id",
                    "fields": [
                        {"name": column, "type": kind, "constraints": {"required": required}}
                        for column, kind, required in columns
                    ],
                },
            }
            for name, (path, columns) in TABLES.items()
        ],
    }


class TabularWriter:
    """Streams rows into one CSV per HSDS table; each object is written once (by id)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, TextIO] = {}
        self._writers: dict[str, Any] = {}
        self._seen: dict[str, set[Any]] = {name: set() for name in TABLES}
        self._columns = {
            name: [column for column, _kind, _required in columns] for name, (_p, columns) in TABLES.items()
        }
        self._required = {
            name: [index for index, (_c, _k, required) in enumerate(columns) if required]
            for name, (_p, columns) in TABLES.items()
        }
        for name, (path, columns) in TABLES.items():
            handle = (directory / path).open("w", encoding="utf-8", newline="")
            self._files[name] = handle
            self._writers[name] = csv.writer(handle)
            self._writers[name].writerow([column for column, _kind, _required in columns])

    def row(self, table: str, data: dict[str, Any], **extra: Any) -> None:
        values = data | extra if extra else data
        key = values.get("id")
        seen = self._seen[table]
        if key in seen:
            return
        cells = [values.get(column) for column in self._columns[table]]
        if any(cells[index] in (None, "") for index in self._required[table]):
            return  # e.g. an address without postal code: HSDS tabular requires it (docs/hsds-profile.md)
        seen.add(key)
        self._writers[table].writerow(
            [
                (value if not value or value[0] not in FORMULA_FIRST else neutralise(value))
                if type(value) is str
                else _cell(value)
                for value in cells
            ]
        )

    def phones(self, phones: Iterable[dict[str, Any]]) -> None:
        for phone in phones:
            self.row("phone", phone)
            for language in phone.get("languages", []):
                self.row("language", language)

    def schedules(self, schedules: Iterable[dict[str, Any]]) -> None:
        for schedule in schedules:
            self.row("schedule", schedule)

    def location(self, location: dict[str, Any]) -> None:
        if location["id"] in self._seen["location"]:
            return
        self.row("location", location)
        for address in location.get("addresses", []):
            self.row("address", address)
        for item in location.get("accessibility", []):
            self.row("accessibility", item)
        self.phones(location.get("phones", []))
        self.schedules(location.get("schedules", []))

    def service(self, service: dict[str, Any]) -> None:
        self.row("service", service)
        self.phones(service.get("phones", []))
        self.schedules(service.get("schedules", []))
        for table, key in (
            ("service_area", "service_areas"),
            ("language", "languages"),
            ("cost_option", "cost_options"),
            ("required_document", "required_documents"),
            ("attribute", "attributes"),
        ):
            for item in service.get(key, []):
                self.row(table, item)
        for sal in service.get("service_at_locations", []):
            self.row("service_at_location", sal)
            self.phones(sal.get("phones", []))
            self.schedules(sal.get("schedules", []))
            self.location(sal["location"])

    def organization(self, organization: dict[str, Any]) -> None:
        self.row(
            "organization", organization, description=organization.get("description") or organization["name"]
        )
        self.phones(organization.get("phones", []))

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        (self.directory / "datapackage.json").write_text(
            json.dumps(datapackage_descriptor(), indent=2, ensure_ascii=False), encoding="utf-8"
        )


# --- The export service ------------------------------------------------------------------------------------

FORMATS = ("json", "csv", "both")


@dataclass
class ExportReport:
    directory: Path
    audience: Audience
    format: str
    services: int = 0
    organizations: int = 0
    taxonomies: int = 0
    taxonomy_terms: int = 0
    files: list[Path] = field(default_factory=list)


def _write_page(path: Path, items: Iterable[dict[str, Any]]) -> int:
    """A page written item by item: ``contents`` first, the totals after (JSON objects are unordered)."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"contents": [')
        for item in items:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(item, ensure_ascii=False, sort_keys=True))
            count += 1
        totals = {key: value for key, value in page([]).items() if key != "contents"}
        totals |= {"total_items": count, "size": count, "empty": count == 0}
        handle.write("\n], " + json.dumps(totals)[1:] + "\n")
    return count


def export_hsds(
    directory: str | Path,
    *,
    actor: Any = None,
    audience: Audience = Audience.PUBLIC,
    format: str = "both",
    queryset: QuerySet[Service] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ExportReport:
    """Write the directory as HSDS 3.0 into ``directory`` for ``audience``; record an audit event.

    ``actor`` None means the system (the CLI); otherwise the actor needs ``directory.export`` (and
    ``directory.view_directory`` for the network audience)."""
    from himaya.accounts.policies import require

    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    audience = Audience(audience)
    if audience > Audience.NETWORK:
        raise ValueError("exports are for the public or the network audience")
    if actor is not None:
        require(actor, "directory.export")
        if audience >= Audience.NETWORK:
            require(actor, "directory.view_directory")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    report = ExportReport(directory=target, audience=audience, format=format)
    want_json = format in ("json", "both")
    tabular = TabularWriter(target / "csv") if format in ("csv", "both") else None
    cache = ExportCache(audience)
    organizations = cache.organisations

    def services() -> Iterator[dict[str, Any]]:
        for item in iter_services(audience, queryset, cache=cache, chunk_size=chunk_size):
            if tabular is not None:
                tabular.service(item)
            yield item

    if want_json:
        report.services = _write_page(target / "services.json", services())
        report.files.append(target / "services.json")
    else:
        report.services = sum(1 for _item in services())
    organization_list = sorted(organizations.values(), key=lambda item: item["id"])
    report.organizations = len(organization_list)
    taxonomies = [taxonomy_to_hsds(t) for t in Taxonomy.objects.order_by("code")]
    terms = [
        term_to_hsds(t)
        for t in TaxonomyTerm.objects.select_related("taxonomy").order_by(
            "taxonomy__code", "position", "code"
        )
    ]
    report.taxonomies, report.taxonomy_terms = len(taxonomies), len(terms)
    if want_json:
        for name, items in (
            ("organizations.json", organization_list),
            ("taxonomies.json", taxonomies),
            ("taxonomy_terms.json", terms),
        ):
            _write_page(target / name, items)
            report.files.append(target / name)
    if tabular is not None:
        for organization in organization_list:
            tabular.organization(organization)
        for taxonomy in taxonomies:
            tabular.row("taxonomy", taxonomy)
        for term in terms:
            tabular.row("taxonomy_term", term)
        tabular.close()
        report.files.append(target / "csv" / "datapackage.json")
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="directory.service",
        detail={
            "format": "hsds-" + format,
            "audience": audience.name.lower(),
            "services": report.services,
            "organizations": report.organizations,
        },
    )
    return report
