"""Case documents in the service layer: type by content and extension, size, encryption on disk, removal,
key rotation of the files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from himaya.cases import choices, storage
from himaya.cases.models import Case, CaseEvent, Document
from himaya.cases.queries import documents as queries
from himaya.cases.services import documents as services
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases import documents_samples as samples
from tests.cases.factories import make_case


def _add(actor: Any, case: Case, file_name: str, data: bytes, **values: Any) -> Document:
    return services.document_add(
        actor=actor,
        case=case,
        kind=values.get("kind", "medical_certificate"),
        title=values.get("title", ""),
        file_name=file_name,
        data=data,
    )


@pytest.mark.parametrize(
    ("file_name", "sample", "content_type"),
    [
        ("certificat.pdf", samples.pdf, "application/pdf"),
        ("photo.JPG", lambda: samples.image("jpeg"), "image/jpeg"),
        ("capture.png", lambda: samples.image("png"), "image/png"),
        ("capture.webp", lambda: samples.image("webp"), "image/webp"),
        ("compte-rendu.txt", samples.text, "text/plain"),
        (
            "plainte.docx",
            samples.docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("jugement.odt", samples.odt, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_every_accepted_type_is_recognised_by_its_content(
    staff: dict[str, Any], file_name: str, sample: Any, content_type: str
) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, file_name, sample())
    assert document.content_type == content_type
    assert queries.document_content(viewer=staff["caseworker"], document=document) == sample()


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [
        ("certificat.pdf", samples.exe(), "content of this file is not of an accepted type"),
        ("photo.png", samples.html(), "content of this file is not of an accepted type"),
        ("photo.jpg", samples.svg(), "content of this file is not of an accepted type"),
        ("notes.txt", samples.html(), "content of this file is not of an accepted type"),
        ("lettre.docx", samples.docx(macro=True), "content of this file is not of an accepted type"),
        ("archive.docx", samples.plain_zip(), "content of this file is not of an accepted type"),
        ("setup.exe", samples.exe(), "Files ending in “.exe” are not accepted"),
        ("page.html", samples.html(), "Files ending in “.html” are not accepted"),
        ("README", samples.text(), "has no extension"),
        ("photo.pdf", samples.image("png"), "ends in “.pdf” but its content is PNG"),
        ("vide.pdf", b"", "The file is empty."),
        ("facture\u202efdp.exe", samples.pdf(), "invisible text-direction characters"),
    ],
)
def test_a_file_of_the_wrong_type_or_name_is_refused_with_a_message_and_nothing_is_stored(
    staff: dict[str, Any], file_name: str, data: bytes, message: str
) -> None:
    case = make_case(staff["caseworker"])
    files_before = set(storage.stored_keys())
    with pytest.raises(BusinessRuleError, match=message):
        _add(staff["caseworker"], case, file_name, data)
    assert not Document.objects.exists()
    assert set(storage.stored_keys()) == files_before
    assert not CaseEvent.objects.filter(kind="document_added").exists()


def test_a_file_over_the_configured_size_is_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with override_settings(HIMAYA_DOCUMENT_MAX_BYTES=1000):
        with pytest.raises(BusinessRuleError, match=r"too large \(0\.0 MB, at most 0\.0 MB\)"):
            _add(staff["caseworker"], case, "long.txt", b"a" * 1001)
        _add(staff["caseworker"], case, "court.txt", b"a" * 1000)
    assert Document.objects.count() == 1


def test_a_type_left_out_of_the_settings_is_refused(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    with (
        override_settings(HIMAYA_DOCUMENT_TYPES=["pdf"]),
        pytest.raises(BusinessRuleError, match=r"Accepted: \.pdf\."),
    ):
        _add(staff["caseworker"], case, "photo.png", samples.image("png"))


def test_the_file_on_disk_and_the_row_hold_no_plaintext(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    document = _add(
        staff["caseworker"], case, f"{samples.MARKER}.txt", samples.text(), title=f"Titre {samples.MARKER}"
    )
    path = storage.path_of(document.storage_key)
    raw = path.read_bytes()
    for needle in (samples.MARKER.encode(), "محضر".encode(), b"Compte rendu"):
        assert needle not in raw
    assert samples.MARKER not in str(path)
    assert path.stat().st_mode & 0o077 == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, original_name FROM cases_document WHERE id = %s", [document.pk])
        title, name = cursor.fetchone()
    assert samples.MARKER not in title and samples.MARKER not in name
    assert document.size == len(samples.text()) and len(document.sha256) == 64


def test_adding_writes_an_event_and_an_audit_entry_without_personal_values(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "certificat.pdf", samples.pdf(), title="Certificat du Dr X")
    event = CaseEvent.objects.get(case=case, kind="document_added")
    assert event.object_id == document.pk
    assert event.detail == {"kind": "medical_certificate", "type": "pdf", "size": len(samples.pdf())}
    audit = AuditEvent.objects.get(object_type="cases.document", action="create")
    assert audit.detail == {"case": case.code} and "content" in audit.fields
    assert "Certificat" not in str(audit.detail) and document.title == "Certificat du Dr X"


def test_the_title_defaults_to_the_file_name_and_paths_are_dropped(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "C:\\Users\\x\\..\\plainte police.pdf", samples.pdf())
    assert (document.original_name, document.title) == ("plainte police.pdf", "plainte police")


def test_outsiders_roles_without_case_work_and_closed_cases_cannot_add(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    files_before = set(storage.stored_keys())
    for who in ("outsider", "analyst", "editor", "admin"):
        with pytest.raises(PermissionDenied):
            _add(staff[who], case, "a.pdf", samples.pdf())
    Case.objects.filter(pk=case.pk).update(status=choices.CaseStatus.CLOSED)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _add(staff["caseworker"], case, "a.pdf", samples.pdf())
    assert not Document.objects.exists() and set(storage.stored_keys()) == files_before


def test_a_tampered_file_is_not_served(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "a.pdf", samples.pdf())
    path = storage.path_of(document.storage_key)
    raw = bytearray(path.read_bytes())
    raw[40] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(storage.DocumentUnreadable):
        queries.document_content(viewer=staff["caseworker"], document=document)
    assert not AuditEvent.objects.filter(object_type="cases.document", action="read").exists()


def test_storage_keys_cannot_smuggle_a_path() -> None:
    for key in ("../../etc/passwd", "a" * 63, "A" * 64, "/" + "a" * 63):
        with pytest.raises(ValueError):
            storage.path_of(key)


def test_the_uploader_or_a_supervisor_removes_a_document_and_its_file(
    staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(staff["caseworker"])
    first = _add(staff["caseworker"], case, "a.pdf", samples.pdf())
    second = _add(staff["caseworker"], case, "b.pdf", samples.pdf())
    pks = sorted([first.pk, second.pk])
    with pytest.raises(PermissionDenied):
        services.document_remove(actor=staff["colleague"], document=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(actor=staff["caseworker"], document=first)
        services.document_remove(actor=staff["supervisor"], document=second)
    assert not Document.objects.exists()
    for document in (first, second):
        assert not storage.path_of(document.storage_key).exists()
    events = CaseEvent.objects.filter(case=case, kind="document_removed")
    assert sorted(event.object_id for event in events) == pks
    deletes = AuditEvent.objects.filter(object_type="cases.document", action="delete")
    assert {event.actor_id for event in deletes} == {staff["caseworker"].pk, staff["supervisor"].pk}


def test_key_rotation_re_encrypts_document_files(staff: dict[str, Any]) -> None:
    old, new = list(settings.FIELD_ENCRYPTION_KEYS), Fernet.generate_key().decode()  # the staff's TOTP: old
    case = make_case(staff["caseworker"])
    document = _add(staff["caseworker"], case, "a.txt", samples.text())
    path: Path = storage.path_of(document.storage_key)
    before = path.read_bytes()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, *old]):
        out = io.StringIO()
        call_command("keys", "rotate", stdout=out)
        assert "documents (files)" in out.getvalue()
    assert path.read_bytes() != before
    assert not list(path.parent.glob("*.tmp"))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        fresh = Document.objects.select_related("case").get(pk=document.pk)
        assert queries.document_content(viewer=staff["caseworker"], document=fresh) == samples.text()
    with override_settings(FIELD_ENCRYPTION_KEYS=old), pytest.raises(storage.DocumentUnreadable):
        storage.read(document.storage_key)
