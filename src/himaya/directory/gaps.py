"""Gap analysis: a province x service-family matrix of the verified directory, and its exports.

Rules (docs for analysts and commissions; keep them in sync with the page's "method" note):

- Only verified (``verified_at`` set) and listed (not inactive nor defunct) services count.
- A service counts in a province when one of its non-virtual locations is in it, when one of its service areas
  covers it (the province itself, or its region when the area names no province), or when it is national: a
  service area naming neither region nor province, or no service area at all and only virtual locations (a
  hotline, an online platform).
- Families are those of ``himaya.directory.data.taxonomy.FAMILIES``: a service counts in the family of each of its
  "himaya-needs" terms. The column "all" counts every verified listed service once.
- Open hours per week: the sum of the lengths of the services' current ``Schedule`` rows (service-level and
  service-at-location rows), in hours, capped at 168. Hours not recorded count as closed.
- Nearest service: the distance in km (haversine) from the province centroid (the mean of its cities'
  coordinates) to the closest location of a verified service of the family (its coordinates, else its city's);
  0 when a service counts in the province; unknown when the province has no city or no service has coordinates.
- Class: "desert" when no service counts in the province and the nearest is farther than 100 km (or unknown);
  "low" when there is no service but one within 100 km, a single service, or fewer than 40 open hours a week;
  "adequate" otherwise.
- Council of Europe minimum standards (population of the 2024 census), counted where the service is located
  (its non-virtual locations' provinces; a national line is no centre): one shelter place per 10,000
  inhabitants (places of the latest capacity record of services tagged emergency or long-term shelter, stale
  records included); one rape crisis centre per 200,000 women (services tagged sexual and reproductive health);
  one sexual-violence referral centre per 400,000 women (services of hospital care cells tagged medical
  certificate). Ratio = available / required.
- Territorial analysts see the provinces of their role's region or province only; national analysts, directory
  editors and supervisors see the whole country. Distances still look at every service in the country.

The whole computation runs a fixed number of queries whatever the number of services.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from himaya.accounts.roles import Role
from himaya.core import audit
from himaya.core.models import AuditAction, City, Province
from himaya.directory.data.taxonomy import FAMILIES
from himaya.directory.models import (
    CapacityRecord,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)

NEEDS_TAXONOMY_CODE = "himaya-needs"
ALL_FAMILIES = "all"
DESERT_DISTANCE_KM = 100.0
LOW_HOURS_PER_WEEK = 40.0
HOURS_PER_WEEK = 168.0
SHELTER_NEEDS = frozenset({"emergency_shelter", "long_term_shelter"})
RAPE_CRISIS_NEED = "sexual_health"
REFERRAL_CENTRE_NEED = "medical_certificate"
REFERRAL_CENTRE_KINDS = frozenset({"hospital_cell"})
INHABITANTS_PER_SHELTER_PLACE = 10_000
WOMEN_PER_RAPE_CRISIS_CENTRE = 200_000
WOMEN_PER_REFERRAL_CENTRE = 400_000
EARTH_RADIUS_KM = 6371.0088
UNSCOPED_ROLES = frozenset({Role.NATIONAL_ANALYST, Role.DIRECTORY_EDITOR, Role.SUPERVISOR})

DESERT, LOW, ADEQUATE = "desert", "low", "adequate"
CLASS_LABELS = {
    DESERT: gettext_lazy("Service desert"),
    LOW: gettext_lazy("Low coverage"),
    ADEQUATE: gettext_lazy("Adequate"),
}


def family_label(code: str) -> str:
    if code == ALL_FAMILIES:
        return _("All services")
    fr, ar, en = FAMILIES[code]
    language = (get_language() or "fr")[:2]
    return {"ar": ar, "en": en}.get(language, fr)


# --- facts about the verified services, loaded with a fixed number of queries ---------------------------------


@dataclass
class ServiceFacts:
    id: Any
    organisation_kind: str
    places: int | None
    needs: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)
    located_provinces: set[int] = field(default_factory=set)
    area_provinces: set[int] = field(default_factory=set)
    area_regions: set[int] = field(default_factory=set)
    whole_country_area: bool = False
    has_area: bool = False
    has_virtual_location: bool = False
    points: list[tuple[float, float]] = field(default_factory=list)
    minutes_per_week: int = 0

    @property
    def national(self) -> bool:
        if self.whole_country_area:
            return True
        return not self.has_area and self.has_virtual_location and not self.located_provinces

    def covers(self, province_id: int, region_id: int) -> bool:
        return (
            self.national
            or province_id in self.located_provinces
            or province_id in self.area_provinces
            or region_id in self.area_regions
        )

    @property
    def hours_per_week(self) -> float:
        return min(self.minutes_per_week / 60, HOURS_PER_WEEK)


def verified_services() -> QuerySet[Service]:
    return Service.objects.listed().verified()


def current_schedules(today: Any = None) -> QuerySet[Schedule]:
    today = today or timezone.localdate()
    return Schedule.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    )


def load_facts(services: QuerySet[Service] | None = None) -> dict[Any, ServiceFacts]:
    """Facts about ``services`` (default: every verified listed service) in six queries."""
    services = services if services is not None else verified_services()
    latest_places = CapacityRecord.objects.filter(service=OuterRef("pk")).order_by("-as_of", "-id")
    rows = services.annotate(latest_places=Subquery(latest_places.values("places")[:1])).values_list(
        "id", "organisation__kind", "latest_places"
    )
    facts = {
        pk: ServiceFacts(id=pk, organisation_kind=kind or "", places=places) for pk, kind, places in rows
    }
    ids = services.values("id")

    terms = Service.terms.through.objects.filter(
        service_id__in=ids, taxonomyterm__taxonomy__code=NEEDS_TAXONOMY_CODE
    ).values_list("service_id", "taxonomyterm__code", "taxonomyterm__family")
    for service_id, code, family in terms:
        fact = facts.get(service_id)
        if fact is None:  # verified in between the queries: next time
            continue
        fact.needs.add(code)
        if family in FAMILIES:
            fact.families.add(family)

    located = ServiceAtLocation.objects.filter(service_id__in=ids).values_list(
        "service_id",
        "location__location_type",
        "location__province_id",
        "location__city__province_id",
        "location__latitude",
        "location__longitude",
        "location__city__latitude",
        "location__city__longitude",
    )
    for service_id, kind, province_id, city_province_id, lat, lon, city_lat, city_lon in located:
        fact = facts.get(service_id)
        if fact is None:  # verified in between the queries: next time
            continue
        if kind == Location.Kind.VIRTUAL:
            fact.has_virtual_location = True
            continue
        province = province_id or city_province_id
        if province:
            fact.located_provinces.add(province)
        if lat is not None and lon is not None:
            fact.points.append((float(lat), float(lon)))
        elif city_lat is not None and city_lon is not None:
            fact.points.append((float(city_lat), float(city_lon)))

    areas = ServiceArea.objects.filter(service_id__in=ids).values_list(
        "service_id", "region_id", "province_id"
    )
    for service_id, region_id, province_id in areas:
        fact = facts.get(service_id)
        if fact is None:  # verified in between the queries: next time
            continue
        fact.has_area = True
        if province_id:
            fact.area_provinces.add(province_id)
        elif region_id:
            fact.area_regions.add(region_id)
        else:
            fact.whole_country_area = True

    schedules = (
        current_schedules()
        .filter(Q(service_id__in=ids) | Q(service_at_location__service_id__in=ids))
        .values_list("service_id", "service_at_location__service_id", "opens_at", "closes_at")
    )
    for service_id, sal_service_id, opens_at, closes_at in schedules:
        owner = facts.get(service_id) or facts.get(sal_service_id)
        if owner is not None:
            owner.minutes_per_week += Schedule(opens_at=opens_at, closes_at=closes_at).minutes
    return facts


def covering_services(province: Province, facts: dict[Any, ServiceFacts]) -> list[ServiceFacts]:
    return [fact for fact in facts.values() if fact.covers(province.pk, province.region_id)]


# --- the matrix ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    services: int
    hours: float
    nearest_km: float | None
    status: str

    @property
    def status_label(self) -> str:
        return str(CLASS_LABELS[self.status])


@dataclass(frozen=True)
class Standard:
    code: str
    label: str
    unit: str
    required: float | None
    available: int

    @property
    def ratio(self) -> float | None:
        if not self.required:
            return None
        return self.available / self.required


@dataclass
class ProvinceRow:
    province: Province
    centroid: tuple[float, float] | None
    cells: dict[str, Cell]
    standards: list[Standard]


@dataclass
class GapMatrix:
    families: list[str]
    rows: list[ProvinceRow]
    computed_at: datetime
    scope_label: str = ""

    def family_labels(self) -> list[tuple[str, str]]:
        return [(code, family_label(code)) for code in self.families]


def classify(services: int, hours: float, nearest_km: float | None) -> str:
    if services == 0:
        if nearest_km is None or nearest_km > DESERT_DISTANCE_KM:
            return DESERT
        return LOW
    if services == 1 or hours < LOW_HOURS_PER_WEEK:
        return LOW
    return ADEQUATE


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def province_centroids() -> dict[int, tuple[float, float]]:
    """The mean of each province's cities' coordinates (one query)."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for province_id, lat, lon in City.objects.values_list("province_id", "latitude", "longitude"):
        total = sums[province_id]
        total[0] += float(lat)
        total[1] += float(lon)
        total[2] += 1
    return {pk: (lat / count, lon / count) for pk, (lat, lon, count) in sums.items()}


def scope_provinces(user: Any) -> QuerySet[Province]:
    """The provinces whose gaps ``user`` may see: all of them, or a territorial analyst's region/province."""
    provinces = Province.objects.select_related("region").order_by("code")
    if not user.has_perm("directory.view_gaps"):
        return provinces.none()
    codes = user.role_codes()
    if codes & UNSCOPED_ROLES:
        return provinces
    if Role.TERRITORIAL_ANALYST in codes:
        assignments = user.role_assignments.filter(role=Role.TERRITORIAL_ANALYST)
        regions = [a.region_id for a in assignments if a.region_id and not a.province_id]
        province_ids = [a.province_id for a in assignments if a.province_id]
        return provinces.filter(Q(region_id__in=regions) | Q(pk__in=province_ids))
    return provinces.none()


def _standards(province: Province, located: list[ServiceFacts]) -> list[Standard]:
    places = sum(fact.places or 0 for fact in located if fact.needs & SHELTER_NEEDS)
    rape_crisis = sum(1 for fact in located if RAPE_CRISIS_NEED in fact.needs)
    referral = sum(
        1
        for fact in located
        if REFERRAL_CENTRE_NEED in fact.needs and fact.organisation_kind in REFERRAL_CENTRE_KINDS
    )
    population, women = province.population, province.women_population
    return [
        Standard(
            "shelter_places",
            _("Shelter places (1 per 10,000 inhabitants)"),
            _("places"),
            population / INHABITANTS_PER_SHELTER_PLACE if population else None,
            places,
        ),
        Standard(
            "rape_crisis_centres",
            _("Rape crisis centres (1 per 200,000 women)"),
            _("centres"),
            women / WOMEN_PER_RAPE_CRISIS_CENTRE if women else None,
            rape_crisis,
        ),
        Standard(
            "referral_centres",
            _("Sexual-violence referral centres (1 per 400,000 women)"),
            _("centres"),
            women / WOMEN_PER_REFERRAL_CENTRE if women else None,
            referral,
        ),
    ]


def compute_matrix(provinces: Iterable[Province]) -> GapMatrix:
    facts = list(load_facts().values())
    centroids = province_centroids()
    families = [*FAMILIES, ALL_FAMILIES]
    members: dict[str, list[ServiceFacts]] = {
        code: [fact for fact in facts if code == ALL_FAMILIES or code in fact.families] for code in families
    }
    points = {code: [point for fact in members[code] for point in fact.points] for code in families}
    rows = []
    for province in provinces:
        centroid = centroids.get(province.pk)
        cells = {}
        for code in families:
            covering = [fact for fact in members[code] if fact.covers(province.pk, province.region_id)]
            hours = min(sum(fact.hours_per_week for fact in covering), HOURS_PER_WEEK)
            nearest: float | None
            if covering:
                nearest = 0.0
            elif centroid is not None and points[code]:
                nearest = min(haversine_km(centroid, point) for point in points[code])
            else:
                nearest = None
            cells[code] = Cell(
                len(covering), round(hours, 1), nearest, classify(len(covering), hours, nearest)
            )
        located = [fact for fact in facts if province.pk in fact.located_provinces]
        rows.append(ProvinceRow(province, centroid, cells, _standards(province, located)))
    return GapMatrix(families=families, rows=rows, computed_at=timezone.now())


def matrix_for(user: Any) -> GapMatrix:
    return compute_matrix(scope_provinces(user))


def map_points(matrix: GapMatrix) -> list[dict[str, Any]]:
    """Markers for the map (JSON-safe): provinces with a centroid, with their class per family."""
    return [
        {
            "code": row.province.code,
            "name": row.province.name,
            "lat": round(row.centroid[0], 5),
            "lon": round(row.centroid[1], 5),
            "cells": {
                code: {
                    "status": cell.status,
                    "label": cell.status_label,
                    "services": cell.services,
                    "hours": cell.hours,
                    "nearest_km": None if cell.nearest_km is None else round(cell.nearest_km),
                }
                for code, cell in row.cells.items()
            },
        }
        for row in matrix.rows
        if row.centroid is not None
    ]


# --- exports ---------------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets a leading apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _number(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def table(matrix: GapMatrix) -> tuple[list[str], list[list[Any]]]:
    """The matrix as a header and rows of plain values (one line per province)."""
    header = [_("Province code"), _("Province or prefecture"), _("Region"), _("Population"), _("Women")]
    for _code, label in matrix.family_labels():
        header += [
            f"{label}: {_('services')}",
            f"{label}: {_('open hours per week')}",
            f"{label}: {_('nearest service (km)')}",
            f"{label}: {_('class')}",
        ]
    if matrix.rows:
        for standard in matrix.rows[0].standards:
            header += [
                f"{standard.label}: {_('required')}",
                f"{standard.label}: {_('available')}",
                f"{standard.label}: {_('ratio')}",
            ]
    lines = []
    for row in matrix.rows:
        province = row.province
        line: list[Any] = [
            province.code,
            province.name,
            province.region.name,
            province.population or "",
            province.women_population or "",
        ]
        for code in matrix.families:
            cell = row.cells[code]
            line += [cell.services, cell.hours, _number(cell.nearest_km, 0), cell.status_label]
        for standard in row.standards:
            line += [_number(standard.required), standard.available, _number(standard.ratio, 2)]
        lines.append([neutralise(value) for value in line])
    return [neutralise(value) for value in header], lines


def render_csv(matrix: GapMatrix) -> bytes:
    header, lines = table(matrix)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read UTF-8


def render_xlsx(matrix: GapMatrix) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, lines = table(matrix)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Gap analysis")[:31]
    sheet.sheet_view.rightToLeft = (get_language() or "")[:2] == "ar"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(line)
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf_report(matrix: GapMatrix) -> bytes:
    from himaya.directory.pdf import render_pdf

    html = render_to_string(
        "directory/reports/gaps_pdf.html",
        {
            "matrix": matrix,
            "family_labels": matrix.family_labels(),
            "class_labels": CLASS_LABELS,
            "desert_km": int(DESERT_DISTANCE_KM),
            "low_hours": int(LOW_HOURS_PER_WEEK),
        },
    )
    return render_pdf(html)


RENDERERS = {"csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf_report}


def gaps_export(*, actor: Any, export_format: str, language: str) -> tuple[bytes, str, str]:
    """The matrix of ``actor``'s scope as ``export_format``: (content, content type, file name). Audited."""
    if export_format not in RENDERERS:
        raise ValueError(export_format)
    with translation.override(language):
        matrix = matrix_for(actor)
        content = RENDERERS[export_format](matrix)
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="directory.gap_analysis",
        detail={"format": export_format, "language": language, "provinces": len(matrix.rows)},
    )
    stamp = timezone.localdate().isoformat()
    return content, EXPORT_FORMATS[export_format], f"himaya-gaps-{stamp}-{language}.{export_format}"
