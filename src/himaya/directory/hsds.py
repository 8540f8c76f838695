"""Open Referral HSDS 3.0 export of the directory (docs/hsds-profile.md).

``export_hsds`` writes, in a directory: ``services.json`` (a page whose ``contents`` are services in the
"service_full" shape of schema/compiled/service.json), ``organizations.json``, ``taxonomies.json`` and
``taxonomy_terms.json`` (pages as in the official ``*_list.json`` examples), and the tabular datapackage
``csv/datapackage.json`` with one CSV per HSDS table. What each audience sees is decided by
``himaya.directory.visibility`` only: fields above the audience are left out, phones above it are left out,
confidential locations lose their address and coordinates and show their front-door telephone instead.

The objects are built by ``himaya.directory.hsds_serialise`` (shared with the read API); this module gives them
the export's shape. Services are read in chunks with a constant number of queries per chunk, so the export of
20,000 services stays within seconds.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db.models import QuerySet

from himaya.core import audit
from himaya.core.models import AuditAction
from himaya.directory import hsds_serialise
from himaya.directory.hsds_serialise import HIMAYA_NAMESPACE, derived_id
from himaya.directory.models import (
    Service,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from himaya.directory.visibility import CONFIGURABLE_FIELDS, Audience

__all__ = ["HIMAYA_NAMESPACE", "derived_id"]  # also imported from here (hsds_import, tests)

HSDS_VERSION = "3.0"
PROFILE_URI = "https://github.com/himaya/himaya/blob/main/docs/hsds-profile.md"
# HSDS knows four statuses; ours has a fifth, exported as "active" plus the profile field "himaya_status".
HSDS_STATUS = {
    ServiceStatus.ACTIVE: "active",
    ServiceStatus.NOT_ACCEPTING: "active",
    ServiceStatus.TEMPORARILY_CLOSED: "temporarily closed",
    ServiceStatus.INACTIVE: "inactive",
    ServiceStatus.DEFUNCT: "defunct",
}
CHUNK_SIZE = 1000


def reference_dir() -> Path | None:
    """The official HSDS schemas and examples: $HIMAYA_HSDS_DIR, else ../shared/hsds beside the checkout,
    else /work/shared/hsds. None when none exists (the import then checks structure without them; see
    ``schema_dir`` for the copy of the schemas shipped with Himaya)."""
    configured = os.environ.get("HIMAYA_HSDS_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path(__file__).resolve().parents[4] / "shared" / "hsds", Path("/work/shared/hsds")]
    for candidate in candidates:
        if (candidate / "schema" / "service.json").is_file():
            return candidate
    return None


PACKAGED_SCHEMAS = Path(__file__).resolve().parent / "data" / "hsds" / "schema"


def schema_dir() -> Path:
    """The schemas to validate imports against: the reference copy when present, else the packaged one."""
    reference = reference_dir()
    return reference / "schema" if reference is not None else PACKAGED_SCHEMAS


TABLES: dict[str, tuple[str, tuple[tuple[str, str, bool], ...]]] = {
    "organization": (
        "organizations.csv",
        (
            ("id", "string", True),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", True),
            ("email", "string", False),
            ("website", "string", False),
            ("tax_status", "string", False),
            ("tax_id", "string", False),
            ("year_incorporated", "number", False),
            ("legal_status", "string", False),
            ("logo", "string", False),
            ("uri", "string", False),
            ("parent_organization_id", "string", False),
        ),
    ),
    "program": (
        "programs.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", True),
        ),
    ),
    "service": (
        "services.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("program_id", "string", False),
            ("name", "string", True),
            ("alternate_name", "string", False),
            ("description", "string", False),
            ("url", "string", False),
            ("email", "string", False),
            ("status", "string", True),
            ("interpretation_services", "string", False),
            ("application_process", "string", False),
            ("fees_description", "string", False),
            ("wait_time", "string", False),
            ("fees", "string", False),
            ("accreditations", "string", False),
            ("eligibility_description", "string", False),
            ("minimum_age", "number", False),
            ("maximum_age", "number", False),
            ("assured_date", "date", False),
            ("assurer_email", "string", False),
            ("licenses", "string", False),
            ("alert", "string", False),
            ("last_modified", "datetime", False),
        ),
    ),
    "attribute": (
        "attributes.csv",
        (
            ("id", "string", True),
            ("link_id", "string", True),
            ("taxonomy_term_id", "string", True),
            ("link_type", "string", False),
            ("link_entity", "string", True),
            ("value", "string", False),
        ),
    ),
    "service_at_location": (
        "service_at_location.csv",
        (
            ("id", "string", True),
            ("service_id", "string", True),
            ("location_id", "string", True),
            ("description", "string", False),
        ),
    ),
    "location": (
        "locations.csv",
        (
            ("id", "string", True),
            ("location_type", "string", True),
            ("url", "string", False),
            ("organization_id", "string", False),
            ("name", "string", False),
            ("alternate_name", "string", False),
            ("description", "string", False),
            ("transportation", "string", False),
            ("latitude", "number", False),
            ("longitude", "number", False),
            ("external_identifier", "string", False),
            ("external_identifier_type", "string", False),
        ),
    ),
    "phone": (
        "phones.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("service_id", "string", False),
            ("organization_id", "string", False),
            ("contact_id", "string", False),
            ("service_at_location_id", "string", False),
            ("number", "string", True),
            ("extension", "number", False),
            ("type", "string", False),
            ("description", "string", False),
        ),
    ),
    "contact": (
        "contacts.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", False),
            ("service_id", "string", False),
            ("service_at_location_id", "string", False),
            ("location_id", "string", False),
            ("name", "string", False),
            ("title", "string", False),
            ("department", "string", False),
            ("email", "string", False),
        ),
    ),
    "address": (
        "addresses.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("attention", "string", False),
            ("address_1", "string", True),
            ("address_2", "string", False),
            ("city", "string", True),
            ("region", "string", False),
            ("state_province", "string", True),
            ("postal_code", "string", True),
            ("country", "string", True),
            ("address_type", "string", True),
        ),
    ),
    "schedule": (
        "schedules.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("location_id", "string", False),
            ("service_at_location_id", "string", False),
            ("valid_from", "date", False),
            ("valid_to", "date", False),
            ("dtstart", "date", False),
            ("timezone", "number", False),
            ("until", "date", False),
            ("count", "number", False),
            ("wkst", "string", False),
            ("freq", "string", False),
            ("interval", "number", False),
            ("byday", "string", False),
            ("byweekno", "string", False),
            ("bymonthday", "string", False),
            ("byyearday", "string", False),
            ("description", "string", False),
            ("opens_at", "time", False),
            ("closes_at", "time", False),
            ("schedule_link", "string", False),
            ("attending_type", "string", False),
            ("notes", "string", False),
        ),
    ),
    "funding": (
        "funding.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", False),
            ("service_id", "string", False),
            ("source", "string", False),
        ),
    ),
    "service_area": (
        "service_areas.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("name", "string", False),
            ("description", "string", False),
            ("extent", "string", False),
            ("extent_type", "string", False),
            ("uri", "string", False),
        ),
    ),
    "required_document": (
        "required_documents.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("document", "string", False),
            ("uri", "string", False),
        ),
    ),
    "language": (
        "languages.csv",
        (
            ("id", "string", True),
            ("service_id", "string", False),
            ("location_id", "string", False),
            ("phone_id", "string", False),
            ("name", "string", False),
            ("code", "string", False),
            ("note", "string", False),
        ),
    ),
    "accessibility": (
        "accessibility.csv",
        (
            ("id", "string", True),
            ("location_id", "string", False),
            ("description", "string", False),
            ("details", "string", False),
            ("url", "string", False),
        ),
    ),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        (
            ("id", "string", True),
            ("code", "string", False),
            ("name", "string", True),
            ("description", "string", True),
            ("parent_id", "string", False),
            ("taxonomy", "string", False),
            ("language", "string", False),
            ("taxonomy_id", "string", False),
            ("term_uri", "string", False),
        ),
    ),
    "metadata": (
        "metadata.csv",
        (
            ("id", "string", True),
            ("resource_id", "string", True),
            ("resource_type", "string", True),
            ("last_action_date", "date", True),
            ("last_action_type", "string", True),
            ("field_name", "string", True),
            ("previous_value", "string", True),
            ("replacement_value", "string", True),
            ("updated_by", "string", True),
        ),
    ),
    "meta_table_description": (
        "meta_table_descriptions.csv",
        (
            ("id", "string", True),
            ("name", "string", False),
            ("language", "string", False),
            ("character_set", "string", False),
        ),
    ),
    "cost_option": (
        "cost_options.csv",
        (
            ("id", "string", True),
            ("service_id", "string", True),
            ("valid_from", "date", False),
            ("valid_to", "date", False),
            ("option", "string", False),
            ("currency", "string", False),
            ("amount", "number", False),
            ("amount_description", "string", False),
        ),
    ),
    "organization_identifier": (
        "organization_identifiers.csv",
        (
            ("id", "string", True),
            ("organization_id", "string", True),
            ("identifier_scheme", "string", False),
            ("identifier_type", "string", True),
            ("identifier", "string", True),
        ),
    ),
    "taxonomy": (
        "taxonomies.csv",
        (
            ("id", "string", True),
            ("name", "string", True),
            ("description", "string", True),
            ("uri", "string", False),
            ("version", "string", False),
        ),
    ),
}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values (HSDS: absent rather than empty); keep zeros and False."""
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def taxonomy_to_hsds(taxonomy: Taxonomy) -> dict[str, Any]:
    return _clean(
        {
            "id": str(taxonomy.id),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
            "himaya_code": taxonomy.code,
        }
    )


def term_to_hsds(term: TaxonomyTerm, *, detail: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "description": term.description or term.name,
        "parent_id": str(term.parent_id) if term.parent_id else None,
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": str(term.taxonomy_id),
        "language": term.language,
        "term_uri": term.term_uri,
        "himaya_family": term.family,
        "himaya_translations": _clean({"ar": term.name_ar, "en": term.name_en}),
    }
    if detail:
        data["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy)
    return _clean(data)


# --- The export's shape of the objects built by hsds_serialise ---------------------------------------------
# Reshaping only: absent rather than empty, profile members renamed; what an audience sees was decided there.


def _phones(phones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        _clean(phone | {"languages": [_clean(language) for language in phone["languages"]]})
        for phone in phones
    ]


def _schedules(schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # HSDS "timezone" is a UTC offset (a number): the API's zone name is not exported.
    return [_clean({key: value for key, value in s.items() if key != "timezone"}) for s in schedules]


def location_to_hsds(location: dict[str, Any]) -> dict[str, Any]:
    phones = _phones(location["phones"])
    if location["is_confidential"] and location["front_door_phone"]:
        phones.append(
            _clean(
                {
                    "id": derived_id("front-door", location["id"]),
                    "location_id": location["id"],
                    "number": location["front_door_phone"],
                    "type": "voice",
                    "description": location["front_door_note"],
                    "himaya_front_door": True,
                }
            )
        )
    data = _clean(
        {
            **{name: location[name] for name in LOCATION_FIELDS},
            # HSDS tabular requires an address_1: an address reduced to its city is not exported.
            "addresses": [address for address in location["addresses"] if address["address_1"]],
            "accessibility": [_clean(item) for item in location["accessibility"]],
            "phones": phones,
            "schedules": _schedules(location["schedules"]),
            "himaya_translations": _clean({"ar": _clean({"name": location["name_ar"]})}),
            "himaya_place": _clean(
                {
                    "city": location["city_slug"],
                    "city_name": location["city_name"],
                    "province_code": location["province_code"],
                    "region_code": location["region_code"],
                }
            ),
        }
    )
    if location["is_confidential"]:
        data["himaya_confidential"] = True
    return data


LOCATION_FIELDS = (
    "id",
    "organization_id",
    "location_type",
    "url",
    "name",
    "alternate_name",
    "description",
    "transportation",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
)


def organization_to_hsds(organization: dict[str, Any]) -> dict[str, Any]:
    data = _clean(
        {
            **{name: organization[name] for name in ("id", "name", "alternate_name", "email", "website")},
            "phones": _phones(organization["phones"]),
            "himaya_translations": _clean({"ar": _clean({"name": organization["name_ar"]})}),
        }
    )
    data["description"] = organization["description"]  # required by HSDS, may be empty
    return data


SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "alert",
    "last_modified",
    "minimum_age",
    "maximum_age",
    *CONFIGURABLE_FIELDS,
)


class ExportCache:
    """What every service of an export shares: the catalogue, and each location, organisation and term in
    the export's shape, reshaped once."""

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.catalogue = hsds_serialise.Catalogue(hsds_serialise.fixed(audience))
        self.catalogue.load_terms()
        self.terms = {pk: term_to_hsds(term) for pk, term in self.catalogue.terms.items()}
        self.organisations: dict[str, dict[str, Any]] = {}
        self.locations: dict[str, dict[str, Any]] = {}

    def organization(self, organization: dict[str, Any]) -> dict[str, Any]:
        if organization["id"] not in self.organisations:
            self.organisations[organization["id"]] = organization_to_hsds(organization)
        return self.organisations[organization["id"]]

    def location(self, location: dict[str, Any]) -> dict[str, Any]:
        if location["id"] not in self.locations:
            self.locations[location["id"]] = location_to_hsds(location)
        return self.locations[location["id"]]


def export_service(service: dict[str, Any], cache: ExportCache) -> dict[str, Any]:
    """A service built by ``hsds_serialise.service_dict`` in the "service_full" shape of the export."""
    sid = service["id"]
    data: dict[str, Any] = {name: service[name] for name in SERVICE_FIELDS}
    data |= {
        "status": HSDS_STATUS.get(ServiceStatus(service["status"]), "inactive"),
        "phones": _phones(service["phones"]),
        "schedules": _schedules(service["schedules"]),
        "service_areas": [
            _clean(
                {
                    "id": area["id"],
                    "service_id": sid,
                    "name": area["name"],
                    "description": area["description"],
                    "himaya_area": _clean(
                        {"province_code": area["province_code"], "region_code": area["region_code"]}
                    ),
                }
            )
            for area in service["service_areas"]
        ],
        "service_at_locations": [
            _clean(
                {
                    "id": sal["id"],
                    "service_id": sid,
                    "location_id": sal["location_id"],
                    "description": sal["description"],
                    "phones": _phones(sal["phones"]),
                    "schedules": _schedules(sal["schedules"]),
                    "location": cache.location(sal["location"]),
                }
            )
            for sal in service["service_at_locations"]
        ],
        "languages": [_clean(language) for language in service["languages"]],
        "organization": cache.organization(service["organization"]),
        "cost_options": [_clean(cost) for cost in service["cost_options"]],
        "required_documents": [_clean(document) for document in service["required_documents"]],
        "attributes": [
            {
                "id": attribute["id"],
                "link_id": sid,
                "taxonomy_term_id": attribute["taxonomy_term_id"],
                "link_type": attribute["link_type"],
                "link_entity": attribute["link_entity"],
                "taxonomy_term": cache.terms[attribute["taxonomy_term_id"]],
            }
            for attribute in service["attributes"]
        ],
        # Himaya profile (docs/hsds-profile.md): HSDS allows additional properties.
        "himaya_status": service["status"],
        "alert_until": service["alert_until"],
        "eligibility": _clean(service["eligibility"]),
        "himaya_translations": _clean(
            {language: _clean(names) for language, names in service["himaya_translations"].items()}
        ),
        "assured_date": service["assured_date"],
        "verification": _clean(service["verification"]) if service["verification"] else None,
        "capacity": service["capacity"],
        "himaya_field_visibility": service["himaya_field_visibility"],
    }
    return _clean(data)


def service_to_hsds(service: Service, audience: Audience = Audience.PUBLIC) -> dict[str, Any]:
    """One service in the "service_full" shape, as ``audience`` may see it (its related rows read for it)."""
    cache = ExportCache(audience)
    (item,) = hsds_serialise.service_dicts([service], cache.catalogue, full=True, capacity=True)
    return export_service(item, cache)


def export_queryset(audience: Audience = Audience.PUBLIC) -> QuerySet[Service]:
    """The services an export holds: listed ones for the public, all for the network."""
    return Service.objects.all() if audience >= Audience.NETWORK else Service.objects.listed()


def iter_services(
    audience: Audience = Audience.PUBLIC,
    queryset: QuerySet[Service] | None = None,
    *,
    cache: ExportCache | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Services in id order, ``chunk_size`` at a time, each chunk with a constant number of queries."""
    queryset = (export_queryset(audience) if queryset is None else queryset).order_by("id")
    cache = cache or ExportCache(audience)
    last: Any = None
    while True:
        page_query = queryset if last is None else queryset.filter(id__gt=last)
        chunk = list(page_query.select_related("organisation")[:chunk_size])
        if not chunk:
            return
        for item in hsds_serialise.service_dicts(chunk, cache.catalogue, full=True, capacity=True):
            yield export_service(item, cache)
        last = chunk[-1].id


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """The paginated wrapper of the official ``*_list.json`` examples (one page holding everything)."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


# --- Tabular datapackage ----------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe. Numbers and telephone numbers
    ("+212 5 22 ..", "-7.5") are data, not formulas, and are kept."""
    if not value or not value.startswith(FORMULA_PREFIXES):
        return value
    stripped = value.replace(" ", "").replace(".", "").replace("-", "").replace("(", "").replace(")", "")
    if value[0] in "+-" and stripped.lstrip("+").isdigit():
        return value
    return "'" + value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return neutralise(str(value))


def datapackage_descriptor() -> dict[str, Any]:
    """datapackage.json: the official HSDS 3.0 tabular data package, one resource per table."""
    return {
        "name": "human_services_data",
        "title": "Himaya directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "homepage": "http://docs.openreferral.org",
        "resources": [
            {
                "name": name,
                "path": path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {
                    "primaryKey": "id",
                    "fields": [
                        {"name": column, "type": kind, "constraints": {"required": required}}
                        for column, kind, required in columns
                    ],
                },
            }
            for name, (path, columns) in TABLES.items()
        ],
    }


class TabularWriter:
    """Streams rows into one CSV per HSDS table; each object is written once (by id)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, TextIO] = {}
        self._writers: dict[str, Any] = {}
        self._seen: dict[str, set[Any]] = {name: set() for name in TABLES}
        self._columns = {
            name: [column for column, _kind, _required in columns] for name, (_p, columns) in TABLES.items()
        }
        self._required = {
            name: [index for index, (_c, _k, required) in enumerate(columns) if required]
            for name, (_p, columns) in TABLES.items()
        }
        for name, (path, columns) in TABLES.items():
            handle = (directory / path).open("w", encoding="utf-8", newline="")
            self._files[name] = handle
            self._writers[name] = csv.writer(handle)
            self._writers[name].writerow([column for column, _kind, _required in columns])

    def row(self, table: str, data: dict[str, Any], **extra: Any) -> None:
        values = data | extra if extra else data
        key = values.get("id")
        seen = self._seen[table]
        if key in seen:
            return
        cells = [values.get(column) for column in self._columns[table]]
        if any(cells[index] in (None, "") for index in self._required[table]):
            return  # e.g. an address without postal code: HSDS tabular requires it (docs/hsds-profile.md)
        seen.add(key)
        self._writers[table].writerow(
            [
                (value if not value or value[0] not in FORMULA_FIRST else neutralise(value))
                if type(value) is str
                else _cell(value)
                for value in cells
            ]
        )

    def phones(self, phones: Iterable[dict[str, Any]]) -> None:
        for phone in phones:
            self.row("phone", phone)
            for language in phone.get("languages", []):
                self.row("language", language)

    def schedules(self, schedules: Iterable[dict[str, Any]]) -> None:
        for schedule in schedules:
            self.row("schedule", schedule)

    def location(self, location: dict[str, Any]) -> None:
        if location["id"] in self._seen["location"]:
            return
        self.row("location", location)
        for address in location.get("addresses", []):
            self.row("address", address)
        for item in location.get("accessibility", []):
            self.row("accessibility", item)
        self.phones(location.get("phones", []))
        self.schedules(location.get("schedules", []))

    def service(self, service: dict[str, Any]) -> None:
        self.row("service", service)
        self.phones(service.get("phones", []))
        self.schedules(service.get("schedules", []))
        for table, key in (
            ("service_area", "service_areas"),
            ("language", "languages"),
            ("cost_option", "cost_options"),
            ("required_document", "required_documents"),
            ("attribute", "attributes"),
        ):
            for item in service.get(key, []):
                self.row(table, item)
        for sal in service.get("service_at_locations", []):
            self.row("service_at_location", sal)
            self.phones(sal.get("phones", []))
            self.schedules(sal.get("schedules", []))
            self.location(sal["location"])

    def organization(self, organization: dict[str, Any]) -> None:
        self.row(
            "organization", organization, description=organization.get("description") or organization["name"]
        )
        self.phones(organization.get("phones", []))

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        (self.directory / "datapackage.json").write_text(
            json.dumps(datapackage_descriptor(), indent=2, ensure_ascii=False), encoding="utf-8"
        )


# --- The export service ------------------------------------------------------------------------------------

FORMATS = ("json", "csv", "both")


@dataclass
class ExportReport:
    directory: Path
    audience: Audience
    format: str
    services: int = 0
    organizations: int = 0
    taxonomies: int = 0
    taxonomy_terms: int = 0
    files: list[Path] = field(default_factory=list)


def _write_page(path: Path, items: Iterable[dict[str, Any]]) -> int:
    """A page written item by item: ``contents`` first, the totals after (JSON objects are unordered)."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"contents": [')
        for item in items:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(item, ensure_ascii=False, sort_keys=True))
            count += 1
        totals = {key: value for key, value in page([]).items() if key != "contents"}
        totals |= {"total_items": count, "size": count, "empty": count == 0}
        handle.write("\n], " + json.dumps(totals)[1:] + "\n")
    return count


def export_hsds(
    directory: str | Path,
    *,
    actor: Any = None,
    audience: Audience = Audience.PUBLIC,
    format: str = "both",
    queryset: QuerySet[Service] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ExportReport:
    """Write the directory as HSDS 3.0 into ``directory`` for ``audience``; record an audit event.

    ``actor`` None means the system (the CLI); otherwise the actor needs ``directory.export`` (and
    ``directory.view_directory`` for the network audience)."""
    from himaya.accounts.policies import require

    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    audience = Audience(audience)
    if audience > Audience.NETWORK:
        raise ValueError("exports are for the public or the network audience")
    if actor is not None:
        require(actor, "directory.export")
        if audience >= Audience.NETWORK:
            require(actor, "directory.view_directory")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    report = ExportReport(directory=target, audience=audience, format=format)
    want_json = format in ("json", "both")
    tabular = TabularWriter(target / "csv") if format in ("csv", "both") else None
    cache = ExportCache(audience)
    organizations = cache.organisations

    def services() -> Iterator[dict[str, Any]]:
        for item in iter_services(audience, queryset, cache=cache, chunk_size=chunk_size):
            if tabular is not None:
                tabular.service(item)
            yield item

    if want_json:
        report.services = _write_page(target / "services.json", services())
        report.files.append(target / "services.json")
    else:
        report.services = sum(1 for _item in services())
    organization_list = sorted(organizations.values(), key=lambda item: item["id"])
    report.organizations = len(organization_list)
    taxonomies = [taxonomy_to_hsds(t) for t in Taxonomy.objects.order_by("code")]
    terms = [
        term_to_hsds(t)
        for t in TaxonomyTerm.objects.select_related("taxonomy").order_by(
            "taxonomy__code", "position", "code"
        )
    ]
    report.taxonomies, report.taxonomy_terms = len(taxonomies), len(terms)
    if want_json:
        for name, items in (
            ("organizations.json", organization_list),
            ("taxonomies.json", taxonomies),
            ("taxonomy_terms.json", terms),
        ):
            _write_page(target / name, items)
            report.files.append(target / name)
    if tabular is not None:
        for organization in organization_list:
            tabular.organization(organization)
        for taxonomy in taxonomies:
            tabular.row("taxonomy", taxonomy)
        for term in terms:
            tabular.row("taxonomy_term", term)
        tabular.close()
        report.files.append(target / "csv" / "datapackage.json")
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="directory.service",
        detail={
            "format": "hsds-" + format,
            "audience": audience.name.lower(),
            "services": report.services,
            "organizations": report.organizations,
        },
    )
    return report
