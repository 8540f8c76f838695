"""Case notes: added on an open case, encrypted at rest, listed newest first with author and time, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client

from himaya.cases import choices
from himaya.cases.models import Case, CaseEvent, Note
from himaya.cases.services import notes as services
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case


def _notes_url(case: Case) -> str:
    return f"/en/cases/{case.code}/notes/"


def test_a_caseworker_adds_a_note_stored_encrypted_with_an_event_and_an_audit_entry(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    note = services.note_add(
        actor=staff["caseworker"], case=case, body="  Elle a peur de rentrer chez elle.  "
    )
    assert Note.objects.get(pk=note.pk).body == "Elle a peur de rentrer chez elle."
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_note WHERE id = %s", [note.pk])
        (raw,) = cursor.fetchone()
    assert "peur" not in raw
    event = CaseEvent.objects.get(case=case, kind="note_added")
    assert (event.object_type, event.object_id, event.detail) == ("note", note.pk, {})
    audit = AuditEvent.objects.get(object_type="cases.note", action="create")
    assert audit.fields == ["body"] and audit.object_id == str(note.pk)
    assert "peur" not in str(audit.detail)


def test_an_empty_oversized_or_direction_spoofing_note_is_refused_and_nothing_stored(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    for body, message in [
        ("   ", "Write the note"),
        ("x" * 20_001, "too long"),
        ("bonjour \u202egnp.exe", "text-direction"),
    ]:
        with pytest.raises(BusinessRuleError, match=message):
            services.note_add(actor=staff["caseworker"], case=case, body=body)
    assert not Note.objects.exists()
    assert not CaseEvent.objects.filter(kind="note_added").exists()


def test_outsiders_and_roles_without_case_work_cannot_add_a_note(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    for who in ("outsider", "analyst", "editor", "admin"):
        with pytest.raises(PermissionDenied):
            services.note_add(actor=staff[who], case=case, body="Note")
    services.note_add(actor=staff["supervisor"], case=case, body="Vue par la superviseure")
    assert Note.objects.count() == 1


def test_a_closed_case_takes_no_new_note(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(status=choices.CaseStatus.CLOSED)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.note_add(actor=staff["caseworker"], case=case, body="Trop tard")


def test_the_notes_page_lists_notes_newest_first_with_author_and_audits_the_read(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    services.note_add(actor=staff["caseworker"], case=case, body="First note")
    services.note_add(actor=staff["colleague"], case=case, body="Second note <b>bold</b>")
    response = client_for(staff["supervisor"]).get(_notes_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Second note") < html.index("First note")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert staff["colleague"].full_name in html and staff["caseworker"].full_name in html
    read = AuditEvent.objects.filter(object_type="cases.case", action="read", object_id=str(case.pk)).get()
    assert "note.body" in read.fields and read.actor_id == staff["supervisor"].pk


def test_posting_the_form_adds_the_note_and_redirects(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_notes_url(case), {"note-body": "Appel reçu"})
    assert response.status_code == 302 and response["Location"] == _notes_url(case)
    assert Note.objects.get(case=case).body == "Appel reçu"


def test_a_bad_note_shows_the_form_again_with_the_message(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_notes_url(case), {"note-body": "a \u202e b"})
    assert response.status_code == 200
    assert "invisible text-direction characters" in response.content.decode()
    assert not Note.objects.exists()


def test_another_organisation_and_roles_without_case_work_get_404(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    for who in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        client = client_for(staff[who])
        assert client.get(_notes_url(case)).status_code == 404, who
        assert client.post(_notes_url(case), {"note-body": "Intrusion"}).status_code == 404, who
    assert not Note.objects.exists()
    assert not AuditEvent.objects.filter(object_type="cases.case", action="read").exists()


def test_the_notes_page_refuses_other_methods_and_anonymous_visitors(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    assert client_for(staff["caseworker"]).put(_notes_url(case)).status_code == 405
    assert client_for(staff["caseworker"]).delete(_notes_url(case)).status_code == 405
    response = Client().get(_notes_url(case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_closed_case_shows_its_notes_without_the_form(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    services.note_add(actor=staff["caseworker"], case=case, body="Avant la clôture")
    Case.objects.filter(pk=case.pk).update(status=choices.CaseStatus.CLOSED)
    client = client_for(staff["caseworker"])
    html = client.get(_notes_url(case)).content.decode()
    assert "Avant la clôture" in html and 'name="note-body"' not in html
    assert client.post(_notes_url(case), {"note-body": "Après"}).status_code == 403
    assert Note.objects.count() == 1


def test_the_case_page_partial_shows_the_latest_notes_and_the_form_without_auditing(
    staff: dict[str, Any], rf: Any
) -> None:
    case = make_case(staff["caseworker"])
    for number in range(7):
        services.note_add(actor=staff["caseworker"], case=case, body=f"Note number {number}")
    before = AuditEvent.objects.count()
    request = rf.get("/en/")
    request.user = staff["caseworker"]
    html = render_to_string(
        "cases/followup/_notes.html", {"case": case, "user": staff["caseworker"]}, request=request
    )
    assert "Note number 6" in html and "Note number 2" in html and "Note number 1" not in html
    assert ">7</span>" in html and 'name="note-body"' in html
    assert AuditEvent.objects.count() == before
