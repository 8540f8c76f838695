"""The public search of the directory ("find help"): filters in the database, the public view of each entry.

Everything shown goes through ``himaya.directory.visibility`` with ``Audience.PUBLIC``, whoever asks: the public
pages show the public level even to a signed-in professional. Filtering happens in the database (terms,
languages, territory, status, "open now"); distances are computed in Python on the filtered set only, from the
chosen city's centre to each location's public point (its coordinates, or for a confidential location the centre
of its city or province: never its real coordinates).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from himaya.core.models import City, Province
from himaya.directory import hours
from himaya.directory.models import (
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)
from himaya.directory.visibility import Audience, location_view, visible_phones

AUDIENCE = Audience.PUBLIC
NEEDS = "himaya-needs"
POPULATIONS = "himaya-populations"
MAX_QUERY_LENGTH = 100
MAX_PER_PAGE = 100
# "Open now" on up to this many candidates is decided in Python from their hours (two indexed queries);
# beyond, by the database expression (hours.open_now_expression).
OPEN_NOW_IN_PYTHON_UP_TO = 1000
EARTH_RADIUS_KM = 6371.0088
# Bidirectional controls (RTL override and isolates) and other invisible format characters are dropped from
# the searched text; so are control characters (PostgreSQL refuses NUL in a string).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass
class SearchItem:
    service: Service
    locations: list[
        dict[str, Any]
    ]  # visibility.location_view(..., PUBLIC) plus "distance_km" and "map_point"
    phones: list[Phone]
    distance_km: float | None
    open_now: bool


@dataclass
class SearchResult:
    items: list[SearchItem]
    total: int
    page: int
    pages: int
    per_page: int = 20
    origin: City | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clean_query(text: str | None) -> str:
    """The searched text: normalised (NFKC), without control or invisible characters, at most 100 characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)[: MAX_QUERY_LENGTH * 4])
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"} else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


class _ProvinceCentres:
    """Centre of a province (mean of its cities' coordinates), computed once per search when needed."""

    def __init__(self) -> None:
        self._centres: dict[int, tuple[float, float] | None] = {}

    def get(self, province_id: int | None) -> tuple[float, float] | None:
        if province_id is None:
            return None
        if province_id not in self._centres:
            row = City.objects.filter(province_id=province_id).aggregate(
                lat=Avg("latitude"), lon=Avg("longitude")
            )
            self._centres[province_id] = (
                (float(row["lat"]), float(row["lon"])) if row["lat"] is not None else None
            )
        return self._centres[province_id]


def public_point(
    *,
    confidential: bool,
    latitude: Any,
    longitude: Any,
    city_latitude: Any,
    city_longitude: Any,
    province_id: int | None,
    centres: _ProvinceCentres,
) -> tuple[float, float] | None:
    """The point used for distances: real coordinates only for a non-confidential location."""
    if not confidential and latitude is not None and longitude is not None:
        return float(latitude), float(longitude)
    if city_latitude is not None and city_longitude is not None:
        return float(city_latitude), float(city_longitude)
    return centres.get(province_id)


def filtered_services(
    *,
    need: str | None = None,
    province: str | None = None,
    city: str | None = None,
    language: str | None = None,
    population: str | None = None,
    q: str | None = None,
    open_now: bool = False,
    now: datetime | None = None,
) -> tuple[QuerySet[Service], City | None, bool]:
    """The listed services matching the filters, the chosen city, and whether the city or province is unknown."""
    services = Service.objects.listed()
    unknown = False
    # The terms by their codes, joined in the query (an unknown code matches nothing).
    terms = [
        {"taxonomyterm__taxonomy__code": taxonomy, "taxonomyterm__code": code}
        for taxonomy, code in ((NEEDS, need), (POPULATIONS, population))
        if code
    ]
    origin: City | None = None
    chosen: Province | None = None
    if city:
        origin = City.objects.select_related("province").filter(slug=city).first()
        if origin is None:
            unknown = True
        else:
            chosen = origin.province
    if province and chosen is None:
        chosen = Province.objects.filter(code=province).first()
        if chosen is None:
            unknown = True
    in_territory: Callable[[str], Q] | None = None
    if chosen is not None:
        located = ServiceAtLocation.objects.filter(location__province_id=chosen.pk).values("service_id")
        # Service areas: the province, its whole region, or the whole country (neither region nor province).
        serving = ServiceArea.objects.filter(
            Q(province_id=chosen.pk)
            | Q(province__isnull=True, region_id=chosen.region_id)
            | Q(province__isnull=True, region__isnull=True)
        ).values("service_id")

        def in_territory(column: str) -> Q:
            return Q(**{f"{column}__in": located}) | Q(**{f"{column}__in": serving})

    # The selective filters (needs, population, territory) are answered from the indexes of the link tables
    # alone, nested ("the service ids of this term among those of the territory"), so that the service table
    # is read only for the few services left; the language is then one indexed probe per service left.
    if terms:
        through = Service.terms.through
        matching = through.objects.filter(**terms[0])
        if in_territory is not None:
            matching = matching.filter(in_territory("service_id"))
        for term in terms[1:]:
            matching = through.objects.filter(**term, service_id__in=matching.values("service_id"))
        services = services.filter(pk__in=matching.values("service_id"))
    elif in_territory is not None:
        services = services.filter(in_territory("pk"))
    if language:
        services = services.filter(
            Exists(ServiceLanguage.objects.filter(service_id=OuterRef("pk"), code=language))
        )
    text = clean_query(q)
    if text:
        services = services.filter(
            Q(name__icontains=text)
            | Q(name_ar__icontains=text)
            | Q(name_en__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(organisation__name__icontains=text)
            | Q(organisation__name_ar__icontains=text)
            | Q(organisation__acronym__icontains=text)
        )
    if open_now:
        services = services.filter(hours.open_now_expression(now))
    if unknown:
        services = services.none()
    return services, origin, unknown


def _prefetched(services: QuerySet[Service], *, with_hours: bool = False) -> QuerySet[Service]:
    """Services with what their public view needs; their hours too when asked (the detail page)."""
    links = ServiceAtLocation.objects.select_related(
        "location__city", "location__province", "location__region"
    )
    services = services.select_related("organisation").prefetch_related(
        Prefetch("service_at_locations", queryset=links),
        Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
        "languages",
        "phones",
    )
    if with_hours:
        services = services.prefetch_related(
            Prefetch("schedules", queryset=Schedule.objects.order_by()),
            Prefetch("service_at_locations__schedules", queryset=Schedule.objects.order_by()),
            Prefetch("service_at_locations__location__schedules", queryset=Schedule.objects.order_by()),
        )
    return services


def _cached(model: Any, rows: list[Any]) -> QuerySet[Any]:
    """A queryset already evaluated to ``rows``: what ``prefetch_related`` leaves behind for ``.all()``."""
    queryset: QuerySet[Any] = QuerySet(model=model)
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def _page(ids: list[Any]) -> list[Service]:
    """The services ``ids`` (in that order) with what their public view needs, as ``_prefetched`` gives them.

    One page at most: five small queries, and the related rows attached the way ``prefetch_related`` does,
    without its per-service querysets; a term is one shared object for the whole page.
    """
    services: dict[Any, Service] = {
        service.pk: service for service in Service.objects.filter(pk__in=ids).select_related("organisation")
    }
    if not services:
        return []
    keys = list(services)
    links: dict[Any, list[ServiceAtLocation]] = {pk: [] for pk in keys}
    for link in ServiceAtLocation.objects.filter(service_id__in=keys).select_related(
        "location__city", "location__province", "location__region"
    ):
        link.service = services[link.service_id]
        links[link.service_id].append(link)
    pairs = list(
        Service.terms.through.objects.filter(service_id__in=keys).values_list("service_id", "taxonomyterm_id")
    )
    terms = {
        term.pk: term
        for term in TaxonomyTerm.objects.filter(pk__in={term_id for _sid, term_id in pairs}).select_related(
            "taxonomy"
        )
    }
    position = {pk: index for index, pk in enumerate(terms)}  # the terms' own ordering
    chosen_terms: dict[Any, list[TaxonomyTerm]] = {pk: [] for pk in keys}
    for service_id, term_id in sorted(pairs, key=lambda pair: position[pair[1]]):
        chosen_terms[service_id].append(terms[term_id])
    languages: dict[Any, list[ServiceLanguage]] = {pk: [] for pk in keys}
    for language in ServiceLanguage.objects.filter(service_id__in=keys):
        language.service = services[language.service_id]
        languages[language.service_id].append(language)
    phones: dict[Any, list[Phone]] = {pk: [] for pk in keys}
    for phone in Phone.objects.filter(service_id__in=keys):
        phone.service = services[phone.service_id]
        phones[phone.service_id].append(phone)
    for pk, service in services.items():
        service._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "service_at_locations": _cached(ServiceAtLocation, links[pk]),
            "terms": _cached(TaxonomyTerm, chosen_terms[pk]),
            "languages": _cached(ServiceLanguage, languages[pk]),
            "phones": _cached(Phone, phones[pk]),
        }
    return [services[pk] for pk in ids if pk in services]


def public_locations(
    service: Service, origin: City | None, centres: _ProvinceCentres
) -> tuple[list[dict[str, Any]], float | None]:
    """The public view of the service's locations, each with its distance from ``origin`` and map point."""
    views: list[dict[str, Any]] = []
    nearest: float | None = None
    for link in service.service_at_locations.all():
        location = link.location
        view = location_view(location, AUDIENCE)
        point = public_point(
            confidential=location.is_confidential,
            latitude=view["latitude"],
            longitude=view["longitude"],
            city_latitude=location.city.latitude if location.city else None,
            city_longitude=location.city.longitude if location.city else None,
            province_id=location.province_id,
            centres=centres,
        )
        distance = None
        if origin is not None and point is not None:
            distance = round(haversine_km(float(origin.latitude), float(origin.longitude), *point), 1)
            nearest = distance if nearest is None else min(nearest, distance)
        view["distance_km"] = distance
        # Only a location whose address is public gets a marker on the map.
        has_pin = view["latitude"] is not None and view["longitude"] is not None
        view["map_point"] = (float(view["latitude"]), float(view["longitude"])) if has_pin else None
        views.append(view)
    views.sort(key=lambda view: (view["distance_km"] is None, view["distance_km"] or 0))
    return views, nearest


def build_item(
    service: Service, origin: City | None, centres: _ProvinceCentres, open_now: bool
) -> SearchItem:
    locations, nearest = public_locations(service, origin, centres)
    return SearchItem(
        service=service,
        locations=locations,
        phones=visible_phones(service.phones.all(), AUDIENCE),
        distance_km=nearest,
        open_now=bool(open_now),
    )


def _nearest_first(services: QuerySet[Service], origin: City, centres: _ProvinceCentres) -> list[Any]:
    """The filtered services' ids, nearest public point to ``origin`` first, then by name (one query)."""
    rows = services.order_by("name", "pk").values_list(
        "pk",
        "service_at_locations__location__is_confidential",
        "service_at_locations__location__latitude",
        "service_at_locations__location__longitude",
        "service_at_locations__location__city__latitude",
        "service_at_locations__location__city__longitude",
        "service_at_locations__location__province_id",
    )
    start = (float(origin.latitude), float(origin.longitude))
    order: dict[Any, float | None] = {}
    for service_id, confidential, lat, lon, city_lat, city_lon, province_id in rows:
        order.setdefault(service_id, None)
        if confidential is None:  # no location
            continue
        point = public_point(
            confidential=confidential,
            latitude=lat,
            longitude=lon,
            city_latitude=city_lat,
            city_longitude=city_lon,
            province_id=province_id,
            centres=centres,
        )
        if point is None:
            continue
        distance = haversine_km(*start, *point)
        known = order[service_id]
        if known is None or distance < known:
            order[service_id] = distance
    ids = list(order)  # by name: the sort below is stable
    ids.sort(key=lambda pk: (order[pk] is None, order[pk] or 0.0))
    return ids


def public_search(
    *,
    need: str | None = None,
    province: str | None = None,
    city: str | None = None,
    language: str | None = None,
    population: str | None = None,
    open_now: bool = False,
    q: str | None = None,
    now: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """One page of listed services matching the filters, nearest first when a city is chosen (else by name)."""
    now = now or timezone.now()
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    services, origin, _unknown = filtered_services(
        need=need, province=province, city=city, language=language, population=population, q=q
    )
    centres = _ProvinceCentres()
    filters = {
        "need": need,
        "province": province,
        "city": city,
        "language": language,
        "population": population,
        "open_now": open_now,
        "q": clean_query(q),
    }
    if origin is None and not open_now and not (need or population or province):
        # By name over (nearly) the whole directory: count and one page, in the database.
        total = services.count()
        pages = max(1, math.ceil(total / per_page))
        page = max(1, min(int(page), pages))
        start = (page - 1) * per_page
        chosen = _page(
            list(services.order_by("name", "pk").values_list("pk", flat=True)[start : start + per_page])
        )
    else:
        # The ids left by the other filters (a short list once a need, population or province is chosen; nearest
        # first when a city is chosen), read once, then "open now" on them.
        if open_now:
            services = services.filter(status__in=hours.OPEN_STATUSES)
        if origin is not None:
            ordered = _nearest_first(services, origin, centres)
        else:
            ordered = list(services.order_by("name", "pk").values_list("pk", flat=True))
        if open_now:
            if len(ordered) <= OPEN_NOW_IN_PYTHON_UP_TO:
                still_open = hours.open_among(ordered, now)
            else:
                still_open = set(services.filter(hours.open_now_expression(now)).values_list("pk", flat=True))
            ordered = [pk for pk in ordered if pk in still_open]
        total = len(ordered)
        pages = max(1, math.ceil(total / per_page))
        page = max(1, min(int(page), pages))
        wanted = ordered[(page - 1) * per_page : page * per_page]
        chosen = _page(wanted)
    if open_now:
        open_ids = set(wanted)  # the "open now" filter kept only these
    else:
        # "Open now" of the page's services: their hours read with a few small queries, the rule in Python.
        open_ids = hours.open_among(
            [service.pk for service in chosen if service.status in hours.OPEN_STATUSES], now
        )
    items = [build_item(service, origin, centres, service.pk in open_ids) for service in chosen]
    return SearchResult(
        items=items, total=total, page=page, pages=pages, per_page=per_page, origin=origin, filters=filters
    )


def public_service(service_id: Any, now: datetime | None = None) -> SearchItem | None:
    """One listed service with its public view, or None (unknown, inactive or defunct)."""
    now = now or timezone.now()
    service = (
        _prefetched(Service.objects.listed().filter(pk=service_id), with_hours=True)
        .prefetch_related(
            "cost_options", "required_documents", "service_at_locations__location__accessibility"
        )
        .first()
    )
    if service is None:
        return None
    return build_item(service, None, _ProvinceCentres(), hours.service_open_at(service, now))
