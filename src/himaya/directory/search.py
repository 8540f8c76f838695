"""The public search of the directory ("find help"): filters in the database, the public view of each entry.

Everything shown goes through ``himaya.directory.visibility`` with ``Audience.PUBLIC``, whoever asks: the public
pages show the public level even to a signed-in professional. Filtering happens in the database (terms,
languages, territory, status; "open now" too on long lists); distances are computed in Python on the filtered set
only, from the chosen city's centre to each location's public point (its coordinates, or for a confidential
location the centre of its city or province: never its real coordinates).

Cost per search, at 20,000 services (bench/directory.py): territories and the two facets of terms are reference
data, read once per process (``reference``); one query gives the candidates (by name: the page and the number of
matches; with "open now" or a city: every candidate's id and links, then their hours of today and yesterday in one
or two queries); the page's cards are built from plain rows (``values``), not model instances, with three small
queries (locations, terms, telephones).
"""

from __future__ import annotations

import inspect
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar, cast

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

from himaya.accounts.models import Organisation
from himaya.core.models import City, Province, Region
from himaya.directory import hours
from himaya.directory.models import (
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
    Taxonomy,
    TaxonomyTerm,
    localised,
)
from himaya.directory.visibility import Audience, location_view, phone_visible, visible_phones

AUDIENCE = Audience.PUBLIC
NEEDS = "himaya-needs"
POPULATIONS = "himaya-populations"
FACETS = (NEEDS, POPULATIONS)
MAX_QUERY_LENGTH = 100
MAX_PER_PAGE = 100
# "Open now" on up to this many candidates is decided in Python from their hours (two or three indexed queries,
# cheaper to build than the database expression); beyond, by the database expression (hours.open_now_expression).
OPEN_NOW_IN_PYTHON_UP_TO = 1000
# The services left by the terms, territory and language are given to the services' query as a list up to this
# many; beyond, as a subquery.
SELECTIVE_LIST_UP_TO = 2000
EARTH_RADIUS_KM = 6371.0088
# Bidirectional controls (RTL override and isolates) and other invisible format characters are dropped from
# the searched text; so are control characters (PostgreSQL refuses NUL in a string).
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

S = TypeVar("S")
Link = tuple[Any, Any, Any]  # a service-at-location link: (link id, service id, location id)


@dataclass
class SearchItem(Generic[S]):
    """One service as the public sees it: a ``ServiceCard`` in a search, the ``Service`` on its detail page."""

    service: S
    # visibility.location_view(..., PUBLIC) plus "distance_km" and "map_point"
    locations: list[dict[str, Any]]
    phones: list[Any]  # the public telephones (``number``, ``description``)
    distance_km: float | None
    open_now: bool
    needs: list[TaxonomyTerm] = field(default_factory=list)
    populations: list[TaxonomyTerm] = field(default_factory=list)
    alert: str = ""


@dataclass
class SearchResult:
    items: list[SearchItem[ServiceCard]]
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


# Reference data -------------------------------------------------------------------------------------------------


class Reference:
    """Territories (regions, provinces, cities, province centres) and the terms of the two facets.

    Reference data, changed by migrations: read once per process and database. Saving or deleting one of these
    rows (or migrating) forgets it; a code or a term that is not known yet reads it again when the tables' row
    counts changed (rows added without signals, in bulk), so that an unknown code sent by a visitor costs one
    small count query, never a reload.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self.fingerprint = reference_fingerprint()
        self.regions: dict[int, Region] = {region.pk: region for region in Region.objects.all()}
        self.provinces: dict[int, Province] = {}
        self.province_codes: dict[str, Province] = {}
        for province in Province.objects.all():
            province.region = self.regions[province.region_id]
            self.provinces[province.pk] = province
            self.province_codes[province.code] = province
        self.cities: dict[int, City] = {}
        self.city_slugs: dict[str, City] = {}
        points: dict[int, list[tuple[float, float]]] = {}
        for city in City.objects.all():
            city.province = self.provinces[city.province_id]
            self.cities[city.pk] = city
            self.city_slugs[city.slug] = city
            points.setdefault(city.province_id, []).append((float(city.latitude), float(city.longitude)))
        # A province's centre: the mean of its cities' coordinates.
        self.centres: dict[int, tuple[float, float]] = {
            province_id: (sum(p[0] for p in rows) / len(rows), sum(p[1] for p in rows) / len(rows))
            for province_id, rows in points.items()
        }
        terms = list(TaxonomyTerm.objects.filter(taxonomy__code__in=FACETS).select_related("taxonomy"))
        self.terms: dict[Any, TaxonomyTerm] = {term.pk: term for term in terms}  # in the terms' own ordering
        self.term_codes: dict[tuple[str, str], TaxonomyTerm] = {
            (term.taxonomy.code, term.code): term for term in terms
        }
        self.term_position: dict[Any, int] = {pk: index for index, pk in enumerate(self.terms)}

    def centre(self, province_id: int | None) -> tuple[float, float] | None:
        return None if province_id is None else self.centres.get(province_id)


_reference: Reference | None = None


def reference(*, fresh: bool = False) -> Reference:
    """The reference data of the current database (read again when ``fresh``)."""
    global _reference
    database = str(connection.settings_dict["NAME"])
    if fresh or _reference is None or _reference.database != database:
        _reference = Reference(database)
    return _reference


_REFERENCE_MODELS = (Region, Province, City, Taxonomy, TaxonomyTerm)


def reference_fingerprint() -> tuple[int, ...]:
    """The row counts of the reference tables, in one query."""
    quote = connection.ops.quote_name
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"  # noqa: S608 (table names from our models)
        for model in _REFERENCE_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def _refreshed(ref: Reference) -> Reference:
    """``ref`` read again if rows were added or removed without signals since it was read."""
    return reference(fresh=True) if reference_fingerprint() != ref.fingerprint else ref


def forget_reference(**_kwargs: Any) -> None:
    global _reference
    _reference = None


for _model in _REFERENCE_MODELS:
    post_save.connect(
        forget_reference, sender=_model, dispatch_uid=f"search-reference-save-{_model.__name__}"
    )
    post_delete.connect(
        forget_reference, sender=_model, dispatch_uid=f"search-reference-del-{_model.__name__}"
    )
post_migrate.connect(forget_reference, dispatch_uid="search-reference-migrate")


def _known(lookup: Any, key: Any, ref: Reference) -> tuple[Any, Reference]:
    """``lookup(ref).get(key)``, reading the reference data again when ``key`` is not known and the tables grew."""
    found = lookup(ref).get(key)
    if found is None:
        ref = _refreshed(ref)
        found = lookup(ref).get(key)
    return found, ref


# Text and distances ---------------------------------------------------------------------------------------------


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


def public_point(
    *,
    confidential: bool,
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    city: City | None,
    province_id: int | None,
    ref: Reference,
) -> tuple[float, float] | None:
    """The point used for distances: real coordinates only for a non-confidential location."""
    if not confidential and latitude is not None and longitude is not None:
        return float(latitude), float(longitude)
    if city is not None:
        return float(city.latitude), float(city.longitude)
    return ref.centre(province_id)


# Filters --------------------------------------------------------------------------------------------------------


def _selective_sql(
    terms: list[Any], chosen: Province | None, language: str | None
) -> tuple[str, list[Any]] | None:
    """The ids of the services of ``terms`` in the territory of ``chosen`` (and speaking ``language``), as SQL.

    Answered from the indexes of the link tables alone, nested ("the service ids of this term among those of the
    territory"), so that the service table is read only for the few services left; the language is then one
    indexed probe per service left. Plain SQL, the same on SQLite and PostgreSQL: the ORM would spend longer
    building these nested subqueries than the database spends answering them. None without terms nor territory.
    """
    if not terms and chosen is None:
        return None
    # Only table names (quoted, from the models) are formatted into the SQL; every value is a parameter.
    quote = connection.ops.quote_name
    through = Service.terms.through
    links, locations, areas = (
        quote(model._meta.db_table) for model in (ServiceAtLocation, Location, ServiceArea)
    )
    term_links, languages = quote(through._meta.db_table), quote(ServiceLanguage._meta.db_table)
    term_id = through._meta.get_field("taxonomyterm").target_field
    params: list[Any] = []

    def in_territory(column: str) -> str:
        # Delivered at a location of the province, or serving the province, its whole region or the whole
        # country (a service area with neither region nor province).
        assert chosen is not None
        params.extend([chosen.pk, chosen.pk, chosen.region_id])
        located = (
            f"SELECT sal.service_id FROM {links} sal INNER JOIN {locations} loc"  # noqa: S608
            " ON loc.id = sal.location_id WHERE loc.province_id = %s"
        )
        serving = (
            f"SELECT area.service_id FROM {areas} area WHERE area.province_id = %s"  # noqa: S608
            " OR (area.province_id IS NULL AND (area.region_id = %s OR area.region_id IS NULL))"
        )
        return f"({column} IN ({located}) OR {column} IN ({serving}))"

    if terms:
        column = "t0.service_id"
        wheres = ["t0.taxonomyterm_id = %s"]
        params.append(term_id.get_db_prep_value(terms[0], connection))
        if chosen is not None:
            wheres.append(in_territory(column))
        for other in terms[1:]:
            other_term = f"SELECT t1.service_id FROM {term_links} t1 WHERE t1.taxonomyterm_id = %s"  # noqa: S608
            wheres.append(f"{column} IN ({other_term})")
            params.append(term_id.get_db_prep_value(other, connection))
        sql = f"SELECT {column} FROM {term_links} t0 WHERE {' AND '.join(wheres)}"  # noqa: S608
    else:
        column = "s0.id"
        sql = f"SELECT {column} FROM {quote(Service._meta.db_table)} s0 WHERE {in_territory(column)}"  # noqa: S608
    if language:
        speaks = f"SELECT 1 FROM {languages} lang WHERE lang.service_id = {column} AND lang.code = %s"  # noqa: S608
        sql += f" AND EXISTS ({speaks})"
        params.append(language)
    return sql, params


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
    """The listed services matching the filters, the chosen city, and whether a code, city or province is unknown.

    The terms, the territory and the language are read first, in one query on the link tables
    (``_selective_sql``); the queryset filters the services by those ids, by text, and by "open now" (when asked:
    correlated EXISTS on the candidates' hours of today and yesterday, ``hours.open_now_expression``).
    """
    services = Service.objects.listed()
    ref = reference()
    unknown = False
    terms: list[Any] = []
    for taxonomy, code in ((NEEDS, need), (POPULATIONS, population)):
        if code:
            term, ref = _known(lambda r: r.term_codes, (taxonomy, code), ref)
            if term is None:
                unknown = True
            else:
                terms.append(term.pk)
    origin: City | None = None
    chosen: Province | None = None
    if city:
        origin, ref = _known(lambda r: r.city_slugs, city, ref)
        if origin is None:
            unknown = True
        else:
            chosen = ref.provinces.get(origin.province_id)
    if province and chosen is None:
        chosen, ref = _known(lambda r: r.province_codes, province, ref)
        if chosen is None:
            unknown = True
    if unknown:
        return services.none(), origin, True
    selective = _selective_sql(terms, chosen, language)
    if selective is not None:
        # Read first, then given to the services' query as a list: the planner then probes the few services by
        # their primary key instead of scanning the table (it cannot know how few the subquery leaves). A long
        # list (a territory served nationally, say) stays a subquery: scanning is then the right plan.
        with connection.cursor() as cursor:
            cursor.execute(*selective)
            ids = cursor.fetchmany(SELECTIVE_LIST_UP_TO + 1)
        if len(ids) <= SELECTIVE_LIST_UP_TO:
            to_id = Service._meta.pk.to_python
            services = services.filter(pk__in=[to_id(row[0]) for row in ids])
        else:
            services = services.filter(pk__in=RawSQL(*selective))  # noqa: S611 (values are parameters)
    elif language:
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
    return services, origin, False


# The page's cards -----------------------------------------------------------------------------------------------


# The rule of ``Organisation.display_name`` (a property), applied to a card with the same fields.
_display_name: Callable[[Any], str] = inspect.getattr_static(Organisation, "display_name").fget


@dataclass(frozen=True)
class OrganisationCard:
    name: str
    name_ar: str

    @property
    def display_name(self) -> str:
        return _display_name(self)


@dataclass(frozen=True)
class ServiceCard:
    """What a result card shows of a service (read with ``values``): its names, status, verification, alert."""

    id: Any
    name: str
    name_ar: str
    name_en: str
    status: str
    verified_at: datetime | None
    alert: str
    alert_until: date | None
    organisation: OrganisationCard

    @property
    def pk(self) -> Any:
        return self.id

    @property
    def label(self) -> str:
        return localised(self, "name")  # as Service.label

    def current_alert(self, today: date | None = None) -> str:
        return Service.current_alert(cast(Service, self), today)  # the model's rule, on the card's fields


CARD_FIELDS = (
    "id",
    "name",
    "name_ar",
    "name_en",
    "status",
    "verified_at",
    "alert",
    "alert_until",
    "organisation__name",
    "organisation__name_ar",
)


def _card(row: dict[str, Any]) -> ServiceCard:
    return ServiceCard(
        id=row["id"],
        name=row["name"],
        name_ar=row["name_ar"],
        name_en=row["name_en"],
        status=row["status"],
        verified_at=row["verified_at"],
        alert=row["alert"],
        alert_until=row["alert_until"],
        organisation=OrganisationCard(row["organisation__name"], row["organisation__name_ar"]),
    )


@dataclass(frozen=True)
class LocationRow:
    """The fields of a location that ``visibility.location_view`` reads, with its territories (reference data)."""

    id: Any
    name: str
    name_ar: str
    location_type: str
    is_confidential: bool
    city_name: str
    address_1: str
    address_2: str
    postal_code: str
    transportation: str
    latitude: Decimal | None
    longitude: Decimal | None
    front_door_phone: str
    front_door_note: str
    province_id: int | None
    city: City | None
    province: Province | None
    region: Region | None


LOCATION_FIELDS = (
    "id",
    "name",
    "name_ar",
    "location_type",
    "is_confidential",
    "city_name",
    "address_1",
    "address_2",
    "postal_code",
    "transportation",
    "latitude",
    "longitude",
    "front_door_phone",
    "front_door_note",
    "province_id",
)


class PhoneRow(NamedTuple):
    number: str
    description: str
    visibility: str


def _locations_of(ids: list[Any], ref: Reference) -> tuple[dict[Any, list[LocationRow]], list[Link]]:
    """The services' locations (by service) and their links."""
    found: dict[Any, list[LocationRow]] = {pk: [] for pk in ids}
    links: list[Link] = []
    rows = Location.objects.filter(service_at_locations__service_id__in=ids).order_by()
    for link_id, service_id, *values, city_id, region_id in rows.values_list(
        "service_at_locations__id",
        "service_at_locations__service_id",
        *LOCATION_FIELDS,
        "city_id",
        "region_id",
    ):
        row = dict(zip(LOCATION_FIELDS, values, strict=True))
        links.append((link_id, service_id, row["id"]))
        province_id = row["province_id"]
        found[service_id].append(
            LocationRow(
                **row,
                city=ref.cities.get(city_id) if city_id is not None else None,
                province=ref.provinces.get(province_id) if province_id is not None else None,
                region=ref.regions.get(region_id) if region_id is not None else None,
            )
        )
    return found, links


def _terms_of(ids: list[Any], ref: Reference) -> dict[Any, list[TaxonomyTerm]]:
    """The services' terms of the two facets, in the terms' own ordering (shared reference objects)."""
    pairs = list(
        Service.terms.through.objects.filter(
            service_id__in=ids, taxonomyterm__taxonomy__code__in=FACETS
        ).values_list("service_id", "taxonomyterm_id")
    )
    if any(term_id not in ref.terms for _service, term_id in pairs):
        ref = _refreshed(ref)
    found: dict[Any, list[TaxonomyTerm]] = {pk: [] for pk in ids}
    known = [(service_id, term_id) for service_id, term_id in pairs if term_id in ref.terms]
    for service_id, term_id in sorted(known, key=lambda pair: ref.term_position[pair[1]]):
        found[service_id].append(ref.terms[term_id])
    return found


def _phones_of(ids: list[Any]) -> dict[Any, list[PhoneRow]]:
    found: dict[Any, list[PhoneRow]] = {pk: [] for pk in ids}
    for service_id, *values in Phone.objects.filter(service_id__in=ids).values_list(
        "service_id", "number", "description", "visibility"
    ):
        phone = PhoneRow(*values)
        if phone_visible(cast(Phone, phone), AUDIENCE):
            found[service_id].append(phone)
    return found


def public_locations(
    locations: Iterable[Location | LocationRow], origin: City | None, ref: Reference
) -> tuple[list[dict[str, Any]], float | None]:
    """The public view of ``locations``, each with its distance from ``origin`` and map point; the nearest."""
    views: list[dict[str, Any]] = []
    nearest: float | None = None
    for location in locations:
        # location_view reads the attributes a LocationRow has too: the visibility rule stays there.
        view = location_view(cast(Location, location), AUDIENCE)
        point = public_point(
            confidential=location.is_confidential,
            latitude=view["latitude"],
            longitude=view["longitude"],
            city=view["city"],
            province_id=location.province_id,
            ref=ref,
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


def _cards(
    rows: list[dict[str, Any]], origin: City | None, ref: Reference, now: datetime, open_now: bool
) -> list[SearchItem[ServiceCard]]:
    """The page's items; ``open_now``: the filter kept only open services (else their hours are read)."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    (locations, links), terms, phones = _locations_of(ids, ref), _terms_of(ids, ref), _phones_of(ids)
    if open_now:
        open_ids = set(ids)
    else:
        # "Open now" of the page's services: their hours read with one or two small queries, the rule in Python.
        may_open = {row["id"] for row in rows if row["status"] in hours.OPEN_STATUSES}
        open_ids = hours.open_among(may_open, now, [link for link in links if link[1] in may_open])
    today = timezone.localdate()
    items = []
    for row in rows:
        card = _card(row)
        views, nearest = public_locations(locations[card.id], origin, ref)
        items.append(
            SearchItem(
                service=card,
                locations=views,
                phones=phones[card.id],
                distance_km=nearest,
                open_now=card.id in open_ids,
                needs=[term for term in terms[card.id] if term.taxonomy.code == NEEDS],
                populations=[term for term in terms[card.id] if term.taxonomy.code == POPULATIONS],
                alert=card.current_alert(today),
            )
        )
    return items


# The search -----------------------------------------------------------------------------------------------------


def _candidates(
    services: QuerySet[Service], origin: City | None, ref: Reference
) -> tuple[list[Any], list[Link]]:
    """The filtered services' ids and their links (one query): by name, or nearest public point to ``origin``
    first and then by name."""
    columns = ["pk", "service_at_locations__id", "service_at_locations__location_id"]
    if origin is None:
        rows = services.order_by("name", "pk").values_list(*columns)
        ids = list(dict.fromkeys(row[0] for row in rows))
        return ids, [(link_id, pk, location_id) for pk, link_id, location_id in rows if link_id is not None]
    located = services.order_by("name", "pk").values_list(
        *columns,
        "service_at_locations__location__is_confidential",
        "service_at_locations__location__latitude",
        "service_at_locations__location__longitude",
        "service_at_locations__location__city_id",
        "service_at_locations__location__province_id",
    )
    start = (float(origin.latitude), float(origin.longitude))
    order: dict[Any, float | None] = {}
    links: list[Link] = []
    for service_id, link_id, location_id, confidential, lat, lon, city_id, province_id in located:
        order.setdefault(service_id, None)
        if link_id is None:  # no location
            continue
        links.append((link_id, service_id, location_id))
        point = public_point(
            confidential=confidential,
            latitude=lat,
            longitude=lon,
            city=ref.cities.get(city_id) if city_id is not None else None,
            province_id=province_id,
            ref=ref,
        )
        if point is None:
            continue
        distance = haversine_km(*start, *point)
        known = order[service_id]
        if known is None or distance < known:
            order[service_id] = distance
    ids = list(order)  # by name: the sort below is stable
    ids.sort(key=lambda pk: (order[pk] is None, order[pk] or 0.0))
    return ids, links


def _pages(total: int, page: int, per_page: int) -> tuple[int, int]:
    """The number of pages and the page shown (an out-of-range page shows the last one)."""
    pages = max(1, math.ceil(total / per_page))
    return pages, max(1, min(int(page), pages))


def _by_name(services: QuerySet[Service], page: int, per_page: int) -> tuple[list[dict[str, Any]], int, int]:
    """One page by name with the number of matches, in one query (a second one only past the last page)."""
    counted = services.order_by("name", "pk").annotate(matches=Window(Count("pk")))

    def read(number: int) -> list[dict[str, Any]]:
        start = (number - 1) * per_page
        return list(counted.values(*CARD_FIELDS, "matches")[start : start + per_page])

    rows = read(page)
    if rows:
        return rows, rows[0]["matches"], page
    total = services.count() if page > 1 else 0
    _pages_count, page = _pages(total, page, per_page)
    return (read(page) if total else []), total, page


def _still_open(
    services: QuerySet[Service], ordered: list[Any], links: list[Link], now: datetime
) -> list[Any]:
    """``ordered`` (the ids of ``services``) without the services closed at ``now``, in the same order."""
    if len(ordered) <= OPEN_NOW_IN_PYTHON_UP_TO:
        still_open = hours.open_among(ordered, now, links)
    else:
        still_open = set(services.filter(hours.open_now_expression(now)).values_list("pk", flat=True))
    return [pk for pk in ordered if pk in still_open]


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
    page = max(1, int(page))
    services, origin, _unknown = filtered_services(
        need=need, province=province, city=city, language=language, population=population, q=q
    )
    ref = reference()
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
        pages, page = _pages(total, page, per_page)
        start = (page - 1) * per_page
        rows = list(services.order_by("name", "pk").values(*CARD_FIELDS)[start : start + per_page])
    elif origin is None and not open_now:
        # By name among the few services of a need, population or province: the page and the number of
        # matches in one query.
        rows, total, page = _by_name(services, page, per_page)
        pages, page = _pages(total, page, per_page)
    else:
        # The ids left by the other filters (a short list once a need, population or province is chosen; nearest
        # first when a city is chosen), read once, then "open now" on them; then the page's services.
        if open_now:
            services = services.filter(status__in=hours.OPEN_STATUSES)
        ordered, links = _candidates(services, origin, ref)
        if open_now:
            ordered = _still_open(services, ordered, links, now)
        total = len(ordered)
        pages, page = _pages(total, page, per_page)
        wanted = ordered[(page - 1) * per_page : page * per_page]
        found = {row["id"]: row for row in Service.objects.filter(pk__in=wanted).values(*CARD_FIELDS)}
        rows = [found[pk] for pk in wanted if pk in found]
    return SearchResult(
        items=_cards(rows, origin, ref, now, open_now),
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        origin=origin,
        filters=filters,
    )


def public_service(service_id: Any, now: datetime | None = None) -> SearchItem[Service] | None:
    """One listed service with its public view, or None (unknown, inactive or defunct)."""
    now = now or timezone.now()
    links = ServiceAtLocation.objects.select_related(
        "location__city", "location__province", "location__region"
    )
    service = (
        Service.objects.listed()
        .filter(pk=service_id)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("service_at_locations", queryset=links),
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
            "languages",
            "phones",
            Prefetch("schedules", queryset=Schedule.objects.order_by()),
            Prefetch("service_at_locations__schedules", queryset=Schedule.objects.order_by()),
            Prefetch("service_at_locations__location__schedules", queryset=Schedule.objects.order_by()),
            "cost_options",
            "required_documents",
            "service_at_locations__location__accessibility",
        )
        .first()
    )
    if service is None:
        return None
    ref = reference()
    views, nearest = public_locations(
        [link.location for link in service.service_at_locations.all()], None, ref
    )
    terms = list(service.terms.all())
    return SearchItem(
        service=service,
        locations=views,
        phones=visible_phones(service.phones.all(), AUDIENCE),
        distance_km=nearest,
        open_now=hours.service_open_at(service, now),
        needs=[term for term in terms if term.taxonomy.code == NEEDS],
        populations=[term for term in terms if term.taxonomy.code == POPULATIONS],
        alert=service.current_alert(),
    )
