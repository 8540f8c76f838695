"""What the directory read API accepts and returns, in the shape of the Open Referral HSDS 3.0 API.

Output objects follow HSDS (``service``, ``service_at_location``, ``organization``, ``taxonomy``,
``taxonomy_term`` with their nested arrays); Himaya's profile additions (confidential locations with a front
door, Arabic and English names, the status "active_not_accepting", service families) are extra fields. The
dictionaries are built by ``himaya.directory.hsds_serialise`` (shared with the HSDS export) for one audience;
what each audience may see is decided by ``himaya.directory.visibility`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, BaseModel
from pydantic.json_schema import SkipJsonSchema

from himaya.directory.models import Taxonomy
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


def taxonomy_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri,
        "version": taxonomy.version,
    }


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
