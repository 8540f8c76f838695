"""The partners' spreadsheet template (CSV or XLSX): one row per service, imported all or nothing.

``import_spreadsheet`` checks every row first and reports (row number, column, reason) for each problem; it
writes only when no row has an error, in one transaction (a dry run rolls back). Rules (docs/hsds-profile.md):

- every template column must be present (the report names the missing headers); ``service_id`` is optional;
- codes (needs, populations, languages, sexes, status, organisation kind, province) must be known;
- no HTML tags in text; no formula-like cell (starting with = + - @, tab or carriage return), except a valid
  telephone number in a telephone column and a number in a numeric column ("+212 5 22 ..", "-5.8");
- coordinates: both or none, numbers in range (error); outside Morocco's rough bounding box
  (20.5..36.1 N, -17.2..-0.9 E): a warning, the row is imported;
- a confidential location needs a front-door telephone;
- duplicate rows (same organisation, service name and address) and duplicate ``service_id`` are errors;
- CSV must be UTF-8 (a byte-order mark is accepted), separated by commas or semicolons.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.models import Organisation, OrganisationKind, Sector
from himaya.core.models import City, Province
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.hsds import neutralise
from himaya.directory.hsds_import import ImportReport, audit_import
from himaya.directory.models import (
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceHistory,
    ServiceLanguage,
    ServiceStatus,
    Sex,
    TaxonomyTerm,
    Weekday,
)

COLUMNS: dict[str, Any] = {
    "organisation_name": gettext_lazy("Name of the organisation (required)"),
    "organisation_kind": gettext_lazy("Kind of organisation (code, see the codes sheet; empty: other)"),
    "province_code": gettext_lazy("Province or prefecture code, e.g. 01.511"),
    "city": gettext_lazy("City (French name)"),
    "service_name": gettext_lazy("Name of the service (required)"),
    "service_name_ar": gettext_lazy("Name of the service in Arabic"),
    "description": gettext_lazy("Description (plain text, no HTML)"),
    "needs": gettext_lazy("Needs answered: codes separated by ';' (at least one)"),
    "populations": gettext_lazy("Populations served: codes separated by ';'"),
    "languages": gettext_lazy("Languages: codes separated by ';' (ar, ary, zgh, fr...)"),
    "phone": gettext_lazy("Telephone, e.g. +212 5 22 00 00 00"),
    "email": gettext_lazy("E-mail"),
    "address": gettext_lazy("Street address"),
    "latitude": gettext_lazy("Latitude (decimal degrees)"),
    "longitude": gettext_lazy("Longitude (decimal degrees, negative in Morocco)"),
    "confidential": gettext_lazy("Confidential address (yes/no): a shelter's address is never shown"),
    "front_door_phone": gettext_lazy("Front-door telephone (required when confidential)"),
    "hours": gettext_lazy("Opening hours, e.g. MO-FR 08:30-16:30; SA 09:00-12:00"),
    "min_age": gettext_lazy("Minimum age"),
    "max_age": gettext_lazy("Maximum age"),
    "sexes": gettext_lazy("Sexes served: female;male (empty: no restriction)"),
    "status": gettext_lazy("Status (empty: active)"),
}
OPTIONAL_COLUMNS = {"service_id": gettext_lazy("Identifier of an existing service to update (optional)")}
REQUIRED_COLUMNS = tuple(COLUMNS)
TEMPLATE_COLUMNS = (*COLUMNS, *OPTIONAL_COLUMNS)
PHONE_COLUMNS = {"phone", "front_door_phone"}
NUMBER_COLUMNS = {"latitude", "longitude", "min_age", "max_age"}
MAX_ROWS = 5000
MOROCCO_BOX = ((Decimal("20.5"), Decimal("36.1")), (Decimal("-17.2"), Decimal("-0.9")))
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().-]{4,24}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES = {"yes", "oui", "y", "true", "1", "نعم"}
NO = {"no", "non", "n", "false", "0", "", "لا"}
DAY_ORDER = list(Weekday.values)
HOURS_PART = re.compile(r"^([A-Za-z]{2}(?:\s*[-,]\s*[A-Za-z]{2})*)\s+(.+)$")
PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
SECTOR_OF_KIND = {
    "court_cell": Sector.JUSTICE,
    "prosecutor": Sector.JUSTICE,
    "police_cell": Sector.SECURITY,
    "gendarmerie_cell": Sector.SECURITY,
    "hospital_cell": Sector.HEALTH,
    "ministerial_cell": Sector.GOVERNMENT,
    "national_commission": Sector.GOVERNMENT,
    "regional_commission": Sector.GOVERNMENT,
    "local_commission": Sector.GOVERNMENT,
    "regulator": Sector.GOVERNMENT,
    "international": Sector.INTERNATIONAL,
}


def is_phone(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return bool(PHONE_RE.match(value)) and 6 <= len(digits) <= 15


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return True


@dataclass
class RowData:
    number: int
    values: dict[str, str]
    needs: list[TaxonomyTerm] = field(default_factory=list)
    populations: list[TaxonomyTerm] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    hours: list[tuple[str, Any, Any]] = field(default_factory=list)
    province: Province | None = None
    city: City | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    min_age: int | None = None
    max_age: int | None = None
    sexes: list[str] = field(default_factory=list)
    confidential: bool = False
    service_id: uuid.UUID | None = None


# --- Reading ---------------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, filename: str, report: ImportReport) -> tuple[list[str], list[list[str]]] | None:
    """Header and rows of a CSV (UTF-8, comma or semicolon) or XLSX file; None with an error otherwise."""
    if Path(filename).suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
            report.error(filename, "", _("The file is not a valid Excel (.xlsx) workbook."))
            return None
        sheet = workbook.worksheets[0]
        table = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.error(
                filename, "", _('The file is not UTF-8 encoded. Save it as "CSV UTF-8" and try again.')
            )
            return None
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    table = [row for row in table if any(row)]
    if not table:
        report.error(filename, "", _("The file is empty."))
        return None
    header = [cell.strip().lower() for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    return header, table[1:]


# --- Checking --------------------------------------------------------------------------------------------------


class RowChecker:
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.needs = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="himaya-needs")}
        self.populations = {
            t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code="himaya-populations")
        }
        self.provinces = {p.code: p for p in Province.objects.select_related("region")}
        self.cities = list(City.objects.select_related("province__region"))

    def error(self, row: int, column: str, message: str) -> None:
        self.report.error(row, column, message)

    def codes(self, row: RowData, column: str, allowed: Iterable[str]) -> list[str]:
        allowed = set(allowed)
        values = [part.strip() for part in re.split(r"[;,]", row.values[column]) if part.strip()]
        unknown = [value for value in values if value not in allowed]
        if unknown:
            self.error(row.number, column, _("Unknown code(s): %(codes)s") % {"codes": ", ".join(unknown)})
        return list(dict.fromkeys(value for value in values if value in allowed))

    def hours(self, row: RowData) -> None:
        text = row.values["hours"]
        for part in [p.strip() for p in text.split(";") if p.strip()]:
            match = HOURS_PART.match(part)
            if not match:
                self.error(
                    row.number,
                    "hours",
                    _('Cannot read "%(part)s"; write e.g. MO-FR 08:30-16:30') % {"part": part},
                )
                continue
            days: list[str] = []
            for chunk in match[1].upper().replace(" ", "").split(","):
                ends = chunk.split("-")
                if any(day not in DAY_ORDER for day in ends) or len(ends) > 2:
                    self.error(
                        row.number,
                        "hours",
                        _('Unknown day in "%(part)s" (MO TU WE TH FR SA SU)') % {"part": part},
                    )
                    days = []
                    break
                start, end = DAY_ORDER.index(ends[0]), DAY_ORDER.index(ends[-1])
                days += (
                    DAY_ORDER[start : end + 1] if start <= end else DAY_ORDER[start:] + DAY_ORDER[: end + 1]
                )
            for period in [p.strip() for p in match[2].split(",") if p.strip()]:
                times = PERIOD.match(period)
                if (
                    not times
                    or int(times[1]) > 23
                    or int(times[3]) > 24
                    or int(times[2]) > 59
                    or int(times[4]) > 59
                ):
                    self.error(
                        row.number,
                        "hours",
                        _('Cannot read the times "%(period)s" (HH:MM-HH:MM)') % {"period": period},
                    )
                    continue
                opens = time(int(times[1]), int(times[2]))
                closes = time(int(times[3]) % 24, int(times[4]))
                row.hours += [(day, opens, closes) for day in days]

    def check(self, row: RowData) -> None:
        values, number = row.values, row.number
        for column, value in values.items():
            if not value:
                continue
            if HTML_TAG.search(value):
                self.error(number, column, _("HTML is not allowed; write plain text."))
            if value.startswith(FORMULA_START):
                legitimate = (column in PHONE_COLUMNS and is_phone(value)) or (
                    column in NUMBER_COLUMNS and _is_number(value)
                )
                if not legitimate:
                    self.error(number, column, _("A cell may not start with = + - @ (spreadsheet formula)."))
        if not values["organisation_name"]:
            self.error(number, "organisation_name", _("Required."))
        if not values["service_name"]:
            self.error(number, "service_name", _("Required."))
        if values["organisation_kind"] and values["organisation_kind"] not in OrganisationKind.values:
            self.error(number, "organisation_kind", _("Unknown kind of organisation."))
        if values["province_code"]:
            row.province = self.provinces.get(values["province_code"])
            if row.province is None:
                self.error(number, "province_code", _("Unknown province or prefecture code."))
        if values["city"]:
            name = values["city"].casefold()
            candidates = [c for c in self.cities if name in (c.name_fr.casefold(), c.slug, c.name_ar)]
            if row.province:
                candidates = [c for c in candidates if c.province_id == row.province.pk] or candidates
            row.city = candidates[0] if candidates else None
            if row.city is None:
                self.report.warn(number, "city", _("City not in the list; kept as text."))
        row.needs = [self.needs[c] for c in self.codes(row, "needs", self.needs)]
        if not values["needs"]:
            self.error(number, "needs", _("At least one need is required."))
        row.populations = [self.populations[c] for c in self.codes(row, "populations", self.populations)]
        row.languages = self.codes(row, "languages", LANGUAGES)
        row.sexes = self.codes(row, "sexes", Sex.values)
        if values["status"] and values["status"] not in ServiceStatus.values:
            self.error(number, "status", _("Unknown status."))
        for column in PHONE_COLUMNS:
            if values[column] and not is_phone(values[column]):
                self.error(number, column, _("Not a telephone number."))
        if values["email"]:
            try:
                EmailValidator()(values["email"])
            except ValidationError:
                self.error(number, "email", _("Not a valid e-mail address."))
        confidential = values["confidential"].casefold()
        if confidential not in YES | NO:
            self.error(number, "confidential", _("Write yes or no."))
        row.confidential = confidential in YES
        if row.confidential and not values["front_door_phone"]:
            self.error(number, "front_door_phone", _("A confidential location needs a front-door telephone."))
        self.coordinates(row)
        for column in ("min_age", "max_age"):
            if values[column]:
                if not values[column].isdigit() or int(values[column]) > 120:
                    self.error(number, column, _("An age is a whole number from 0 to 120."))
                else:
                    setattr(row, column, int(values[column]))
        if row.min_age is not None and row.max_age is not None and row.min_age > row.max_age:
            self.error(number, "min_age", _("The minimum age is above the maximum age."))
        self.hours(row)
        if values.get("service_id"):
            try:
                row.service_id = uuid.UUID(values["service_id"])
            except ValueError:
                self.error(number, "service_id", _("Not a valid identifier."))

    def coordinates(self, row: RowData) -> None:
        latitude, longitude = row.values["latitude"], row.values["longitude"]
        if not latitude and not longitude:
            return
        if not latitude or not longitude:
            self.error(
                row.number,
                "latitude" if not latitude else "longitude",
                _("Give both latitude and longitude."),
            )
            return
        try:
            lat, lon = Decimal(latitude.replace(",", ".")), Decimal(longitude.replace(",", "."))
        except InvalidOperation:
            self.error(row.number, "latitude", _("Coordinates must be decimal numbers."))
            return
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.error(row.number, "latitude", _("Coordinates out of range."))
            return
        (south, north), (west, east) = MOROCCO_BOX
        if not (south <= lat <= north and west <= lon <= east):
            self.report.warn(row.number, "latitude", _("These coordinates are outside Morocco; check them."))
        row.latitude, row.longitude = lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


# --- Writing ---------------------------------------------------------------------------------------------------


def _write(rows: list[RowData], report: ImportReport, actor: Any, filename: str) -> None:
    organisations: dict[tuple[str, int | None], Organisation] = {}
    locations: dict[tuple[int, str, str, bool], Location] = {}
    by = actor if getattr(actor, "is_authenticated", False) else None
    for row in rows:
        values = row.values
        province = row.province or (row.city.province if row.city else None)
        key = (values["organisation_name"].casefold(), province.pk if province else None)
        organisation = organisations.get(key)
        if organisation is None:
            found = Organisation.objects.filter(name__iexact=values["organisation_name"])
            organisation = (found.filter(province=province).first() if province else None) or found.first()
            if organisation is None:
                kind = values["organisation_kind"] or OrganisationKind.OTHER
                organisation = Organisation.objects.create(
                    name=values["organisation_name"][:200],
                    kind=kind,
                    sector=SECTOR_OF_KIND.get(kind, Sector.CIVIL_SOCIETY),
                    province=province,
                    region=province.region if province else None,
                    city=row.city,
                )
                report.count("organization", True)
            organisations[key] = organisation
        location: Location | None = None
        if values["address"] or row.latitude is not None or row.city or values["city"]:
            place_key = (
                organisation.pk,
                values["address"].casefold(),
                values["city"].casefold(),
                row.confidential,
            )
            location = locations.get(place_key)
            if location is None:
                location = Location.objects.create(
                    organisation=organisation,
                    name=values["service_name"][:250]
                    if row.confidential
                    else (values["address"][:250] or organisation.name[:250]),
                    address_1=values["address"][:250],
                    city_name=(row.city.name_fr if row.city else values["city"])[:120],
                    city=row.city,
                    province=province,
                    region=province.region if province else None,
                    latitude=row.latitude,
                    longitude=row.longitude,
                    is_confidential=row.confidential,
                    front_door_phone=values["front_door_phone"][:40],
                )
                report.count("location", True)
                locations[place_key] = location
        fields = {
            "organisation": organisation,
            "name": values["service_name"][:250],
            "name_ar": values["service_name_ar"][:250],
            "description": values["description"],
            "email": values["email"],
            "status": values["status"] or ServiceStatus.ACTIVE,
            "minimum_age": row.min_age,
            "maximum_age": row.max_age,
            "eligible_sexes": row.sexes,
        }
        service = None
        if row.service_id:
            service = Service.objects.filter(id=row.service_id).first()
        if service is None:
            service = Service.objects.filter(organisation=organisation, name__iexact=fields["name"]).first()
        created = service is None
        if service is None:
            service = Service.objects.create(id=row.service_id or uuid.uuid4(), **fields)
        else:
            for name, value in fields.items():
                setattr(service, name, value)
            service.version += 1
            service.save()
            service.phones.filter(visibility="public").delete()
            service.schedules.all().delete()
            service.languages.all().delete()
        report.count("service", created)
        service.terms.set([*row.needs, *row.populations])
        for code in row.languages:
            ServiceLanguage.objects.create(service=service, code=code)
        if values["phone"]:
            Phone.objects.create(service=service, number=values["phone"][:40], type="voice")
        for weekday, opens_at, closes_at in row.hours:
            Schedule.objects.create(service=service, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        if location is not None:
            ServiceAtLocation.objects.get_or_create(service=service, location=location)
        ServiceHistory.objects.create(
            service=service,
            by=by,
            kind=ServiceHistory.Kind.IMPORTED,
            note=(_("Spreadsheet import: %(file)s, row %(row)s") % {"file": filename, "row": row.number})[
                :500
            ],
        )


class _Rollback(Exception):
    pass


def import_spreadsheet(
    *, actor: Any = None, data: bytes, filename: str, dry_run: bool = False
) -> ImportReport:
    """Check every row of the partners' template, then import all rows or none. ``actor`` None: the system."""
    from himaya.accounts.policies import require

    if actor is not None:
        require(actor, "directory.import")
    report = ImportReport(dry_run=dry_run)
    table = read_rows(data, filename, report)
    if table is not None:
        header, body = table
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        duplicated = sorted({column for column in header if column and header.count(column) > 1})
        if missing:
            report.error(
                1, ", ".join(missing), _("Missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
            )
        if duplicated:
            report.error(
                1,
                ", ".join(duplicated),
                _("Column(s) given twice: %(columns)s") % {"columns": ", ".join(duplicated)},
            )
        unknown = [column for column in header if column and column not in TEMPLATE_COLUMNS]
        if unknown:
            report.warn(1, ", ".join(unknown), _("Unknown column(s) ignored."))
        if len(body) > MAX_ROWS:
            report.error(
                MAX_ROWS + 2, "", _("Too many rows: at most %(count)s per file.") % {"count": MAX_ROWS}
            )
        if not report.errors:
            rows = _check_rows(header, body, report)
            if not report.errors and not rows:
                report.error(2, "", _("The file has no service row."))
            if not report.errors:
                try:
                    with transaction.atomic():
                        _write(rows, report, actor, Path(filename).name)
                        if dry_run:
                            raise _Rollback
                        report.committed = True
                except _Rollback:
                    pass
    if report.errors:
        report.created = report.updated = 0
        report.counts = {}
    audit_import(actor, report, "spreadsheet")
    return report


def _check_rows(header: list[str], body: list[list[str]], report: ImportReport) -> list[RowData]:
    checker = RowChecker(report)
    rows: list[RowData] = []
    seen: dict[tuple[str, str, str], int] = {}
    seen_ids: dict[uuid.UUID, int] = {}
    for offset, cells in enumerate(body, start=2):
        values = {
            column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header) if column
        }
        for column in TEMPLATE_COLUMNS:
            values.setdefault(column, "")
        row = RowData(number=offset, values=values)
        checker.check(row)
        key = (
            values["organisation_name"].casefold(),
            values["service_name"].casefold(),
            values["address"].casefold(),
        )
        if key in seen:
            report.error(offset, "service_name", _("Duplicate of row %(row)s.") % {"row": seen[key]})
        seen.setdefault(key, offset)
        if row.service_id:
            if row.service_id in seen_ids:
                report.error(
                    offset,
                    "service_id",
                    _("Same service_id as row %(row)s.") % {"row": seen_ids[row.service_id]},
                )
            seen_ids.setdefault(row.service_id, offset)
        rows.append(row)
    return rows


# --- The template ----------------------------------------------------------------------------------------------


def template_rows() -> list[list[str]]:
    """The header; the XLSX template adds a sheet of column explanations and codes."""
    return [list(TEMPLATE_COLUMNS)]


def codes_rows() -> list[list[str]]:
    rows = [[_("column"), _("code"), _("meaning")]]
    rows += [["", column, str(label)] for column, label in {**COLUMNS, **OPTIONAL_COLUMNS}.items()]
    for term in TaxonomyTerm.objects.filter(
        taxonomy__code__in=["himaya-needs", "himaya-populations"]
    ).select_related("taxonomy"):
        rows.append(
            ["needs" if term.taxonomy.code == "himaya-needs" else "populations", term.code, term.name]
        )
    rows += [["languages", code, labels[0]] for code, labels in LANGUAGES.items()]
    rows += [["organisation_kind", value, str(label)] for value, label in OrganisationKind.choices]
    rows += [["status", value, str(label)] for value, label in ServiceStatus.choices]
    rows += [["sexes", value, str(label)] for value, label in Sex.choices]
    rows += [["province_code", p.code, p.name_fr] for p in Province.objects.order_by("code")]
    return rows


def template_bytes(filename: str) -> bytes:
    """The empty template as CSV (UTF-8 with BOM, for Excel) or XLSX; every written cell is neutralised."""
    if Path(filename).suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "services"
        for row in template_rows():
            sheet.append([neutralise(cell) for cell in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 2)
        sheet.freeze_panes = "A2"
        codes = workbook.create_sheet("codes")
        for row in codes_rows():
            codes.append([neutralise(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if Path(filename).suffix.lower() != ".csv":
        raise ValueError("The template is a .csv or .xlsx file.")
    text = io.StringIO()
    writer = csv.writer(text)
    for row in template_rows():
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
