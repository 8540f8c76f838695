"""The intake flow in the browser's shoes: step 1 with the duplicate warning, step 4 completes the intake."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaya.cases.models import Case, CaseEvent, Survivor
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

NEW = "/en/cases/new/"


def _step1(**changes: str) -> dict[str, str]:
    data = {
        "survivor-given_name_latin": "Khadija",
        "survivor-family_name_latin": "Benali",
        "survivor-birth_year": "1992",
        "survivor-sex": "female",
        "survivor-migration_status": "citizen",
        "survivor-marital_status": "married",
        "survivor-disability": "none",
        "survivor-education": "primary",
        "survivor-occupation": "homemaker",
        "survivor-safe_to_contact": "yes",
        "case-entry_point": "court_cell",
        "case-priority": "high",
    }
    data.update(changes)
    return data


def test_the_first_step_opens_the_case_and_goes_on_with_the_next_step(
    client_for: Any, staff: dict[str, Any]
) -> None:
    client = client_for(staff["caseworker"])
    page = client.get(NEW)
    assert page.status_code == 200 and b"Intake steps" in page.content
    response = client.post(NEW, _step1())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/en/cases/{case.code}/intake/")
    assert (case.entry_point, case.priority, case.intake_step) == ("court_cell", "high", "consent")
    assert case.survivor.given_name_latin == "Khadija"
    assert list(case.caseworkers.all()) == [staff["caseworker"]]


def test_a_possible_duplicate_is_shown_with_its_code_and_reason_before_anything_is_saved(
    client_for: Any, staff: dict[str, Any]
) -> None:
    known = make_case(
        staff["colleague"], given_name_latin="Khadija", family_name_latin="Benali", birth_year=1992
    )
    client = client_for(staff["caseworker"])
    response = client.post(NEW, _step1())
    assert response.status_code == 200
    assert known.survivor.code.encode() in response.content
    assert b"same name and year of birth" in response.content
    assert Case.objects.count() == 1 and Survivor.objects.count() == 1
    read = AuditEvent.objects.filter(action="read", object_type="cases.survivor").get()
    assert read.object_id == str(known.survivor_id) and read.detail["view"] == "intake_duplicate_warning"


def test_confirming_another_person_registers_her(client_for: Any, staff: dict[str, Any]) -> None:
    make_case(staff["colleague"], given_name_latin="Khadija", family_name_latin="Benali", birth_year=1992)
    response = client_for(staff["caseworker"]).post(NEW, _step1(decision="new"))
    assert response.status_code == 302
    assert Survivor.objects.count() == 2 and Case.objects.count() == 2


def test_the_same_person_gets_a_new_case_and_her_details_stay_as_recorded(
    client_for: Any, staff: dict[str, Any]
) -> None:
    known = make_case(
        staff["colleague"], given_name_latin="Khadija", family_name_latin="Benali", birth_year=1992
    )
    data = _step1(decision=f"existing:{known.survivor.code}", **{"survivor-family_name_latin": "Benali-X"})
    response = client_for(staff["caseworker"]).post(NEW, data)
    assert response.status_code == 302
    assert Survivor.objects.count() == 1
    new_case = Case.objects.exclude(pk=known.pk).get()
    assert new_case.survivor_id == known.survivor_id
    assert Survivor.objects.get().family_name_latin == "Benali"


def test_another_organisations_survivor_cannot_be_chosen(client_for: Any, staff: dict[str, Any]) -> None:
    theirs = make_case(
        staff["outsider"], given_name_latin="Khadija", family_name_latin="Benali", birth_year=1992
    )
    client = client_for(staff["caseworker"])
    response = client.post(NEW, _step1(decision=f"existing:{theirs.survivor.code}"))
    assert response.status_code == 200
    assert b"not among the people your organisation works with" in response.content
    assert Case.objects.count() == 1
    response = client.post(NEW, _step1())  # not even suggested: she is registered as a new person
    assert response.status_code == 302
    assert Survivor.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"survivor-given_name_latin": "", "survivor-family_name_latin": ""},
            b"Give at least one name",
        ),
        ({"case-entry_point": "moon"}, b"Select a valid choice"),
        ({"survivor-family_name_latin": "Ali\u202eces"}, b"text-direction"),
    ],
)
def test_bad_input_shows_the_form_again_and_stores_nothing(
    client_for: Any, staff: dict[str, Any], changes: dict[str, str], message: bytes
) -> None:
    response = client_for(staff["caseworker"]).post(NEW, _step1(**changes))
    assert response.status_code == 200 and message in response.content
    assert not Case.objects.exists() and not Survivor.objects.exists()


def test_names_are_escaped_when_the_form_comes_back(client_for: Any, staff: dict[str, Any]) -> None:
    response = client_for(staff["caseworker"]).post(
        NEW, _step1(**{"survivor-given_name_latin": "<script>alert(1)</script>", "case-entry_point": "x"})
    )
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


@pytest.mark.parametrize("role", ["analyst", "editor", "admin"])
def test_roles_without_case_work_cannot_start_an_intake(
    client_for: Any, staff: dict[str, Any], role: str
) -> None:
    client = client_for(staff[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _step1()).status_code == 403
    assert not Case.objects.exists()


def test_the_intake_refuses_other_methods(client_for: Any, staff: dict[str, Any]) -> None:
    assert client_for(staff["caseworker"]).put(NEW).status_code == 405


def test_the_needs_step_completes_the_intake(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/intake/needs/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Medical care" in page.content and b"Complete the intake" in page.content
    response = client.post(url, {"needs": ["medical_care", "complaint"]})
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.code}/"
    case.refresh_from_db()
    assert case.intake_step == "done" and set(case.immediate_needs) == {"medical_care", "complaint"}
    assert CaseEvent.objects.filter(case=case, kind="intake_completed").count() == 1


def test_an_unknown_need_is_refused_with_a_message(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(
        f"/en/cases/{case.code}/intake/needs/", {"needs": ["teleportation"]}
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    case.refresh_from_db()
    assert case.intake_step == "consent" and case.immediate_needs == []


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "admin"])
def test_the_needs_step_of_another_organisations_case_is_not_found(
    client_for: Any, staff: dict[str, Any], role: str
) -> None:
    case = make_case(staff["caseworker"])
    client: Client = client_for(staff[role])
    url = f"/en/cases/{case.code}/intake/needs/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"needs": ["reception"]}).status_code == 404
    case.refresh_from_db()
    assert case.intake_step == "consent"


def test_an_unfinished_intake_is_resumed_from_the_case_page(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    page = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/")
    assert b"Resume the intake" in page.content
    assert f"/en/cases/{case.code}/intake/".encode() in page.content
