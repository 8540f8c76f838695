"""What the directory read API accepts and returns, in the shape of the Open Referral HSDS 3.0 API.

Output objects follow HSDS (``service``, ``service_at_location``, ``organization``, ``taxonomy``,
``taxonomy_term`` with their nested arrays); Himaya's profile additions (confidential locations with a front
door, Arabic and English names, the status "active_not_accepting", service families) are extra fields. The
builders below turn model rows into these dictionaries for one audience; what each audience may see is
decided by ``himaya.directory.visibility`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ninja import Field, Schema
from pydantic import AwareDatetime, BaseModel
from pydantic.json_schema import SkipJsonSchema

from himaya.directory import visibility
from himaya.directory.models import Location, Schedule, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from himaya.directory.visibility import Audience

NO_NUL = r"^[^\x00]*$"
PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 100_000

AudienceOf = Callable[[Any], Audience]


# ----------------------------------------------------------------------------------------------- inputs


class PageFilters(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number of paginated result (from 1).")
    per_page: int = Field(
        PER_PAGE, ge=1, le=MAX_PER_PAGE, description="Number of results requested in a single page."
    )
    search: str = Field("", max_length=100, pattern=NO_NUL, description="Text search (names, description).")


class ServiceFilters(PageFilters):
    taxonomy_term_id: UUID | SkipJsonSchema[None] = Field(
        None, description="Only services with this taxonomy term."
    )
    taxonomy_id: UUID | SkipJsonSchema[None] = Field(
        None, description="Only services with a term of this taxonomy."
    )
    organization_id: UUID | SkipJsonSchema[None] = Field(
        None, description="Only services of this organization."
    )
    modified_after: AwareDatetime | SkipJsonSchema[None] = Field(
        None, description="Only services modified on or after this date-time (with its UTC offset)."
    )
    minimal: bool = Field(False, description="Return only each service's id and last_modified.")
    full: bool = Field(False, description="Return fully nested services.")


class ServiceAtLocationFilters(PageFilters):
    taxonomy_term_id: UUID | SkipJsonSchema[None] = Field(None, description="Only services with this term.")
    taxonomy_id: UUID | SkipJsonSchema[None] = Field(
        None, description="Only services with a term of this taxonomy."
    )
    organization_id: UUID | SkipJsonSchema[None] = Field(
        None, description="Only services of this organization."
    )
    modified_after: AwareDatetime | SkipJsonSchema[None] = Field(
        None, description="Only services modified on or after this date-time."
    )
    full: bool = Field(False, description="Return the fully nested service of each entry.")
    postcode: str = Field(
        "", max_length=20, pattern=r"^[0-9A-Za-z -]*$", description="Only locations with this postal code."
    )
    proximity: Annotated[int, Field(ge=1, le=500_000)] | SkipJsonSchema[None] = Field(
        None,
        description="With postcode: locations within this many metres of the postcode's centroid.",
    )


class OrganizationFilters(PageFilters):
    full: bool = Field(False, description="Return fully nested organizations (with their services).")
    full_service: bool = Field(False, description="Nest fully detailed services in each organization.")


class OrganizationDetailFilters(Schema):
    full_service: bool = Field(False, description="Nest fully detailed services.")


class TaxonomyTermFilters(PageFilters):
    taxonomy_id: UUID | SkipJsonSchema[None] = Field(None, description="Only terms of this taxonomy.")
    parent_id: UUID | SkipJsonSchema[None] = Field(None, description="Only terms with this parent term.")
    top_only: bool = Field(False, description="Only terms without a parent.")


# ---------------------------------------------------------------------------------------------- outputs


class Out(BaseModel):
    """Outputs are plain dictionaries built below: plain pydantic models validate them without ninja's ORM
    getter (several times faster on a page of nested services)."""


class Page(Out):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class LanguageOut(Out):
    id: UUID | None = None
    service_id: UUID | None = None
    name: str
    code: str
    note: str = ""


class PhoneOut(Out):
    id: UUID
    location_id: UUID | None
    service_id: UUID | None
    organization_id: UUID | None
    service_at_location_id: UUID | None
    number: str
    extension: int | None
    type: str
    description: str
    languages: list[LanguageOut]


class ScheduleOut(Out):
    id: UUID
    service_id: UUID | None
    location_id: UUID | None
    service_at_location_id: UUID | None
    valid_from: date | None
    valid_to: date | None
    opens_at: str
    closes_at: str
    freq: str
    wkst: str
    byday: str
    description: str
    notes: str
    timezone: str


class ServiceAreaOut(Out):
    id: UUID
    service_id: UUID
    name: str
    description: str
    region_code: str
    province_code: str


class CostOptionOut(Out):
    id: UUID
    service_id: UUID
    valid_from: date | None
    valid_to: date | None
    option: str
    currency: str
    amount: float | None
    amount_description: str


class RequiredDocumentOut(Out):
    id: UUID
    service_id: UUID
    document: str
    uri: str


class AccessibilityOut(Out):
    id: UUID
    location_id: UUID
    description: str
    details: str
    url: str


class AddressOut(Out):
    location_id: UUID
    address_1: str
    address_2: str
    city: str
    region: str
    state_province: str
    postal_code: str
    country: str
    address_type: str


class LocationOut(Out):
    id: UUID
    location_type: str
    organization_id: UUID
    name: str
    name_ar: str
    alternate_name: str
    description: str
    transportation: str
    url: str
    latitude: float | None
    longitude: float | None
    external_identifier: str
    external_identifier_type: str
    is_confidential: bool = Field(
        description="Himaya profile: the address is shown only to its organisation."
    )
    front_door_phone: str
    front_door_note: str
    province_code: str
    addresses: list[AddressOut]
    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    accessibility: list[AccessibilityOut]


class TaxonomyOut(Out):
    id: UUID
    name: str
    description: str
    uri: str
    version: str


class TaxonomyTermOut(Out):
    id: UUID
    code: str
    name: str
    name_ar: str
    name_en: str
    description: str
    parent_id: UUID | None
    taxonomy: str
    taxonomy_id: UUID
    family: str = Field(description="Himaya profile: the service family of a need term.")
    language: str
    term_uri: str


class AttributeOut(Out):
    id: UUID
    link_id: UUID
    link_type: str
    link_entity: str
    value: str
    taxonomy_term_id: UUID
    taxonomy_term: TaxonomyTermOut


class OrganizationListOut(Out):
    id: UUID
    name: str
    name_ar: str
    alternate_name: str
    description: str
    email: str
    website: str
    parent_organization_id: UUID | None
    kind: str
    sector: str
    province_code: str


class ServiceListOut(Out):
    """A service with its one-to-one fields (HSDS service_list)."""

    id: UUID
    organization_id: UUID
    name: str
    name_ar: str
    name_en: str
    alternate_name: str
    description: str
    url: str
    email: str
    status: str
    interpretation_services: str
    application_process: str
    fees_description: str
    wait_time: str
    accreditations: str
    eligibility_description: str
    minimum_age: int | None
    maximum_age: int | None
    assured_date: date | None
    licenses: str
    alert: str
    last_modified: datetime


class ServiceMinimalOut(Out):
    id: UUID
    last_modified: datetime


class ServiceAtLocationInServiceOut(Out):
    id: UUID
    service_id: UUID
    location_id: UUID
    description: str
    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    location: LocationOut


class ServiceOut(ServiceListOut):
    """A fully nested service (HSDS service). Every array is required, which tells it apart from a list item."""

    phones: list[PhoneOut]
    schedules: list[ScheduleOut]
    service_areas: list[ServiceAreaOut]
    service_at_locations: list[ServiceAtLocationInServiceOut]
    languages: list[LanguageOut]
    organization: OrganizationListOut
    cost_options: list[CostOptionOut]
    required_documents: list[RequiredDocumentOut]
    attributes: list[AttributeOut]


class ServiceAtLocationOut(ServiceAtLocationInServiceOut):
    service: Annotated[ServiceOut | ServiceListOut, Field(union_mode="left_to_right")]


class OrganizationOut(OrganizationListOut):
    phones: list[PhoneOut]
    services: list[Annotated[ServiceOut | ServiceListOut, Field(union_mode="left_to_right")]]


class ServicePage(Page):
    contents: list[
        Annotated[ServiceOut | ServiceListOut | ServiceMinimalOut, Field(union_mode="left_to_right")]
    ]


class ServiceAtLocationPage(Page):
    contents: list[ServiceAtLocationOut]


class OrganizationPage(Page):
    contents: list[Annotated[OrganizationOut | OrganizationListOut, Field(union_mode="left_to_right")]]


class TaxonomyPage(Page):
    contents: list[TaxonomyOut]


class TaxonomyTermPage(Page):
    contents: list[TaxonomyTermOut]


# ---------------------------------------------------------------------------------------------- builders


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def language_dict(language: Any) -> dict[str, Any]:
    return {
        "id": language.id,
        "service_id": language.service_id,
        "name": language.name,
        "code": language.code,
        "note": language.note,
    }


def phone_dicts(phones: Any, audience: Audience, organization_id: UUID | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": phone.id,
            "location_id": phone.location_id,
            "service_id": phone.service_id,
            "organization_id": organization_id if phone.organisation_id else None,
            "service_at_location_id": phone.service_at_location_id,
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
            "languages": [{"name": "", "code": str(code)} for code in phone.languages or []],
        }
        for phone in visibility.visible_phones(phones, audience)
    ]


def schedule_dict(schedule: Schedule) -> dict[str, Any]:
    return {
        "id": schedule.id,
        "service_id": schedule.service_id,
        "location_id": schedule.location_id,
        "service_at_location_id": schedule.service_at_location_id,
        "valid_from": schedule.valid_from,
        "valid_to": schedule.valid_to,
        "opens_at": f"{schedule.opens_at:%H:%M}",
        "closes_at": f"{schedule.closes_at:%H:%M}",
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": schedule.weekday,
        "description": schedule.description,
        "notes": schedule.notes,
        "timezone": "Africa/Casablanca",
    }


def location_dict(location: Location, audience: Audience) -> dict[str, Any]:
    """A location for ``audience``: a confidential one keeps its city and its front door, nothing more."""
    view = visibility.location_view(location, audience)
    shown = visibility.address_visible(location, audience)
    province = view["province"]
    addresses = []
    if view["address_1"] or view["city_name"]:
        addresses.append(
            {
                "location_id": location.id,
                "address_1": view["address_1"],
                "address_2": view["address_2"],
                "city": view["city_name"],
                "region": view["region"].name_fr if view["region"] else "",
                "state_province": province.name_fr if province else "",
                "postal_code": view["postal_code"],
                "country": location.country,
                "address_type": "physical",
            }
        )
    return {
        "id": location.id,
        "location_type": location.location_type,
        "organization_id": location.organisation.hsds_id,
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
        "addresses": addresses,
        "phones": phone_dicts(location.phones.all(), audience),
        "schedules": [schedule_dict(s) for s in location.schedules.all()] if shown else [],
        "accessibility": [
            {
                "id": item.id,
                "location_id": item.location_id,
                "description": item.description,
                "details": item.details,
                "url": item.url,
            }
            for item in location.accessibility.all()
        ]
        if shown
        else [],
    }


def organization_list_dict(organisation: Any) -> dict[str, Any]:
    return {
        "id": organisation.hsds_id,
        "name": organisation.name,
        "name_ar": organisation.name_ar,
        "alternate_name": organisation.acronym,
        "description": organisation.description,
        "email": organisation.email,
        "website": organisation.website,
        "parent_organization_id": organisation.parent.hsds_id if organisation.parent_id else None,
        "kind": organisation.kind,
        "sector": organisation.sector,
        "province_code": organisation.province.code if organisation.province_id else "",
    }


def taxonomy_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri,
        "version": taxonomy.version,
    }


def term_dict(term: TaxonomyTerm) -> dict[str, Any]:
    return {
        "id": term.id,
        "code": term.code,
        "name": term.name,
        "name_ar": term.name_ar,
        "name_en": term.name_en,
        "description": term.description,
        "parent_id": term.parent_id,
        "taxonomy": term.taxonomy.code,
        "taxonomy_id": term.taxonomy_id,
        "family": term.family,
        "language": term.language,
        "term_uri": term.term_uri,
    }


def service_list_dict(service: Service, audience: Audience) -> dict[str, Any]:
    """The one-to-one fields of ``service`` that ``audience`` may see."""

    def field(name: str) -> str:
        return _text(visibility.service_field(service, name, audience))

    return {
        "id": service.id,
        "organization_id": service.organisation.hsds_id,
        "name": service.name,
        "name_ar": service.name_ar,
        "name_en": service.name_en,
        "alternate_name": service.alternate_name,
        "description": field("description"),
        "url": field("url"),
        "email": field("email"),
        "status": service.status,
        "interpretation_services": field("interpretation_services"),
        "application_process": field("application_process"),
        "fees_description": field("fees_description"),
        "wait_time": field("wait_time"),
        "accreditations": field("accreditations"),
        "eligibility_description": field("eligibility_description"),
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": (
            service.verified_at.date()
            if service.verified_at and audience >= visibility.VERIFICATION_AUDIENCE
            else None
        ),
        "licenses": field("licenses"),
        "alert": service.current_alert(),
        "last_modified": service.updated_at,
    }


def service_at_location_dict(
    link: ServiceAtLocation, audience_of: AudienceOf, *, service: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = {
        "id": link.id,
        "service_id": link.service_id,
        "location_id": link.location_id,
        "description": link.description,
        "phones": phone_dicts(link.phones.all(), audience_of(link.location)),
        "schedules": [schedule_dict(s) for s in link.schedules.all()],
        "location": location_dict(link.location, audience_of(link.location)),
    }
    if service is not None:
        data["service"] = service
    return data


def service_dict(service: Service, audience_of: AudienceOf) -> dict[str, Any]:
    """A fully nested service: its locations each for the caller's audience of that location."""
    audience = audience_of(service)
    organization_id = service.organisation.hsds_id
    data = service_list_dict(service, audience)
    data.update(
        {
            "phones": phone_dicts(service.phones.all(), audience, organization_id),
            "schedules": [schedule_dict(s) for s in service.schedules.all()],
            "service_areas": [
                {
                    "id": area.id,
                    "service_id": area.service_id,
                    "name": area.name,
                    "description": area.description,
                    "region_code": area.region.code if area.region is not None else "",
                    "province_code": area.province.code if area.province is not None else "",
                }
                for area in service.service_areas.all()
            ],
            "service_at_locations": [
                service_at_location_dict(link, audience_of) for link in service.service_at_locations.all()
            ],
            "languages": [language_dict(language) for language in service.languages.all()],
            "organization": organization_list_dict(service.organisation),
            "cost_options": [
                {
                    "id": option.id,
                    "service_id": option.service_id,
                    "valid_from": option.valid_from,
                    "valid_to": option.valid_to,
                    "option": option.option,
                    "currency": option.currency,
                    "amount": _number(option.amount),
                    "amount_description": option.amount_description,
                }
                for option in service.cost_options.all()
            ],
            "required_documents": [
                {"id": doc.id, "service_id": doc.service_id, "document": doc.document, "uri": doc.uri}
                for doc in service.required_documents.all()
            ],
            "attributes": [
                {
                    # Terms are a many-to-many link: a stable identifier derived from the pair.
                    "id": uuid5(NAMESPACE_URL, f"himaya:attribute:{service.id}:{term.id}"),
                    "link_id": service.id,
                    "link_type": "service",
                    "link_entity": "service",
                    "value": "",
                    "taxonomy_term_id": term.id,
                    "taxonomy_term": term_dict(term),
                }
                for term in service.terms.all()
            ],
        }
    )
    return data


def page_dict(*, total: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    total_pages = (total + per_page - 1) // per_page
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }
