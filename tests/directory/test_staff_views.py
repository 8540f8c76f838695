"""Staff pages of the directory: status codes, database state after the request, who may and may not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from himaya.directory import services
from himaya.directory.models import (
    CapacityRecord,
    ChangeProposal,
    Location,
    Phone,
    Service,
    ServiceHistory,
    ServiceStatus,
    Verification,
)
from tests.directory.factories import make_location, make_service, term

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(org: Any) -> Service:
    return make_service(
        organisation=org,
        name="Centre Amal",
        description="Accueil.",
        needs=("emergency_shelter",),
        location=make_location(organisation=org),
    )


def url(service: Service, action: str = "") -> str:
    return f"/en/directory/{service.pk}/{action + '/' if action else ''}"


# Lists and detail -----------------------------------------------------------------------------------------------


def test_list_shows_services_and_an_empty_state(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["outsider"])
    response = client.get("/en/directory/")
    assert response.status_code == 200
    assert "Centre Amal" in response.content.decode()
    response = client.get("/en/directory/", {"q": "introuvable"})
    assert response.status_code == 200
    assert "No service matches these filters" in response.content.decode()
    assert client.get("/en/directory/", {"page": "abc", "sort": "nonsense", "status": "x"}).status_code == 200


def test_detail_shows_sections_and_capacity_unknown(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    CapacityRecord.objects.create(
        service=service, places=10, vacancies=2, as_of=timezone.now() - timedelta(hours=50)
    )
    response = client_for(people["outsider"]).get(url(service))
    assert response.status_code == 200
    page = response.content.decode()
    for section in ('id="details"', 'id="locations"', 'id="hours"', 'id="capacity"', 'id="verification"'):
        assert section in page
    assert "Vacancies: unknown" in page
    assert "/edit/" not in page  # no editing link for a network reader


def test_unknown_service_is_a_404(client_for: Any, people: dict[str, Any]) -> None:
    response = client_for(people["member"]).get("/en/directory/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_hostile_names_are_shown_escaped(client_for: Any, people: dict[str, Any], org: Any) -> None:
    client = client_for(people["editor"])
    response = client.post(
        "/en/directory/new/",
        {
            "organisation": org.pk,
            "name": "<script>alert(1)</script>\u202eevil",
            "name_ar": "مركز\u202e",
            "terms": [term("reception").pk],
            **_default_visibility(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Service.objects.get(organisation=org)
    assert created.name == "<script>alert(1)</script>evil"  # the override character is dropped
    assert created.name_ar == "مركز"
    page = client.get(url(created)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    listing = client.get("/en/directory/").content.decode()
    assert "&lt;script&gt;" in listing and "<script>alert(1)" not in listing


def _default_visibility() -> dict[str, str]:
    from himaya.directory.visibility import CONFIGURABLE_FIELDS

    return {f"visibility_{name}": str(level) for name, level in CONFIGURABLE_FIELDS.items()}


# Editing --------------------------------------------------------------------------------------------------------


def test_editor_edits_and_a_stale_form_shows_the_conflict(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    form = {"name": "Centre Amal", "description": "Accueil et écoute.", "version": 1, **_default_visibility()}
    assert client.get(url(service, "edit")).status_code == 200
    response = client.post(url(service, "edit"), form)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.description == "Accueil et écoute." and service.version == 2

    stale = {**form, "description": "Autre chose", "version": 1}
    response = client.post(url(service, "edit"), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this service" in page
    assert "Accueil et écoute." in page  # what changed meanwhile
    service.refresh_from_db()
    assert service.description == "Accueil et écoute."


def test_a_member_may_not_edit(client_for: Any, people: dict[str, Any], service: Service) -> None:
    client = client_for(people["member"])
    response = client.post(url(service, "edit"), {"name": "Pirate", "version": 1, **_default_visibility()})
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.name == "Centre Amal"


def test_status_alert_and_hours(client_for: Any, people: dict[str, Any], service: Service) -> None:
    client = client_for(people["editor"])
    assert client.post(url(service, "status"), {"status": "active_not_accepting"}).status_code == 302
    until = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert (
        client.post(url(service, "alert"), {"alert": "Fermé samedi", "alert_until": until}).status_code == 302
    )
    hours = {"MO_opens": "08:30", "MO_closes": "16:30", "SA_opens": "09:00", "SA_closes": ""}
    response = client.post(url(service, "hours"), hours)
    assert response.status_code == 200
    assert "Give both times" in response.content.decode()
    hours["SA_closes"] = "12:00"
    assert client.post(url(service, "hours"), hours).status_code == 302
    service.refresh_from_db()
    assert service.status == ServiceStatus.NOT_ACCEPTING
    assert service.current_alert() == "Fermé samedi"
    assert [str(row) for row in service.schedules.all()] == ["MO 08:30-16:30", "SA 09:00-12:00"]
    page = client.get(url(service)).content.decode()
    assert "Fermé samedi" in page and "does not accept referrals" in page


def test_location_with_implausible_coordinates_shows_a_clear_message(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    form = {
        "location_type": "physical",
        "name": "Antenne",
        "latitude": "-6.8",
        "longitude": "34.0",
        "country": "MA",
    }
    response = client.post(url(service, "locations/new"), form)
    assert response.status_code == 200
    assert "not in Morocco" in response.content.decode()
    assert not Location.objects.filter(name="Antenne").exists()
    form.update(latitude="34.0", longitude="-6.8", is_confidential="on", front_door_phone="0537000000")
    assert client.post(url(service, "locations/new"), form).status_code == 302
    location = Location.objects.get(name="Antenne")
    assert location.is_confidential and service.locations.filter(pk=location.pk).exists()
    edit = client.post(f"/en/directory/locations/{location.pk}/edit/", {**form, "name": "Antenne Rabat"})
    assert edit.status_code == 302
    location.refresh_from_db()
    assert location.name == "Antenne Rabat"


def test_confidential_address_not_shown_to_another_organisation(
    client_for: Any, people: dict[str, Any], org: Any
) -> None:
    shelter = make_location(
        organisation=org, address_1="9 impasse des Roses", is_confidential=True, front_door_phone="0522111111"
    )
    service = make_service(organisation=org, location=shelter)
    outsider_page = client_for(people["outsider"]).get(url(service)).content.decode()
    assert "9 impasse des Roses" not in outsider_page and "0522111111" in outsider_page
    member_page = client_for(people["member"]).get(url(service)).content.decode()
    assert "9 impasse des Roses" in member_page


# Verification and capacity --------------------------------------------------------------------------------------


def test_editor_verifies_from_the_stale_list(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    assert "Centre Amal" in client.get("/en/directory/stale/").content.decode()
    response = client.post(url(service, "verify"), {"method": "visit", "note": "Visite", "due": ""})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.verification_method == "visit"
    assert service.verification_due == timezone.localdate() + timedelta(days=180)
    assert "Every entry is verified" in client.get("/en/directory/stale/").content.decode()


def test_verify_refused_to_a_member_and_for_a_get_on_post_only_routes(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["member"])
    assert client.post(url(service, "verify"), {"method": "phone"}).status_code == 403
    assert not Verification.objects.exists()
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"wait_time": "1 h"})
    editor = client_for(people["editor"])
    assert editor.get(f"/en/directory/proposals/{proposal.pk}/approve/").status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING


def test_member_records_capacity_and_vacancies_above_places_are_refused(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["member"])
    response = client.post(url(service, "capacity"), {"places": "10", "vacancies": "12"})
    assert response.status_code == 200
    assert "more vacancies than places" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not CapacityRecord.objects.exists()
    assert client.post(url(service, "capacity"), {"places": "10", "vacancies": "3"}).status_code == 302
    record = CapacityRecord.objects.get(service=service)
    assert (record.places, record.vacancies, record.recorded_by) == (10, 3, people["member"])
    assert "3 vacancies out of 10 places" in client.get(url(service)).content.decode()


def test_another_organisation_may_not_record_capacity(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    response = client_for(people["outsider"]).post(
        url(service, "capacity"), {"places": "10", "vacancies": "3"}
    )
    assert response.status_code == 403
    assert not CapacityRecord.objects.exists()


# Proposals ------------------------------------------------------------------------------------------------------


def test_member_previews_then_submits_a_proposal(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["member"])
    page = client.get(url(service, "propose")).content.decode()
    assert 'value="Centre Amal"' in page  # pre-filled
    form = {"name": "Centre Amal", "description": "Accueil 24 h sur 24.", "comment": "Nouveaux horaires"}
    preview = client.post(url(service, "propose"), {**form, "preview": "1"})
    assert preview.status_code == 200
    assert "Accueil 24 h sur 24." in preview.content.decode() and "<del" in preview.content.decode()
    assert not ChangeProposal.objects.exists()
    response = client.post(url(service, "propose"), {**form, "submit": "1"})
    assert response.status_code == 302
    proposal = ChangeProposal.objects.get()
    assert proposal.changes == {"description": "Accueil 24 h sur 24."}
    assert proposal.proposed_by == people["member"]
    unchanged = client.post(
        url(service, "propose"), {"name": "Centre Amal", "description": "Accueil.", "submit": "1"}
    )
    assert unchanged.status_code == 200 and "Nothing to propose" in unchanged.content.decode()
    assert ChangeProposal.objects.count() == 1


def test_another_organisation_may_not_propose(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    response = client_for(people["outsider"]).post(
        url(service, "propose"), {"name": "Centre Amal", "description": "Piraté", "submit": "1"}
    )
    assert response.status_code == 403
    assert not ChangeProposal.objects.exists()


def test_editor_reviews_the_side_by_side_diff_and_approves(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(
        actor=people["member"], service=service, changes={"description": "Nouvelle description"}
    )
    client = client_for(people["editor"])
    assert (
        f"/en/directory/proposals/{proposal.pk}/" in client.get("/en/directory/proposals/").content.decode()
    )
    page = client.get(f"/en/directory/proposals/{proposal.pk}/").content.decode()
    assert "Accueil." in page and "Nouvelle description" in page and "Approve and apply" in page
    response = client.post(f"/en/directory/proposals/{proposal.pk}/approve/", {"comment": "OK"})
    assert response.status_code == 302
    service.refresh_from_db()
    proposal.refresh_from_db()
    assert service.description == "Nouvelle description"
    assert proposal.status == ChangeProposal.Status.APPROVED
    assert service.history.filter(kind=ServiceHistory.Kind.PROPOSAL_APPROVED).exists()


def test_reject_without_comment_is_refused_then_with_a_comment_the_member_sees_it(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"wait_time": "2 h"})
    editor = client_for(people["editor"])
    response = editor.post(f"/en/directory/proposals/{proposal.pk}/reject/", {"comment": ""}, follow=True)
    assert "Say why the proposal is rejected" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING
    editor.post(f"/en/directory/proposals/{proposal.pk}/reject/", {"comment": "Horaires non confirmés"})
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.REJECTED
    mine = client_for(people["member"]).get("/en/directory/mine/").content.decode()
    assert "Horaires non confirmés" in mine


def test_outsider_may_not_see_or_review_a_proposal(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    proposal = services.proposal_submit(actor=people["member"], service=service, changes={"wait_time": "2 h"})
    client = client_for(people["outsider"])
    assert client.get(f"/en/directory/proposals/{proposal.pk}/").status_code == 404
    assert client.post(f"/en/directory/proposals/{proposal.pk}/approve/").status_code == 404
    member = client_for(people["member"])
    assert member.post(f"/en/directory/proposals/{proposal.pk}/approve/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PENDING
    assert member.post(f"/en/directory/proposals/{proposal.pk}/withdraw/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.WITHDRAWN


# Home cards and menu --------------------------------------------------------------------------------------------


def test_home_cards_for_editors_and_members(
    client_for: Any, people: dict[str, Any], service: Service, settings: Any
) -> None:
    services.proposal_submit(actor=people["member"], service=service, changes={"wait_time": "2 h"})
    editor_home = client_for(people["editor"]).get("/en/home/").content.decode()
    assert "1 entry is due for verification." in editor_home
    assert "1 proposal from an organisation waits for your review." in editor_home
    member_home = client_for(people["member"]).get("/en/home/").content.decode()
    assert "Your organisation has 1 service in the directory." in member_home
    assert "1 proposed change is pending." in member_home
    assert "Update the vacancies of 1 shelter" in member_home


def test_menu_entries_follow_permissions(client_for: Any, people: dict[str, Any]) -> None:
    editor_page = client_for(people["editor"]).get("/en/directory/").content.decode()
    assert 'href="/en/directory/stale/"' in editor_page and 'href="/en/directory/proposals/"' in editor_page
    member_page = client_for(people["member"]).get("/en/directory/").content.decode()
    assert 'href="/en/directory/"' in member_page
    assert 'href="/en/directory/stale/"' not in member_page


# Telephone types ------------------------------------------------------------------------------------------------


def test_telephone_types_show_as_translated_labels(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    mobile = Phone.objects.create(service=service, number="0661 00 00 00", type="cell")
    Phone.objects.create(service=service, number="0522 00 00 01", type="fax")
    Phone.objects.create(service=service, number="0522 00 00 02", type="text")
    Phone.objects.create(service=service, number="0522 00 00 03", type="carrier-pigeon")  # imported as is
    client = client_for(people["editor"])
    page = client.get(url(service)).content.decode()
    assert "<td>mobile</td>" in page and "<td>fax</td>" in page and "<td>text messages</td>" in page
    assert "<td>cell</td>" not in page and "<td>text</td>" not in page
    assert "<td>carrier-pigeon</td>" in page
    assert "0661 00 00 00</bdi> · mobile" in page  # the details list too
    french = client.get(f"/fr/directory/{service.pk}/").content.decode()
    assert "<td>SMS</td>" in french and "<td>text messages</td>" not in french
    removal = client.get(f"/en/directory/phones/{mobile.pk}/remove/").content.decode()
    assert "· mobile" in removal


def test_a_refused_change_shows_its_message_on_the_form_and_saves_nothing(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    response = client.post(url(service, "status"), {"status": service.status})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The service already has this status." in page and 'aria-invalid="true"' in page
    assert "Status changed." not in page
    assert not service.history.filter(kind=ServiceHistory.Kind.STATUS).exists()
