"""The case page (summary, timeline, audited read), editing with conflicts, assigning caseworkers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from himaya.cases.models import Case
from himaya.cases.services import cases as services
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case


def test_the_case_page_shows_the_summary_and_timeline_and_audits_the_read(
    client_for: Any, staff: dict[str, Any]
) -> None:
    case = make_case(staff["caseworker"], family_name_latin="Zerhouni")
    services.case_update(
        actor=staff["caseworker"], case=case, values={"stage": "assessment"}, expected_version=1
    )
    services.case_set_needs(actor=staff["caseworker"], case=case, needs=["medical_care"])
    response = client_for(staff["colleague"]).get(f"/en/cases/{case.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (case.code, case.survivor.code, "care cell in a court", "Medical care", "Timeline"):
        assert text in html, text
    assert "reception → assessment" in html and "intake completed" in html.lower()
    assert staff["caseworker"].full_name in html  # who did it
    assert "Zerhouni" not in html  # codes, not names
    read = AuditEvent.objects.filter(action="read", object_type="cases.case").get()
    assert read.actor_id == staff["colleague"].pk and read.object_id == str(case.pk)
    # It names what the page showed: the summary and every section (names only, never values).
    for name in (
        "case.status",
        "survivor.code",
        "incident.gbv_type",
        "consent.purpose",
        "note.body",
        "document.title",
    ):
        assert name in read.fields, name
    assert "Zerhouni" not in str(read.fields) + str(read.detail)


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_another_organisation_or_a_role_without_case_work_gets_not_found(
    client_for: Any, staff: dict[str, Any], role: str
) -> None:
    case = make_case(staff["caseworker"])
    for url in (f"/en/cases/{case.code}/", f"/en/cases/{case.code}/edit/", f"/en/cases/{case.code}/assign/"):
        assert client_for(staff[role]).get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action="read", object_type="cases.case").exists()


def test_an_unknown_or_malformed_code_is_not_found(client_for: Any, staff: dict[str, Any]) -> None:
    client = client_for(staff["caseworker"])
    assert client.get("/en/cases/D-AAAA-AAAA-A/").status_code == 404
    assert client.get("/en/cases/123/").status_code == 404


def test_the_case_page_refuses_a_post(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert client_for(staff["caseworker"]).post(f"/en/cases/{case.code}/").status_code == 405


def _edit(case: Case, **changes: Any) -> dict[str, Any]:
    data = {"priority": "normal", "follow_up_due": "", "stage": "reception", "status": "open", "version": 1}
    data.update(changes)
    return data


def test_editing_a_case_saves_and_returns_to_the_case(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    client = client_for(staff["caseworker"])
    assert client.get(f"/en/cases/{case.code}/edit/").status_code == 200
    response = client.post(f"/en/cases/{case.code}/edit/", _edit(case, priority="urgent", follow_up_due=due))
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.code}/"
    case.refresh_from_db()
    assert case.priority == "urgent" and case.follow_up_due.isoformat() == due and case.version == 2


def test_the_second_of_two_edits_is_refused_with_the_current_values(
    client_for: Any, staff: dict[str, Any]
) -> None:
    case = make_case(staff["caseworker"])
    url = f"/en/cases/{case.code}/edit/"
    first, second = client_for(staff["caseworker"]), client_for(staff["colleague"])
    assert first.post(url, _edit(case, priority="high", version=1)).status_code == 302
    response = second.post(url, _edit(case, priority="low", version=1))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record" in html and "Changed by someone else meanwhile" in html
    assert "<td><bdi>high</bdi></td>" in html  # the value now
    assert 'name="version" value="2"' in html  # a deliberate second save may apply the change
    case.refresh_from_db()
    assert case.priority == "high" and case.version == 2


def test_closing_is_not_offered_here(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    page = client.get(f"/en/cases/{case.code}/edit/").content.decode()
    assert 'name="status"' in page and "disabled" in page.split('name="status"')[1].split(">")[0]
    assert 'value="closed"' not in page
    # The status is shown, never changed here (closing and reopening have their own procedure).
    client.post(f"/en/cases/{case.code}/edit/", _edit(case, status="closed"))
    client.post(f"/en/cases/{case.code}/edit/", _edit(case, status="closure_requested"))
    assert Case.objects.get(pk=case.pk).status == "open"


def test_the_supervisor_assigns_caseworkers(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["supervisor"])
    page = client.get(f"/en/cases/{case.code}/assign/")
    assert page.status_code == 200
    html = page.content.decode()
    assert staff["colleague"].full_name in html
    for role in ("outsider", "analyst", "editor", "admin"):
        assert staff[role].full_name not in html, role
    response = client.post(
        f"/en/cases/{case.code}/assign/", {"caseworkers": [staff["caseworker"].pk, staff["colleague"].pk]}
    )
    assert response.status_code == 302
    assert set(case.caseworkers.all()) == {staff["caseworker"], staff["colleague"]}


def test_assigning_someone_outside_the_list_is_refused(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["supervisor"]).post(
        f"/en/cases/{case.code}/assign/", {"caseworkers": [staff["analyst"].pk]}
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert list(case.caseworkers.all()) == [staff["caseworker"]]


def test_a_caseworker_may_not_assign(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(
        f"/en/cases/{case.code}/assign/", {"caseworkers": [staff["colleague"].pk]}
    )
    assert response.status_code == 403
    assert list(case.caseworkers.all()) == [staff["caseworker"]]


def test_the_case_page_has_no_duplicate_id(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    html = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for anchor in ("incidents", "consents", "notes", "contacts", "documents", "timeline"):
        assert f'id="{anchor}"' in html, anchor


def test_each_section_of_the_case_page_is_one_named_region(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    html = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/").content.decode()
    for anchor, title in (("incidents", "Incidents"), ("consents", "Consents"), ("notes", "Notes")):
        assert f'<section class="mb-4" id="{anchor}" aria-label="{title}">' in html, anchor
    assert html.count("<section") == html.count("</section>")
