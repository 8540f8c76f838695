"""Staff pages to import and export the directory: dry run then confirm, refusals, the zip, the templates."""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from himaya.core.models import AuditAction, AuditEvent
from himaya.directory import transfer_views
from himaya.directory.models import Service
from himaya.directory.spreadsheet import TEMPLATE_COLUMNS
from tests.directory.factories import make_location, make_service
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BASE = "/en/directory/transfer/"
GOOD = {
    "organisation_name": "Association Nour",
    "organisation_kind": "ngo",
    "province_code": "01.511",
    "city": "Tanger",
    "service_name": "Écoute et orientation Nour",
    "description": "Accueil des femmes",
    "needs": "reception;psychological",
    "populations": "women",
    "languages": "ar;fr",
    "phone": "+212 5 39 00 00 00",
    "email": "contact@nour.example.org",
    "address": "12 rue de Fès",
    "latitude": "35.7595",
    "longitude": "-5.8340",
    "confidential": "no",
    "hours": "MO-FR 08:30-16:30",
    "sexes": "female",
}


def to_csv(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in TEMPLATE_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "imports"


@pytest.fixture
def editor(org: Any) -> Any:
    return make_user("directory_editor", organisation=org)


@pytest.fixture
def editor_client(client_for: Any, editor: Any) -> Any:
    return client_for(editor)


def pending_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def check(client: Any, name: str, data: bytes) -> Any:
    return client.post(BASE + "import/check/", {"file": upload(name, data)}, follow=True)


# Import: dry run, then confirm ----------------------------------------------------------------------------------


def test_dry_run_with_errors_shows_the_row_table_and_writes_nothing(editor_client: Any, media: Path) -> None:
    before = Service.objects.count()
    bad = GOOD | {"service_name": "Service sans besoin", "needs": "no-such-need"}
    response = check(editor_client, "services.csv", to_csv(GOOD, bad))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-errors"' in body
    errors = response.context["errors"]
    assert any(e["row"] == "3" and e["column"] == "needs" for e in errors), errors
    assert "Confirm import" not in body
    assert Service.objects.count() == before
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()
    # Nothing to confirm: the bytes are not kept, only the small report.
    assert [n for n in pending_files(media) if n.endswith(".upload")] == []


def test_dry_run_then_confirm_commits_the_same_file(editor_client: Any, media: Path) -> None:
    response = check(editor_client, "services.csv", to_csv(GOOD))
    body = response.content.decode()
    assert "Confirm import" in body
    assert response.context["report"]["created"] >= 1
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()
    # The session holds the token and the file name only; the bytes wait on disk.
    pending = editor_client.session[transfer_views.SESSION_KEY]
    assert set(pending) == {"token", "filename"}
    assert pending["filename"] == "services.csv"
    token = pending["token"]
    stored = media / f"{token}.upload"
    assert stored.read_bytes() == to_csv(GOOD)
    assert stored.stat().st_mode & 0o077 == 0
    assert f'value="{token}"' in body

    response = editor_client.post(BASE + "import/confirm/", {"token": token})
    assert response.status_code == 302
    assert response["Location"] == "/en/directory/"
    service = Service.objects.get(name=GOOD["service_name"])
    assert service.organisation.name == "Association Nour"
    assert pending_files(media) == []
    assert transfer_views.SESSION_KEY not in editor_client.session
    page = editor_client.get(response["Location"])
    assert "Import done" in page.content.decode()
    # The token is spent: confirming again is a 404 and creates nothing more.
    again = editor_client.post(BASE + "import/confirm/", {"token": token})
    assert again.status_code == 404
    assert Service.objects.filter(name=GOOD["service_name"]).count() == 1


def test_confirm_of_another_users_token_is_404(client_for: Any, editor: Any, org: Any, media: Path) -> None:
    other_editor = make_user("directory_editor", organisation=org)
    other = client_for(other_editor)
    check(other, "services.csv", to_csv(GOOD))
    token = other.session[transfer_views.SESSION_KEY]["token"]

    response = client_for(editor).post(BASE + "import/confirm/", {"token": token})
    assert response.status_code == 404
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()
    assert f"{token}.upload" in pending_files(media)  # untouched: its owner may still confirm


def test_malformed_token_is_404(editor_client: Any) -> None:
    response = editor_client.post(BASE + "import/confirm/", {"token": "../../etc/passwd"})
    assert response.status_code == 404


def test_missing_token_redirects_with_a_message(editor_client: Any) -> None:
    response = editor_client.post(BASE + "import/confirm/", follow=True)
    assert response.redirect_chain[-1][0] == BASE + "import/"
    assert "There is no checked file to import" in response.content.decode()


def test_hsds_json_dry_run_and_confirm(editor_client: Any, media: Path) -> None:
    service = make_service(name="Centre exporté", location=make_location())
    data = transfer_views_export_services_json(editor_client)
    Service.objects.filter(pk=service.pk).update(name="Renamed meanwhile")
    response = check(editor_client, "services.json", data)
    report = response.context["report"]
    assert report["ok"], report["errors"]
    assert report["updated"] >= 1
    assert Service.objects.get(pk=service.pk).name == "Renamed meanwhile"
    token = editor_client.session[transfer_views.SESSION_KEY]["token"]
    assert editor_client.post(BASE + "import/confirm/", {"token": token}).status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Centre exporté"


def transfer_views_export_services_json(client: Any) -> bytes:
    response = client.post(BASE + "export/download/", {"format": "json", "audience": "network"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return archive.read("services.json")


def test_csv_data_package_zip_dry_run_and_confirm(
    client_for: Any, editor_client: Any, org: Any, media: Path
) -> None:
    service = make_service(name="Centre CSV", location=make_location())
    exported = client_for(make_user("directory_editor", organisation=org)).post(
        BASE + "export/download/", {"format": "both", "audience": "public"}
    )
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(b"".join(exported.streaming_content))) as archive,
        zipfile.ZipFile(buffer, "w") as package,
    ):
        for name in archive.namelist():
            if name.startswith("csv/"):  # the data package alone
                package.writestr(name, archive.read(name))
    Service.objects.filter(pk=service.pk).update(name="Renamed meanwhile")
    response = check(editor_client, "package.zip", buffer.getvalue())
    report = response.context["report"]
    assert report["ok"], report["errors"]
    assert Service.objects.get(pk=service.pk).name == "Renamed meanwhile"
    token = editor_client.session[transfer_views.SESSION_KEY]["token"]
    assert editor_client.post(BASE + "import/confirm/", {"token": token}).status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Centre CSV"


def test_hostile_zip_gives_a_report_not_a_500(editor_client: Any, media: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../datapackage.json", "{}")
    response = check(editor_client, "evil.zip", buffer.getvalue())
    assert response.status_code == 200
    assert "unsafe file name" in response.content.decode()
    assert "Confirm import" not in response.content.decode()
    assert [name for name in pending_files(media) if name.endswith(".upload")] == []


def test_wrong_extension_is_refused_with_a_message(editor_client: Any, media: Path) -> None:
    response = check(editor_client, "services.txt", to_csv(GOOD))
    assert response.redirect_chain[-1][0] == BASE + "import/"
    assert "Unsupported file type" in response.content.decode()
    assert pending_files(media) == []
    assert transfer_views.SESSION_KEY not in editor_client.session


def test_oversize_file_is_refused_with_a_message(editor_client: Any, media: Path) -> None:
    data = to_csv(GOOD) + b" " * (transfer_views.MAX_UPLOAD_BYTES + 1)
    response = check(editor_client, "services.csv", data)
    assert "The file is too large: at most 10 MB." in response.content.decode()
    assert pending_files(media) == []
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()


def test_no_file_is_refused_with_a_message(editor_client: Any) -> None:
    response = editor_client.post(BASE + "import/check/", follow=True)
    assert response.redirect_chain[-1][0] == BASE + "import/"
    assert "alert-danger" in response.content.decode()


def test_expired_pending_file_cannot_be_confirmed(editor_client: Any, media: Path) -> None:
    check(editor_client, "services.csv", to_csv(GOOD))
    token = editor_client.session[transfer_views.SESSION_KEY]["token"]
    sidecar = media / f"{token}.json"
    meta = json.loads(sidecar.read_text())
    meta["created"] = time.time() - transfer_views.PENDING_LIFETIME_SECONDS - 1
    sidecar.write_text(json.dumps(meta))
    response = editor_client.post(BASE + "import/confirm/", {"token": token}, follow=True)
    assert "expired" in response.content.decode()
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()
    assert pending_files(media) == []


def test_old_pending_files_are_cleaned_up_on_the_next_visit(editor_client: Any, media: Path) -> None:
    media.mkdir(parents=True)
    old, fresh = media / ("a" * 32 + ".upload"), media / ("b" * 32 + ".upload")
    old.write_bytes(b"old")
    fresh.write_bytes(b"fresh")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert editor_client.get(BASE + "import/").status_code == 200
    assert pending_files(media) == [fresh.name]


def test_discard_deletes_the_pending_file(editor_client: Any, media: Path) -> None:
    check(editor_client, "services.csv", to_csv(GOOD))
    assert pending_files(media)
    response = editor_client.post(BASE + "import/discard/")
    assert response.status_code == 302
    assert pending_files(media) == []
    assert "Confirm import" not in editor_client.get(BASE + "import/").content.decode()


def test_import_page_lists_the_template_columns(editor_client: Any) -> None:
    body = editor_client.get(BASE + "import/").content.decode()
    for column in TEMPLATE_COLUMNS:
        assert f"<code>{column}</code>" in body
    assert BASE + "template.xlsx" in body and BASE + "template.csv" in body


def test_caseworker_may_not_import_but_may_export(client_for: Any, org: Any) -> None:
    client = client_for(make_user("caseworker", organisation=org))
    assert client.get(BASE + "import/").status_code == 403
    response = client.post(BASE + "import/check/", {"file": upload("s.csv", to_csv(GOOD))})
    assert response.status_code == 403
    assert not Service.objects.filter(name=GOOD["service_name"]).exists()
    assert client.get(BASE + "export/").status_code == 200
    list_page = client.get("/en/directory/").content.decode()
    assert BASE + "export/" in list_page and BASE + "import/" not in list_page


def test_editor_sees_import_link_on_the_list(editor_client: Any) -> None:
    assert BASE + "import/" in editor_client.get("/en/directory/").content.decode()


@pytest.mark.parametrize("path", ["import/check/", "import/confirm/", "import/discard/", "export/download/"])
def test_get_of_post_only_route_is_405(editor_client: Any, path: str) -> None:
    assert editor_client.get(BASE + path).status_code == 405


# Export ---------------------------------------------------------------------------------------------------------


def read_zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_zip_holds_json_and_the_csv_datapackage(client_for: Any, org: Any) -> None:
    make_service(name="Centre Amal", organisation=org, location=make_location(organisation=org))
    client = client_for(make_user("caseworker", organisation=org))
    response = client.post(BASE + "export/download/", {"format": "both", "audience": "public"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="himaya-directory-hsds-public-{day}.zip"'
    with read_zip(response) as archive:
        names = archive.namelist()
        assert "services.json" in names and "csv/datapackage.json" in names
        services = json.loads(archive.read("services.json"))
        assert [s["name"] for s in services["contents"]] == ["Centre Amal"]
        package = json.loads(archive.read("csv/datapackage.json"))
        assert package["resources"]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="directory.service").first()
    assert event is not None and event.detail["audience"] == "public"


def test_export_json_only_for_the_network(client_for: Any, org: Any) -> None:
    make_service(name="Centre Amal", organisation=org)
    client = client_for(make_user("caseworker", organisation=org))
    response = client.post(BASE + "export/download/", {"format": "json", "audience": "network"})
    assert response.status_code == 200
    assert "hsds-network-" in response["Content-Disposition"]
    with read_zip(response) as archive:
        names = archive.namelist()
        assert "services.json" in names
        assert not any(name.startswith("csv/") for name in names)
        for name in names:
            json.loads(archive.read(name))


def test_export_with_an_unknown_audience_is_refused(client_for: Any, org: Any) -> None:
    client = client_for(make_user("caseworker", organisation=org))
    response = client.post(
        BASE + "export/download/", {"format": "both", "audience": "restricted"}, follow=True
    )
    assert response.redirect_chain[-1][0] == BASE + "export/"
    assert "Choose a format and an audience." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# Templates ------------------------------------------------------------------------------------------------------


def test_xlsx_template_opens(client_for: Any, org: Any) -> None:
    client = client_for(make_user("caseworker", organisation=org))
    response = client.get(BASE + "template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in workbook["services"][1]]
    assert header == list(TEMPLATE_COLUMNS)
    assert "codes" in workbook.sheetnames


def test_csv_template_opens(editor_client: Any) -> None:
    response = editor_client.get(BASE + "template.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == list(TEMPLATE_COLUMNS)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("services.xlsx", b"not a zip at all"),
        ("services.json", b"{not json"),
        ("services.zip", b"PK\x03\x04 not really"),
        ("services.csv", "organisation_name\n\xe9".encode("latin-1")),
    ],
)
def test_unreadable_file_gives_a_report_not_a_500(editor_client: Any, name: str, data: bytes) -> None:
    response = check(editor_client, name, data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert "Confirm import" not in response.content.decode()
