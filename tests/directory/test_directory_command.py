"""``himaya directory``: export-hsds, import (dry run, errors), template."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from himaya.core.models import AuditEvent
from himaya.directory.models import Service
from himaya.directory.spreadsheet import TEMPLATE_COLUMNS
from tests.directory.factories import make_location, make_service
from tests.directory.test_hsds_export import hsds_dir

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("directory", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_hsds_writes_json_and_csv(tmp_path):
    make_service(location=make_location(), email="x@example.org", field_visibility={"email": "network"})
    output = run("export-hsds", str(tmp_path), "--format", "both")
    assert "Exported 1 services" in output
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))["contents"]
    assert "email" not in services[0]
    assert (tmp_path / "csv" / "datapackage.json").is_file() and (tmp_path / "csv" / "services.csv").is_file()
    run("export-hsds", str(tmp_path / "net"), "--audience", "network", "--format", "json")
    services = json.loads((tmp_path / "net" / "services.json").read_text(encoding="utf-8"))["contents"]
    assert services[0]["email"] == "x@example.org"
    assert not (tmp_path / "net" / "csv").exists()
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_import_dry_run_then_real(tmp_path):
    example = hsds_dir() / "examples" / "service_full.json"
    output = run("import", str(example), "--dry-run")
    assert "Dry run" in output and "service: 1 created" in output
    assert Service.objects.count() == 0
    assert "service: 1 created" in run("import", str(example))
    assert Service.objects.count() == 1


def test_import_of_an_export_directory(tmp_path):
    make_service(location=make_location())
    run("export-hsds", str(tmp_path), "--format", "json")
    Service.objects.all().delete()
    assert "service: 1 created" in run("import", str(tmp_path))


@pytest.mark.parametrize("how", ["folder", "datapackage.json", "zip"])
def test_import_of_a_csv_data_package(tmp_path, how):
    make_service(location=make_location())
    run("export-hsds", str(tmp_path / "export"), "--format", "csv")
    Service.objects.all().delete()
    package = tmp_path / "export" / "csv"
    target = {"folder": package, "datapackage.json": package / "datapackage.json"}.get(how)
    if target is None:
        target = tmp_path / "package.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for path in package.iterdir():
                archive.write(path, path.name)
    assert "Dry run" in run("import", str(target), "--dry-run") and Service.objects.count() == 0
    assert "service: 1 created" in run("import", str(target))


def test_import_of_the_official_csv_example(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(hsds_dir() / "examples" / "csv", folder)
    assert "service: 1 created" in run("import", str(folder))


def test_a_broken_csv_package_fails_the_command_with_row_errors(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(hsds_dir() / "examples" / "csv", folder)
    (folder / "services.csv").chmod(0o644)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_text(text.replace("Community Counselling", "=1+2"), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("directory", "import", str(folder), stdout=io.StringIO(), stderr=errors)
    assert "services.csv:2  name:" in errors.getvalue()
    assert Service.objects.count() == 0


def test_import_errors_fail_the_command(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("organisation_name,service_name\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        run("import", str(bad))
    with pytest.raises(CommandError, match="No such file"):
        run("import", str(tmp_path / "missing.json"))


def test_template_files(tmp_path):
    run("template", str(tmp_path / "t.xlsx"))
    sheet = load_workbook(tmp_path / "t.xlsx")["services"]
    assert [c.value for c in sheet[1]] == list(TEMPLATE_COLUMNS)
    run("template", str(tmp_path / "t.csv"))
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").startswith("organisation_name,")
    with pytest.raises(CommandError):
        run("template", str(tmp_path / "t.txt"))
