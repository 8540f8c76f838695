"""Import of Open Referral HSDS 3.0 into the directory, all or nothing (docs/hsds-profile.md).

``import_hsds`` (one JSON file) and ``import_hsds_documents`` (several) read HSDS JSON objects, or the tabular
rendering ``tabular.json``; ``import_hsds_directory`` (a folder) and ``import_hsds_zip`` (a zip read in memory)
read our JSON export pages, else a CSV data package (``datapackage.json`` and one CSV per table). Tabular rows
are nested into the JSON objects by ``hsds_tabular`` so there is one mapping. Every object is validated against
the official schemas first (``hsds.schema_dir``: the reference copy, else the copy shipped in
directory/data/hsds), then everything is written in one transaction; a dry run, or any error, rolls it back. The
report lists errors as (row, column, message), where "row" is the file and the JSON path of the object, or the
CSV file and row number. ``directory_import`` dispatches an uploaded file (bytes and a file name) to this
importer or to the partners' spreadsheet importer; ``import_hsds_path`` is the command's entry point.

Importable: services (service_full, service_list pages), organizations, services at locations (with their
service), locations (one without organization goes to a placeholder organisation), taxonomies and taxonomy
terms, the tabular rendering and data package, and our own export. ``base.json`` (the API's metadata) is read for its version and imports nothing.
Named contacts, funding, programs and change metadata are not kept.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, OrganisationKind, Sector
from himaya.core import audit
from himaya.core.models import AuditAction, City, Province, Region
from himaya.directory.hsds import derived_id, schema_dir
from himaya.directory.hsds_tabular import (
    ROW_KEY,
    FolderSource,
    PackageError,
    ZipSource,
    find_export_pages,
    find_package,
    nest,
    row_of,
    tables_from_package,
    tables_from_tabular_json,
)
from himaya.directory.models import (
    Accessibility,
    CapacityRecord,
    CostOption,
    Location,
    MigrationStatus,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceHistory,
    ServiceLanguage,
    ServiceStatus,
    Sex,
    Taxonomy,
    TaxonomyTerm,
    VerificationMethod,
    ViolenceForm,
    Visibility,
    Weekday,
)
from himaya.directory.visibility import CONFIGURABLE_FIELDS


@dataclass(frozen=True)
class ImportIssue:
    """One problem: where (file and object, or spreadsheet row number), which column, why (translated)."""

    row: str
    column: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # {"service": {"created": 2, "updated": 1}, ...}
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    committed: bool = False
    # The API metadata documents read (base.json): {"file": ..., "version": ..., "profile": ...}
    metadata: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: object, column: str, message: str) -> None:
        self.errors.append(ImportIssue(str(row), column, str(message)))

    def warn(self, row: object, column: str, message: str) -> None:
        issue = ImportIssue(str(row), column, str(message))
        if issue not in self.warnings:
            self.warnings.append(issue)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.counts.setdefault(kind, {"created": 0, "updated": 0})
        bucket["created" if created else "updated"] += 1
        if created:
            self.created += 1
        else:
            self.updated += 1


class _Rollback(Exception):
    pass


# The placeholder organisation of locations imported without one (HSDS location.organization_id is optional).
UNATTACHED_ID = uuid.UUID(derived_id("unattached-locations"))


# --- Reading and classifying --------------------------------------------------------------------------------

KINDS = ("taxonomy", "taxonomy_term", "organization", "service", "service_at_location", "location")
SCHEMA_OF = {kind: f"{kind}.json" for kind in KINDS}
ORGANIZATION_KEYS = {
    "website", "email", "phones", "locations", "tax_status", "tax_id", "legal_status", "year_incorporated",
    "alternate_name", "organization_identifiers", "programs", "funding", "contacts", "logo", "parent_organization_id",
}  # fmt: skip


def _kind_from_filename(filename: str) -> str | None:
    stem = Path(filename).name.lower()
    for prefix, kind in (
        ("taxonomy_term", "taxonomy_term"),
        ("taxonom", "taxonomy"),
        ("organization", "organization"),
        ("organisation", "organization"),
        ("service_at_location", "service_at_location"),
        ("service", "service"),
        ("location", "location"),
    ):
        if stem.startswith(prefix):
            return kind
    return None


def classify(item: dict[str, Any], hint: str | None = None) -> str | None:
    """Which HSDS object ``item`` is (by its file name first, by its fields otherwise)."""
    if hint:
        return hint
    keys = set(item)
    if "id" not in keys:
        return None
    if "status" in keys:
        return "service"
    if keys & {"location", "service"} or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if "location_type" in keys:
        return "location"
    if keys & {"taxonomy", "taxonomy_id", "taxonomy_detail", "parent_id", "code", "term_uri"}:
        return "taxonomy_term"
    if keys & ORGANIZATION_KEYS:
        return "organization"
    if {"name", "description"} <= keys:
        return "taxonomy"
    return None


def _validators() -> dict[str, Any] | None:
    directory = schema_dir()
    if not (directory / "service.json").is_file():
        return None
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry()
    schemas: dict[str, Any] = {}
    for path in directory.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        schemas[path.name] = contents
        registry = registry.with_resource(path.name, Resource.from_contents(contents, DRAFT202012))
    return {kind: Draft202012Validator(schemas[name], registry=registry) for kind, name in SCHEMA_OF.items()}


def _json_path(parts: Sequence[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _decode(filename: str, data: bytes | str | dict[str, Any] | list[Any], report: ImportReport) -> Any:
    if isinstance(data, dict | list):
        return data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.error(filename, "", _("The file is not UTF-8 encoded text."))
            return None
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        report.error(
            filename,
            "",
            _("The file is not valid JSON (line %(line)s): %(reason)s")
            % {"line": exc.lineno, "reason": exc.msg},
        )
        return None
    except RecursionError:
        report.error(filename, "", _("The file is nested too deeply."))
        return None
    if _has_nul(document):
        report.error(filename, "", _("The file holds a NUL character (binary data)."))
        return None
    return document


def _has_nul(document: Any) -> bool:
    """Whether a NUL character hides in any text of ``document`` (PostgreSQL refuses them)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _read_metadata(filename: str, document: dict[str, Any], report: ImportReport) -> None:
    """The API's metadata (base.json): check that it speaks HSDS 3; it holds no directory data."""
    version = _text(document.get("version"), 20)
    if not version.startswith("3."):
        report.error(
            filename,
            "version",
            _("HSDS version %(version)s is not supported: Himaya reads HSDS 3.")
            % {"version": version or "?"},
        )
        return
    report.metadata.append(
        {"file": filename, "version": version, "profile": _text(document.get("profile"), 500)}
    )
    report.warn(
        filename,
        "",
        _("HSDS %(version)s API metadata read: it describes an API and holds no directory data to import.")
        % {"version": version},
    )


def _items(filename: str, document: Any, report: ImportReport) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, location in the file, object) for each importable object of a document."""
    hint = _kind_from_filename(filename)
    if isinstance(document, dict) and document and all(str(key).endswith(".csv") for key in document):
        return nest(tables_from_tabular_json(filename, document, report), report)
    if isinstance(document, dict) and "openapi_url" in document and "id" not in document:
        _read_metadata(filename, document, report)
        return []
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        entries = [(f"{filename}#contents[{i}]", item) for i, item in enumerate(document["contents"])]
    elif isinstance(document, list):
        entries = [(f"{filename}#[{i}]", item) for i, item in enumerate(document)]
    else:
        entries = [(filename, document)]
    found: list[tuple[str, str, dict[str, Any]]] = []
    for where, item in entries:
        if not isinstance(item, dict):
            report.error(where, "", _("Expected an HSDS object."))
            continue
        kind = classify(item, hint)
        if kind is None:
            report.error(
                where, "", _("Not an importable HSDS object (service, organization, location, taxonomy).")
            )
            continue
        found.append((kind, where, item))
    return found


# --- Values ---------------------------------------------------------------------------------------------------

URL_VALIDATOR = URLValidator()
EMAIL_VALIDATOR = EmailValidator()
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _text(value: Any, limit: int | None = None) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    return text[:limit] if limit else text


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return parse_date(str(value)[:10])
    except ValueError:
        return None


def _datetime(value: Any) -> datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def _time(value: Any) -> time | None:
    match = TIME_RE.match(str(value or ""))
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _at(item: Any, where: str) -> str:
    """Where ``item`` came from: its tabular row when it was nested from CSV rows, else ``where``."""
    origin = item.get(ROW_KEY) if isinstance(item, dict) else None
    return origin if isinstance(origin, str) else where


def _translation(item: dict[str, Any], language: str, name: str) -> str:
    translations = item.get("himaya_translations") or {}
    value = translations.get(language) if isinstance(translations, dict) else None
    if isinstance(value, dict):
        return _text(value.get(name))
    return _text(value) if name == "name" else ""


# --- The importer ---------------------------------------------------------------------------------------------


class HsdsImporter:
    """Writes HSDS objects; call inside a transaction. Ids are kept; an id met twice gets a derived one."""

    def __init__(self, report: ImportReport, actor: Any = None, note: str = "") -> None:
        self.report = report
        self.actor = actor
        self.note = note
        self.organisations: dict[str, Organisation] = {}
        self.locations: dict[str, Location] = {}
        self.terms: dict[str, TaxonomyTerm] = {}
        self.taxonomies: dict[str, Taxonomy] = {}
        self.used_ids: set[str] = set()
        self.services_done: set[str] = set()

    # ids
    def _fresh_id(self, value: Any, *scope: object) -> uuid.UUID:
        """The object's own id, or a derived one when this import already used it (HSDS examples reuse a
        phone's id under the service, its locations and its organisation)."""
        parsed = _uuid(value) or uuid.uuid4()
        key = str(parsed)
        if key in self.used_ids:
            parsed = uuid.UUID(derived_id("copy", key, *scope))
            key = str(parsed)
        self.used_ids.add(key)
        return parsed

    def _url(self, where: str, column: str, value: Any) -> str:
        text = _text(value, 200)
        if not text:
            return ""
        try:
            URL_VALIDATOR(text)
        except ValidationError:
            self.report.warn(where, column, _("Not a valid web address; left out."))
            return ""
        return text

    def _email(self, where: str, column: str, value: Any) -> str:
        text = _text(value, 254)
        if not text:
            return ""
        try:
            EMAIL_VALIDATOR(text)
        except ValidationError:
            self.report.error(where, column, _("Not a valid e-mail address."))
            return ""
        return text

    def ignored(self, where: str, item: dict[str, Any], keys: Sequence[str]) -> None:
        for key in keys:
            if item.get(key):
                self.report.warn(
                    where if ROW_KEY in item else where.split("#")[0],
                    key,
                    _("Not kept by Himaya's directory (see the HSDS profile)."),
                )

    # taxonomies
    def taxonomy(self, where: str, item: dict[str, Any]) -> Taxonomy:
        where = _at(item, where)
        key = _text(item.get("id"))
        if key in self.taxonomies:
            return self.taxonomies[key]
        found = Taxonomy.objects.filter(id=str(_uuid(key))).first() if _uuid(key) else None
        code = _text(item.get("himaya_code"), 80)
        if found is None and code:
            found = Taxonomy.objects.filter(code=code).first()
        if found is None:
            name = _text(item.get("name"), 200) or _("Imported taxonomy")
            code = slugify(code or name)[:70] or "imported"
            base, number = code, 1
            while Taxonomy.objects.filter(code=code).exists():
                number += 1
                code = f"{base}-{number}"
            found = Taxonomy.objects.create(
                id=_uuid(key) or uuid.uuid4(),
                code=code,
                name=name,
                description=_text(item.get("description")),
                uri=self._url(where, "uri", item.get("uri")),
                version=_text(item.get("version"), 40),
            )
            self.report.count("taxonomy", True)
        self.taxonomies[key] = found
        return found

    def term(self, where: str, item: dict[str, Any]) -> TaxonomyTerm:
        where = _at(item, where)
        key = _text(item.get("id"))
        if key in self.terms:
            return self.terms[key]
        found = (
            TaxonomyTerm.objects.filter(id=str(_uuid(key))).select_related("taxonomy").first()
            if _uuid(key)
            else None
        )
        if found is None:
            detail = item.get("taxonomy_detail")
            taxonomy: Taxonomy | None = None
            if isinstance(detail, dict):
                taxonomy = self.taxonomy(where + ".taxonomy_detail", detail)
            elif _uuid(item.get("taxonomy_id")):
                taxonomy = Taxonomy.objects.filter(id=str(_uuid(item.get("taxonomy_id")))).first()
            if taxonomy is None:
                name = _text(item.get("taxonomy"), 200) or _("Imported taxonomy")
                taxonomy = Taxonomy.objects.filter(name=name).first() or self.taxonomy(
                    where, {"id": derived_id("taxonomy", name), "name": name}
                )
            code = _text(item.get("code"), 80) or slugify(_text(item.get("name")))[:80] or key[:80]
            found = TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).first()
            if found is None:
                parent = None
                if _uuid(item.get("parent_id")):
                    parent = TaxonomyTerm.objects.filter(id=str(_uuid(item.get("parent_id")))).first()
                    if parent is None:
                        self.report.warn(
                            where,
                            "parent_id",
                            _("The parent term is unknown; the term is imported without it."),
                        )
                found = TaxonomyTerm.objects.create(
                    id=_uuid(key) or uuid.uuid4(),
                    taxonomy=taxonomy,
                    code=code,
                    family=_text(item.get("himaya_family"), 40),
                    name=_text(item.get("name"), 250) or code,
                    name_ar=_translation(item, "ar", "name")[:250],
                    name_en=_translation(item, "en", "name")[:250],
                    description=_text(item.get("description")),
                    parent=parent,
                    language=_text(item.get("language"), 10),
                    term_uri=self._url(where, "term_uri", item.get("term_uri")),
                )
                self.report.count("taxonomy_term", True)
        self.terms[key] = found
        return found

    # organisations
    def organisation(self, where: str, item: dict[str, Any]) -> Organisation | None:
        where = _at(item, where)
        key = _text(item.get("id"))
        if key in self.organisations:
            return self.organisations[key]
        hsds_id = _uuid(key)
        if hsds_id is None:
            self.report.error(where, "id", _("The organization has no valid id."))
            return None
        found = Organisation.objects.filter(hsds_id=hsds_id).first()
        if found is None:
            name = _text(item.get("name"), 200)
            if not name:
                self.report.error(where, "name", _("The organization has no name."))
                return None
            found = Organisation.objects.create(
                hsds_id=hsds_id,
                name=name,
                name_ar=_translation(item, "ar", "name")[:200],
                acronym=_text(item.get("alternate_name"), 30),
                description=_text(item.get("description")),
                email=self._email(where, "email", item.get("email")),
                website=self._url(where, "website", item.get("website")),
                kind=OrganisationKind.OTHER,
                sector=Sector.CIVIL_SOCIETY,
            )
            self.report.count("organization", True)
            for index, phone in enumerate(item.get("phones") or []):
                self.phone(f"{where}.phones[{index}]", phone, organisation=found)
        self.ignored(where, item, ("contacts", "funding", "programs", "organization_identifiers", "metadata"))
        self.organisations[key] = found
        for index, location in enumerate(item.get("locations") or []):
            self.location(f"{where}.locations[{index}]", location, found)
        return found

    def unattached(self, where: str) -> Organisation:
        """The placeholder organisation holding locations imported without one (docs/hsds-profile.md)."""
        found = Organisation.objects.filter(hsds_id=UNATTACHED_ID).first()
        if found is None:
            found = Organisation.objects.create(
                hsds_id=UNATTACHED_ID,
                name=_("Unattached locations (HSDS import)"),
                description=_(
                    "Placeholder for locations imported without an organisation; move each location to "
                    "its organisation."
                ),
                kind=OrganisationKind.OTHER,
                sector=Sector.CIVIL_SOCIETY,
                is_active=False,
            )
            self.report.count("organization", True)
        self.report.warn(
            where,
            "organization_id",
            _("No organization: the location is kept under the placeholder organisation “%(name)s”.")
            % {"name": found.name},
        )
        return found

    def organisation_by_id(self, where: str, value: Any) -> Organisation | None:
        key = _text(value)
        if key in self.organisations:
            return self.organisations[key]
        found = Organisation.objects.filter(hsds_id=str(_uuid(key))).first() if _uuid(key) else None
        if found is not None:
            self.organisations[key] = found
        return found

    # children
    def phone(self, where: str, item: dict[str, Any], **owner: Any) -> None:
        where = _at(item, where)
        number = _text(item.get("number"), 40)
        if not number:
            self.report.warn(where, "number", _("A telephone without a number was left out."))
            return
        visibility = _text(item.get("himaya_visibility")) or Visibility.PUBLIC
        if visibility not in Visibility.values:
            visibility = Visibility.RESTRICTED
        languages = [
            _text(lang.get("code"), 10) for lang in item.get("languages") or [] if isinstance(lang, dict)
        ]
        Phone.objects.update_or_create(
            id=self._fresh_id(item.get("id"), *owner.values()),
            defaults={
                "organisation": owner.get("organisation"),
                "service": owner.get("service"),
                "location": owner.get("location"),
                "service_at_location": owner.get("service_at_location"),
                "number": number,
                "extension": _int(item.get("extension")),
                "type": _text(item.get("type"), 20),
                "description": _text(item.get("description"), 250),
                "languages": [code for code in languages if code],
                "visibility": visibility,
            },
        )

    def schedules(self, where: str, items: Any, **owner: Any) -> None:
        for index, item in enumerate(items or []):
            here = _at(item, f"{where}.schedules[{index}]")
            days = [part.strip().upper()[-2:] for part in _text(item.get("byday")).split(",") if part.strip()]
            days = [day for day in days if day in Weekday.values]
            opens_at, closes_at = _time(item.get("opens_at")), _time(item.get("closes_at"))
            if (
                item.get("freq") not in (None, "", "WEEKLY")
                or not days
                or opens_at is None
                or closes_at is None
            ):
                self.report.warn(
                    here, "byday", _("Only weekly opening hours with days and times are imported.")
                )
                continue
            for day in days:
                scope = (day,) if len(days) > 1 else ()
                schedule_id = uuid.UUID(derived_id(item.get("id"), day)) if scope else item.get("id")
                Schedule.objects.create(
                    id=self._fresh_id(schedule_id, *owner.values()),
                    weekday=day,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    valid_from=_date(item.get("valid_from")),
                    valid_to=_date(item.get("valid_to")),
                    description=_text(item.get("description"), 250),
                    notes=_text(item.get("notes"), 250),
                    **owner,
                )

    def location(
        self, where: str, item: dict[str, Any], organisation: Organisation | None
    ) -> Location | None:
        where = _at(item, where)
        key = _text(item.get("id"))
        if key in self.locations:
            return self.locations[key]
        owner = (
            self.organisation_by_id(where, item.get("organization_id"))
            if item.get("organization_id")
            else None
        )
        owner = owner or organisation
        if owner is None and _uuid(key):
            existing = Location.objects.filter(id=str(_uuid(key))).select_related("organisation").first()
            owner = existing.organisation if existing is not None else None
        if owner is None and not item.get("organization_id"):
            owner = self.unattached(where)
        if owner is None:
            self.report.error(where, "organization_id", _("A location must belong to a known organization."))
            return None
        values: dict[str, Any] = {
            "organisation": owner,
            "location_type": item.get("location_type")
            if item.get("location_type") in Location.Kind.values
            else Location.Kind.PHYSICAL,
            "url": self._url(where, "url", item.get("url")),
            "name": _text(item.get("name"), 250),
            "name_ar": _translation(item, "ar", "name")[:250],
            "alternate_name": _text(item.get("alternate_name"), 250),
            "description": _text(item.get("description")),
            "transportation": _text(item.get("transportation")),
            "external_identifier": _text(item.get("external_identifier"), 100),
            "external_identifier_type": _text(item.get("external_identifier_type"), 100),
            "is_confidential": item.get("himaya_confidential") is True,
            "latitude": None,
            "longitude": None,
            "front_door_phone": "",
            "front_door_note": "",
        }
        latitude, longitude = item.get("latitude"), item.get("longitude")
        if latitude is not None or longitude is not None:
            try:
                lat, lon = (
                    Decimal(str(latitude)).quantize(Decimal("0.000001")),
                    Decimal(str(longitude)).quantize(Decimal("0.000001")),
                )
            except InvalidOperation:
                lat = lon = Decimal(999)
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                values["latitude"], values["longitude"] = lat, lon
            else:
                self.report.warn(where, "latitude", _("Coordinates out of range; left out."))
        addresses = [a for a in item.get("addresses") or [] if isinstance(a, dict)]
        address = next(
            (a for a in addresses if a.get("address_type") == "physical"), addresses[0] if addresses else {}
        )
        place = _dict(item.get("himaya_place"))
        city = (
            City.objects.select_related("province__region").filter(slug=_text(place.get("city"))).first()
            if place.get("city")
            else None
        )
        city_name = _text(address.get("city"), 120) or _text(place.get("city_name"), 120)
        if city is None and city_name:
            city = City.objects.select_related("province__region").filter(name_fr__iexact=city_name).first()
        province = (
            Province.objects.filter(code=_text(place.get("province_code"))).first()
            if place.get("province_code")
            else None
        )
        province = province or (city.province if city else None)
        if province is None and address.get("state_province"):
            province = Province.objects.filter(name_fr__iexact=_text(address.get("state_province"))).first()
        region = (
            Region.objects.filter(code=_text(place.get("region_code"))).first()
            if place.get("region_code")
            else None
        )
        country = _text(address.get("country")).upper()
        values |= {
            "address_1": _text(address.get("address_1"), 250),
            "address_2": _text(address.get("address_2"), 250),
            "city_name": city_name or (city.name_fr if city else ""),
            "postal_code": _text(address.get("postal_code"), 20),
            "country": country if len(country) == 2 else "MA",
            "city": city,
            "province": province,
            "region": region or (province.region if province else None),
        }
        location_id = _uuid(key) or uuid.uuid4()
        found = Location.objects.filter(id=location_id).first()
        location_created = found is None
        if found is None:
            found = Location.objects.create(id=location_id, **values)
        else:
            for name, value in values.items():
                setattr(found, name, value)
            found.save()
            found.phones.all().delete()
            found.schedules.all().delete()
            found.accessibility.all().delete()
        self.used_ids.add(str(location_id))
        self.report.count("location", location_created)
        self.locations[key] = found
        for index, phone in enumerate(item.get("phones") or []):
            if phone.get("himaya_front_door") is True:
                found.front_door_phone = _text(phone.get("number"), 40)
                found.front_door_note = _text(phone.get("description"), 250)
                found.save(update_fields=["front_door_phone", "front_door_note"])
            else:
                self.phone(f"{where}.phones[{index}]", phone, location=found)
        self.schedules(where, item.get("schedules"), location=found)
        for index, entry in enumerate(item.get("accessibility") or []):
            Accessibility.objects.create(
                id=self._fresh_id(entry.get("id"), found.id),
                location=found,
                description=_text(entry.get("description"), 250),
                details=_text(entry.get("details")),
                url=self._url(_at(entry, f"{where}.accessibility[{index}]"), "url", entry.get("url")),
            )
        self.ignored(where, item, ("contacts", "languages", "metadata"))
        return found

    # services
    def service(self, where: str, item: dict[str, Any]) -> Service | None:
        where = _at(item, where)
        key = _text(item.get("id"))
        if key in self.services_done:
            return Service.objects.filter(id=str(_uuid(key))).first()
        errors_before = len(self.report.errors)
        organisation: Organisation | None = None
        if isinstance(item.get("organization"), dict):
            organisation = self.organisation(where + ".organization", item["organization"])
        elif item.get("organization_id"):
            organisation = self.organisation_by_id(where, item.get("organization_id"))
        if organisation is None:
            self.report.error(
                where, "organization_id", _("The service's organization is missing or unknown.")
            )
            return None
        status = _text(item.get("himaya_status"))
        if status not in ServiceStatus.values:
            status = (
                _text(item.get("status"))
                if item.get("status") in ServiceStatus.values
                else ServiceStatus.INACTIVE
            )
        eligibility = _dict(item.get("eligibility"))
        minimum_age = _int(eligibility.get("minimum_age", item.get("minimum_age")))
        maximum_age = _int(eligibility.get("maximum_age", item.get("maximum_age")))
        for column, age in (("minimum_age", minimum_age), ("maximum_age", maximum_age)):
            if age is not None and not 0 <= age <= 120:
                self.report.error(where, column, _("Ages go from 0 to 120."))
        if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
            self.report.error(where, "minimum_age", _("The minimum age is above the maximum age."))

        def choices(name: str, allowed: Sequence[str]) -> list[str]:
            values = eligibility.get(name) or []
            unknown = [v for v in values if v not in allowed] if isinstance(values, list) else [values]
            if unknown:
                self.report.warn(
                    where,
                    f"eligibility.{name}",
                    _("Unknown values left out: %(values)s") % {"values": ", ".join(map(str, unknown))},
                )
            return [v for v in values if v in allowed] if isinstance(values, list) else []

        visibility = _dict(item.get("himaya_field_visibility"))
        field_visibility = {
            k: v for k, v in visibility.items() if k in CONFIGURABLE_FIELDS and v in Visibility.values
        }
        values: dict[str, Any] = {
            "organisation": organisation,
            "name": _text(item.get("name"), 250),
            "name_ar": _translation(item, "ar", "name")[:250],
            "name_en": _translation(item, "en", "name")[:250],
            "alternate_name": _text(item.get("alternate_name"), 250),
            "description": _text(item.get("description")),
            "description_ar": _translation(item, "ar", "description"),
            "description_en": _translation(item, "en", "description"),
            "url": self._url(where, "url", item.get("url")),
            "email": self._email(where, "email", item.get("email")),
            "status": status,
            "interpretation_services": _text(item.get("interpretation_services")),
            "application_process": _text(item.get("application_process")),
            "fees_description": _text(item.get("fees_description")),
            "wait_time": _text(item.get("wait_time"), 250),
            "accreditations": _text(item.get("accreditations")),
            "licenses": _text(item.get("licenses")),
            "eligibility_description": _text(item.get("eligibility_description")),
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            "eligible_sexes": choices("sexes", Sex.values),
            "eligible_migration_statuses": choices("migration_statuses", MigrationStatus.values),
            "eligible_violence_forms": choices("violence_forms", ViolenceForm.values),
            "alert": _text(item.get("alert"), 300),
            "alert_until": _date(item.get("alert_until")),
            "field_visibility": field_visibility,
        }
        verification = _dict(item.get("verification"))
        if verification:
            values |= {
                "verified_at": _datetime(verification.get("verified_at")),
                "verification_method": verification.get("method")
                if verification.get("method") in VerificationMethod.values
                else VerificationMethod.IMPORT,
                "verification_due": _date(verification.get("due")),
            }
        if not values["name"]:
            self.report.error(where, "name", _("The service has no name."))
        if len(self.report.errors) > errors_before:
            return None
        service_id = _uuid(key) or uuid.uuid4()
        service = Service.objects.filter(id=service_id).first()
        created = service is None
        if service is None:
            service = Service.objects.create(id=service_id, **values)
        else:
            for name, value in values.items():
                setattr(service, name, value)
            service.version += 1
            service.save()
            for related in (
                "phones",
                "schedules",
                "languages",
                "cost_options",
                "required_documents",
                "service_areas",
                "service_at_locations",
            ):
                getattr(service, related).all().delete()
        self.used_ids.add(str(service_id))
        self.services_done.add(key)
        self.report.count("service", created)
        ServiceHistory.objects.create(
            service=service,
            by=self.actor if getattr(self.actor, "is_authenticated", False) else None,
            kind=ServiceHistory.Kind.IMPORTED,
            note=self.note[:500],
        )
        for index, phone in enumerate(item.get("phones") or []):
            self.phone(f"{where}.phones[{index}]", phone, service=service)
        self.schedules(where, item.get("schedules"), service=service)
        seen_codes: set[str] = set()
        for index, language in enumerate(item.get("languages") or []):
            code = _text(language.get("code"), 10).lower()
            if not code:
                self.report.warn(
                    _at(language, f"{where}.languages[{index}]"),
                    "code",
                    _("A language without a code was left out."),
                )
                continue
            if code in seen_codes:
                continue
            seen_codes.add(code)
            ServiceLanguage.objects.create(
                id=self._fresh_id(language.get("id"), service.id),
                service=service,
                code=code,
                name=_text(language.get("name"), 100),
                note=_text(language.get("note"), 250),
            )
        for area in item.get("service_areas") or []:
            codes = _dict(area.get("himaya_area"))
            province = (
                Province.objects.filter(code=_text(codes.get("province_code"))).first()
                if codes.get("province_code")
                else None
            )
            region = (
                Region.objects.filter(code=_text(codes.get("region_code"))).first()
                if codes.get("region_code")
                else None
            )
            ServiceArea.objects.create(
                id=self._fresh_id(area.get("id"), service.id),
                service=service,
                name=_text(area.get("name"), 250),
                description=_text(area.get("description")),
                province=province,
                region=region,
            )
        for cost in item.get("cost_options") or []:
            amount = cost.get("amount")
            CostOption.objects.create(
                id=self._fresh_id(cost.get("id"), service.id),
                service=service,
                option=_text(cost.get("option"), 250),
                amount=Decimal(str(amount)).quantize(Decimal("0.01"))
                if isinstance(amount, int | float)
                else None,
                currency=(_text(cost.get("currency"), 3) or "MAD").upper(),
                amount_description=_text(cost.get("amount_description"), 250),
                valid_from=_date(cost.get("valid_from")),
                valid_to=_date(cost.get("valid_to")),
            )
        for index, document in enumerate(item.get("required_documents") or []):
            if _text(document.get("document")):
                RequiredDocument.objects.create(
                    id=self._fresh_id(document.get("id"), service.id),
                    service=service,
                    document=_text(document.get("document"), 250),
                    uri=self._url(
                        _at(document, f"{where}.required_documents[{index}]"), "uri", document.get("uri")
                    ),
                )
        terms: list[TaxonomyTerm] = []
        for index, attribute in enumerate(item.get("attributes") or []):
            here = _at(attribute, f"{where}.attributes[{index}]")
            if isinstance(attribute.get("taxonomy_term"), dict):
                terms.append(self.term(here + ".taxonomy_term", attribute["taxonomy_term"]))
            elif _uuid(attribute.get("taxonomy_term_id")):
                term = TaxonomyTerm.objects.filter(id=str(_uuid(attribute.get("taxonomy_term_id")))).first()
                if term is None:
                    self.report.error(here, "taxonomy_term_id", _("Unknown taxonomy term."))
                else:
                    terms.append(term)
        service.terms.set(terms)
        for index, sal in enumerate(item.get("service_at_locations") or []):
            self.service_at_location(f"{where}.service_at_locations[{index}]", sal, service)
        capacity = _dict(item.get("capacity"))
        places, vacancies, as_of = (
            _int(capacity.get("places")),
            _int(capacity.get("vacancies")),
            _datetime(capacity.get("as_of")),
        )
        if (
            places is not None
            and vacancies is not None
            and as_of is not None
            and 0 <= vacancies <= places
            and not service.capacity_records.filter(as_of=as_of).exists()
        ):
            CapacityRecord.objects.create(service=service, places=places, vacancies=vacancies, as_of=as_of)
        self.ignored(where, item, ("contacts", "funding", "program", "metadata", "fees"))
        return service

    def service_at_location(self, where: str, item: dict[str, Any], service: Service | None = None) -> None:
        where = _at(item, where)
        if service is None:
            if isinstance(item.get("service"), dict):
                service = self.service(where + ".service", item["service"])
            elif _uuid(item.get("service_id")):
                service = Service.objects.filter(id=str(_uuid(item.get("service_id")))).first()
            if service is None:
                self.report.error(where, "service_id", _("A service at a location needs its service."))
                return
            if ServiceAtLocation.objects.filter(id=str(_uuid(item.get("id")))).exists():
                return  # already written with the service
        location: Location | None = None
        if isinstance(item.get("location"), dict):
            location = self.location(where + ".location", item["location"], service.organisation)
        elif _uuid(item.get("location_id")):
            location = Location.objects.filter(id=str(_uuid(item.get("location_id")))).first()
        if location is None:
            self.report.error(where, "location_id", _("Unknown location."))
            return
        sal, created = ServiceAtLocation.objects.get_or_create(
            service=service,
            location=location,
            defaults={
                "id": self._fresh_id(item.get("id"), service.id),
                "description": _text(item.get("description")),
            },
        )
        self.report.count("service_at_location", created)
        for index, phone in enumerate(item.get("phones") or []):
            self.phone(f"{where}.phones[{index}]", phone, service_at_location=sal)
        self.schedules(where, item.get("schedules"), service_at_location=sal)
        self.ignored(where, item, ("contacts",))

    def run(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        for kind in KINDS:
            for item_kind, where, item in items:
                if item_kind != kind:
                    continue
                if kind == "taxonomy":
                    self.taxonomy(where, item)
                elif kind == "taxonomy_term":
                    self.term(where, item)
                elif kind == "organization":
                    self.organisation(where, item)
                elif kind == "service":
                    self.service(where, item)
                elif kind == "service_at_location":
                    self.service_at_location(where, item)
                elif kind == "location":
                    owner = (
                        self.organisation_by_id(where, item.get("organization_id"))
                        if item.get("organization_id")
                        else None
                    )
                    self.location(where, item, owner)


def _require(actor: Any) -> None:
    from himaya.accounts.policies import require

    if actor is not None:
        require(actor, "directory.import")


def _validate(items: list[tuple[str, str, dict[str, Any]]], report: ImportReport) -> None:
    """Check every object against the official schema; errors point at the row (tabular) or JSON path."""
    validators = _validators()
    if validators is None:
        report.warn(
            "", "", _("The official HSDS schemas are not installed; only Himaya's own checks were made.")
        )
        return
    seen: set[ImportIssue] = set()
    for kind, where, item in items:
        for problem in validators[kind].iter_errors(item):
            path = list(problem.absolute_path)
            column = str(path[-1]) if path and not isinstance(path[-1], int) else ""
            if problem.validator == "required":
                missing = re.match(r"^'([^']+)'", problem.message)
                column, path = (missing[1] if missing else ""), [*path, ""]
            row, rest = row_of(item, path[:-1] if column else path, where)
            issue = ImportIssue(row + _json_path(rest), column, problem.message)
            if issue not in seen:
                seen.add(issue)
                report.errors.append(issue)


def _write(
    actor: Any, items: list[tuple[str, str, dict[str, Any]]], note: str, report: ImportReport
) -> ImportReport:
    """Validate ``items`` then write them in one transaction (rolled back on any error or a dry run)."""
    if not report.errors and not items and not report.metadata:
        report.error("", "", _("Nothing to import."))
    if items:
        _validate(items, report)  # even after reading errors: the report lists every problem at once
    if not report.errors:
        try:
            with transaction.atomic():
                HsdsImporter(report, actor, note=_("HSDS import: %(files)s") % {"files": note[:480]}).run(
                    items
                )
                if report.errors or report.dry_run:
                    raise _Rollback
                report.committed = True
        except _Rollback:
            pass
    if report.errors:
        report.created = report.updated = 0
        report.counts = {}
    audit_import(actor, report, "hsds")
    return report


def import_hsds_documents(
    *,
    actor: Any = None,
    documents: Sequence[tuple[str, bytes | str | dict[str, Any] | list[Any]]],
    dry_run: bool = False,
) -> ImportReport:
    """Import HSDS JSON documents ``(file name, content)`` all or nothing; ``actor`` None is the system.
    A document may be the tabular rendering (``tabular.json``: one list of flat rows per CSV table)."""
    _require(actor)
    report = ImportReport(dry_run=dry_run)
    items: list[tuple[str, str, dict[str, Any]]] = []
    for filename, data in documents:
        document = _decode(filename, data, report)
        if document is not None:
            items += _items(filename, document, report)
    return _write(actor, items, ", ".join(name for name, _data in documents), report)


def import_hsds_source(
    *, actor: Any = None, source: Any, name: str, dry_run: bool = False, report: ImportReport | None = None
) -> ImportReport:
    """Import a folder or a zip (``hsds_tabular.FolderSource`` / ``ZipSource``): our JSON export pages when
    present at its top, else the CSV data package (the nearest ``datapackage.json`` and its CSV files)."""
    _require(actor)
    report = report or ImportReport(dry_run=dry_run)
    try:
        pages = find_export_pages(source)
        if pages:
            return import_hsds_documents(
                actor=actor, documents=[(page, source.read(page) or b"") for page in pages], dry_run=dry_run
            )
        descriptor = find_package(source)
        if descriptor is None:
            report.error(
                name,
                "",
                _("Neither an HSDS export (services.json...) nor a data package (datapackage.json)."),
            )
            items: list[tuple[str, str, dict[str, Any]]] = []
        else:
            tables = tables_from_package(source, descriptor, report)
            items = nest(tables, report)
    except PackageError as error:
        report.error(name, "", str(error))
        items = []
    return _write(actor, items, name, report)


def audit_import(actor: Any, report: ImportReport, source: str) -> None:
    audit.record(
        AuditAction.UPDATE if report.committed else AuditAction.READ,
        actor=actor,
        object_type="directory.import",
        detail={
            "source": source,
            "dry_run": report.dry_run,
            "committed": report.committed,
            "created": report.created,
            "updated": report.updated,
            "errors": len(report.errors),
        },
    )


def import_hsds(
    *,
    actor: Any = None,
    data: bytes | str | dict[str, Any] | list[Any],
    filename: str = "import.json",
    dry_run: bool = False,
) -> ImportReport:
    """Import one HSDS JSON file (an object, a list, or a page with ``contents``)."""
    return import_hsds_documents(actor=actor, documents=[(filename, data)], dry_run=dry_run)


def import_hsds_directory(*, actor: Any = None, directory: str | Path, dry_run: bool = False) -> ImportReport:
    """Import a folder in one transaction: an ``export_hsds`` directory (its JSON pages), else a CSV data
    package (the folder holding ``datapackage.json``, or its ``csv/`` sub-folder)."""
    folder = Path(directory)
    return import_hsds_source(actor=actor, source=FolderSource(folder), name=folder.name, dry_run=dry_run)


def import_hsds_zip(*, actor: Any = None, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """Import a zip read in memory (never extracted): an export archive or a CSV data package."""
    _require(actor)
    report = ImportReport(dry_run=dry_run)
    try:
        source = ZipSource(data)
    except PackageError as error:
        report.error(filename, "", str(error))
        return _write(actor, [], filename, report)
    return import_hsds_source(actor=actor, source=source, name=filename, dry_run=dry_run, report=report)


def directory_import(*, actor: Any = None, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """The entry point for an uploaded file: HSDS ``.json`` (objects or ``tabular.json``), a ``.zip`` (an export
    or a CSV data package), or the partners' ``.csv`` / ``.xlsx`` template."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".xlsx"):
        from himaya.directory.spreadsheet import import_spreadsheet

        return import_spreadsheet(actor=actor, data=data, filename=filename, dry_run=dry_run)
    if suffix == ".zip":
        return import_hsds_zip(actor=actor, data=data, filename=filename, dry_run=dry_run)
    _require(actor)
    report = ImportReport(dry_run=dry_run)
    if Path(filename).name.lower() == "datapackage.json":
        report.error(
            filename, "", _("A datapackage.json needs its CSV files: import the folder or a .zip of it.")
        )
        return _write(actor, [], filename, report)
    if suffix == ".json":
        return import_hsds(actor=actor, data=data, filename=filename, dry_run=dry_run)
    report.error(
        filename, "", _("Unsupported file type: use .json or .zip (HSDS), .csv or .xlsx (template).")
    )
    return report


def import_hsds_path(*, actor: Any = None, path: Path, dry_run: bool = False) -> ImportReport:
    """The command's entry point: a folder, a ``datapackage.json`` (its folder is read), or a file."""
    if path.is_dir():
        return import_hsds_directory(actor=actor, directory=path, dry_run=dry_run)
    if path.name.lower() == "datapackage.json":
        return import_hsds_directory(actor=actor, directory=path.parent, dry_run=dry_run)
    return directory_import(actor=actor, data=path.read_bytes(), filename=path.name, dry_run=dry_run)
