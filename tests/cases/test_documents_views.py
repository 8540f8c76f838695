"""Case document pages: the upload form (type, size, CSRF), the audited download, the removal, and who may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, override_settings

from himaya.cases import storage
from himaya.cases.models import Case, CaseEvent, Document
from himaya.cases.services import documents as services
from himaya.core.models import AuditEvent
from tests.cases import documents_samples as samples
from tests.cases.factories import make_case


def _list_url(case: Case) -> str:
    return f"/en/cases/{case.code}/documents/"


def _download_url(document: Document) -> str:
    return f"/en/cases/{document.case.code}/documents/{document.pk}/download/"


def _remove_url(document: Document) -> str:
    return f"/en/cases/{document.case.code}/documents/{document.pk}/remove/"


def _upload(client: Client, case: Case, name: str, data: bytes, **fields: str) -> Any:
    payload = {
        "document-file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        "document-kind": fields.get("kind", "complaint"),
        "document-title": fields.get("title", ""),
    }
    return client.post(_list_url(case), payload)


def _add(actor: Any, case: Case, name: str = "plainte.pdf", data: bytes | None = None) -> Document:
    return services.document_add(
        actor=actor, case=case, kind="complaint", title="", file_name=name, data=data or samples.pdf()
    )


def test_an_upload_is_stored_encrypted_and_listed(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    response = _upload(client, case, "compte-rendu.txt", samples.text(), title="Compte rendu d'audition")
    assert response.status_code == 302 and response["Location"] == _list_url(case)
    document = Document.objects.get(case=case)
    assert document.content_type == "text/plain" and document.title == "Compte rendu d'audition"
    assert samples.MARKER.encode() not in storage.path_of(document.storage_key).read_bytes()
    page = client.get(_list_url(case)).content.decode()
    assert "Compte rendu d&#x27;audition" in page and "compte-rendu.txt" in page
    assert _download_url(document) in page
    read = AuditEvent.objects.filter(object_type="cases.case", action="read").latest("id")
    assert "document.title" in read.fields and "document.original_name" in read.fields


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("certificat.pdf", samples.exe(), "is not of an accepted type"),
        ("photo.png", samples.html(), "is not of an accepted type"),
        ("photo.pdf", samples.image("jpeg"), "ends in “.pdf” but its content is JPEG"),
        ("script.js", b"alert(1)", "Files ending in “.js” are not accepted"),
    ],
)
def test_a_file_of_the_wrong_type_shows_the_form_again_with_the_message(
    staff: dict[str, Any], client_for: Callable[..., Client], name: str, data: bytes, message: str
) -> None:
    case = make_case(staff["caseworker"])
    response = _upload(client_for(staff["caseworker"]), case, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_an_oversized_upload_gets_the_clear_message_not_an_error_page(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    data = samples.pdf() + b"\n%" + b"0" * (10 * 1024 * 1024)  # just over the default 10 MB
    response = _upload(client_for(staff["caseworker"]), case, "scan.pdf", data, title="Scan")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file is too large: at most 10.0 MB." in html
    assert 'value="Scan"' in html  # the other fields come back
    assert not Document.objects.exists()


def test_an_upload_over_a_configured_limit_is_refused_and_one_at_the_limit_accepted(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    with override_settings(HIMAYA_DOCUMENT_MAX_BYTES=2000):
        over = _upload(client, case, "long.txt", b"a" * 2001)
        assert over.status_code == 200 and "The file is too large: at most 0.0 MB." in over.content.decode()
        assert _upload(client, case, "exact.txt", b"a" * 2000).status_code == 302
    assert Document.objects.count() == 1


def test_uploads_never_touch_a_temporary_file_on_disk(
    staff: dict[str, Any], client_for: Callable[..., Client], tmp_path: Any
) -> None:
    case = make_case(staff["caseworker"])
    data = samples.pdf() + b"\n%" + b"0" * (3 * 1024 * 1024)  # over Django's 2.5 MB in-memory threshold
    with override_settings(FILE_UPLOAD_TEMP_DIR=str(tmp_path / "does-not-exist")):
        response = _upload(client_for(staff["caseworker"]), case, "scan.pdf", data)
    assert response.status_code == 302
    assert Document.objects.get(case=case).size == len(data)


def test_an_upload_without_the_csrf_token_is_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["caseworker"], backend="allauth.account.auth_backends.AuthenticationBackend")
    response = _upload(client, case, "plainte.pdf", samples.pdf())
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_missing_file_is_a_form_error(staff: dict[str, Any], client_for: Callable[..., Client]) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_list_url(case), {"document-kind": "complaint"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_the_download_gives_the_original_bytes_as_an_audited_attachment(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, 'شهادة طبية "1".pdf')
    response = client_for(staff["colleague"]).get(_download_url(document))
    assert response.status_code == 200
    assert response.content == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("شهادة طبية 1.pdf") in disposition and '"1"' not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    read = AuditEvent.objects.get(object_type="cases.document", action="read")
    assert (read.actor_id, read.object_id) == (staff["colleague"].pk, str(document.pk))
    assert read.fields == ["content", "original_name"] and read.detail == {"case": case.code}


def test_a_text_download_is_plain_text_in_utf8(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "notes.txt", samples.text())
    response = client_for(staff["caseworker"]).get(_download_url(document))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == samples.text()
    assert 'filename="notes.txt"' in response["Content-Disposition"]


def test_a_damaged_file_gives_a_message_not_a_crash(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case)
    storage.path_of(document.storage_key).unlink()
    client = client_for(staff["caseworker"])
    response = client.get(_download_url(document))
    assert response.status_code == 302 and response["Location"] == _list_url(case)
    assert "This document cannot be opened" in client.get(_list_url(case)).content.decode()
    assert not AuditEvent.objects.filter(object_type="cases.document", action="read").exists()


def test_another_organisation_and_roles_without_case_work_get_404_everywhere(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case)
    for who in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        client = client_for(staff[who])
        assert client.get(_list_url(case)).status_code == 404, who
        assert _upload(client, case, "a.pdf", samples.pdf()).status_code == 404, who
        assert client.get(_download_url(document)).status_code == 404, who
        assert client.get(_remove_url(document)).status_code == 404, who
        assert client.post(_remove_url(document)).status_code == 404, who
    assert Document.objects.count() == 1
    assert not AuditEvent.objects.filter(object_type="cases.document", action="read").exists()


def test_a_document_of_another_case_is_not_reachable_through_this_case(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case, other = make_case(staff["caseworker"]), make_case(staff["caseworker"])
    document = _add(staff["caseworker"], other)
    url = f"/en/cases/{case.code}/documents/{document.pk}/download/"
    assert client_for(staff["caseworker"]).get(url).status_code == 404


def test_wrong_methods_are_refused(staff: dict[str, Any], client_for: Callable[..., Client]) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case)
    client = client_for(staff["caseworker"])
    assert client.post(_download_url(document)).status_code == 405
    assert client.put(_remove_url(document)).status_code == 405
    assert client.delete(_list_url(case)).status_code == 405
    assert Document.objects.count() == 1


def test_the_uploader_removes_a_document_after_confirming(
    staff: dict[str, Any], client_for: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case)
    pk, path = document.pk, storage.path_of(document.storage_key)
    client = client_for(staff["caseworker"])
    confirmation = client.get(_remove_url(document))
    assert confirmation.status_code == 200 and "Remove the document" in confirmation.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remove_url(document))
    assert response.status_code == 302 and response["Location"] == _list_url(case)
    assert not Document.objects.exists() and not path.exists()
    assert CaseEvent.objects.filter(case=case, kind="document_removed", object_id=pk).exists()
    assert AuditEvent.objects.filter(
        object_type="cases.document", action="delete", object_id=str(pk)
    ).exists()


def test_a_colleague_who_did_not_upload_it_cannot_remove_it_but_the_supervisor_can(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case)
    colleague = client_for(staff["colleague"])
    assert colleague.get(_remove_url(document)).status_code == 403
    assert colleague.post(_remove_url(document)).status_code == 403
    assert 'href="' + _remove_url(document) not in colleague.get(_list_url(case)).content.decode()
    assert client_for(staff["supervisor"]).post(_remove_url(document)).status_code == 302
    assert not Document.objects.exists()


def test_the_case_page_partial_lists_documents_with_the_upload_form_without_auditing(
    staff: dict[str, Any], rf: Any
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "plainte.pdf")
    before = AuditEvent.objects.count()
    request = rf.get("/en/")
    request.user = staff["caseworker"]
    html = render_to_string(
        "cases/followup/_documents.html", {"case": case, "user": staff["caseworker"]}, request=request
    )
    assert "plainte.pdf" in html and _download_url(document) in html
    assert 'enctype="multipart/form-data"' in html and 'name="document-file"' in html
    assert AuditEvent.objects.count() == before
