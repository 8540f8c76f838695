"""Directory write services: editing, verification, proposals, capacity, locations, hours."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import AuditEvent
from himaya.directory import services
from himaya.directory.models import (
    CapacityRecord,
    ChangeProposal,
    Location,
    Service,
    ServiceHistory,
    ServiceStatus,
    Verification,
)
from himaya.directory.services import Opening, ServiceConflict
from tests.directory.factories import make_location, make_service, term
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(org: Any) -> Service:
    return make_service(organisation=org, name="Cellule d'écoute", description="Accueil.")


# Creating and editing -------------------------------------------------------------------------------------------


def test_editor_creates_a_service_with_history_and_audit(people: dict[str, Any], org: Any) -> None:
    before = AuditEvent.objects.count()
    service = services.service_create(
        actor=people["editor"],
        organisation=org,
        name="  Hébergement d'urgence  ",
        description="Nuit et jour.",
        terms=[term("emergency_shelter")],
        field_visibility={"email": "network", "description": "public"},
    )
    service.refresh_from_db()
    assert service.name == "Hébergement d'urgence"
    assert service.field_visibility == {"email": "network"}  # defaults are not stored
    assert list(service.terms.values_list("code", flat=True)) == ["emergency_shelter"]
    entry = service.history.get()
    assert entry.kind == ServiceHistory.Kind.CREATED
    assert entry.changes["name"] == [None, "Hébergement d'urgence"]
    assert AuditEvent.objects.count() == before + 1


def test_an_organisation_member_may_not_create_or_edit(
    people: dict[str, Any], org: Any, service: Service
) -> None:
    with pytest.raises(PermissionDenied):
        services.service_create(actor=people["member"], organisation=org, name="X")
    with pytest.raises(PermissionDenied):
        services.service_update(actor=people["member"], service=service, expected_version=1, name="Y")
    service.refresh_from_db()
    assert service.name == "Cellule d'écoute"


def test_update_records_old_and_new_values_and_bumps_the_version(
    people: dict[str, Any], service: Service
) -> None:
    services.service_update(
        actor=people["editor"],
        service=service,
        expected_version=1,
        description="Accueil et écoute.",
        minimum_age="18",
        eligible_sexes=["female"],
        terms=[term("reception"), term("women")],
        languages=["ary", "fr", "zgh"],
    )
    service.refresh_from_db()
    assert service.version == 2
    assert sorted(service.languages.values_list("code", flat=True)) == ["ary", "fr", "zgh"]
    assert service.minimum_age == 18
    entry = service.history.get(kind=ServiceHistory.Kind.EDITED)
    assert entry.changes["description"] == ["Accueil.", "Accueil et écoute."]
    assert entry.changes["minimum_age"] == [None, 18]
    assert entry.changes["eligible_sexes"] == [[], ["female"]]
    assert entry.changes["languages"] == [["ar", "fr"], ["ary", "fr", "zgh"]]
    assert entry.changes["terms"] == [
        ["himaya-needs:reception"],
        ["himaya-needs:reception", "himaya-populations:women"],
    ]


def test_a_stale_edit_is_refused_and_names_what_changed(people: dict[str, Any], service: Service) -> None:
    services.service_update(actor=people["editor"], service=service, expected_version=1, wait_time="2 jours")
    with pytest.raises(ConflictError) as caught:
        services.service_update(
            actor=people["admin"], service=service, expected_version=1, description="Écrasée ?"
        )
    assert isinstance(caught.value, ServiceConflict)
    assert caught.value.changes == {"wait_time": ["", "2 jours"]}
    assert "waiting time" in str(caught.value.message)
    service.refresh_from_db()
    assert service.description == "Accueil." and service.version == 2


def test_an_edit_that_changes_nothing_keeps_the_version(people: dict[str, Any], service: Service) -> None:
    services.service_update(
        actor=people["editor"], service=service, expected_version=1, name="Cellule d'écoute"
    )
    service.refresh_from_db()
    assert service.version == 1 and not service.history.exists()


def test_invalid_values_are_refused_with_a_message(people: dict[str, Any], service: Service) -> None:
    with pytest.raises(BusinessRuleError):
        services.service_update(
            actor=people["editor"], service=service, expected_version=1, minimum_age=30, maximum_age=18
        )
    with pytest.raises(BusinessRuleError, match="language"):
        services.service_update(actor=people["editor"], service=service, expected_version=1, languages=["xx"])
    with pytest.raises(BusinessRuleError, match="visibility"):
        services.service_update(
            actor=people["editor"], service=service, expected_version=1, field_visibility={"email": "secret"}
        )
    service.refresh_from_db()
    assert service.version == 1


def test_status_and_alert(people: dict[str, Any], service: Service) -> None:
    services.service_set_status(
        actor=people["editor"], service=service, status=ServiceStatus.NOT_ACCEPTING, note="Complet"
    )
    service.refresh_from_db()
    assert service.status == ServiceStatus.NOT_ACCEPTING and not service.accepts_referrals
    assert service.history.get(kind=ServiceHistory.Kind.STATUS).changes["status"] == [
        "active",
        "active_not_accepting",
    ]
    with pytest.raises(BusinessRuleError):
        services.service_set_status(actor=people["editor"], service=service, status="closed-forever")

    today = timezone.localdate()
    with pytest.raises(BusinessRuleError, match="end date"):
        services.service_set_alert(actor=people["editor"], service=service, alert="Fermé", alert_until=None)
    services.service_set_alert(
        actor=people["editor"],
        service=service,
        alert="Fermé pendant l'Aïd",
        alert_until=today + timedelta(days=3),
    )
    service.refresh_from_db()
    assert service.current_alert() == "Fermé pendant l'Aïd"
    assert service.current_alert(today + timedelta(days=4)) == ""
    services.service_set_alert(actor=people["editor"], service=service, alert="", alert_until=None)
    service.refresh_from_db()
    assert service.alert == "" and service.alert_until is None


# Verification ---------------------------------------------------------------------------------------------------


def test_an_editor_verifies_without_editing(people: dict[str, Any], service: Service) -> None:
    assert service.is_stale()
    services.service_verify(
        actor=people["editor"], service=service, method="phone", note="Appel à la cellule"
    )
    service.refresh_from_db()
    today = timezone.localdate()
    assert service.verified_by == people["editor"]
    assert service.verification_method == "phone"
    assert service.verification_due == today + timedelta(days=180)
    assert service.version == 1  # verification is not editing
    assert not service.is_stale()
    verification = Verification.objects.get(service=service)
    assert verification.note == "Appel à la cellule"
    assert service.history.get().kind == ServiceHistory.Kind.VERIFIED


def test_only_directory_editors_verify(people: dict[str, Any], service: Service) -> None:
    for who in ("member", "admin", "analyst"):
        with pytest.raises(PermissionDenied):
            services.service_verify(actor=people[who], service=service, method="phone")
    assert not Verification.objects.exists()


def test_a_due_date_in_the_past_is_refused(people: dict[str, Any], service: Service) -> None:
    with pytest.raises(BusinessRuleError):
        services.service_verify(
            actor=people["editor"],
            service=service,
            method="visit",
            due=timezone.localdate() - timedelta(days=1),
        )
    with pytest.raises(BusinessRuleError):
        services.service_verify(actor=people["editor"], service=service, method="carrier pigeon")
    assert not Verification.objects.exists()


# Proposals ------------------------------------------------------------------------------------------------------


def test_a_member_proposes_and_an_editor_approves_the_diff(people: dict[str, Any], service: Service) -> None:
    proposal = services.proposal_submit(
        actor=people["member"],
        service=service,
        changes={"description": "Accueil 24 h sur 24.", "wait_time": "Immédiat", "name": "Cellule d'écoute"},
        comment="Nouveaux horaires",
    )
    assert proposal.changes == {
        "description": "Accueil 24 h sur 24.",
        "wait_time": "Immédiat",
    }  # no-op dropped
    assert proposal.base == {"description": "Accueil.", "wait_time": ""}
    assert proposal.base_version == 1

    services.proposal_approve(actor=people["editor"], proposal=proposal, comment="Confirmé par téléphone")
    service.refresh_from_db()
    proposal.refresh_from_db()
    assert service.description == "Accueil 24 h sur 24." and service.wait_time == "Immédiat"
    assert service.version == 2
    assert proposal.status == ChangeProposal.Status.APPROVED and proposal.reviewed_by == people["editor"]
    entry = service.history.get(kind=ServiceHistory.Kind.PROPOSAL_APPROVED)
    assert entry.changes["description"] == ["Accueil.", "Accueil 24 h sur 24."]
    assert entry.note == "Confirmé par téléphone"
    with pytest.raises(BusinessRuleError, match="already handled"):
        services.proposal_approve(actor=people["editor"], proposal=proposal)


def test_empty_no_op_and_foreign_proposals_are_refused(people: dict[str, Any], service: Service) -> None:
    with pytest.raises(BusinessRuleError, match="empty"):
        services.proposal_submit(actor=people["member"], service=service, changes={})
    with pytest.raises(BusinessRuleError, match="Nothing to propose"):
        services.proposal_submit(
            actor=people["member"], service=service, changes={"description": "Accueil. "}
        )
    with pytest.raises(BusinessRuleError, match="cannot be changed"):
        services.proposal_submit(
            actor=people["member"], service=service, changes={"verified_at": "2020-01-01"}
        )
    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=people["outsider"], service=service, changes={"description": "Pirate"})
    assert not ChangeProposal.objects.exists()


def test_approval_is_refused_when_the_service_changed_on_a_proposed_field(
    people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"description": "A"})
    services.service_update(actor=people["editor"], service=service, expected_version=1, description="B")
    with pytest.raises(BusinessRuleError, match="changed since"):
        services.proposal_approve(actor=people["editor"], proposal=proposal)
    service.refresh_from_db()
    proposal.refresh_from_db()
    assert service.description == "B" and proposal.status == ChangeProposal.Status.PENDING


def test_approval_applies_when_other_fields_changed_meanwhile(
    people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"description": "A"})
    services.service_update(actor=people["editor"], service=service, expected_version=1, wait_time="1 jour")
    services.proposal_approve(actor=people["editor"], proposal=proposal)
    service.refresh_from_db()
    assert (service.description, service.wait_time, service.version) == ("A", "1 jour", 3)


def test_reject_needs_a_comment_and_withdraw_is_for_the_proposer(
    people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"description": "A"})
    with pytest.raises(BusinessRuleError, match="why"):
        services.proposal_reject(actor=people["editor"], proposal=proposal, comment="   ")
    with pytest.raises(PermissionDenied):
        services.proposal_reject(actor=people["member"], proposal=proposal, comment="Non")
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(actor=people["colleague"], proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING
    services.proposal_reject(actor=people["editor"], proposal=proposal, comment="Non confirmé")
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.REJECTED and proposal.review_comment == "Non confirmé"
    service.refresh_from_db()
    assert service.description == "Accueil."

    second = services.proposal_submit(actor=people["member"], service=service, changes={"wait_time": "1 h"})
    services.proposal_withdraw(actor=people["member"], proposal=second)
    second.refresh_from_db()
    assert second.status == ChangeProposal.Status.WITHDRAWN


def test_only_directory_editors_review(people: dict[str, Any], service: Service) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"description": "A"})
    for who in ("admin", "colleague", "outsider"):
        with pytest.raises(PermissionDenied):
            services.proposal_approve(actor=people[who], proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING


# Capacity -------------------------------------------------------------------------------------------------------


def test_capacity_by_members_or_editors(people: dict[str, Any], service: Service) -> None:
    record = services.capacity_record(actor=people["member"], service=service, places=20, vacancies=3)
    assert record.recorded_by == people["member"]
    services.capacity_record(actor=people["editor"], service=service, places=20, vacancies=2)
    with pytest.raises(PermissionDenied):
        services.capacity_record(actor=people["outsider"], service=service, places=20, vacancies=1)
    assert CapacityRecord.objects.filter(service=service).count() == 2
    assert service.history.filter(kind=ServiceHistory.Kind.CAPACITY).count() == 2


def test_more_vacancies_than_places_is_refused(people: dict[str, Any], service: Service) -> None:
    with pytest.raises(BusinessRuleError, match="more vacancies"):
        services.capacity_record(actor=people["member"], service=service, places=5, vacancies=6)
    with pytest.raises(BusinessRuleError):
        services.capacity_record(actor=people["member"], service=service, places=-1, vacancies=0)
    with pytest.raises(BusinessRuleError, match="future"):
        services.capacity_record(
            actor=people["member"],
            service=service,
            places=5,
            vacancies=1,
            as_of=timezone.now() + timedelta(hours=2),
        )
    assert not CapacityRecord.objects.exists()


# Locations and hours --------------------------------------------------------------------------------------------


def test_location_with_implausible_coordinates_is_refused(people: dict[str, Any], org: Any) -> None:
    with pytest.raises(BusinessRuleError, match="not in Morocco"):
        services.location_create(
            actor=people["editor"],
            organisation=org,
            name="Lieu",
            latitude=Decimal("-5.8"),
            longitude=Decimal("35.7"),
        )
    with pytest.raises(BusinessRuleError, match="both"):
        services.location_create(
            actor=people["editor"], organisation=org, name="Lieu", latitude=Decimal("35.7")
        )
    assert not Location.objects.filter(organisation=org).exists()


def test_confidential_location_needs_a_front_door(people: dict[str, Any], org: Any, service: Service) -> None:
    with pytest.raises(BusinessRuleError, match="front-door"):
        services.location_create(
            actor=people["editor"], organisation=org, service=service, name="Refuge", is_confidential=True
        )
    location = services.location_create(
        actor=people["editor"],
        organisation=org,
        service=service,
        name="Refuge",
        address_1="12 rue secrète",
        latitude=Decimal("35.76"),
        longitude=Decimal("-5.83"),
        is_confidential=True,
        front_door_phone="0539000000",
    )
    assert list(service.locations.all()) == [location]
    services.location_update(actor=people["editor"], location=location, address_1="14 rue secrète")
    entry = service.history.filter(changes__has_key="location.address_1").get()
    assert entry.changes["location.address_1"] == ["…", "…"]  # the address stays out of the history
    with pytest.raises(PermissionDenied):
        services.location_update(actor=people["member"], location=location, address_1="Ailleurs")


def test_weekly_hours_are_replaced(people: dict[str, Any], org: Any) -> None:
    service = make_service(organisation=org, hours=(("MO", time(8), time(12)),))
    services.schedule_set(
        actor=people["editor"],
        service=service,
        openings=[Opening("TU", time(9), time(17)), Opening("MO", time(8, 30), time(16, 30))],
    )
    assert [str(row) for row in service.schedules.all()] == ["MO 08:30-16:30", "TU 09:00-17:00"]
    assert service.history.get().changes["schedules"] == [
        ["MO 08:00-12:00"],
        ["MO 08:30-16:30", "TU 09:00-17:00"],
    ]
    with pytest.raises(BusinessRuleError):
        services.schedule_set(
            actor=people["editor"], service=service, openings=[Opening("XX", time(9), time(17))]
        )
    with pytest.raises(PermissionDenied):
        services.schedule_set(actor=people["member"], service=service, openings=[])


def test_other_organisations_services_are_not_touched(people: dict[str, Any], other_org: Any) -> None:
    foreign = make_service(organisation=make_organisation(), location=make_location())
    with pytest.raises(PermissionDenied):
        services.capacity_record(actor=people["member"], service=foreign, places=3, vacancies=1)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=people["member"], service=foreign, changes={"description": "X"})
