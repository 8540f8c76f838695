"""Consent per purpose through the service: who gives it (a child's guardian or a best-interest decision),
sharing with a named organisation and which information, expiry, withdrawal at once, and the guard
``consent_require`` that other features call before they use her information."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from himaya.cases.models import CaseEvent, Consent
from himaya.cases.queries.consents import active_consent
from himaya.cases.services import cases as case_services
from himaya.cases.services import consents
from himaya.cases.services.consents import consent_give, consent_require, consent_withdraw
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case
from tests.factories import make_organisation

TODAY = timezone.localdate


@pytest.fixture
def case(staff: dict[str, Any]) -> Any:
    return make_case(staff["caseworker"])


@pytest.fixture
def child_case(staff: dict[str, Any]) -> Any:
    return make_case(staff["caseworker"], birth_year=TODAY().year - 15)


@pytest.fixture
def shelter(db: None) -> Any:
    return make_organisation(name="Centre d'hébergement Amal", kind="shelter", sector="social")


def _give(staff: dict[str, Any], case: Any, **values: Any) -> Consent:
    values.setdefault("purpose", "services")
    values.setdefault("method", "verbal")
    return consent_give(actor=staff["caseworker"], case=case, **values)


# Recording --------------------------------------------------------------------------------------------------


def test_it_records_a_consent_with_timeline_and_audit(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case, method="signed", expires_on=TODAY() + timedelta(days=90))
    assert consent.created_by == staff["caseworker"] and consent.given_by == "survivor"
    assert consent.is_active()
    event = CaseEvent.objects.get(case=case, kind="consent_given")
    assert event.detail["purpose"] == "services" and event.detail["method"] == "signed"
    audit = AuditEvent.objects.get(object_type="cases.consent", action="create")
    assert {"purpose", "method", "expires_on"} <= set(audit.fields)


def test_a_sharing_consent_names_the_organisation_and_always_includes_the_minimum(
    staff: dict[str, Any], case: Any, shelter: Any
) -> None:
    consent = _give(
        staff, case, purpose="sharing", recipient=shelter, shared_information=["contact", "names"]
    )
    assert consent.recipient == shelter
    assert consent.shared_information == ["code_and_needs", "names", "contact"]
    assert CaseEvent.objects.get(kind="consent_given").detail["recipient"] == shelter.pk


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"purpose": "marketing"}, "unknown code(s) marketing"),
        ({"method": "telepathy"}, "unknown code(s) telepathy"),
        ({"given_by": "neighbour"}, "unknown code(s) neighbour"),
        ({"purpose": "sharing"}, "Name the organisation"),
        ({"purpose": "sharing", "recipient": "own"}, "Name another organisation"),
        (
            {"purpose": "sharing", "recipient": "shelter", "shared_information": ["dna"]},
            "unknown code(s) dna",
        ),
        ({"recipient": "shelter"}, "Only a consent to share names an organisation"),
        ({"shared_information": ["names"]}, "Only a consent to share names an organisation"),
        ({"given_by": "guardian"}, "name of the parent or guardian"),
        ({"given_by": "best_interest", "best_interest_reason": "x"}, "applies to a child only"),
        ({"expires_on": "yesterday"}, "already passed"),
        ({"given_at": "tomorrow"}, "cannot be given in the future"),
        ({"given_by": "guardian", "guardian_name": "x" * 201}, "too long"),
    ],
)
def test_it_refuses_bad_consents_with_a_clear_message_and_stores_nothing(
    staff: dict[str, Any], case: Any, shelter: Any, values: dict[str, Any], message: str
) -> None:
    if values.get("recipient") == "own":
        values["recipient"] = staff["caseworker"].organisation
    elif values.get("recipient") == "shelter":
        values["recipient"] = shelter
    if values.get("expires_on") == "yesterday":
        values["expires_on"] = TODAY() - timedelta(days=1)
    if values.get("given_at") == "tomorrow":
        values["given_at"] = timezone.now() + timedelta(days=1)
    with pytest.raises(BusinessRuleError) as refused:
        _give(staff, case, **values)
    assert message in str(refused.value.message)
    assert not Consent.objects.exists() and not CaseEvent.objects.filter(kind="consent_given").exists()


def test_an_inactive_organisation_cannot_be_named(staff: dict[str, Any], case: Any, shelter: Any) -> None:
    type(shelter).objects.filter(pk=shelter.pk).update(is_active=False)
    shelter.refresh_from_db()
    with pytest.raises(BusinessRuleError, match="no longer active"):
        _give(staff, case, purpose="sharing", recipient=shelter)


def test_a_child_cannot_consent_alone(staff: dict[str, Any], child_case: Any) -> None:
    with pytest.raises(BusinessRuleError, match="She is a child"):
        _give(staff, child_case)
    assert not Consent.objects.exists()


def test_a_childs_guardian_consents_and_the_name_is_encrypted(staff: dict[str, Any], child_case: Any) -> None:
    consent = _give(staff, child_case, given_by="guardian", guardian_name="Khadija Bennani")
    with connection.cursor() as cursor:
        cursor.execute("SELECT guardian_name FROM cases_consent WHERE id = %s", [consent.pk])
        (raw,) = cursor.fetchone()
    assert "Khadija" not in raw
    assert Consent.objects.get(pk=consent.pk).guardian_name == "Khadija Bennani"
    assert "Khadija" not in str(CaseEvent.objects.get(kind="consent_given").detail)


def test_a_best_interest_decision_needs_its_reason(staff: dict[str, Any], child_case: Any) -> None:
    with pytest.raises(BusinessRuleError, match="reason for the best-interest decision"):
        _give(staff, child_case, given_by="best_interest")
    consent = _give(
        staff, child_case, given_by="best_interest", best_interest_reason="Parents are the abusers."
    )
    assert consent.given_by == "best_interest" and consent.guardian_name == ""


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_only_those_working_on_the_case_record_consent(staff: dict[str, Any], case: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        consent_give(actor=staff[role], case=case, purpose="services", method="verbal")
    assert not Consent.objects.exists()


# Withdrawal -------------------------------------------------------------------------------------------------


def test_a_withdrawal_takes_effect_at_once_with_timeline_and_audit(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case)
    assert active_consent(case, "services") == consent
    consent_withdraw(actor=staff["colleague"], consent=consent, note="Elle a changé d'avis.")
    assert active_consent(case, "services") is None
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.withdrawn_by == staff["colleague"] and stored.withdrawn_at is not None
    assert stored.withdrawal_note == "Elle a changé d'avis."
    assert CaseEvent.objects.filter(case=case, kind="consent_withdrawn").count() == 1
    audit = AuditEvent.objects.get(object_type="cases.consent", action="update")
    assert set(audit.fields) == {"withdrawn_at", "withdrawn_by", "withdrawal_note"}
    with pytest.raises(BusinessRuleError, match=r"Her consent to receive services .* was withdrawn on"):
        consent_require(case, "services")


def test_a_consent_is_withdrawn_only_once(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case)
    consent_withdraw(actor=staff["caseworker"], consent=consent)
    with pytest.raises(BusinessRuleError, match="already withdrawn"):
        consent_withdraw(actor=staff["caseworker"], consent=Consent.objects.get(pk=consent.pk))
    assert CaseEvent.objects.filter(kind="consent_withdrawn").count() == 1


def test_a_withdrawal_is_honoured_on_a_closed_case_but_not_by_outsiders(
    staff: dict[str, Any], case: Any
) -> None:
    consent = _give(staff, case)
    type(case).objects.filter(pk=case.pk).update(status="closed")
    consent = Consent.objects.select_related("case").get(pk=consent.pk)
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=staff["outsider"], consent=consent)
    consent_withdraw(actor=staff["caseworker"], consent=consent)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


# The guard --------------------------------------------------------------------------------------------------


def test_the_guard_returns_the_consent_in_force(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case, expires_on=TODAY())
    assert consent_require(case, "services") == consent  # the expiry day itself is still covered


def test_the_guard_refuses_without_any_consent(case: Any) -> None:
    with pytest.raises(BusinessRuleError, match="There is no consent to receive services"):
        consent_require(case, "services")
    with pytest.raises(BusinessRuleError, match="There is no consent to be counted"):
        consent_require(case, "statistics")


def test_the_guard_refuses_an_expired_consent_naming_the_day(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case, expires_on=TODAY() + timedelta(days=1))
    Consent.objects.filter(pk=consent.pk).update(expires_on=TODAY() - timedelta(days=1))
    with pytest.raises(BusinessRuleError, match="expired on"):
        consent_require(case, "services")


def test_a_consent_for_one_purpose_does_not_cover_another(staff: dict[str, Any], case: Any) -> None:
    _give(staff, case, purpose="services")
    with pytest.raises(BusinessRuleError, match="no consent to be counted in de-identified statistics"):
        consent_require(case, "statistics")


def test_a_new_consent_after_a_withdrawal_covers_again(staff: dict[str, Any], case: Any) -> None:
    consent_withdraw(actor=staff["caseworker"], consent=_give(staff, case))
    again = _give(staff, case, method="written")
    assert consent_require(case, "services") == again


def test_sharing_without_any_sharing_consent_is_refused(
    staff: dict[str, Any], case: Any, shelter: Any
) -> None:
    _give(staff, case)
    with pytest.raises(BusinessRuleError, match="has not consented to share"):
        consent_require(case, "sharing", recipient=shelter)


def test_sharing_with_an_organisation_not_named_is_refused(
    staff: dict[str, Any], case: Any, shelter: Any
) -> None:
    _give(staff, case, purpose="sharing", recipient=shelter)
    ngo = make_organisation(name="Association Annajda", kind="ngo", sector="civil_society")
    with pytest.raises(BusinessRuleError, match="does not name Association Annajda"):
        consent_require(case, "sharing", recipient=ngo)
    assert consent_require(case, "sharing", recipient=shelter).recipient == shelter


def test_sharing_needs_the_organisation(case: Any) -> None:
    with pytest.raises(BusinessRuleError, match="Name the organisation"):
        consent_require(case, "sharing")


def test_sharing_information_not_covered_is_refused_naming_it(
    staff: dict[str, Any], case: Any, shelter: Any
) -> None:
    _give(staff, case, purpose="sharing", recipient=shelter, shared_information=["profile"])
    assert consent_require(case, "sharing", recipient=shelter, information=["code_and_needs", "profile"])
    with pytest.raises(BusinessRuleError) as refused:
        consent_require(case, "sharing", recipient=shelter, information=["profile", "names", "contact"])
    message = str(refused.value.message)
    assert "does not cover" in message and "names" in message and "contact details" in message
    assert "age group" not in message  # profile is covered
    with pytest.raises(BusinessRuleError, match="unknown code"):
        consent_require(case, "sharing", recipient=shelter, information=["horoscope"])


def test_two_consents_to_the_same_organisation_add_up(staff: dict[str, Any], case: Any, shelter: Any) -> None:
    _give(staff, case, purpose="sharing", recipient=shelter, shared_information=["names"])
    _give(staff, case, purpose="sharing", recipient=shelter, shared_information=["contact"])
    assert consent_require(case, "sharing", recipient=shelter, information=["names", "contact"])


def test_a_withdrawn_sharing_consent_ends_the_sharing(staff: dict[str, Any], case: Any, shelter: Any) -> None:
    consent = _give(staff, case, purpose="sharing", recipient=shelter, shared_information=["names"])
    consent_withdraw(actor=staff["caseworker"], consent=consent)
    with pytest.raises(BusinessRuleError, match="was withdrawn on"):
        consent_require(case, "sharing", recipient=shelter)


def test_active_consent_on_a_past_day(staff: dict[str, Any], case: Any) -> None:
    consent = _give(staff, case, given_at=timezone.now() - timedelta(days=10))
    consent_withdraw(actor=staff["caseworker"], consent=consent)
    assert active_consent(case, "services", on=TODAY() - timedelta(days=5)) == consent
    assert active_consent(case, "services", on=TODAY() - timedelta(days=20)) is None  # not given yet
    assert active_consent(case, "services") is None


# The intake step --------------------------------------------------------------------------------------------


def test_the_intake_consent_step_records_services_and_statistics_and_moves_on(
    staff: dict[str, Any], case: Any
) -> None:
    assert case.intake_step == "consent"
    given = consents.intake_consents_record(
        actor=staff["caseworker"], case=case, method="verbal", statistics=True
    )
    assert sorted(c.purpose for c in given) == ["services", "statistics"]
    case.refresh_from_db()
    assert case.intake_step == "incident"


def test_the_intake_step_only_moves_forward(staff: dict[str, Any], case: Any) -> None:
    assert case_services.intake_set_step(actor=staff["caseworker"], case=case, step="needs")
    assert not case_services.intake_set_step(actor=staff["caseworker"], case=case, step="incident")
    case.refresh_from_db()
    assert case.intake_step == "needs"


def test_a_refused_intake_consent_stores_nothing_and_stays_on_the_step(
    staff: dict[str, Any], child_case: Any
) -> None:
    with pytest.raises(BusinessRuleError):
        consents.intake_consents_record(
            actor=staff["caseworker"], case=child_case, method="verbal", statistics=True
        )
    child_case.refresh_from_db()
    assert child_case.intake_step == "consent" and not Consent.objects.exists()
