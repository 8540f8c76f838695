"""HSDS 3.0 export: validates against the official schemas, applies visibility, constant queries."""

from __future__ import annotations

import csv
import json
import os
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from himaya.core.models import AuditEvent
from himaya.directory.hsds import TABLES, export_hsds, reference_dir, service_to_hsds
from himaya.directory.models import CapacityRecord, Phone, ServiceStatus
from himaya.directory.visibility import Audience
from tests.directory.factories import make_location, make_service

pytestmark = pytest.mark.django_db


def hsds_dir() -> Path:
    """$HIMAYA_HSDS_DIR, else <repo>/../shared/hsds, else /work/shared/hsds. Missing: the test FAILS."""
    configured = os.environ.get("HIMAYA_HSDS_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path(__file__).resolve().parents[3] / "shared" / "hsds", Path("/work/shared/hsds")]
    for candidate in candidates:
        if (candidate / "schema" / "service.json").is_file():
            return candidate
    pytest.fail(
        "The official HSDS 3.0 schemas were not found; set HIMAYA_HSDS_DIR to a copy of "
        f"openreferral/specification (schema/ and examples/). Looked in: {[str(c) for c in candidates]}"
    )


def validator(name: str) -> Draft202012Validator:
    """A validator for schema/<name> whose $refs ("phone.json"...) resolve in the schema directory."""
    schema_dir = hsds_dir() / "schema"
    registry: Registry[Any] = Registry()
    for path in schema_dir.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(path.name, Resource.from_contents(contents, DRAFT202012))
    schema = json.loads((schema_dir / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def errors_of(name: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]


def test_reference_dir_is_found_by_code_and_tests():
    assert hsds_dir() == reference_dir()


def test_validator_rejects_what_hsds_forbids():
    """The validator really checks (guards against a schema set that accepts anything)."""
    assert errors_of("service.json", {"id": "x", "name": "A", "status": "open"})
    assert errors_of("service.json", {"name": "A", "status": "active"})
    assert errors_of(
        "service.json",
        {
            "id": "a6f2d7f0-2c2f-4c1e-9b8e-4f1b0f9b8c11",
            "name": "A",
            "status": "active",
            "phones": [{"id": "a6f2d7f0-2c2f-4c1e-9b8e-4f1b0f9b8c12"}],
        },
    )


@pytest.fixture
def rich_service():
    shelter = make_location(
        is_confidential=True,
        front_door_phone="+212 5 22 00 00 01",
        front_door_note="Ask for the duty officer",
    )
    service = make_service(
        location=shelter,
        needs=("emergency_shelter", "psychological"),
        hours=(("MO", time(8, 30), time(16, 30)), ("SA", time(9), time(12))),
        name_ar="مأوى",
        description="Accueil 24h/24",
        email="contact@example.org",
        accreditations="Agrément 2021",
        status=ServiceStatus.NOT_ACCEPTING,
        minimum_age=18,
        eligible_sexes=["female"],
        eligible_violence_forms=["physical", "sexual"],
        alert="Fermé le 1er mai",
        field_visibility={"email": "network"},
    )
    Phone.objects.create(service=service, number="+212 5 22 11 22 33", visibility="public")
    Phone.objects.create(service=service, number="+212 6 00 00 00 99", visibility="network")
    CapacityRecord.objects.create(service=service, places=20, vacancies=3)
    open_location = make_location(organisation=service.organisation, city="rabat", postal_code="10000")
    make_service(organisation=service.organisation, location=open_location, needs=("legal_aid",))
    return service


def read_page(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["total_items"] == len(data["contents"])
    return data["contents"]


@pytest.mark.parametrize("audience", ["public", "network"])
def test_json_export_validates_against_official_schemas(tmp_path, rich_service, audience):
    export_hsds(tmp_path, audience=Audience[audience.upper()], format="json")
    services = read_page(tmp_path / "services.json")
    assert len(services) == 2
    for item in services:
        assert errors_of("service.json", item) == []
    for name, schema in (
        ("organizations.json", "organization.json"),
        ("taxonomies.json", "taxonomy.json"),
        ("taxonomy_terms.json", "taxonomy_term.json"),
    ):
        contents = read_page(tmp_path / name)
        assert contents
        for item in contents:
            assert errors_of(schema, item) == []
    # The compiled, self-contained "service_full" schema agrees.
    compiled = json.loads((hsds_dir() / "schema" / "compiled" / "service.json").read_text(encoding="utf-8"))
    for item in services:
        assert list(Draft202012Validator(compiled).iter_errors(item)) == []


def test_public_export_applies_visibility(tmp_path, rich_service):
    export_hsds(tmp_path, format="json")
    item = next(s for s in read_page(tmp_path / "services.json") if s["id"] == str(rich_service.id))
    assert item["status"] == "active" and item["himaya_status"] == "active_not_accepting"
    assert "email" not in item  # network-level field
    assert "accreditations" not in item  # network by default
    assert [p["number"] for p in item["phones"]] == ["+212 5 22 11 22 33"]
    assert "capacity" not in item and "himaya_field_visibility" not in item
    location = item["service_at_locations"][0]["location"]
    assert location["himaya_confidential"] is True
    for hidden in ("addresses", "latitude", "longitude", "transportation"):
        assert hidden not in location
    front_door = [p for p in location["phones"] if p.get("himaya_front_door")]
    assert front_door[0]["number"] == "+212 5 22 00 00 01"
    assert location["himaya_place"]["city"] == "tanger"
    assert item["eligibility"] == {
        "minimum_age": 18,
        "sexes": ["female"],
        "violence_forms": ["physical", "sexual"],
    }
    assert item["alert"] == "Fermé le 1er mai"
    assert {a["taxonomy_term"]["code"] for a in item["attributes"]} == {"emergency_shelter", "psychological"}
    assert sorted(s["byday"] for s in item["schedules"]) == ["MO", "SA"]
    assert "Fermé" not in json.dumps(read_page(tmp_path / "organizations.json"))


def test_network_export_shows_network_fields_but_not_confidential_address(tmp_path, rich_service):
    export_hsds(tmp_path, audience=Audience.NETWORK, format="json")
    item = next(s for s in read_page(tmp_path / "services.json") if s["id"] == str(rich_service.id))
    assert item["email"] == "contact@example.org"
    assert item["accreditations"] == "Agrément 2021"
    assert len(item["phones"]) == 2
    assert item["capacity"]["vacancies"] == 3
    assert "addresses" not in item["service_at_locations"][0]["location"]


def test_open_location_exports_its_address(tmp_path, rich_service):
    export_hsds(tmp_path, format="json")
    other = next(s for s in read_page(tmp_path / "services.json") if s["id"] != str(rich_service.id))
    location = other["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "10000"
    assert location["addresses"][0]["state_province"]
    assert 33 < location["latitude"] < 35


def test_a_confidential_location_keeps_only_its_name_place_and_front_door_in_export_and_api(tmp_path):
    """The export and the read API build locations in one place: below the restricted level a confidential
    location shows neither its own description, website, identifiers nor hours, in either."""
    from django.test import Client

    from himaya.directory.models import Schedule

    shelter = make_location(
        is_confidential=True,
        description="Derrière la pharmacie fictive",
        url="https://abri.invalid/",
        external_identifier="ABRI-42",
        front_door_phone="+212 5 22 00 00 01",
    )
    Schedule.objects.create(location=shelter, weekday="MO", opens_at=time(9), closes_at=time(17))
    service = make_service(location=shelter)
    export_hsds(tmp_path, format="json")
    (item,) = read_page(tmp_path / "services.json")
    exported = item["service_at_locations"][0]["location"]
    served = Client().get(f"/api/v1/services/{service.pk}").json()["service_at_locations"][0]["location"]
    for text in ("pharmacie", "abri.invalid", "ABRI-42", "rue de la Paix"):
        assert text not in json.dumps(exported) and text not in json.dumps(served)
    assert "schedules" not in exported and served["schedules"] == []
    assert exported["name"] == served["name"] == shelter.name
    assert served["front_door_phone"] == "+212 5 22 00 00 01"
    assert [p["number"] for p in exported["phones"] if p.get("himaya_front_door")] == ["+212 5 22 00 00 01"]


def test_the_export_and_the_api_agree_on_a_service(tmp_path, rich_service):
    from django.test import Client

    export_hsds(tmp_path, format="json")
    exported = next(s for s in read_page(tmp_path / "services.json") if s["id"] == str(rich_service.id))
    served = Client().get(f"/api/v1/services/{rich_service.pk}").json()
    assert served["status"] == exported["himaya_status"] == "active_not_accepting"
    for name in ("name", "description", "alert", "minimum_age"):
        assert served[name] == exported[name]
    assert served["email"] == "" and "email" not in exported  # network-level field, for the public
    assert [p["number"] for p in served["phones"]] == [p["number"] for p in exported["phones"]]
    assert [a["id"] for a in served["attributes"]] == [a["id"] for a in exported["attributes"]]
    assert [s["opens_at"] for s in served["schedules"]] == [s["opens_at"] for s in exported["schedules"]]


def official_resources() -> dict[str, dict[str, Any]]:
    package = json.loads((hsds_dir() / "examples" / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    return {resource["path"]: resource for resource in package["resources"]}


def test_embedded_tables_match_the_official_datapackage():
    official = official_resources()
    assert {path for path, _columns in TABLES.values()} == set(official)
    for path, columns in TABLES.values():
        fields = official[path]["schema"]["fields"]
        assert [c[0] for c in columns] == [f["name"] for f in fields]
        assert [c[2] for c in columns] == [bool(f.get("constraints", {}).get("required")) for f in fields]


def test_csv_datapackage_matches_official_tables(tmp_path, rich_service):
    export_hsds(tmp_path, audience=Audience.NETWORK, format="csv")
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    official = official_resources()
    assert {r["path"] for r in package["resources"]} == set(official)
    counts = {}
    for resource in package["resources"]:
        expected = [f["name"] for f in official[resource["path"]]["schema"]["fields"]]
        required = [
            f["name"]
            for f in official[resource["path"]]["schema"]["fields"]
            if f["constraints"].get("required")
        ]
        assert [f["name"] for f in resource["schema"]["fields"]] == expected
        with (tmp_path / "csv" / resource["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == expected, resource["path"]
            rows = list(reader)
        counts[resource["name"]] = len(rows)
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), resource["path"]
        for number, row in enumerate(rows, start=2):
            for column in required:
                assert row[column], f"{resource['path']} line {number}: {column} is required"
    assert counts["service"] == 2 and counts["organization"] == 1
    assert counts["service_at_location"] == 2 and counts["location"] == 2
    assert counts["attribute"] == 3 and counts["schedule"] == 2
    assert counts["address"] == 1  # the confidential shelter has none
    assert counts["taxonomy"] >= 2 and counts["taxonomy_term"] > 20
    with (tmp_path / "csv" / "services.csv").open(encoding="utf-8") as handle:
        statuses = {row["status"] for row in csv.DictReader(handle)}
    assert statuses == {"active"}


def test_export_is_audited(tmp_path, rich_service):
    before = AuditEvent.objects.count()
    report = export_hsds(tmp_path, format="json")
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "export" and event.detail["services"] == report.services == 2
    assert event.detail["audience"] == "public"


def test_export_queries_do_not_grow_with_services(tmp_path):
    def queries_for(count: int) -> int:
        from himaya.directory.models import Service

        Service.objects.all().delete()
        location = make_location(postal_code="90000")
        for _ in range(count):
            service = make_service(location=location, hours=(("MO", time(9), time(17)),))
            Phone.objects.create(service=service, number="+212 5 39 00 00 00")
        with CaptureQueriesContext(connection) as context:
            export_hsds(tmp_path / str(count), audience=Audience.NETWORK, chunk_size=50)
        return len(context.captured_queries)

    small, large = queries_for(3), queries_for(40)
    assert large == small


def test_service_to_hsds_works_without_prefetch(rich_service):
    item = service_to_hsds(rich_service)
    assert errors_of("service.json", item) == []


def test_derived_ids_are_uuid5_in_the_himaya_namespace():
    import uuid

    from himaya.directory.hsds import HIMAYA_NAMESPACE, derived_id

    value = uuid.uuid4()
    assert derived_id("attribute", value, 3) == str(uuid.uuid5(HIMAYA_NAMESPACE, f"attribute:{value}:3"))
