"""Directory reads for staff: filters, stale list, proposal queue, capacity freshness, what each audience sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from himaya.directory import queries, services
from himaya.directory.models import CapacityRecord, ServiceStatus
from himaya.directory.visibility import Audience
from tests.directory.factories import make_location, make_service

pytestmark = pytest.mark.django_db


def test_service_list_filters_and_sorts(people: dict[str, Any], org: Any, other_org: Any) -> None:
    shelter = make_service(
        organisation=org,
        name="Hebergement Nour",
        needs=("emergency_shelter",),
        location=make_location(organisation=org, city="tanger"),
    )
    listening = make_service(organisation=other_org, name="Amal ecoute", status=ServiceStatus.INACTIVE)
    viewer = people["outsider"]
    assert list(queries.service_list(viewer=viewer, q="nour")) == [shelter]
    assert list(queries.service_list(viewer=viewer, need="emergency_shelter")) == [shelter]
    assert list(queries.service_list(viewer=viewer, status="inactive")) == [listening]
    assert list(queries.service_list(viewer=viewer, organisation=other_org.pk)) == [listening]
    province = shelter.locations.get().province.code
    assert shelter in queries.service_list(viewer=viewer, province=province)
    assert [s.name for s in queries.service_list(viewer=viewer, sort="-name")] == [
        "Hebergement Nour",
        "Amal ecoute",
    ]
    services.service_verify(actor=people["editor"], service=shelter, method="phone")
    assert list(queries.service_list(viewer=viewer, verification="verified")) == [shelter]
    assert list(queries.service_list(viewer=viewer, verification="never")) == [listening]


def test_stale_services_lists_never_verified_first_then_overdue(people: dict[str, Any], org: Any) -> None:
    today = timezone.localdate()
    never = make_service(organisation=org, name="B never")
    overdue = make_service(
        organisation=org,
        name="A overdue",
        verified_at=timezone.now() - timedelta(days=200),
        verification_due=today - timedelta(days=20),
    )
    more_overdue = make_service(
        organisation=org,
        name="C overdue",
        verified_at=timezone.now() - timedelta(days=300),
        verification_due=today - timedelta(days=120),
    )
    make_service(organisation=org, verified_at=timezone.now(), verification_due=today + timedelta(days=10))
    make_service(organisation=org, status=ServiceStatus.DEFUNCT)  # out of the directory: nothing to verify
    stale = list(queries.stale_services(viewer=people["editor"]))
    assert stale == [never, more_overdue, overdue]
    assert queries.stale_count(viewer=people["editor"]) == 3
    with pytest.raises(PermissionDenied):
        queries.stale_services(viewer=people["member"])


def test_proposal_queue_and_visibility_of_proposals(people: dict[str, Any], org: Any) -> None:
    service = make_service(organisation=org)
    proposal = services.proposal_submit(
        actor=people["member"], service=service, changes={"wait_time": "1 jour"}
    )
    assert list(queries.proposal_queue(viewer=people["editor"])) == [proposal]
    with pytest.raises(PermissionDenied):
        queries.proposal_queue(viewer=people["member"])
    assert queries.proposal_get(viewer=people["member"], pk=proposal.pk) == proposal
    assert queries.proposal_get(viewer=people["editor"], pk=proposal.pk) == proposal
    with pytest.raises(Http404):
        queries.proposal_get(viewer=people["outsider"], pk=proposal.pk)
    assert not queries.service_proposals(viewer=people["outsider"], service=service).exists()
    assert list(queries.my_proposals(viewer=people["member"], pending_only=True)) == [proposal]
    assert list(queries.my_proposals(viewer=people["outsider"])) == []


def test_diff_marks_fields_changed_since_the_proposal(people: dict[str, Any], org: Any) -> None:
    service = make_service(organisation=org, description="Avant")
    proposal = services.proposal_submit(
        actor=people["member"],
        service=service,
        changes={"description": "Après", "eligible_sexes": ["female"]},
    )
    services.service_update(actor=people["editor"], service=service, expected_version=1, description="Autre")
    proposal.refresh_from_db()
    rows = {row.name: row for row in queries.proposal_diff(proposal)}
    assert (rows["description"].old_text, rows["description"].new_text) == ("Avant", "Après")
    assert rows["description"].changed_since and rows["description"].current_text == "Autre"
    assert not rows["eligible_sexes"].changed_since
    assert rows["eligible_sexes"].new_text == "Women and girls"


def test_capacity_older_than_48_hours_is_unknown(people: dict[str, Any], org: Any) -> None:
    service = make_service(organisation=org, needs=("emergency_shelter",))
    assert queries.shows_capacity(service)
    assert not queries.shows_capacity(make_service(organisation=org, needs=("legal_aid",)))
    empty = queries.latest_capacity(viewer=people["outsider"], service=service)
    assert not empty.known and empty.as_of is None
    now = timezone.now()
    CapacityRecord.objects.create(service=service, places=12, vacancies=4, as_of=now - timedelta(hours=47))
    fresh = queries.latest_capacity(viewer=people["outsider"], service=service, now=now)
    assert fresh.known and (fresh.vacancies, fresh.places) == (4, 12)
    later = queries.latest_capacity(viewer=people["outsider"], service=service, now=now + timedelta(hours=2))
    assert not later.known and later.vacancies is None and later.as_of is not None
    assert queries.capacity_to_update(viewer=people["member"], now=now + timedelta(hours=2)) == [service]
    assert queries.capacity_to_update(viewer=people["member"], now=now) == []


def test_confidential_location_hidden_from_the_network_visible_to_own_organisation_and_editors(
    people: dict[str, Any], org: Any
) -> None:
    shelter = make_location(
        organisation=org, address_1="7 impasse cachée", is_confidential=True, front_door_phone="0522000000"
    )
    service = make_service(organisation=org, location=shelter, field_visibility={"email": "restricted"})
    service.email = "refuge@example.org"
    service.save()

    network = queries.service_view(viewer=people["outsider"], service=service)
    assert network["audience"] == Audience.NETWORK
    [place] = network["locations"]
    assert place["address_1"] == "" and place["latitude"] is None
    assert place["front_door_phone"] == "0522000000"
    email = next(field for field in network["fields"] if field.name == "email")
    assert not email.visible and email.value == ""

    for who in ("member", "editor"):
        view = queries.service_view(viewer=people[who], service=service)
        assert view["audience"] == Audience.RESTRICTED
        assert view["locations"][0]["address_1"] == "7 impasse cachée"
        assert view["locations"][0]["latitude"] is not None
        assert next(f for f in view["fields"] if f.name == "email").value == "refuge@example.org"


def test_history_hides_values_of_fields_the_viewer_may_not_see(people: dict[str, Any], org: Any) -> None:
    service = make_service(organisation=org, field_visibility={"licenses": "restricted"})
    services.service_update(
        actor=people["editor"],
        service=service,
        expected_version=1,
        licenses="Agrément 12/2024",
        wait_time="1 h",
    )
    outsider_rows = queries.service_history(viewer=people["outsider"], service=service)[0].changes
    member_rows = queries.service_history(viewer=people["member"], service=service)[0].changes
    assert ("licences", "…", "…") in outsider_rows
    assert ("licences", "", "Agrément 12/2024") in member_rows
    assert ("waiting time", "", "1 h") in outsider_rows
