"""Incident pages: record and correct under a case, the intake's step 3, and the incidents section of the case
page. Happy paths, bad input (the form again, nothing stored), conflicts, scope (404), roles, methods."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from himaya.cases.models import Case, Incident
from himaya.cases.services import incidents
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

TODAY = timezone.localdate


def _post_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_on": (TODAY() - timedelta(days=4)).isoformat(),
        "occurred_until": "",
        "reported_on": TODAY().isoformat(),
        "province": "",
        "place_type": "home",
        "law_forms": ["physical", "sexual"],
        "involved_sexual_contact": "on",
        "involved_physical_assault": "on",
        "tech_forms": [],
        "platforms": [],
        "trafficking_forms": [],
        "perpetrator_count": "1",
        "reported_to_police_before": "yes",
        "description": "<script>alert(1)</script> Elle raconte.",
        "perpetrators-TOTAL_FORMS": "2",
        "perpetrators-INITIAL_FORMS": "0",
        "perpetrators-MIN_NUM_FORMS": "0",
        "perpetrators-MAX_NUM_FORMS": "50",
        "perpetrators-0-relationship": "husband",
        "perpetrators-0-sex": "male",
        "perpetrators-0-age_group": "26-40",
        "perpetrators-1-relationship": "",
        "perpetrators-1-sex": "male",
        "perpetrators-1-age_group": "unknown",
    }
    data.update(overrides)
    return data


def _new(case: Case) -> str:
    return f"/en/cases/{case.code}/incidents/new/"


def _edit(case: Case, incident: Incident) -> str:
    return f"/en/cases/{case.code}/incidents/{incident.pk}/edit/"


def _record(staff: dict[str, Any], case: Case, **values: Any) -> Incident:
    values.setdefault("occurred_on", TODAY() - timedelta(days=1))
    return incidents.incident_create(actor=staff["caseworker"], case=case, values=values)


def test_a_caseworker_records_an_incident_from_the_case_page(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    page = client.get(_new(case))
    assert page.status_code == 200
    assert b"did it involve penetration?" in page.content
    response = client.post(_new(case), _post_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"code": case.code}) + "#incidents"
    incident = Incident.objects.get(case=case)
    assert incident.gbv_type == "sexual_assault" and incident.reporting_delay == "4-5"
    assert incident.law_forms == ["physical", "sexual"] and incident.reported_to_police_before == "yes"
    assert [(p.relationship, p.age_group) for p in incident.perpetrators.all()] == [("husband", "26-40")]
    # The case page shows it (codes translated, the description not shown, escaped everywhere).
    detail = client.get(reverse("cases:case_detail", kwargs={"code": case.code}))
    assert b"sexual assault" in detail.content and b"husband or ex-husband" in detail.content
    assert b"<script>alert(1)</script>" not in detail.content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on": "2999-01-01"}, "The incident cannot be in the future."),
        ({"occurred_until": "2000-01-01"}, "The end of the period cannot come before its start."),
        ({"occurred_on": "1970-01-01", "reported_on": "1971-01-01"}, "before her year of birth"),
        ({"perpetrator_count": "0"}, "between 1 and 50"),
        ({"perpetrator_count": "51"}, "between 1 and 50"),
        ({"law_forms": ["spiritual"]}, "Select a valid choice"),
        ({"perpetrators-0-relationship": "alien"}, "Select a valid choice"),
        ({"description": "x" * 20_001}, "too long"),
        ({"occurred_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message_and_stores_nothing(
    staff: dict[str, Any], client_for: Any, overrides: dict[str, Any], message: str
) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_new(case), _post_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_editing_shows_the_description_audits_the_read_and_saves(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    incident = _record(staff, case, description="Elle raconte.", involved_psychological_abuse=True)
    client = client_for(staff["colleague"])
    page = client.get(_edit(case, incident))
    assert page.status_code == 200 and "Elle raconte." in page.content.decode()
    assert AuditEvent.objects.filter(
        action="read",
        object_type="cases.incident",
        object_id=str(incident.pk),
        actor_id=staff["colleague"].pk,
    ).exists()
    response = client.post(_edit(case, incident), _post_data(version=str(incident.version)))
    assert response.status_code == 302
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.gbv_type == "sexual_assault" and stored.version == 2


def test_a_stale_edit_shows_the_conflict_and_overwrites_nothing(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    incident = _record(staff, case, place_type="home")
    incidents.incident_update(
        actor=staff["colleague"], incident=incident, values={"place_type": "workplace"}, expected_version=1
    )
    response = client_for(staff["caseworker"]).post(
        _edit(case, incident), _post_data(version="1", place_type="public_space")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else saved this record" in content and "<bdi>workplace</bdi>" in content
    assert Incident.objects.get(pk=incident.pk).place_type == "workplace"
    assert 'name="version" value="2"' in content  # the form now holds the saved version
    again = client_for(staff["caseworker"]).post(
        _edit(case, incident), _post_data(version="2", place_type="public_space")
    )
    assert again.status_code == 302 and Incident.objects.get(pk=incident.pk).place_type == "public_space"


def test_an_incident_is_edited_only_under_its_own_case(staff: dict[str, Any], client_for: Any) -> None:
    case, other = make_case(staff["caseworker"]), make_case(staff["caseworker"])
    incident = _record(staff, case)
    client = client_for(staff["caseworker"])
    assert client.get(_edit(other, incident)).status_code == 404
    assert client.get(f"/en/cases/{case.code}/incidents/999999/edit/").status_code == 404


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_another_organisation_and_roles_without_case_work_get_404(
    staff: dict[str, Any], client_for: Any, role: str
) -> None:
    case = make_case(staff["caseworker"])
    incident = _record(staff, case)
    client = client_for(staff[role])
    for url in (_new(case), _edit(case, incident), f"/en/cases/{case.code}/intake/incident/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _post_data(version="1")).status_code == 404, url
    assert Incident.objects.count() == 1
    assert Incident.objects.get(pk=incident.pk).version == 1


def test_a_closed_case_takes_no_new_incident(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert client_for(staff["caseworker"]).post(_new(case), _post_data()).status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(staff: dict[str, Any], client_for: Any, method: str) -> None:
    case = make_case(staff["caseworker"])
    incident = _record(staff, case)
    client = client_for(staff["caseworker"])
    for url in (_new(case), _edit(case, incident), f"/en/cases/{case.code}/intake/incident/"):
        assert getattr(client, method)(url).status_code == 405


def test_anonymous_visitors_are_sent_to_the_login(staff: dict[str, Any], client: Any) -> None:
    case = make_case(staff["caseworker"])
    response = client.get(_new(case))
    assert response.status_code == 302 and "login" in response["Location"]


# Intake step 3 ----------------------------------------------------------------------------------------------


def _intake(case: Case) -> str:
    return f"/en/cases/{case.code}/intake/incident/"


def test_the_intake_records_the_first_incident_and_moves_to_the_needs(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    page = client.get(_intake(case))
    assert page.status_code == 200 and b"Skip for now" in page.content
    response = client.post(_intake(case), _post_data(action="save"))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake_needs", kwargs={"code": case.code})
    case.refresh_from_db()
    assert case.intake_step == "needs" and Incident.objects.filter(case=case).count() == 1


def test_the_intake_incident_can_be_skipped(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_intake(case), {"action": "skip"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake_needs", kwargs={"code": case.code})
    case.refresh_from_db()
    assert case.intake_step == "needs" and not Incident.objects.exists()


def test_a_bad_intake_incident_stays_on_the_step(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(_intake(case), _post_data(occurred_on="2999-01-01"))
    assert response.status_code == 200 and b"cannot be in the future" in response.content
    case.refresh_from_db()
    assert case.intake_step == "consent" and not Incident.objects.exists()


def test_the_intake_step_never_moves_back(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(intake_step="done")
    client_for(staff["caseworker"]).post(_intake(case), _post_data(action="save"))
    case.refresh_from_db()
    assert case.intake_step == "done" and Incident.objects.filter(case=case).count() == 1


def test_the_intake_page_works_in_arabic(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    page = client_for(staff["caseworker"]).get(f"/ar/cases/{case.code}/intake/incident/")
    assert page.status_code == 200 and b'dir="rtl"' in page.content
