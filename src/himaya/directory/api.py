"""The directory read API in the shape of the Open Referral HSDS 3.0 API (mounted under /api/v1/).

Open to anonymous callers, who see the public level and only listed services (not defunct nor inactive).
A signed-in staff member (session) sees the network level, and the restricted level for the entries of their
own organisation (directory editors: for every entry), through ``himaya.directory.visibility``; a partner
system's API token needs the scope "directory:read" (without it: 403, as for every other scope of the API) and
then sees the network level, and the restricted level for its own organisation's entries. Confidential
addresses are never shown below the restricted level, and never serve a postcode or proximity filter for a
caller who may not see them. Every status is declared in ``response=``.

The objects are built by ``himaya.directory.hsds_serialise``, shared with the HSDS export.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError, HttpError

from himaya.accounts.models import Organisation, User
from himaya.api.models import ApiToken, Scope
from himaya.api.schemas import ErrorOut, ValidationErrorOut
from himaya.api.services import token_authenticate
from himaya.directory import hsds_serialise, schemas, visibility
from himaya.directory.hsds_serialise import Catalogue, Links
from himaya.directory.models import (
    Location,
    Service,
    ServiceAtLocation,
    ServiceStatus,
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
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
NOT_FOUND: dict[int, Any] = {404: ErrorOut}
EARTH_RADIUS_M = 6_371_000
UNLISTED = (ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE)  # as ServiceQuerySet.listed()

SERVICE_ONE_TO_ONE = ("organisation",)


# ------------------------------------------------------------------------------------------ the caller


def _caller(request: HttpRequest) -> Caller:
    """Who calls: a bearer token (an invalid one is refused, one without the scope "directory:read" too),
    a signed-in staff member, or nobody."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() == "bearer":
        token = token_authenticate(secret.strip())
        if token is None:
            raise AuthenticationError()
        if Scope.DIRECTORY_READ.value not in token.scopes:
            raise HttpError(
                403, _("This token lacks the scope %(scope)s.") % {"scope": Scope.DIRECTORY_READ.value}
            )
        return token
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def _audience_of(caller: Caller) -> Callable[[Any], Audience]:
    """The audience of ``caller`` for one entry (a service, a location, an organisation)."""
    if caller is None:
        return hsds_serialise.fixed(Audience.PUBLIC)
    if isinstance(caller, ApiToken):
        # A partner system acts for its organisation: network level, restricted for its own entries.
        own = caller.organisation_id

        def token_audience(entry: Any) -> Audience:
            owner = getattr(entry, "organisation_id", getattr(entry, "pk", None))
            return Audience.RESTRICTED if owner == own else Audience.NETWORK

        return token_audience
    return lambda entry: visibility.audience_for(caller, entry)


def _catalogue(caller: Caller) -> Catalogue:
    return Catalogue(_audience_of(caller))


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


def _filter_services(queryset: QuerySet[Any], filters: Any, prefix: str = "") -> QuerySet[Any]:
    """``filters`` on services, or on rows linked to a service when ``prefix`` is "service__" (a join,
    which pages far faster than ``service__in=<subquery>``)."""

    def q(**lookups: Any) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    # Search names only: a field hidden from the caller must not be found by searching its text.
    if filters.search:
        text = filters.search.strip()
        queryset = queryset.filter(
            q(name__icontains=text)
            | q(name_ar__icontains=text)
            | q(name_en__icontains=text)
            | q(alternate_name__icontains=text)
            | q(organisation__name__icontains=text)
        )
    links = Service.terms.through.objects
    if filters.taxonomy_term_id:
        queryset = queryset.filter(
            q(id__in=links.filter(taxonomyterm_id=filters.taxonomy_term_id).order_by().values("service_id"))
        )
    if filters.taxonomy_id:
        queryset = queryset.filter(
            q(
                id__in=links.filter(taxonomyterm__taxonomy_id=filters.taxonomy_id)
                .order_by()
                .values("service_id")
            )
        )
    if filters.organization_id:
        queryset = queryset.filter(q(organisation__hsds_id=filters.organization_id))
    if filters.modified_after:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and pydantic) accept.
        try:
            since = filters.modified_after.astimezone(UTC)
        except OverflowError:  # just after year 1 with a positive offset: before every record anyway
            since = datetime.min.replace(tzinfo=UTC)
        queryset = queryset.filter(q(updated_at__gte=since))
    return queryset


def _window(queryset: QuerySet[Any], page: int, per_page: int) -> tuple[int, list[Any]]:
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    return total, rows


def _window_by_id(queryset: QuerySet[Any], page: int, per_page: int, *related: str) -> tuple[int, list[Any]]:
    """As ``_window``, sorting only the ids (a narrow sort), then reading the page's rows by id: sorting the
    wide rows of 20,000 services to keep 25 costs more than the page itself."""
    total, ids = _window(queryset.values_list("id", flat=True), page, per_page)
    rows = queryset.model._default_manager.filter(id__in=ids).select_related(*related) if ids else []
    by_id = {row.pk: row for row in rows}
    return total, [by_id[pk] for pk in ids]


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
        total, rows = _window_by_id(services, filters.page, filters.per_page, *SERVICE_ONE_TO_ONE)
        contents = hsds_serialise.service_dicts(rows, _catalogue(caller), full=filters.full)
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
    return hsds_serialise.service_dicts([service], _catalogue(caller), full=True)[0]


def _links(caller: Caller, filters: Any) -> QuerySet[ServiceAtLocation]:
    links = ServiceAtLocation.objects.filter(service__organisation__is_active=True)
    if caller is None:
        links = links.exclude(service__status__in=UNLISTED)
    links = _filter_services(links, filters, prefix="service__")
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


def _link_bodies(link_ids: list[Any], caller: Caller, *, full: bool) -> list[dict[str, Any]]:
    """The services at locations ``link_ids`` (in this order), each with its service (list item or full)."""
    catalogue = _catalogue(caller)
    links = Links(ServiceAtLocation.objects.filter(id__in=link_ids).order_by("id"), catalogue)
    by_id = {row["id"]: row for row in links.rows}
    rows = [by_id[pk] for pk in link_ids if pk in by_id]
    services = list(
        Service.objects.filter(id__in={row["service_id"] for row in rows}).select_related(*SERVICE_ONE_TO_ONE)
    )
    bodies = {
        service.id: body
        for service, body in zip(
            services, hsds_serialise.service_dicts(services, catalogue, full=full), strict=True
        )
    }
    return [links.link(row) | {"service": bodies[row["service_id"]]} for row in rows]


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
    # A stable order that pages cheaply: the page's ids first (an index scan), then their rows.
    links = _links(caller, filters).order_by("id").values_list("id", flat=True)
    total, ids = _window(links, filters.page, filters.per_page)
    contents = _link_bodies(ids, caller, full=filters.full) if ids else []
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
    found = ServiceAtLocation.objects.filter(
        pk=service_at_location_id, service__in=_services(caller).order_by().values("id")
    ).exists()
    if not found:
        return _not_found()
    return _link_bodies([service_at_location_id], caller, full=True)[0]


def _organisations(caller: Caller) -> QuerySet[Organisation]:
    """Active organisations; for the public, only those offering at least one listed service."""
    organisations = Organisation.objects.filter(is_active=True)
    if caller is None:
        organisations = organisations.filter(id__in=_services(caller).order_by().values("organisation_id"))
    return organisations


def _organisation_bodies(
    organisations: list[Organisation], caller: Caller, *, nested: bool, full_service: bool
) -> list[dict[str, Any]]:
    catalogue = _catalogue(caller)
    catalogue.load_organisations(organisations)
    if not nested:
        return [catalogue.organization(organisation) for organisation in organisations]
    services = list(
        _services(caller)
        .filter(organisation__in=[o.pk for o in organisations])
        .select_related(*SERVICE_ONE_TO_ONE)
        .order_by("name", "id")
    )
    bodies = hsds_serialise.service_dicts(services, catalogue, full=full_service)
    by_organisation: dict[int, list[dict[str, Any]]] = {}
    for service, body in zip(services, bodies, strict=True):
        by_organisation.setdefault(service.organisation_id, []).append(body)
    return [
        catalogue.organization(organisation) | {"services": by_organisation.get(organisation.pk, [])}
        for organisation in organisations
    ]


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
    total, rows = _window_by_id(organisations.order_by("name", "id"), filters.page, filters.per_page)
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
    contents = [hsds_serialise.term_dict(term) for term in rows]
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
    return hsds_serialise.term_dict(term)
