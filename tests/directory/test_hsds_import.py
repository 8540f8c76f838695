"""HSDS 3.0 import: official examples, round trip, all-or-nothing, dry run, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
import zipfile
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from himaya.accounts.models import Organisation
from himaya.core.models import AuditEvent
from himaya.directory import hsds_tabular
from himaya.directory.hsds import export_hsds
from himaya.directory.hsds_import import (
    UNATTACHED_ID,
    directory_import,
    import_hsds,
    import_hsds_directory,
    import_hsds_documents,
    import_hsds_path,
)
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
    "location.json",
    "tabular.json",
]
METADATA = ["base.json"]


def example(name: str) -> bytes:
    return (hsds_dir() / "examples" / name).read_bytes()


def test_every_example_is_classified():
    names = {path.name for path in (hsds_dir() / "examples").glob("*.json")}
    assert names == set(IMPORTABLE) | set(METADATA)


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


@pytest.mark.parametrize("name", METADATA)
def test_the_api_metadata_example_imports_with_nothing_to_write(name):
    report = import_hsds(data=example(name), filename=name)
    assert report.errors == [] and report.committed and report.created == 0
    assert report.metadata == [{"file": name, "version": "3.0", "profile": "https://path/to/profile"}]
    assert "holds no directory data" in report.warnings[0].message
    assert Service.objects.count() == 0 and Location.objects.count() == 0


def test_metadata_of_another_hsds_version_is_refused():
    report = import_hsds(
        data=b'{"version": "2.0.1", "openapi_url": "https://x/openapi.json"}', filename="base.json"
    )
    assert not report.committed and "not supported" in report.errors[0].message


def test_every_official_example_imports_together_in_one_commit():
    documents = [(name, example(name)) for name in sorted(IMPORTABLE + METADATA)]
    report = import_hsds_documents(documents=documents)
    assert report.errors == [] and report.committed
    assert report.counts["service"]["created"] >= 1 and len(report.metadata) == 1


def test_a_location_without_organisation_goes_to_the_placeholder_organisation():
    report = import_hsds(data=example("location.json"), filename="location.json")
    assert report.errors == [] and report.counts["location"] == {"created": 1, "updated": 0}
    location = Location.objects.get(id="3a19ff88-4620-4d17-9830-ac1d859eb5d5")
    placeholder = location.organisation
    assert placeholder.hsds_id == UNATTACHED_ID and not placeholder.is_active
    assert placeholder.name == "Unattached locations (HSDS import)"
    assert location.address_1 == "1-30 Main Street" and location.accessibility.count() == 1
    assert ("location.json", "organization_id") in {(w.row, w.column) for w in report.warnings}
    again = import_hsds(data=example("location.json"), filename="location.json")
    assert again.counts == {"location": {"created": 0, "updated": 1}}
    assert Organisation.objects.filter(hsds_id=UNATTACHED_ID).count() == 1


def test_a_location_moved_to_its_organisation_keeps_it_on_a_later_import():
    import_hsds(data=example("location.json"), filename="location.json")
    owner = Organisation.objects.create(name="Owner", kind="ngo", sector="civil_society")
    Location.objects.filter(id="3a19ff88-4620-4d17-9830-ac1d859eb5d5").update(organisation=owner)
    assert import_hsds(data=example("location.json"), filename="location.json").errors == []
    assert Location.objects.get(id="3a19ff88-4620-4d17-9830-ac1d859eb5d5").organisation == owner


def test_a_location_naming_an_unknown_organisation_is_an_error():
    data = json.loads(example("location.json"))
    data["organization_id"] = "0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e"
    report = import_hsds(data=data, filename="location.json")
    assert [(e.row, e.column) for e in report.errors] == [("location.json", "organization_id")]
    assert Location.objects.count() == 0 and not Organisation.objects.filter(hsds_id=UNATTACHED_ID).exists()


def _service_shape() -> tuple[Any, ...]:
    service = Service.objects.get(id="ac148810-d857-441c-9679-408f346de14b")
    location = service.locations.get()
    return (
        service.name,
        service.status,
        service.organisation.name,
        service.minimum_age,
        sorted(service.schedules.values_list("weekday", "opens_at", "closes_at")),
        sorted(service.languages.values_list("code", flat=True)),
        service.cost_options.get().currency,
        service.required_documents.count(),
        service.service_areas.count(),
        sorted(service.phones.values_list("number", flat=True)),
        (location.name, location.address_1, location.city_name, location.organisation.name),
        sorted(location.phones.values_list("number", flat=True)),
    )


def test_tabular_json_maps_like_the_nested_example():
    import_hsds(data=example("service_full.json"), filename="service_full.json")
    nested = _service_shape()
    Service.objects.all().delete()
    Location.objects.all().delete()
    report = import_hsds(data=example("tabular.json"), filename="tabular.json")
    assert report.errors == [] and report.counts["service"] == {"created": 1, "updated": 0}
    assert _service_shape() == nested
    # rows linked to nothing imported, or tables Himaya does not keep, are named in warnings
    assert ("tabular.json#attributes.csv[0]", "") in {(w.row, w.column) for w in report.warnings}
    assert ("tabular.json#contacts.csv", "") in {(w.row, w.column) for w in report.warnings}


def test_tabular_json_errors_point_at_the_row():
    data = json.loads(example("tabular.json"))
    del data["services.csv"][0]["status"]
    data["locations.csv"][0]["location_type"] = "moon"
    data["services.csv"].append(dict(data["services.csv"][0]))
    report = import_hsds(data=data, filename="tabular.json")
    assert {(e.row, e.column) for e in report.errors} == {
        ("tabular.json#services.csv[1]", "id"),  # duplicate id
        ("tabular.json#services.csv[0]", "status"),
        ("tabular.json#locations.csv[0]", "location_type"),
    }
    assert not report.committed and Service.objects.count() == 0


# CSV data package ------------------------------------------------------------------------------------------------


def official_package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    shutil.copytree(hsds_dir() / "examples" / "csv", folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def zipped(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, prefix + path.name)
    return buffer.getvalue()


def test_official_csv_package_imports_from_a_folder_like_the_nested_example(tmp_path):
    import_hsds(data=example("service_full.json"), filename="service_full.json")
    nested = _service_shape()
    Service.objects.all().delete()
    Location.objects.all().delete()
    report = import_hsds_directory(directory=hsds_dir() / "examples" / "csv")
    assert report.errors == [] and report.committed
    assert report.counts["service"] == {"created": 1, "updated": 0}
    assert _service_shape() == nested
    warned = {(w.row, w.column) for w in report.warnings}
    assert ("locations.csv:2", "latitude") in warned and ("attributes.csv:2", "") in warned


@pytest.mark.parametrize("how", ["zip", "zip in a folder", "datapackage.json"])
def test_official_csv_package_imports_from_a_zip_or_its_datapackage(tmp_path, how):
    folder = hsds_dir() / "examples" / "csv"
    if how == "datapackage.json":
        report = import_hsds_path(path=folder / "datapackage.json")
    else:
        data = zipped(folder, "hsds/csv/" if how == "zip in a folder" else "")
        report = directory_import(data=data, filename="package.zip")
    assert report.errors == [] and report.committed
    assert Service.objects.filter(id="ac148810-d857-441c-9679-408f346de14b").exists()


def test_csv_package_dry_run_writes_nothing(tmp_path):
    report = directory_import(data=zipped(hsds_dir() / "examples" / "csv"), filename="p.zip", dry_run=True)
    assert report.errors == [] and not report.committed and report.counts["service"]["created"] == 1
    assert (
        Service.objects.count() == 0 and Organisation.objects.filter(name__startswith="Example").count() == 0
    )


def test_a_datapackage_json_alone_is_refused_clearly():
    report = directory_import(data=b'{"resources": []}', filename="datapackage.json")
    assert report.errors and "CSV files" in report.errors[0].message


def _rewrite(folder: Path, name: str, change: Any) -> None:
    rows = list(csv.reader(io.StringIO((folder / name).read_text(encoding="utf-8"))))
    change(rows)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (folder / name).write_text(buffer.getvalue(), encoding="utf-8")


def _errors(report: Any) -> set[tuple[str, str]]:
    return {(e.row, e.column) for e in report.errors}


def _nothing_imported(report: Any) -> None:
    assert report.errors and not report.committed and report.counts == {}
    assert Service.objects.count() == 0 and Location.objects.count() == 0
    assert not Organisation.objects.filter(name__startswith="Example").exists()


def test_csv_in_another_encoding_is_refused_at_its_row(tmp_path):
    folder = official_package(tmp_path)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_bytes(text.encode("latin-1"))  # the £ of row 2
    report = import_hsds_directory(directory=folder)
    assert _errors(report) == {("services.csv:2", "")}
    assert "UTF-8" in report.errors[0].message
    _nothing_imported(report)


def test_formula_like_cells_are_refused_numbers_and_telephones_are_not(tmp_path):
    folder = official_package(tmp_path)

    def change(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("name")] = '=HYPERLINK("http://evil.example","x")'
        rows[1][rows[0].index("description")] = "@SUM(A1)"

    _rewrite(folder, "services.csv", change)
    _rewrite(
        folder, "phones.csv", lambda rows: rows[1].__setitem__(rows[0].index("number"), "+44 1234 234567")
    )
    _rewrite(folder, "locations.csv", lambda rows: rows[1].__setitem__(rows[0].index("longitude"), "-5.83"))
    report = import_hsds_directory(directory=folder)
    assert _errors(report) == {("services.csv:2", "name"), ("services.csv:2", "description")}
    assert "formula" in report.errors[0].message
    _nothing_imported(report)


def test_our_neutralised_cells_come_back_as_written(tmp_path):
    folder = official_package(tmp_path)
    _rewrite(folder, "services.csv", lambda rows: rows[1].__setitem__(rows[0].index("name"), "'=1+1 centre"))
    report = import_hsds_directory(directory=folder)
    assert report.errors == []
    assert Service.objects.get().name == "=1+1 centre"  # stored as text, escaped on display


def test_duplicate_ids_missing_columns_and_bad_numbers_are_row_errors(tmp_path):
    folder = official_package(tmp_path)
    _rewrite(folder, "phones.csv", lambda rows: rows.append(list(rows[1])))
    _rewrite(folder, "services.csv", lambda rows: rows[1].__setitem__(rows[0].index("minimum_age"), "twelve"))

    def drop_address(rows: list[list[str]]) -> None:
        index = rows[0].index("address_1")
        for row in rows:
            del row[index]

    _rewrite(folder, "addresses.csv", drop_address)
    _rewrite(folder, "locations.csv", lambda rows: rows[1].extend(["extra", "cells"]))
    report = import_hsds_directory(directory=folder)
    assert _errors(report) == {
        ("phones.csv:3", "id"),
        ("services.csv:2", "minimum_age"),
        ("addresses.csv:1", "address_1"),
        ("locations.csv:2", ""),
    }
    _nothing_imported(report)


def test_schema_errors_of_csv_rows_point_at_the_row_and_column(tmp_path):
    folder = official_package(tmp_path)
    _rewrite(folder, "services.csv", lambda rows: rows[1].__setitem__(rows[0].index("status"), "open"))
    _rewrite(folder, "schedules.csv", lambda rows: rows[1].__setitem__(rows[0].index("freq"), "HOURLY"))
    report = import_hsds_directory(directory=folder)
    assert _errors(report) == {("services.csv:2", "status"), ("schedules.csv:2", "freq")}
    _nothing_imported(report)


def test_a_resource_pointing_outside_the_package_is_refused(tmp_path):
    folder = official_package(tmp_path)
    (tmp_path / "secret.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../secret.csv"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = import_hsds_directory(directory=folder)
    assert _errors(report) == {("datapackage.json#resources[0]", "path")}
    _nothing_imported(report)


def _zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ([("../datapackage.json", b"{}")], "unsafe file name"),
        ([("/etc/datapackage.json", b"{}")], "unsafe file name"),
        ([("csv\\..\\datapackage.json", b"{}")], "unsafe file name"),
        ([(_link("datapackage.json"), b"/etc/passwd")], "link"),
        ([("services.csv", b"0" * (hsds_tabular.MAX_FILE_BYTES + 1))], "too large"),
        ([(f"f{i}.csv", b"") for i in range(hsds_tabular.MAX_ZIP_MEMBERS + 1)], "too many files"),
        ([("notes.txt", b"hello")], "Neither an HSDS export"),
    ],
)
def test_hostile_zips_are_refused_before_reading(entries, reason):
    report = directory_import(data=_zip_with(entries), filename="upload.zip")
    assert len(report.errors) == 1 and reason in report.errors[0].message
    assert not report.committed


def test_a_zip_bomb_is_refused_by_its_ratio():
    bomb = _zip_with([("services.csv", b"\0" * (5 * 1024 * 1024))])
    assert len(bomb) < 100_000
    report = directory_import(data=bomb, filename="bomb.zip")
    assert [e.message for e in report.errors] == ["The archive is too large once uncompressed."]


def test_a_zip_that_understates_a_size_is_refused_while_reading():
    data = bytearray(_zip_with([("datapackage.json", b'{"resources": []}' + b" " * 5000)]))
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # declared uncompressed size
    report = directory_import(data=bytes(data), filename="liar.zip")
    assert [e.message for e in report.errors] == ["The zip archive is damaged: datapackage.json"]


def test_not_a_zip_and_a_damaged_zip_give_errors_not_tracebacks():
    assert "zip archive" in directory_import(data=b"PK nope", filename="x.zip").errors[0].message
    good = zipped(hsds_dir() / "examples" / "csv")
    damaged = good[:200] + bytes(b ^ 0xFF for b in good[200:400]) + good[400:]
    report = directory_import(data=damaged, filename="x.zip")
    assert report.errors and not report.committed


def test_nul_characters_and_deep_nesting_in_json_are_refused():
    data = json.loads(example("service_full.json"))
    data["name"] = "Centre\u0000"
    assert "NUL" in import_hsds(data=json.dumps(data).encode(), filename="s.json").errors[0].message
    deep = b"[" * 100_000 + b"]" * 100_000
    assert import_hsds(data=deep, filename="deep.json").errors


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


def _tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            row.pop("last_modified", None)
        tables[path.name] = sorted(rows, key=lambda row: row["id"])
    return tables


def test_round_trip_csv_package_export_import_export(tmp_path):
    organisation = Organisation.objects.create(
        name="Association CSV", kind="ngo", sector="civil_society", description="Écoute", acronym="ACSV"
    )
    shelter = make_location(
        organisation=organisation, is_confidential=True, front_door_phone="+212 5 22 00 00 01"
    )
    service = make_service(
        location=shelter,
        needs=("emergency_shelter", "psychological"),
        hours=(("MO", time(8, 30), time(16, 30)), ("SA", time(9), time(12))),
        description="- accueil, =écoute",  # formula-like text: neutralised in the CSV, restored on import
        minimum_age=18,
        email="x@example.org",
    )
    Phone.objects.create(service=service, number="+212 5 22 11 22 33", languages=["ar"])
    other = make_service(
        organisation=organisation,
        location=make_location(organisation=organisation, city="rabat", postal_code="10000"),
        needs=("legal_aid",),
        status=ServiceStatus.TEMPORARILY_CLOSED,
    )
    export_hsds(tmp_path / "first", format="csv")
    first = _tables(tmp_path / "first" / "csv")
    assert "'- accueil, =écoute" in {row["description"] for row in first["services.csv"]}
    sizes = {
        name: len(first[name]) for name in ("service_at_location.csv", "addresses.csv", "attributes.csv")
    }
    assert sizes == {"service_at_location.csv": 2, "addresses.csv": 1, "attributes.csv": 3}
    assert len(first["schedules.csv"]) == 2 and len(first["phones.csv"]) == 2  # + the front door
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organisation.objects.filter(pk=organisation.pk).delete()
    report = import_hsds_path(path=tmp_path / "first" / "csv" / "datapackage.json")
    assert report.errors == [], report.errors
    assert report.counts["service"] == {"created": 2, "updated": 0}
    assert report.counts["organization"] == {"created": 1, "updated": 0}
    export_hsds(tmp_path / "second", format="csv")
    assert _tables(tmp_path / "second" / "csv") == first
    imported = Service.objects.get(id=service.id)
    assert imported.description == "- accueil, =écoute"
    assert sorted(imported.terms.values_list("code", flat=True)) == ["emergency_shelter", "psychological"]
    assert imported.history.filter(kind="imported").exists()
    assert Service.objects.get(id=other.id).status == ServiceStatus.TEMPORARILY_CLOSED
