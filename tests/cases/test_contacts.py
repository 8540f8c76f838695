"""The contact log: visits, home visits, calls, messages, accompaniments — when, how long, an encrypted summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from himaya.cases.models import Case, CaseEvent, ContactLog
from himaya.cases.services import notes as services
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case


def _url(case: Case) -> str:
    return f"/en/cases/{case.code}/contacts/"


def _add(actor: Any, case: Case, **values: Any) -> ContactLog:
    arguments: dict[str, Any] = {
        "kind": "call",
        "happened_at": timezone.now() - timedelta(hours=1),
        "duration_minutes": 20,
        "summary": "Elle va mieux.",
    }
    arguments.update(values)
    return services.contact_add(actor=actor, case=case, **arguments)


def test_every_kind_of_contact_is_recorded_with_an_encrypted_summary_an_event_and_an_audit_entry(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"])
    for kind in ("visit", "home_visit", "call", "message", "accompaniment"):
        _add(staff["caseworker"], case, kind=kind, summary=f"Résumé {kind}")
    assert ContactLog.objects.filter(case=case).count() == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM cases_contactlog")
        raws = [row[0] for row in cursor.fetchall()]
    assert all("Résumé" not in raw for raw in raws)
    events = CaseEvent.objects.filter(case=case, kind="contact_logged")
    assert sorted(event.detail["kind"] for event in events) == sorted(
        ["visit", "home_visit", "call", "message", "accompaniment"]
    )
    assert all(event.detail["duration_minutes"] == 20 for event in events)
    audit = AuditEvent.objects.filter(object_type="cases.contactlog", action="create").first()
    assert audit is not None and "summary" in audit.fields


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "telepathy"}, "kind of contact"),
        ({"happened_at": timezone.now() + timedelta(days=2)}, "future"),
        ({"happened_at": timezone.now() - timedelta(days=800)}, "more than a year before"),
        ({"duration_minutes": 0}, "between 1 and 1440"),
        ({"duration_minutes": 5000}, "between 1 and 1440"),
        ({"summary": "x" * 20_001}, "too long"),
    ],
)
def test_implausible_contacts_are_refused_with_a_message(
    staff: dict[str, Any], values: dict[str, Any], message: str
) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError, match=message):
        _add(staff["caseworker"], case, **values)
    assert not ContactLog.objects.exists() and not CaseEvent.objects.filter(kind="contact_logged").exists()


def test_outsiders_and_roles_without_case_work_cannot_record_a_contact(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    for who in ("outsider", "analyst", "editor", "admin"):
        with pytest.raises(PermissionDenied):
            _add(staff[who], case)
    assert not ContactLog.objects.exists()


def test_the_contacts_page_lists_the_log_most_recent_first_and_audits_the_read(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    _add(
        staff["caseworker"],
        case,
        kind="visit",
        happened_at=timezone.now() - timedelta(days=3),
        summary="Older",
    )
    _add(staff["colleague"], case, kind="accompaniment", summary="Au tribunal <script>x</script>")
    response = client_for(staff["caseworker"]).get(_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Au tribunal") < html.index("Older")
    assert "&lt;script&gt;" in html and "<script>x</script>" not in html
    assert "accompaniment" in html and "20 minutes" in html and staff["colleague"].full_name in html
    read = AuditEvent.objects.get(object_type="cases.case", action="read")
    assert "contactlog.summary" in read.fields


def test_posting_the_form_records_the_contact(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    when = timezone.localtime() - timedelta(hours=2)
    response = client_for(staff["caseworker"]).post(
        _url(case),
        {
            "contact-kind": "home_visit",
            "contact-happened_at": when.strftime("%Y-%m-%dT%H:%M"),
            "contact-duration_minutes": "45",
            "contact-summary": "Visite à domicile",
        },
    )
    assert response.status_code == 302 and response["Location"] == _url(case)
    contact = ContactLog.objects.get(case=case)
    assert (contact.kind, contact.duration_minutes, contact.summary) == (
        "home_visit",
        45,
        "Visite à domicile",
    )
    assert contact.happened_at.replace(second=0, microsecond=0) == when.replace(second=0, microsecond=0)


def test_a_contact_in_the_future_shows_the_form_again_with_the_message(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    later = timezone.localtime() + timedelta(days=3)
    response = client_for(staff["caseworker"]).post(
        _url(case), {"contact-kind": "call", "contact-happened_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200
    assert "The contact cannot be in the future." in response.content.decode()
    assert not ContactLog.objects.exists()


def test_a_malformed_date_or_duration_is_a_form_error_not_a_crash(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(
        _url(case),
        {"contact-kind": "call", "contact-happened_at": "yesterday", "contact-duration_minutes": "-3"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date/time." in html and "greater than or equal to 1" in html
    assert not ContactLog.objects.exists()


def test_another_organisation_and_roles_without_case_work_get_404(
    staff: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    case = make_case(staff["caseworker"])
    for who in ("outsider", "analyst", "editor", "admin"):
        client = client_for(staff[who])
        assert client.get(_url(case)).status_code == 404, who
        assert client.post(_url(case), {"contact-kind": "call"}).status_code == 404, who
    assert client_for(staff["caseworker"]).patch(_url(case)).status_code == 405


def test_the_case_page_partial_shows_the_latest_contacts_without_auditing(
    staff: dict[str, Any], rf: Any
) -> None:
    case = make_case(staff["caseworker"])
    _add(staff["caseworker"], case, summary="Appel de suivi")
    before = AuditEvent.objects.count()
    request = rf.get("/en/")
    request.user = staff["caseworker"]
    html = render_to_string(
        "cases/followup/_contacts.html", {"case": case, "user": staff["caseworker"]}, request=request
    )
    assert "Appel de suivi" in html and 'name="contact-kind"' in html
    assert AuditEvent.objects.count() == before
