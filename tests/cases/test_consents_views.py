"""Consent pages: record one (per purpose), withdraw one, the intake's step 2, and the consents section of the
case page with "safe to contact?". Happy paths, bad input, scope (404), roles, methods."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from himaya.cases.models import Case, CaseEvent, Consent, Survivor
from himaya.cases.services.consents import consent_give
from tests.cases.factories import make_case
from tests.factories import make_organisation


def _new(case: Case) -> str:
    return f"/en/cases/{case.code}/consents/new/"


def _withdraw(case: Case, consent: Consent) -> str:
    return f"/en/cases/{case.code}/consents/{consent.pk}/withdraw/"


def _intake(case: Case) -> str:
    return f"/en/cases/{case.code}/intake/consent/"


def _give(staff: dict[str, Any], case: Case, purpose: str = "services", **values: Any) -> Consent:
    return consent_give(actor=staff["caseworker"], case=case, purpose=purpose, method="verbal", **values)


def test_a_caseworker_records_a_sharing_consent(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    shelter = make_organisation(name="Centre Amal", kind="shelter", sector="social")
    client = client_for(staff["caseworker"])
    page = client.get(_new(case) + "?purpose=sharing")
    assert page.status_code == 200 and b"Centre Amal" in page.content
    response = client.post(
        _new(case),
        {
            "purpose": "sharing",
            "recipient": str(shelter.pk),
            "shared_information": ["names", "contact"],
            "given_by": "survivor",
            "method": "signed",
            "expires_on": "",
            "given_on": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"code": case.code}) + "#consents"
    consent = Consent.objects.get(case=case)
    assert consent.recipient == shelter and consent.shared_information == [
        "code_and_needs",
        "names",
        "contact",
    ]
    assert consent.created_by == staff["caseworker"]


def test_the_own_organisation_is_not_offered_as_a_recipient(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    response = client_for(staff["caseworker"]).post(
        _new(case),
        {
            "purpose": "sharing",
            "recipient": str(case.organisation_id),
            "given_by": "survivor",
            "method": "verbal",
        },
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "sharing"}, "Name the organisation she agrees to share"),
        ({"given_by": "guardian"}, "Give the name of the parent or guardian"),
        ({"expires_on": "2000-01-01"}, "The expiry date has already passed."),
        ({"given_on": "2999-01-01"}, "Consent cannot be given in the future."),
        ({"method": "telepathy"}, "Select a valid choice"),
        ({"guardian_name": "x" * 300, "given_by": "guardian"}, "too long"),
    ],
)
def test_bad_consents_show_the_form_again_and_store_nothing(
    staff: dict[str, Any], client_for: Any, data: dict[str, Any], message: str
) -> None:
    case = make_case(staff["caseworker"])
    posted = {"purpose": "services", "given_by": "survivor", "method": "verbal", **data}
    response = client_for(staff["caseworker"]).post(_new(case), posted)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Consent.objects.exists()


def test_a_child_needs_a_guardian_on_the_page_too(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"], birth_year=timezone.localdate().year - 12)
    client = client_for(staff["caseworker"])
    assert b"She is a child" in client.get(_new(case)).content
    response = client.post(_new(case), {"purpose": "services", "given_by": "survivor", "method": "verbal"})
    assert response.status_code == 200 and b"She is a child" in response.content
    assert not Consent.objects.exists()
    client.post(
        _new(case),
        {"purpose": "services", "given_by": "guardian", "guardian_name": "Sa mère", "method": "written"},
    )
    assert Consent.objects.get(case=case).given_by == "guardian"


def test_a_colleague_withdraws_a_consent_at_once(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    consent = _give(staff, case)
    client = client_for(staff["colleague"])
    assert client.get(_withdraw(case, consent)).status_code == 200
    response = client.post(_withdraw(case, consent), {"note": "Par téléphone."})
    assert response.status_code == 302
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.withdrawn_by == staff["colleague"] and stored.withdrawal_note == "Par téléphone."
    assert not stored.is_active()
    again = client.post(_withdraw(case, consent), {"note": ""})
    assert again.status_code == 200 and b"already withdrawn" in again.content
    assert CaseEvent.objects.filter(kind="consent_withdrawn").count() == 1


def test_a_consent_is_withdrawn_only_under_its_own_case(staff: dict[str, Any], client_for: Any) -> None:
    case, other = make_case(staff["caseworker"]), make_case(staff["caseworker"])
    consent = _give(staff, case)
    assert client_for(staff["caseworker"]).post(_withdraw(other, consent)).status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_another_organisation_and_roles_without_case_work_get_404(
    staff: dict[str, Any], client_for: Any, role: str
) -> None:
    case = make_case(staff["caseworker"])
    consent = _give(staff, case)
    client = client_for(staff[role])
    posted = {"purpose": "services", "given_by": "survivor", "method": "verbal"}
    for url in (_new(case), _withdraw(case, consent), _intake(case)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, posted).status_code == 404, url
    assert Consent.objects.count() == 1 and Consent.objects.get().withdrawn_at is None


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(staff: dict[str, Any], client_for: Any, method: str) -> None:
    case = make_case(staff["caseworker"])
    consent = _give(staff, case)
    client = client_for(staff["caseworker"])
    for url in (_new(case), _withdraw(case, consent), _intake(case)):
        assert getattr(client, method)(url).status_code == 405


def test_the_case_page_shows_consents_and_safe_contact_without_the_instructions(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(
        staff["caseworker"],
        safe_to_contact="yes",
        safe_contact_method="text_message",
        safe_contact_instructions="Seulement le mardi matin",
    )
    assert Survivor.objects.get(pk=case.survivor_id).safe_contact_method == "text_message"
    shelter = make_organisation(name="Centre Nour", kind="shelter", sector="social")
    _give(staff, case, "sharing", recipient=shelter, shared_information=["names"])
    content = client_for(staff["caseworker"]).get(reverse("cases:case_detail", kwargs={"code": case.code}))
    text = content.content.decode()
    assert "Safe to contact her?" in text and "text message" in text
    assert "Seulement le mardi" not in text
    assert "Centre Nour" in text and "in force" in text and "names" in text


# Intake step 2 ----------------------------------------------------------------------------------------------


def test_the_intake_records_services_and_statistics_consent_and_moves_to_the_incident(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    assert client.get(_intake(case)).status_code == 200
    response = client.post(_intake(case), {"given_by": "survivor", "method": "verbal", "statistics": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake_incident", kwargs={"code": case.code})
    assert sorted(Consent.objects.filter(case=case).values_list("purpose", flat=True)) == [
        "services",
        "statistics",
    ]
    case.refresh_from_db()
    assert case.intake_step == "incident"


def test_the_statistics_consent_is_optional(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    client_for(staff["caseworker"]).post(_intake(case), {"given_by": "survivor", "method": "written"})
    assert list(Consent.objects.filter(case=case).values_list("purpose", flat=True)) == ["services"]


def test_the_intake_cannot_go_on_without_the_services_consent(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    response = client.post(_intake(case), {"action": "continue"})
    assert response.status_code == 200 and b"This field is required" in response.content
    case.refresh_from_db()
    assert case.intake_step == "consent" and not Consent.objects.exists()


def test_the_intake_continues_when_the_consent_is_already_given(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    _give(staff, case)
    client = client_for(staff["caseworker"])
    assert b"was recorded on" in client.get(_intake(case)).content
    response = client.post(_intake(case), {"action": "continue"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.intake_step == "incident" and Consent.objects.count() == 1


def test_the_intake_consent_page_works_in_french(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    page = client_for(staff["caseworker"]).get(f"/fr/cases/{case.code}/intake/consent/")
    assert page.status_code == 200 and b'lang="fr"' in page.content
