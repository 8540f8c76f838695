"""HSDS 3.0 import: official examples, round trip, all-or-nothing, dry run, errors."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from himaya.accounts.models import Organisation
from himaya.core.models import AuditEvent
from himaya.directory.hsds import export_hsds
from himaya.directory.hsds_import import directory_import, import_hsds, import_hsds_directory
from himaya.directory.models import (
    CapacityRecord,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from himaya.directory.visibility import Audience
from tests.directory.factories import make_location, make_service
from tests.directory.test_hsds_export import hsds_dir
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORTABLE = [
    "service_full.json",
    "service_list.json",
    "organization_full.json",
    "organization_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
    "taxonomy.json",
    "taxonomy_list.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
]
NOT_IMPORTABLE = ["base.json", "tabular.json", "location.json"]


def example(name: str) -> bytes:
    return (hsds_dir() / "examples" / name).read_bytes()


def test_every_example_is_classified():
    names = {path.name for path in (hsds_dir() / "examples").glob("*.json")}
    assert names == set(IMPORTABLE) | set(NOT_IMPORTABLE)


@pytest.mark.parametrize("name", IMPORTABLE)
def test_official_example_imports(name):
    report = import_hsds(data=example(name), filename=name)
    assert report.errors == []
    assert report.committed and report.created > 0


def test_service_full_maps_fields():
    report = import_hsds(data=example("service_full.json"), filename="service_full.json")
    assert report.counts["service"] == {"created": 1, "updated": 0}
    service = Service.objects.get(id="ac148810-d857-441c-9679-408f346de14b")
    organisation = service.organisation
    assert str(organisation.hsds_id) == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    assert (organisation.kind, organisation.sector, organisation.is_fictional) == (
        "other",
        "civil_society",
        False,
    )
    assert (service.minimum_age, service.maximum_age, service.status) == (12, 100, "active")
    days = sorted(service.schedules.values_list("weekday", "opens_at", "closes_at"))
    assert days == [("FR", time(10), time(18)), ("TH", time(10), time(18))]
    location = service.locations.get()
    assert location.address_1 == "1-30 Main Street" and location.city_name == "MyCity"
    assert location.latitude is None  # the example's 100/101 are out of range
    assert any(w.column == "latitude" for w in report.warnings)
    term = service.terms.get()
    assert term.code == "code" and Taxonomy.objects.filter(name="name").exists()
    assert service.languages.get().code == "ur"
    assert service.phones.count() == 1 and location.phones.count() == 1
    assert service.cost_options.get().currency == "GBP"


@pytest.mark.parametrize("name", NOT_IMPORTABLE)
def test_non_importable_examples_are_refused_clearly(name):
    report = import_hsds(data=example(name), filename=name)
    assert report.errors and not report.committed
    assert Service.objects.count() == 0 and Location.objects.count() == 0


def test_reimport_updates_instead_of_duplicating():
    import_hsds(data=example("service_full.json"), filename="service_full.json")
    report = import_hsds(data=example("service_full.json"), filename="service_full.json")
    assert report.counts["service"] == {"created": 0, "updated": 1}
    assert Service.objects.count() == 1 and Schedule.objects.filter(service__isnull=False).count() == 2


def test_schema_errors_are_reported_and_nothing_is_written():
    data = json.loads(example("service_full.json"))
    data["status"] = "open"
    del data["name"]
    report = import_hsds(data=json.dumps(data).encode(), filename="bad.json")
    assert {(e.row, e.column) for e in report.errors} >= {("bad.json", "status"), ("bad.json", "name")}
    assert (
        Service.objects.count() == 0 and Organisation.objects.filter(name__startswith="Example").count() == 0
    )


def test_error_midway_rolls_everything_back():
    good = json.loads(example("service_full.json"))
    bad = json.loads(example("service_full.json"))
    bad["id"] = "1f1f1f1f-1f1f-4f1f-9f1f-1f1f1f1f1f1f"
    bad["organization"]["id"] = "2f1f1f1f-1f1f-4f1f-9f1f-1f1f1f1f1f1f"
    bad["email"] = "not an e-mail"
    worse = json.loads(json.dumps(bad))
    worse["id"] = "3f1f1f1f-1f1f-4f1f-9f1f-1f1f1f1f1f1f"
    worse["minimum_age"] = 150
    report = import_hsds(data=[good, bad, worse], filename="services.json")
    assert [(e.row, e.column) for e in report.errors] == [
        ("services.json#[1]", "email"),
        ("services.json#[2]", "minimum_age"),  # above 120
        ("services.json#[2]", "minimum_age"),  # above the maximum age (100)
        ("services.json#[2]", "email"),
    ]
    assert report.created == 0 and report.counts == {}
    assert Service.objects.count() == 0 and Location.objects.count() == 0 and Phone.objects.count() == 0


def test_dry_run_reports_and_rolls_back():
    report = import_hsds(data=example("service_full.json"), filename="service_full.json", dry_run=True)
    assert report.dry_run and report.errors == [] and not report.committed
    assert report.counts["service"]["created"] == 1 and report.created >= 3
    assert Service.objects.count() == 0 and TaxonomyTerm.objects.filter(code="code").count() == 0


def test_invalid_json_and_encoding():
    assert "JSON" in import_hsds(data=b"{nope", filename="x.json").errors[0].message
    assert "UTF-8" in import_hsds(data='{"a": "é"}'.encode("latin-1"), filename="x.json").errors[0].message


def test_import_needs_permission_and_is_audited(db):
    with pytest.raises(PermissionDenied):
        import_hsds(
            actor=make_user("frontline_worker"), data=example("taxonomy.json"), filename="taxonomy.json"
        )
    editor = make_user("directory_editor")
    before = AuditEvent.objects.count()
    report = directory_import(actor=editor, data=example("taxonomy.json"), filename="taxonomy.json")
    assert report.committed
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.actor_id == editor.pk and event.detail["created"] == 1


def test_unsupported_upload_type():
    report = directory_import(data=b"x", filename="x.pdf")
    assert report.errors and not report.committed


def _comparable(path: Path) -> list[dict[str, Any]]:
    services = json.loads((path / "services.json").read_text(encoding="utf-8"))["contents"]
    for item in services:
        item.pop("last_modified", None)
    return services


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.NETWORK])
def test_round_trip_export_import_export(tmp_path, audience):
    organisation = Organisation.objects.create(
        name="Association Round Trip", kind="ngo", sector="civil_society", description="Écoute", acronym="ART"
    )
    shelter = make_location(
        organisation=organisation, is_confidential=True, front_door_phone="+212 5 22 00 00 01"
    )
    service = make_service(
        location=shelter,
        needs=("emergency_shelter", "psychological"),
        hours=(("MO", time(8, 30), time(16, 30)), ("SA", time(9), time(12))),
        name_ar="مأوى",
        description="Accueil",
        description_en="Reception",
        status=ServiceStatus.NOT_ACCEPTING,
        minimum_age=18,
        eligible_sexes=["female"],
        field_visibility={"email": "network"},
        email="x@example.org",
    )
    Phone.objects.create(service=service, number="+212 5 22 11 22 33", languages=["ar"])
    Phone.objects.create(service=service, number="+212 6 00 00 00 99", visibility="network")
    CapacityRecord.objects.create(service=service, places=20, vacancies=3)
    make_service(
        organisation=organisation,
        location=make_location(organisation=organisation, city="rabat"),
        needs=("legal_aid",),
    )
    export_hsds(tmp_path / "first", audience=audience, format="json")
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organisation.objects.filter(pk=organisation.pk).delete()
    report = import_hsds_directory(directory=tmp_path / "first")
    assert report.errors == [], report.errors
    assert report.counts["service"]["created"] == 2 and report.counts["organization"]["created"] == 1
    export_hsds(tmp_path / "second", audience=audience, format="json")
    assert _comparable(tmp_path / "second") == _comparable(tmp_path / "first")
    imported = Service.objects.get(id=service.id)
    assert imported.status == ServiceStatus.NOT_ACCEPTING
    assert imported.locations.get().is_confidential
    assert imported.locations.get().front_door_phone == "+212 5 22 00 00 01"
    assert imported.history.filter(kind="imported").exists()
