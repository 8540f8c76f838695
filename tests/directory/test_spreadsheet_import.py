"""Partners' spreadsheet template: CSV and XLSX, dry run, per-row errors, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from himaya.accounts.models import Organisation
from himaya.directory.hsds_import import directory_import
from himaya.directory.models import Location, Service
from himaya.directory.spreadsheet import TEMPLATE_COLUMNS, import_spreadsheet, template_bytes
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "organisation_name": "Association Nour",
    "organisation_kind": "ngo",
    "province_code": "01.511",
    "city": "Tanger",
    "service_name": "Écoute et orientation",
    "service_name_ar": "الاستماع والتوجيه",
    "description": "Accueil des femmes",
    "needs": "reception;psychological",
    "populations": "women",
    "languages": "ar;ary;fr",
    "phone": "+212 5 39 00 00 00",
    "email": "contact@nour.example.org",
    "address": "12 rue de Fès",
    "latitude": "35.7595",
    "longitude": "-5.8340",
    "confidential": "no",
    "front_door_phone": "",
    "hours": "MO-FR 08:30-16:30; SA 09:00-12:00",
    "min_age": "16",
    "max_age": "",
    "sexes": "female",
    "status": "",
    "service_id": "",
}


def to_csv(rows: list[dict[str, str]], *, columns=TEMPLATE_COLUMNS, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append([row.get(column, "") for column in TEMPLATE_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**changes: str) -> dict[str, str]:
    return GOOD | changes


def test_good_csv_imports_everything():
    shelter = row(
        service_name="Hébergement",
        needs="emergency_shelter",
        address="",
        latitude="",
        longitude="",
        confidential="oui",
        front_door_phone="+212 6 61 00 00 00",
        hours="MO-SU 00:00-00:00",
    )
    report = import_spreadsheet(data=to_csv([row(), shelter]), filename="partners.csv")
    assert report.errors == [] and report.committed
    assert report.counts["service"] == {"created": 2, "updated": 0}
    service = Service.objects.get(name="Écoute et orientation")
    assert service.organisation.kind == "ngo" and service.organisation.sector == "civil_society"
    assert sorted(service.terms.values_list("code", flat=True)) == ["psychological", "reception", "women"]
    assert sorted(service.languages.values_list("code", flat=True)) == ["ar", "ary", "fr"]
    assert service.schedules.count() == 6
    assert service.schedules.get(weekday="SA").closes_at == time(12)
    assert service.phones.get().number == "+212 5 39 00 00 00"
    assert (service.minimum_age, service.eligible_sexes) == (16, ["female"])
    location = service.locations.get()
    assert location.city.slug == "tanger" and float(location.longitude) == pytest.approx(-5.834)
    hidden = Service.objects.get(name="Hébergement").locations.get()
    assert hidden.is_confidential and hidden.front_door_phone == "+212 6 61 00 00 00"
    assert Service.objects.get(name="Hébergement").schedules.count() == 7


def test_xlsx_imports_and_semicolon_csv_with_bom_too():
    assert import_spreadsheet(data=to_xlsx([row()]), filename="p.xlsx").committed
    data = b"\xef\xbb\xbf" + to_csv([row(service_name="Autre")], delimiter=";")
    report = import_spreadsheet(data=data, filename="p.csv")
    assert report.errors == [] and report.committed
    assert Service.objects.count() == 2 and Organisation.objects.filter(name="Association Nour").count() == 1


def test_dry_run_counts_but_writes_nothing():
    report = import_spreadsheet(data=to_csv([row()]), filename="p.csv", dry_run=True)
    assert report.errors == [] and report.dry_run and not report.committed
    assert report.counts["service"]["created"] == 1
    assert Service.objects.count() == 0 and Location.objects.count() == 0


def test_reimport_updates_the_same_service():
    import_spreadsheet(data=to_csv([row()]), filename="p.csv")
    report = import_spreadsheet(data=to_csv([row(description="Nouveau")]), filename="p.csv")
    assert report.counts["service"] == {"created": 0, "updated": 1}
    assert Service.objects.get().description == "Nouveau" and Service.objects.get().schedules.count() == 6


def errors_of(data: bytes, filename: str = "p.csv") -> set[tuple[str, str]]:
    report = import_spreadsheet(data=data, filename=filename)
    assert (
        not report.committed
        and Service.objects.count() == 0
        and Organisation.objects.filter(name="Association Nour").count() == 0
    )
    return {(issue.row, issue.column) for issue in report.errors}


def test_missing_columns_are_named():
    columns = [c for c in TEMPLATE_COLUMNS if c not in ("needs", "hours")]
    report = import_spreadsheet(data=to_csv([row()], columns=columns), filename="p.csv")
    assert (
        report.errors[0].row == "1"
        and "needs" in report.errors[0].message
        and "hours" in report.errors[0].message
    )


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"needs": "reception;teleportation"}, "needs"),
        ({"populations": "aliens"}, "populations"),
        ({"languages": "xx"}, "languages"),
        ({"needs": ""}, "needs"),
        ({"latitude": "95", "longitude": "-5"}, "latitude"),
        ({"latitude": "abc"}, "latitude"),
        ({"latitude": "35.7", "longitude": ""}, "longitude"),
        ({"description": "<script>alert(1)</script>"}, "description"),
        ({"service_name": "<b>Bold</b>"}, "service_name"),
        ({"description": '=HYPERLINK("http://evil")'}, "description"),
        ({"organisation_name": "@SUM(A1)"}, "organisation_name"),
        ({"description": "+cmd|' /C calc'!A0"}, "description"),
        ({"address": "-2+3"}, "address"),
        ({"phone": "=1+1"}, "phone"),
        ({"phone": "call us"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"confidential": "yes", "front_door_phone": ""}, "front_door_phone"),
        ({"confidential": "maybe"}, "confidential"),
        ({"hours": "Monday 9-5"}, "hours"),
        ({"hours": "MO-FR 25:00-26:00"}, "hours"),
        ({"min_age": "30", "max_age": "18"}, "min_age"),
        ({"min_age": "-1"}, "min_age"),
        ({"status": "open"}, "status"),
        ({"organisation_kind": "club"}, "organisation_kind"),
        ({"province_code": "99.999"}, "province_code"),
        ({"service_id": "not-a-uuid"}, "service_id"),
    ],
)
def test_bad_cells_are_rejected_with_row_and_column(changes, column):
    rows = [row(service_name="Première"), row(**changes)]
    assert ("3", column) in errors_of(to_csv(rows))


def test_duplicates_are_rejected():
    assert ("3", "service_name") in errors_of(to_csv([row(), row()]))
    same_id = "4f8e2b8c-2f43-4c55-8c0e-7b8f7c1d2e3f"
    rows = [row(service_id=same_id), row(service_name="Autre", service_id=same_id)]
    assert ("3", "service_id") in errors_of(to_csv(rows))


def test_phone_numbers_and_negative_longitude_are_not_formulas():
    report = import_spreadsheet(
        data=to_csv([row(phone="+212 5 39 00 00 00", longitude="-5.8")]), filename="p.csv"
    )
    assert report.errors == []


def test_outside_morocco_is_a_warning_not_an_error():
    report = import_spreadsheet(data=to_csv([row(latitude="48.85", longitude="2.35")]), filename="p.csv")
    assert report.errors == [] and report.committed
    assert [w.column for w in report.warnings] == ["latitude"]


def test_wrong_encoding_is_a_clear_error():
    data = to_csv([row()], encoding="utf-16")
    report = import_spreadsheet(data=data, filename="p.csv")
    assert "UTF-8" in report.errors[0].message
    latin = to_csv([row(city="Fès", service_name="Accueil", service_name_ar="")]).decode().encode("latin-1")
    assert "UTF-8" in import_spreadsheet(data=latin, filename="p.csv").errors[0].message


def test_damaged_xlsx_and_empty_file():
    assert "xlsx" in import_spreadsheet(data=b"PK\x03\x04 nope", filename="p.xlsx").errors[0].message
    assert import_spreadsheet(data=b"", filename="p.csv").errors


def test_formula_cell_in_xlsx_is_rejected():
    assert ("2", "description") in errors_of(to_xlsx([row(description="=1+1")]), "p.xlsx")


def test_permission_and_dispatch_from_upload():
    with pytest.raises(PermissionDenied):
        directory_import(actor=make_user("frontline_worker"), data=to_csv([row()]), filename="p.csv")
    report = directory_import(actor=make_user("directory_editor"), data=to_xlsx([row()]), filename="p.xlsx")
    assert report.committed and report.created >= 3


def test_templates_have_the_columns_and_round_trip():
    text = template_bytes("t.csv").decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(TEMPLATE_COLUMNS)
    workbook = load_workbook(io.BytesIO(template_bytes("t.xlsx")))
    assert [c.value for c in workbook["services"][1]] == list(TEMPLATE_COLUMNS)
    codes = {row[1] for row in workbook["codes"].iter_rows(values_only=True)}
    assert {"reception", "women", "ary", "ngo", "active_not_accepting", "04.421"} <= codes
    # An empty template imports as "no service row", not as a crash.
    assert (
        "no service row"
        in import_spreadsheet(data=template_bytes("t.xlsx"), filename="t.xlsx").errors[0].message
    )


def test_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr("himaya.directory.spreadsheet.MAX_ROWS", 2)
    rows = [row(service_name=f"S{i}") for i in range(3)]
    report = import_spreadsheet(data=to_csv(rows), filename="p.csv")
    assert "Too many rows" in report.errors[0].message and Service.objects.count() == 0
