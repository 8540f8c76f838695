"""The directory read API (HSDS shape): endpoints, filters, pagination and what each audience sees."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from himaya.api import services as api_services
from himaya.directory.models import Phone, Service, ServiceStatus, Taxonomy, Visibility
from tests.api.conftest import bearer
from tests.directory.factories import make_location, make_service, term
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client: Client, path: str, **extra: Any) -> Any:
    response = client.get(f"{API}{path}", **extra)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def shelter() -> dict[str, Any]:
    """An NGO shelter with a confidential location (front door only) and a defunct service."""
    organisation = make_organisation(name="Association fictive Dar Salam")
    hidden = make_location(
        organisation=organisation,
        name="Maison fictive",
        address_1="12 rue Secrète",
        postal_code="90000",
        is_confidential=True,
        front_door_phone="05 00 00 11 22",
    )
    service = make_service(
        organisation=organisation,
        location=hidden,
        name="Hébergement d'urgence fictif",
        needs=("emergency_shelter",),
        languages=("ar", "es"),
        hours=(("MO", time(0, 0), time(0, 0)),),
        description="Accueil 24 h sur 24.",
        field_visibility={"email": "network"},
        email="abri@demo.invalid",
        verified_at=timezone.now(),
    )
    Phone.objects.create(service=service, number="05 00 00 11 23", visibility=Visibility.NETWORK)
    Phone.objects.create(service=service, number="05 00 00 11 24", visibility=Visibility.PUBLIC)
    defunct = make_service(
        organisation=organisation, name="Ancien service fictif", status=ServiceStatus.DEFUNCT
    )
    return {"organisation": organisation, "service": service, "location": hidden, "defunct": defunct}


def location_of(body: dict[str, Any]) -> dict[str, Any]:
    (link,) = body["service_at_locations"]
    return link["location"]


def test_it_lists_services_in_hsds_pages(shelter):
    for n in range(4):
        make_service(name=f"Écoute fictive {n}")
    body = get(Client(), "/services?per_page=2&page=2")
    assert body["total_items"] == 5  # the defunct service is not public
    assert body["total_pages"] == 3
    assert (body["page_number"], body["size"]) == (2, 2)
    assert (body["first_page"], body["last_page"], body["empty"]) == (False, False, False)
    assert [item["name"] for item in body["contents"]] == ["Écoute fictive 1", "Écoute fictive 2"]
    assert "phones" not in body["contents"][0]  # list items carry the one-to-one fields only


def test_a_page_past_the_end_is_empty_not_an_error(shelter):
    body = get(Client(), "/services?page=9")
    assert body["contents"] == [] and body["size"] == 0 and body["last_page"] is True
    assert body["empty"] is False  # the result set itself is not empty


def test_it_refuses_bad_pagination_and_ids_with_422():
    assert Client().get(f"{API}/services?per_page=1000").status_code == 422
    assert Client().get(f"{API}/services?page=0").status_code == 422
    assert Client().get(f"{API}/services/not-a-uuid").status_code == 422
    assert Client().get(f"{API}/services?taxonomy_term_id=nope").status_code == 422


def test_an_unknown_id_is_a_404():
    for path in ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"):
        response = Client().get(f"{API}/{path}/00000000-0000-4000-8000-000000000000")
        assert response.status_code == 404, path


def test_the_public_sees_neither_defunct_services_nor_confidential_addresses(shelter):
    anonymous = Client()
    assert anonymous.get(f"{API}/services/{shelter['defunct'].pk}").status_code == 404
    body = get(anonymous, f"/services/{shelter['service'].pk}")
    location = location_of(body)
    assert location["is_confidential"] is True
    assert location["front_door_phone"] == "05 00 00 11 22"
    assert location["latitude"] is None and location["longitude"] is None
    assert [a["address_1"] for a in location["addresses"]] == [""]
    assert "Secrète" not in str(body) and "90000" not in str(body)
    assert [p["number"] for p in body["phones"]] == ["05 00 00 11 24"]
    assert body["email"] == ""  # the field is set to the network level
    assert body["assured_date"] is None
    assert body["description"] == "Accueil 24 h sur 24."


def test_another_organisations_staff_sees_the_network_level_but_not_the_address(shelter, client_for):
    caseworker = make_user("caseworker", organisation=make_organisation(name="Cellule fictive"))
    client = client_for(caseworker)
    body = get(client, f"/services/{shelter['service'].pk}")
    assert "Secrète" not in str(body)
    assert location_of(body)["latitude"] is None
    assert sorted(p["number"] for p in body["phones"]) == ["05 00 00 11 23", "05 00 00 11 24"]
    assert body["email"] == "abri@demo.invalid"
    assert body["assured_date"] is not None
    # Staff see every service, defunct included.
    assert client.get(f"{API}/services/{shelter['defunct'].pk}").status_code == 200


def test_the_own_organisation_sees_its_confidential_address(shelter, client_for):
    provider = make_user("service_provider", organisation=shelter["organisation"])
    body = get(client_for(provider), f"/services/{shelter['service'].pk}")
    location = location_of(body)
    assert location["addresses"][0]["address_1"] == "12 rue Secrète"
    assert location["latitude"] is not None


def issue_token(organisation: Any, scopes: tuple[str, ...] = ("directory:read",)) -> tuple[Any, str]:
    admin = make_user("system_admin")
    return api_services.token_issue(actor=admin, organisation=organisation, name="Partenaire", scopes=scopes)


def test_a_token_sees_the_network_level_and_its_own_addresses(shelter):
    _, stranger = issue_token(make_organisation(name="Partenaire fictif"))
    body = get(Client(), f"/services/{shelter['service'].pk}", **bearer(stranger))
    assert "Secrète" not in str(body) and body["email"] == "abri@demo.invalid"
    _, own = issue_token(shelter["organisation"])
    body = get(Client(), f"/services/{shelter['service'].pk}", **bearer(own))
    assert location_of(body)["addresses"][0]["address_1"] == "12 rue Secrète"


@pytest.mark.parametrize("path", ["/services", "/service_at_locations", "/organizations", "/taxonomies"])
def test_a_token_without_the_directory_scope_is_refused_like_any_other_scope(shelter, path):
    _, secret = issue_token(shelter["organisation"], scopes=("organisations:read", "users:read"))
    response = Client().get(f"{API}{path}", **bearer(secret), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the scope directory:read."}
    # The same partner without its token reads the public level.
    assert "abri@demo.invalid" not in str(get(Client(), path))


def test_a_token_with_the_directory_scope_lists_at_the_network_level(shelter):
    _, secret = issue_token(make_organisation(name="Partenaire fictif"))
    (item,) = get(Client(), "/service_at_locations", **bearer(secret))["contents"]
    assert item["service"]["email"] == "abri@demo.invalid"
    assert "Secrète" not in str(item) and item["location"]["front_door_phone"] == "05 00 00 11 22"
    services = get(Client(), "/services?full=true", **bearer(secret))["contents"]
    (full,) = [service for service in services if service["id"] == str(shelter["service"].pk)]
    assert {phone["number"] for phone in full["phones"]} == {"05 00 00 11 23", "05 00 00 11 24"}


def test_a_forged_token_is_refused_rather_than_treated_as_anonymous():
    response = Client().get(f"{API}/services", HTTP_AUTHORIZATION="Bearer hmy_forged_secret")
    assert response.status_code == 401


def test_the_postcode_filter_ignores_confidential_locations_below_restricted(shelter, client_for):
    public = make_service(location=make_location(postal_code="90000"), name="Écoute fictive Tanger")
    body = get(Client(), "/service_at_locations?postcode=90000")
    assert [item["service_id"] for item in body["contents"]] == [str(public.pk)]
    body = get(Client(), "/service_at_locations?postcode=90000&proximity=2000")
    assert [item["service_id"] for item in body["contents"]] == [str(public.pk)]
    provider = make_user("service_provider", organisation=shelter["organisation"])
    body = get(client_for(provider), "/service_at_locations?postcode=90000")
    assert body["total_items"] == 2


def test_proximity_keeps_near_locations_and_drops_far_ones():
    near = make_service(location=make_location(city="tanger", postal_code="90000"), name="Près")
    far = make_service(location=make_location(city="rabat", postal_code="10000"), name="Loin")

    def found(metres: int) -> set[str]:
        body = get(Client(), f"/service_at_locations?postcode=90000&proximity={metres}")
        return {item["service_id"] for item in body["contents"]}

    assert found(5000) == {str(near.pk)}
    assert found(400_000) == {str(near.pk), str(far.pk)}


def test_service_filters(shelter):
    other = make_service(name="Conseil juridique fictif", needs=("legal_counselling",))
    needs = Taxonomy.objects.get(code="himaya-needs")

    def names(query: str) -> set[str]:
        return {item["name"] for item in get(Client(), f"/services?{query}")["contents"]}

    assert names(f"taxonomy_term_id={term('legal_counselling').pk}") == {other.name}
    assert names(f"taxonomy_id={needs.pk}") == {other.name, shelter["service"].name}
    assert names(f"organization_id={shelter['organisation'].hsds_id}") == {shelter["service"].name}
    assert names("search=juridique") == {other.name}
    assert names("search=24 h") == set()  # descriptions are not searched (they may be hidden)
    Service.objects.filter(pk=other.pk).update(updated_at=timezone.now() - timedelta(days=10))
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+", "%2B")
    assert names(f"modified_after={since}") == {shelter["service"].name}


def test_minimal_and_full_service_lists(shelter):
    minimal = get(Client(), "/services?minimal=true")["contents"]
    assert minimal == [{"id": str(shelter["service"].pk), "last_modified": minimal[0]["last_modified"]}]
    (full,) = get(Client(), "/services?full=true")["contents"]
    assert [a["taxonomy_term"]["code"] for a in full["attributes"]] == ["emergency_shelter"]
    assert {language["code"] for language in full["languages"]} == {"ar", "es"}
    assert (
        full["schedules"][0]["byday"] == "MO"
        and full["organization"]["name"] == "Association fictive Dar Salam"
    )


def test_service_at_locations_list_and_detail(shelter):
    body = get(Client(), "/service_at_locations")
    (item,) = body["contents"]
    assert item["service"]["name"] == shelter["service"].name and "Secrète" not in str(item)
    detail = get(Client(), f"/service_at_locations/{item['id']}")
    assert detail["location"]["front_door_phone"] == "05 00 00 11 22"
    assert "attributes" in detail["service"]  # the detail nests the full service


def test_organizations(shelter):
    make_organisation(name="Organisation fictive sans service")
    body = get(Client(), "/organizations")
    assert [item["name"] for item in body["contents"]] == ["Association fictive Dar Salam"]
    detail = get(Client(), f"/organizations/{shelter['organisation'].hsds_id}?full_service=true")
    assert [s["name"] for s in detail["services"]] == [shelter["service"].name]
    assert "Secrète" not in str(detail)
    full = get(Client(), "/organizations?full=true")["contents"][0]
    assert [s["name"] for s in full["services"]] == [shelter["service"].name]


def test_taxonomies_and_terms():
    taxonomies = get(Client(), "/taxonomies")
    codes = {t["name"] for t in taxonomies["contents"]}
    assert taxonomies["total_items"] >= 2 and codes
    needs = Taxonomy.objects.get(code="himaya-needs")
    assert get(Client(), f"/taxonomies/{needs.pk}")["id"] == str(needs.pk)
    terms = get(Client(), f"/taxonomy_terms?taxonomy_id={needs.pk}&per_page=100")
    assert terms["total_items"] == needs.terms.count()
    assert {t["taxonomy"] for t in terms["contents"]} == {"himaya-needs"}
    reception = term("reception")
    assert get(Client(), f"/taxonomy_terms/{reception.pk}")["family"] == "reception"
    assert get(Client(), "/taxonomy_terms?search=juridique")["total_items"] >= 1


@pytest.mark.parametrize(
    "path", ["/services?full=true", "/service_at_locations", "/organizations?full_service=true"]
)
def test_the_query_count_does_not_grow_with_the_page(path):
    created = iter(range(100))

    def queries(count: int) -> int:
        for _ in range(count):
            organisation = make_organisation(name=f"Association fictive {next(created)}")
            service = make_service(
                organisation=organisation, location=make_location(organisation=organisation)
            )
            Phone.objects.create(service=service, number="05 00 00 00 01")
        with CaptureQueriesContext(connection) as captured:
            get(Client(), path)
        return len(captured)

    first = queries(2)
    assert queries(6) == first


@pytest.mark.parametrize(
    "since", ["1444-11-26T16:12:46.5+20:20", "0001-01-01T00:00:00+20:00", "2999-01-01T00:00:00Z"]
)
def test_modified_after_accepts_any_iso_offset(client, since):
    """Offsets beyond ±15:59 are valid ISO 8601 but not PostgreSQL: the filter works in UTC."""
    make_service(name="Service daté")
    response = client.get("/api/v1/services", {"modified_after": since})
    assert response.status_code == 200
    assert response.json()["total_items"] == (0 if since.startswith("2999") else 1)
