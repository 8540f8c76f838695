"""The one place that turns directory rows into HSDS objects (service, service_at_location, location,
organization) for an audience; the read API (``himaya.directory.api``) and the export (``himaya.directory.hsds``)
both build them here.

What an audience may see is decided by ``himaya.directory.visibility`` only: this module asks it for every
field, phone and address. The objects built here are in the shape of the HSDS read API (``schemas.py``: every
field present, "" or None when hidden or empty), with identifiers and dates as text, plus a few Himaya profile
members the export writes (``eligibility``, ``himaya_translations``, ``verification``, ``capacity``…). The
export only reshapes them (``hsds.export_service``): it drops empty members and renames profile ones; it makes no
visibility decision of its own.

Related rows are read with a constant number of queries per batch of services (``Related``) and grouped in
Python from ``values()`` (Django's per-instance prefetching costs more than the queries: 20,000 services are
exported within seconds, and an API page builds from a handful of queries).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from himaya.accounts.models import Organisation
from himaya.core.models import City, Province, Region
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

AudienceOf = Callable[[Any], Audience]
# Deterministic ids for the rows Himaya derives (front-door phone, term links, addresses).
HIMAYA_NAMESPACE = uuid.UUID("5d0c1d52-5b1e-4c55-9a3e-2f1f6f0b7a11")
_NAMESPACE_BYTES = HIMAYA_NAMESPACE.bytes
TIMEZONE = "Africa/Casablanca"
SCHEDULE_FIELDS = ("id", "weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description", "notes")


def derived_id(*parts: object) -> str:
    """uuid5(HIMAYA_NAMESPACE, "a:b:c") as text, computed without building UUID objects (hot in exports)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + ":".join(map(str, parts)).encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def fixed(audience: Audience) -> AudienceOf:
    """The same audience for every entry (an export)."""
    return lambda entry: audience


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _time(value: time) -> str:
    return value.replace(microsecond=0).isoformat()


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------------------------------ reading rows


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


class Catalogue:
    """What many services share, read once per request or export: territories, taxonomy terms,
    organisations and locations (each built once per audience)."""

    def __init__(self, audience_of: AudienceOf) -> None:
        self.audience_of = audience_of
        self.terms: dict[str, TaxonomyTerm] = {}
        self._term_dicts: dict[str, dict[str, Any]] = {}
        self._organisation_phones: dict[int, list[Phone]] = {}
        self._parents: dict[int, str] = {}
        self._organisations: dict[tuple[int, Audience], dict[str, Any]] = {}
        self.locations: dict[tuple[Any, Audience], dict[str, Any]] = {}
        self._location_rows: dict[Any, Location] = {}

    # -- territories (small tables, read whole when first needed)

    @cached_property
    def cities(self) -> dict[Any, City]:
        return {city.pk: city for city in City.objects.all()}

    @cached_property
    def provinces(self) -> dict[Any, Province]:
        return {province.pk: province for province in Province.objects.all()}

    @cached_property
    def regions(self) -> dict[Any, Region]:
        return {region.pk: region for region in Region.objects.all()}

    # -- taxonomy terms

    def load_terms(self, ids: Iterable[str] | None = None) -> None:
        """The given terms (by id as text), or every term when ``ids`` is None."""
        terms = TaxonomyTerm.objects.select_related("taxonomy")
        if ids is not None:
            missing = {pk for pk in ids if pk not in self.terms}
            if not missing:
                return
            terms = terms.filter(pk__in=missing)
        for item in terms:
            self.terms[str(item.pk)] = item

    def term_order(self, term_id: str) -> tuple[str, int, str]:
        """Terms in the taxonomy's order (the order of ``TaxonomyTerm``'s listings)."""
        term = self.terms[term_id]
        return (term.taxonomy.code, term.position, term.code)

    def term(self, term_id: str) -> dict[str, Any]:
        if term_id not in self._term_dicts:
            self._term_dicts[term_id] = term_dict(self.terms[term_id])
        return self._term_dicts[term_id]

    # -- organisations

    def load_organisations(self, organisations: Iterable[Organisation]) -> None:
        """Their telephones and parents, for those not read yet (one query each)."""
        missing = {o.pk: o for o in organisations if o.pk not in self._organisation_phones}
        if not missing:
            return
        for pk in missing:
            self._organisation_phones[pk] = []
        for phone in Phone.objects.filter(organisation_id__in=list(missing)):
            self._organisation_phones[phone.organisation_id or 0].append(phone)
        parents = {o.parent_id for o in missing.values() if o.parent_id and o.parent_id not in self._parents}
        if parents:
            for pk, hsds_id in Organisation.objects.filter(pk__in=parents).values_list("pk", "hsds_id"):
                self._parents[pk] = str(hsds_id)

    def organization(self, organisation: Organisation) -> dict[str, Any]:
        """The organisation with its telephones, as the caller's audience of it may see it."""
        audience = self.audience_of(organisation)
        key = (organisation.pk, audience)
        if key not in self._organisations:
            self.load_organisations([organisation])
            hsds_id = str(organisation.hsds_id)
            data = organization_list_dict(
                organisation,
                parent_id=self._parents.get(organisation.parent_id) if organisation.parent_id else None,
                province=self.provinces.get(organisation.province_id),
            )
            data["phones"] = phone_dicts(
                self._organisation_phones[organisation.pk], audience, organization_id=hsds_id
            )
            self._organisations[key] = data
        return self._organisations[key]

    # -- locations

    def load_locations(self, ids: Iterable[Any]) -> None:
        missing = [pk for pk in set(ids) if pk not in self._location_rows]
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
        for row in Location.objects.filter(id__in=missing).select_related("organisation"):
            # Territories from the catalogue (select_related would build three objects per location).
            row.city = self.cities.get(row.city_id)
            row.province = self.provinces.get(row.province_id)
            row.region = self.regions.get(row.region_id)
            row._hsds_related = (  # type: ignore[attr-defined]
                phones.get(row.id, []),
                schedules.get(row.id, []),
                accessibility.get(row.id, []),
            )
            self._location_rows[row.id] = row

    def location(self, location_id: Any) -> dict[str, Any]:
        row = self._location_rows[location_id]
        audience = self.audience_of(row)
        key = (location_id, audience)
        if key not in self.locations:
            phones, schedules, accessibility = row._hsds_related  # type: ignore[attr-defined]
            self.locations[key] = location_dict(
                row, audience, phones=phones, schedules=schedules, accessibility=accessibility
            )
        return self.locations[key]

    def location_audience(self, location_id: Any) -> Audience:
        return self.audience_of(self._location_rows[location_id])


class Related:
    """Everything a batch of fully nested services needs, read with a constant number of queries and grouped
    in Python (a list item needs nothing more than its row)."""

    def __init__(self, service_ids: list[Any], catalogue: Catalogue, *, capacity: bool = False) -> None:
        self.catalogue = catalogue
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
        catalogue.load_terms({term_id for ids in self.terms.values() for term_id in ids})
        self.links = Links(
            ServiceAtLocation.objects.filter(service_id__in=service_ids).order_by("id"), catalogue
        )
        self.capacity: dict[Any, dict[str, Any]] = {}
        if capacity:
            for record in (
                CapacityRecord.objects.filter(service_id__in=service_ids)
                .order_by("service_id", "-as_of")
                .values("service_id", "places", "vacancies", "as_of")
            ):
                self.capacity.setdefault(record["service_id"], dict(record))


class Links:
    """Services at locations (rows of ``queryset``) with their telephones, hours and locations."""

    def __init__(self, queryset: QuerySet[ServiceAtLocation], catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.rows: list[dict[str, Any]] = list(
            queryset.values("id", "service_id", "location_id", "description")  # type: ignore[arg-type]
        )
        self.by_service: dict[Any, list[dict[str, Any]]] = {}
        for row in self.rows:
            self.by_service.setdefault(row["service_id"], []).append(row)
        ids = [row["id"] for row in self.rows]
        self.phones = _group(Phone.objects.filter(service_at_location_id__in=ids), "service_at_location_id")
        self.schedules = _group_values(
            Schedule.objects.filter(service_at_location_id__in=ids), "service_at_location_id", SCHEDULE_FIELDS
        )
        catalogue.load_locations(row["location_id"] for row in self.rows)

    def link(self, row: dict[str, Any]) -> dict[str, Any]:
        """One service at a location: its telephones at the caller's audience of the location."""
        link_id = str(row["id"])
        audience = self.catalogue.location_audience(row["location_id"])
        return {
            "id": link_id,
            "service_id": str(row["service_id"]),
            "location_id": str(row["location_id"]),
            "description": row["description"],
            "phones": phone_dicts(self.phones.get(row["id"], []), audience, service_at_location_id=link_id),
            "schedules": [
                schedule_dict(s, service_at_location_id=link_id) for s in self.schedules.get(row["id"], [])
            ],
            "location": self.catalogue.location(row["location_id"]),
        }


# ---------------------------------------------------------------------------------------------- builders


def phone_dicts(phones: Iterable[Phone], audience: Audience, **links: str) -> list[dict[str, Any]]:
    """The telephones ``audience`` may see, linked to one object (``service_id=...``, ``location_id=...``)."""
    return [
        {
            "id": str(phone.id),
            "location_id": links.get("location_id"),
            "service_id": links.get("service_id"),
            "organization_id": links.get("organization_id"),
            "service_at_location_id": links.get("service_at_location_id"),
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "languages": [
                {
                    "id": derived_id("phone-language", phone.id, code),
                    "phone_id": str(phone.id),
                    "name": "",
                    "code": code,
                }
                for code in phone.languages or []
            ],
            "himaya_visibility": phone.visibility if phone.visibility != "public" else "",
        }
        for phone in visible_phones(phones, audience)
    ]


def schedule_dict(schedule: dict[str, Any], **links: str) -> dict[str, Any]:
    """A schedule row (``Schedule.objects.values()``) as a weekly HSDS schedule of one day."""
    return {
        "id": str(schedule["id"]),
        "service_id": links.get("service_id"),
        "location_id": links.get("location_id"),
        "service_at_location_id": links.get("service_at_location_id"),
        "valid_from": _iso(schedule["valid_from"]),
        "valid_to": _iso(schedule["valid_to"]),
        "opens_at": _time(schedule["opens_at"]),
        "closes_at": _time(schedule["closes_at"]),
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": schedule["weekday"],
        "description": schedule["description"],
        "notes": schedule["notes"],
        "timezone": TIMEZONE,
    }


def term_dict(term: TaxonomyTerm) -> dict[str, Any]:
    """A taxonomy term in the API's shape (the export writes its own, ``hsds.term_to_hsds``)."""
    return {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "name_ar": term.name_ar,
        "name_en": term.name_en,
        "description": term.description,
        "parent_id": _str(term.parent_id),
        "taxonomy": term.taxonomy.code,
        "taxonomy_id": str(term.taxonomy_id),
        "family": term.family,
        "language": term.language,
        "term_uri": term.term_uri,
    }


def organization_list_dict(
    organisation: Organisation, *, parent_id: str | None = None, province: Province | None = None
) -> dict[str, Any]:
    """An organisation's own fields (all public)."""
    return {
        "id": str(organisation.hsds_id),
        "name": organisation.name,
        "name_ar": organisation.name_ar,
        "alternate_name": organisation.acronym,
        "description": organisation.description,
        "email": organisation.email,
        "website": organisation.website,
        "parent_organization_id": parent_id,
        "kind": organisation.kind,
        "sector": organisation.sector,
        "province_code": province.code if province else "",
    }


def location_dict(
    location: Location,
    audience: Audience,
    *,
    phones: list[Phone],
    schedules: list[dict[str, Any]],
    accessibility: list[dict[str, Any]],
) -> dict[str, Any]:
    """A location for ``audience``: a confidential one keeps its name, city and front door, nothing more."""
    view = location_view(location, audience)
    shown = address_visible(location, audience)
    lid = str(location.id)
    province, region, city = view["province"], view["region"], view["city"]
    city_name = view["city_name"] or (city.name_fr if city else "")
    addresses = []
    if view["address_1"] or city_name:
        addresses.append(
            {
                "id": derived_id("address", location.id),
                "location_id": lid,
                "address_1": view["address_1"],
                "address_2": view["address_2"],
                "city": city_name,
                "region": region.name_fr if region else "",
                "state_province": province.name_fr if province else "",
                "postal_code": view["postal_code"],
                "country": location.country or "MA",
                "address_type": "postal" if location.location_type == Location.Kind.POSTAL else "physical",
            }
        )
    return {
        "id": lid,
        "location_type": location.location_type,
        "organization_id": str(location.organisation.hsds_id),
        "name": view["name"],
        "name_ar": view["name_ar"],
        "alternate_name": location.alternate_name if shown else "",
        "description": location.description if shown else "",
        "transportation": view["transportation"],
        "url": location.url if shown else "",
        "latitude": _number(view["latitude"]),
        "longitude": _number(view["longitude"]),
        "external_identifier": location.external_identifier if shown else "",
        "external_identifier_type": location.external_identifier_type if shown else "",
        "is_confidential": view["is_confidential"],
        "front_door_phone": view["front_door_phone"],
        "front_door_note": view["front_door_note"],
        "province_code": province.code if province else "",
        "region_code": region.code if region else "",
        "city_slug": city.slug if city else "",
        "city_name": view["city_name"],
        "addresses": addresses,
        "phones": phone_dicts(phones, audience, location_id=lid),
        "schedules": [schedule_dict(s, location_id=lid) for s in schedules] if shown else [],
        "accessibility": [
            {
                "id": str(item["id"]),
                "location_id": lid,
                "description": item["description"],
                "details": item["details"],
                "url": item["url"],
            }
            for item in accessibility
        ]
        if shown
        else [],
    }


def service_list_dict(service: Service, audience: Audience) -> dict[str, Any]:
    """The one-to-one fields of ``service`` that ``audience`` may see (HSDS service_list), with the
    Himaya profile members of the export (eligibility, translations, verification)."""
    visible = {name: field_visible(service, name, audience) for name in CONFIGURABLE_FIELDS}
    verified = service.verified_at if audience >= VERIFICATION_AUDIENCE else None
    data: dict[str, Any] = {
        "id": str(service.id),
        "organization_id": str(service.organisation.hsds_id),
        "name": service.name,
        "name_ar": service.name_ar,
        "name_en": service.name_en,
        "alternate_name": service.alternate_name,
        "status": service.status,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": verified.date().isoformat() if verified else None,
        "alert": service.current_alert(),
        "last_modified": service.updated_at.isoformat().replace("+00:00", "Z")
        if service.updated_at
        else None,
    }
    for name, shown in visible.items():
        value = getattr(service, name) if shown else ""
        data[name] = "" if value is None else str(value)
    data["alert_until"] = _iso(service.alert_until) if data["alert"] else None
    data["eligibility"] = {
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "sexes": list(service.eligible_sexes or []),
        "migration_statuses": list(service.eligible_migration_statuses or []),
        "violence_forms": list(service.eligible_violence_forms or []),
    }
    data["himaya_translations"] = {
        language: {
            "name": getattr(service, f"name_{language}"),
            "description": getattr(service, f"description_{language}") if visible["description"] else "",
        }
        for language in ("ar", "en")
    }
    data["verification"] = (
        {
            "verified_at": _iso(verified),
            "method": service.verification_method,
            "due": _iso(service.verification_due),
        }
        if verified
        else None
    )
    data["himaya_field_visibility"] = (
        dict(service.field_visibility) if audience >= Audience.NETWORK and service.field_visibility else None
    )
    return data


def service_dict(service: Service, related: Related) -> dict[str, Any]:
    """A fully nested service (HSDS service): its locations each for the caller's audience of that location."""
    catalogue = related.catalogue
    audience = catalogue.audience_of(service)
    key = service.id
    sid = str(key)
    data = service_list_dict(service, audience)
    areas = []
    for area in related.areas.get(key, []):
        province = catalogue.provinces.get(area["province_id"])
        region = catalogue.regions.get(area["region_id"])
        areas.append(
            {
                "id": str(area["id"]),
                "service_id": sid,
                "name": area["name"] or (province.name_fr if province else region.name_fr if region else ""),
                "description": area["description"],
                "region_code": region.code if region else "",
                "province_code": province.code if province else "",
            }
        )
    capacity = related.capacity.get(key)
    data |= {
        "phones": phone_dicts(related.phones.get(key, []), audience, service_id=sid),
        "schedules": [schedule_dict(s, service_id=sid) for s in related.schedules.get(sid, [])],
        "service_areas": areas,
        "service_at_locations": [related.links.link(row) for row in related.links.by_service.get(key, [])],
        "languages": [
            {
                "id": str(language["id"]),
                "service_id": sid,
                "code": language["code"],
                "name": language["name"] or LANGUAGES.get(language["code"], ("", "", ""))[2],
                "note": language["note"],
            }
            for language in sorted(related.languages.get(sid, []), key=lambda row: row["code"])
        ],
        "organization": catalogue.organization(service.organisation),
        "cost_options": [
            {
                "id": str(cost["id"]),
                "service_id": sid,
                "valid_from": _iso(cost["valid_from"]),
                "valid_to": _iso(cost["valid_to"]),
                "option": cost["option"],
                "currency": cost["currency"],
                "amount": _number(cost["amount"]),
                "amount_description": cost["amount_description"],
            }
            for cost in related.cost_options.get(key, [])
        ],
        "required_documents": [
            {"id": str(doc["id"]), "service_id": sid, "document": doc["document"], "uri": doc["uri"]}
            for doc in related.documents.get(key, [])
        ],
        "attributes": [
            {
                # Terms are a many-to-many link: a stable identifier derived from the pair.
                "id": derived_id("attribute", key, term_id),
                "link_id": sid,
                "link_type": "taxonomy",
                "link_entity": "service",
                "value": "",
                "taxonomy_term_id": term_id,
                "taxonomy_term": catalogue.term(term_id),
            }
            for term_id in sorted(related.terms.get(sid, []), key=catalogue.term_order)
        ],
        "capacity": {
            "places": capacity["places"],
            "vacancies": capacity["vacancies"],
            "as_of": _iso(capacity["as_of"]),
        }
        if capacity and audience >= CAPACITY_AUDIENCE
        else None,
    }
    return data


def service_dicts(
    services: list[Service], catalogue: Catalogue, *, full: bool, capacity: bool = False
) -> list[dict[str, Any]]:
    """Services (with their organisation selected) as list items or fully nested, in their order."""
    if not full:
        return [service_list_dict(service, catalogue.audience_of(service)) for service in services]
    catalogue.load_organisations(service.organisation for service in services)
    related = Related([service.id for service in services], catalogue, capacity=capacity)
    return [service_dict(service, related) for service in services]
