"""The directory read API in the shape of the Open Referral HSDS 3.0 API (mounted under /api/v1/).

Open to anonymous callers, who see the public level and only listed services (not defunct nor inactive).
A signed-in staff member (session) sees the network level, and the restricted level for the entries of their
own organisation (directory editors: for every entry), through ``himaya.directory.visibility``; a partner
system's API token sees the network level, and the restricted level for its own organisation's entries.
Confidential addresses are never shown below the restricted level, and never serve a postcode or proximity
filter for a caller who may not see them. Every status is declared in ``response=``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.query import prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from himaya.accounts.models import Organisation, User
from himaya.api.models import ApiToken
from himaya.api.schemas import ErrorOut, ValidationErrorOut
from himaya.api.services import token_authenticate
from himaya.directory import schemas, visibility
from himaya.directory.models import (
    Location,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from himaya.directory.schemas import (
    OrganizationDetailFilters,
    OrganizationFilters,
    OrganizationOut,
    OrganizationPage,
    ServiceAtLocationFilters,
    ServiceAtLocationOut,
    ServiceAtLocationPage,
    ServiceFilters,
    ServiceOut,
    ServicePage,
    TaxonomyOut,
    TaxonomyPage,
    TaxonomyTermFilters,
    TaxonomyTermOut,
    TaxonomyTermPage,
)
from himaya.directory.visibility import Audience

router = Router(tags=["directory (HSDS)"])

Caller = User | ApiToken | None
ERRORS: dict[int, Any] = {401: ErrorOut, 422: ValidationErrorOut}
NOT_FOUND: dict[int, Any] = {404: ErrorOut}
EARTH_RADIUS_M = 6_371_000

SERVICE_ONE_TO_ONE = ("organisation__parent", "organisation__province")
LOCATION_RELATED = ("organisation", "province", "region", "city")
LOCATION_PREFETCH = ("phones", "schedules", "accessibility")


def _location_prefetch(prefix: str) -> list[str]:
    return [f"{prefix}location__{name}" for name in LOCATION_PREFETCH]


SERVICE_FULL_PREFETCH: list[Any] = [
    "phones",
    "schedules",
    "service_areas__region",
    "service_areas__province",
    "languages",
    "cost_options",
    "required_documents",
    "terms__taxonomy",
    Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related(
            *(f"location__{name}" for name in LOCATION_RELATED)
        ).order_by("id"),
    ),
    "service_at_locations__phones",
    "service_at_locations__schedules",
    *_location_prefetch("service_at_locations__"),
]


# ------------------------------------------------------------------------------------------ the caller


def _caller(request: HttpRequest) -> Caller:
    """Who calls: a bearer token (an invalid one is refused), a signed-in staff member, or nobody."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() == "bearer":
        token = token_authenticate(secret.strip())
        if token is None:
            raise AuthenticationError()
        return token
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def _audience_of(caller: Caller) -> Callable[[Any], Audience]:
    """The audience of ``caller`` for one entry (a service, a location, an organisation)."""
    if caller is None:
        return lambda entry: Audience.PUBLIC
    if isinstance(caller, ApiToken):
        # A partner system acts for its organisation: network level, restricted for its own entries.
        own = caller.organisation_id

        def token_audience(entry: Any) -> Audience:
            owner = getattr(entry, "organisation_id", getattr(entry, "pk", None))
            return Audience.RESTRICTED if owner == own else Audience.NETWORK

        return token_audience
    return lambda entry: visibility.audience_for(caller, entry)


def _own_organisation_id(caller: Caller) -> int | None:
    """The organisation whose confidential locations the caller may see (for postcode / proximity)."""
    if caller is None:
        return None
    own = caller.organisation
    return own.pk if _audience_of(caller)(own) >= Audience.RESTRICTED else None


# -------------------------------------------------------------------------------------------- queries


def _services(caller: Caller) -> QuerySet[Service]:
    """The services the caller may know of: listed ones for the public, every one for professionals."""
    services = Service.objects.filter(organisation__is_active=True)
    return services.listed() if caller is None else services


def _filter_services(services: QuerySet[Service], filters: Any) -> QuerySet[Service]:
    # Search names only: a field hidden from the caller must not be found by searching its text.
    if filters.search:
        text = filters.search.strip()
        services = services.filter(
            Q(name__icontains=text)
            | Q(name_ar__icontains=text)
            | Q(name_en__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(organisation__name__icontains=text)
        )
    links = Service.terms.through.objects
    if filters.taxonomy_term_id:
        services = services.filter(
            id__in=links.filter(taxonomyterm_id=filters.taxonomy_term_id).order_by().values("service_id")
        )
    if filters.taxonomy_id:
        services = services.filter(
            id__in=links.filter(taxonomyterm__taxonomy_id=filters.taxonomy_id).order_by().values("service_id")
        )
    if filters.organization_id:
        services = services.filter(organisation__hsds_id=filters.organization_id)
    if filters.modified_after:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and pydantic) accept.
        try:
            since = filters.modified_after.astimezone(UTC)
        except OverflowError:  # just after year 1 with a positive offset: before every record anyway
            since = datetime.min.replace(tzinfo=UTC)
        services = services.filter(updated_at__gte=since)
    return services


def _window(queryset: QuerySet[Any], page: int, per_page: int) -> tuple[int, list[Any]]:
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    return total, rows


def _service_bodies(services: list[Service], caller: Caller, *, full: bool) -> list[dict[str, Any]]:
    audience_of = _audience_of(caller)
    if full:
        prefetch_related_objects(services, *SERVICE_FULL_PREFETCH)
        return [schemas.service_dict(service, audience_of) for service in services]
    return [schemas.service_list_dict(service, audience_of(service)) for service in services]


def _near(locations: QuerySet[Location], postcode: str, metres: int) -> QuerySet[Location]:
    """Locations within ``metres`` of the centroid of the (visible) locations having ``postcode``."""
    points = [
        (float(lat or 0), float(lon or 0))
        for lat, lon in locations.filter(
            postal_code=postcode, latitude__isnull=False, longitude__isnull=False
        ).values_list("latitude", "longitude")
    ]
    if not points:
        return locations.none()
    lat0 = sum(p[0] for p in points) / len(points)
    lon0 = sum(p[1] for p in points) / len(points)
    d_lat = math.degrees(metres / EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(lat0)), 0.01)
    box = locations.filter(
        latitude__range=(lat0 - d_lat, lat0 + d_lat), longitude__range=(lon0 - d_lon, lon0 + d_lon)
    ).values_list("id", "latitude", "longitude")

    def distance(lat: float, lon: float) -> float:
        phi0, phi = math.radians(lat0), math.radians(lat)
        a = (
            math.sin((phi - phi0) / 2) ** 2
            + math.cos(phi0) * math.cos(phi) * math.sin(math.radians(lon - lon0) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))

    inside = [pk for pk, lat, lon in box if distance(float(lat or 0), float(lon or 0)) <= metres]
    return locations.filter(id__in=inside)


# --------------------------------------------------------------------------------------------- routes


def _not_found() -> Status[dict[str, str]]:
    # Answered directly (not by raising Http404): a miss on a public API is not a denied access to audit.
    return Status(404, {"detail": _("Not found.")})


@router.get(
    "/services",
    auth=None,
    response={200: ServicePage, **ERRORS},
    summary="List services (HSDS)",
    url_name="hsds_service_list",
)
def hsds_service_list(request: HttpRequest, filters: Query[ServiceFilters]) -> dict[str, Any]:
    caller = _caller(request)
    services = _filter_services(_services(caller), filters).order_by("name", "id")
    if filters.minimal:
        total, rows = _window(services.only("id", "updated_at", "name"), filters.page, filters.per_page)
        contents: list[Any] = [{"id": row.id, "last_modified": row.updated_at} for row in rows]
    else:
        services = services.select_related(*SERVICE_ONE_TO_ONE)
        total, rows = _window(services, filters.page, filters.per_page)
        contents = _service_bodies(rows, caller, full=filters.full)
    return schemas.page_dict(total=total, page=filters.page, per_page=filters.per_page, contents=contents)


@router.get(
    "/services/{service_id}",
    auth=None,
    response={200: ServiceOut, **ERRORS, **NOT_FOUND},
    summary="One service, fully nested (HSDS)",
    url_name="hsds_service_detail",
)
def hsds_service_detail(request: HttpRequest, service_id: UUID) -> Any:
    caller = _caller(request)
    service = _services(caller).select_related(*SERVICE_ONE_TO_ONE).filter(pk=service_id).first()
    if service is None:
        return _not_found()
    return _service_bodies([service], caller, full=True)[0]


def _links(caller: Caller, filters: Any) -> QuerySet[ServiceAtLocation]:
    services = _filter_services(_services(caller), filters)
    links = ServiceAtLocation.objects.filter(service__in=services.order_by().values("id"))
    postcode = getattr(filters, "postcode", "")
    if postcode:
        # Only locations whose postal code the caller may see serve this filter.
        own = _own_organisation_id(caller)
        usable = Location.objects.filter(Q(is_confidential=False) | Q(organisation_id=own))
        if filters.proximity:
            usable = _near(usable, postcode, filters.proximity)
        else:
            usable = usable.filter(postal_code=postcode)
        links = links.filter(location__in=usable.order_by().values("id"))
    return links


def _link_bodies(links: list[ServiceAtLocation], caller: Caller, *, full: bool) -> list[dict[str, Any]]:
    audience_of = _audience_of(caller)
    prefetch_related_objects(links, "phones", "schedules", *_location_prefetch(""))
    services = [link.service for link in links]
    bodies = {
        service.pk: body
        for service, body in zip(services, _service_bodies(services, caller, full=full), strict=True)
    }
    return [
        schemas.service_at_location_dict(link, audience_of, service=bodies[link.service_id]) for link in links
    ]


@router.get(
    "/service_at_locations",
    auth=None,
    response={200: ServiceAtLocationPage, **ERRORS},
    summary="List services at locations (HSDS)",
    url_name="hsds_service_at_location_list",
)
def hsds_service_at_location_list(
    request: HttpRequest, filters: Query[ServiceAtLocationFilters]
) -> dict[str, Any]:
    caller = _caller(request)
    links = (
        _links(caller, filters)
        .select_related(
            "service__organisation__parent",
            "service__organisation__province",
            *(f"location__{name}" for name in LOCATION_RELATED),
        )
        .order_by("id")  # a stable order that pages cheaply (no sort of every row per page)
    )
    total, rows = _window(links, filters.page, filters.per_page)
    contents = _link_bodies(rows, caller, full=filters.full)
    return schemas.page_dict(total=total, page=filters.page, per_page=filters.per_page, contents=contents)


@router.get(
    "/service_at_locations/{service_at_location_id}",
    auth=None,
    response={200: ServiceAtLocationOut, **ERRORS, **NOT_FOUND},
    summary="One service at a location (HSDS)",
    url_name="hsds_service_at_location_detail",
)
def hsds_service_at_location_detail(request: HttpRequest, service_at_location_id: UUID) -> Any:
    caller = _caller(request)
    link = (
        ServiceAtLocation.objects.filter(
            pk=service_at_location_id, service__in=_services(caller).order_by().values("id")
        )
        .select_related(
            "service__organisation__parent",
            "service__organisation__province",
            *(f"location__{name}" for name in LOCATION_RELATED),
        )
        .first()
    )
    if link is None:
        return _not_found()
    return _link_bodies([link], caller, full=True)[0]


def _organisations(caller: Caller) -> QuerySet[Organisation]:
    """Active organisations; for the public, only those offering at least one listed service."""
    organisations = Organisation.objects.filter(is_active=True)
    if caller is None:
        organisations = organisations.filter(id__in=_services(caller).order_by().values("organisation_id"))
    return organisations.select_related("parent", "province")


def _organisation_bodies(
    organisations: list[Organisation], caller: Caller, *, nested: bool, full_service: bool
) -> list[dict[str, Any]]:
    if not nested:
        return [schemas.organization_list_dict(organisation) for organisation in organisations]
    audience_of = _audience_of(caller)
    services = list(
        _services(caller)
        .filter(organisation__in=[o.pk for o in organisations])
        .select_related(*SERVICE_ONE_TO_ONE)
        .order_by("name", "id")
    )
    prefetch_related_objects(organisations, "hsds_phones")
    bodies = _service_bodies(services, caller, full=full_service)
    by_organisation: dict[int, list[dict[str, Any]]] = {}
    for service, body in zip(services, bodies, strict=True):
        by_organisation.setdefault(service.organisation_id, []).append(body)
    result = []
    for organisation in organisations:
        data = schemas.organization_list_dict(organisation)
        data["phones"] = schemas.phone_dicts(
            organisation.hsds_phones.all(), audience_of(organisation), organisation.hsds_id
        )
        data["services"] = by_organisation.get(organisation.pk, [])
        result.append(data)
    return result


@router.get(
    "/organizations",
    auth=None,
    response={200: OrganizationPage, **ERRORS},
    summary="List organizations (HSDS)",
    url_name="hsds_organization_list",
)
def hsds_organization_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> dict[str, Any]:
    caller = _caller(request)
    organisations = _organisations(caller)
    if filters.search:
        text = filters.search.strip()
        organisations = organisations.filter(
            Q(name__icontains=text) | Q(name_ar__icontains=text) | Q(acronym__icontains=text)
        )
    total, rows = _window(organisations.order_by("name", "id"), filters.page, filters.per_page)
    nested = filters.full or filters.full_service
    contents = _organisation_bodies(rows, caller, nested=nested, full_service=filters.full_service)
    return schemas.page_dict(total=total, page=filters.page, per_page=filters.per_page, contents=contents)


@router.get(
    "/organizations/{organization_id}",
    auth=None,
    response={200: OrganizationOut, **ERRORS, **NOT_FOUND},
    summary="One organization with its services (HSDS)",
    url_name="hsds_organization_detail",
)
def hsds_organization_detail(
    request: HttpRequest, organization_id: UUID, filters: Query[OrganizationDetailFilters]
) -> Any:
    caller = _caller(request)
    organisation = _organisations(caller).filter(hsds_id=organization_id).first()
    if organisation is None:
        return _not_found()
    return _organisation_bodies([organisation], caller, nested=True, full_service=filters.full_service)[0]


@router.get(
    "/taxonomies",
    auth=None,
    response={200: TaxonomyPage, **ERRORS},
    summary="List taxonomies (HSDS)",
    url_name="hsds_taxonomy_list",
)
def hsds_taxonomy_list(request: HttpRequest, filters: Query[schemas.PageFilters]) -> dict[str, Any]:
    _caller(request)
    taxonomies = Taxonomy.objects.order_by("code", "id")
    if filters.search:
        taxonomies = taxonomies.filter(name__icontains=filters.search.strip())
    total, rows = _window(taxonomies, filters.page, filters.per_page)
    contents = [schemas.taxonomy_dict(taxonomy) for taxonomy in rows]
    return schemas.page_dict(total=total, page=filters.page, per_page=filters.per_page, contents=contents)


@router.get(
    "/taxonomies/{taxonomy_id}",
    auth=None,
    response={200: TaxonomyOut, **ERRORS, **NOT_FOUND},
    summary="One taxonomy (HSDS)",
    url_name="hsds_taxonomy_detail",
)
def hsds_taxonomy_detail(request: HttpRequest, taxonomy_id: UUID) -> Any:
    _caller(request)
    taxonomy = Taxonomy.objects.filter(pk=taxonomy_id).first()
    if taxonomy is None:
        return _not_found()
    return schemas.taxonomy_dict(taxonomy)


@router.get(
    "/taxonomy_terms",
    auth=None,
    response={200: TaxonomyTermPage, **ERRORS},
    summary="List taxonomy terms (HSDS)",
    url_name="hsds_taxonomy_term_list",
)
def hsds_taxonomy_term_list(request: HttpRequest, filters: Query[TaxonomyTermFilters]) -> dict[str, Any]:
    _caller(request)
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__code", "position", "code")
    if filters.search:
        text = filters.search.strip()
        terms = terms.filter(
            Q(name__icontains=text)
            | Q(name_ar__icontains=text)
            | Q(name_en__icontains=text)
            | Q(code__icontains=text)
        )
    if filters.taxonomy_id:
        terms = terms.filter(taxonomy_id=filters.taxonomy_id)
    if filters.parent_id:
        terms = terms.filter(parent_id=filters.parent_id)
    if filters.top_only:
        terms = terms.filter(parent__isnull=True)
    total, rows = _window(terms, filters.page, filters.per_page)
    contents = [schemas.term_dict(term) for term in rows]
    return schemas.page_dict(total=total, page=filters.page, per_page=filters.per_page, contents=contents)


@router.get(
    "/taxonomy_terms/{taxonomy_term_id}",
    auth=None,
    response={200: TaxonomyTermOut, **ERRORS, **NOT_FOUND},
    summary="One taxonomy term (HSDS)",
    url_name="hsds_taxonomy_term_detail",
)
def hsds_taxonomy_term_detail(request: HttpRequest, taxonomy_term_id: UUID) -> Any:
    _caller(request)
    term = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=taxonomy_term_id).first()
    if term is None:
        return _not_found()
    return schemas.term_dict(term)
