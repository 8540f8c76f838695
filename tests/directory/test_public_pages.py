"""Public "find help" pages: no cookie, no inline code, no other origin, the public level only, never a 500."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya.directory.models import Phone, ServiceStatus
from tests.directory.factories import make_location, make_service
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HOTLINE_MARKERS = ("8350", "0800 00 47 47", "e-Blagh")


@pytest.fixture
def shelter():
    location = make_location(
        city="tanger",
        is_confidential=True,
        address_1="12 rue Secrète",
        latitude="35.123456",
        longitude="-5.654321",
        front_door_phone="0539111111",
        transportation="Tram ligne 9",
    )
    service = make_service(
        name="Refuge Amal",
        location=location,
        needs=("emergency_shelter",),
        description="Accueil des femmes",
        email="equipe@refuge.example",
        licenses="Licence confidentielle 42",
        accreditations="Agrément interne",
        field_visibility={"email": "network", "description": "public"},
        verified_at=timezone.now() - timedelta(days=3),
        alert="Fermé le 1er mai",
        alert_until=date.today() + timedelta(days=10),
    )
    Phone.objects.create(service=service, number="0539222222", visibility="public")
    Phone.objects.create(service=service, number="0539333333", visibility="network")
    Phone.objects.create(service=service, number="0539444444", visibility="restricted")
    return service


def assert_public_response(response, status: int = 200) -> str:
    assert response.status_code == status
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")
    assert not response.cookies
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "help.js must be loaded"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag and 'src="/static/' in tag, tag
    assert not re.search(r"<script[^>]*>\s*[^<\s]", html), "no inline script"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), "no inline handler"
    assert not re.search(r"\sstyle\s*=", html), "no inline style"
    assert "<style" not in html
    # Nothing is loaded from another origin: stylesheets, scripts and images are all local.
    for url in re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html):
        assert url.startswith("/"), url
    for marker in HOTLINE_MARKERS:
        assert marker in html, marker
    assert 'id="quick-exit"' in html and "help.js" in html
    return html


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_every_public_page_sets_no_cookie_and_loads_nothing_from_elsewhere(
    client: Client, shelter, language: str
) -> None:
    for path in [
        "",
        "?need=emergency_shelter&city=tanger&open_now=on&q=amal&language=ar&population=&province=",
        "?q=nothing-matches-this",
        f"services/{shelter.pk}/",
        "hotlines/",
    ]:
        html = assert_public_response(client.get(f"/{language}/help/{path}"))
        expected_dir = "rtl" if language == "ar" else "ltr"
        assert f'<html lang="{language}" dir="{expected_dir}">' in html


def test_unknown_or_gone_services_are_404(client: Client) -> None:
    for status in (ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE):
        gone = make_service(status=status)
        assert client.get(f"/fr/help/services/{gone.pk}/").status_code == 404
    assert client.get(f"/fr/help/services/{uuid.uuid4()}/").status_code == 404
    assert client.get("/fr/help/services/not-a-uuid/").status_code == 404
    html = assert_public_response(client.get(f"/ar/help/services/{uuid.uuid4()}/"), status=404)
    assert "data-not-found" in html and 'dir="rtl"' in html


def test_the_detail_shows_the_public_level_only(client: Client, shelter) -> None:
    html = client.get(f"/fr/help/services/{shelter.pk}/").content.decode()
    assert "Refuge Amal" in html and "Accueil des femmes" in html
    assert "0539222222" in html and "0539111111" in html  # public phone and front door
    for hidden in (
        "0539333333",
        "0539444444",
        "equipe@refuge.example",
        "Licence confidentielle",
        "Agrément interne",
        "rue Secrète",
        "Tram ligne 9",
        "35.123456",
        "-5.654321",
        "data-map-point",
    ):
        assert hidden not in html, hidden
    assert "data-confidential" in html and "Tanger" in html
    assert "Fermé le 1er mai" in html and "data-verified" in html


def test_a_signed_in_professional_of_the_organisation_still_sees_the_public_level(shelter) -> None:
    client = Client()
    client.force_login(
        make_user("supervisor", organisation=shelter.organisation),
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    html = client.get(f"/fr/help/services/{shelter.pk}/").content.decode()
    assert "Refuge Amal" in html
    assert "rue Secrète" not in html and "0539444444" not in html and "equipe@refuge.example" not in html


def test_status_alert_and_verification_are_shown(client: Client) -> None:
    closed = make_service(
        name="Fermé", status=ServiceStatus.TEMPORARILY_CLOSED, alert="Old", alert_until=date(2020, 1, 1)
    )
    busy = make_service(name="Complet", status=ServiceStatus.NOT_ACCEPTING)
    html = client.get("/fr/help/").content.decode()
    assert "Fermé" in html and "Complet" in html  # both listed
    detail = client.get(f"/fr/help/services/{closed.pk}/").content.decode()
    assert 'data-status="closed"' in detail
    assert "Old" not in detail  # an expired alert is not shown
    assert "data-verified" not in detail
    assert client.get(f"/fr/help/services/{busy.pk}/").status_code == 200


def test_the_list_shows_distances_map_points_and_keeps_filters_in_pages(client: Client) -> None:
    for number in range(25):
        make_service(name=f"Écoute {number:02d}", location=make_location(city="asilah"))
    response = client.get("/fr/help/?city=tanger&need=reception")
    html = response.content.decode()
    assert 'data-result-count="25"' in html
    assert html.count("data-distance") == 20
    assert html.count("data-map-point") == 20
    assert "?city=tanger&amp;need=reception&amp;page=2" in html
    page_two = client.get("/fr/help/?city=tanger&need=reception&page=2").content.decode()
    assert page_two.count("data-service=") == 5
    # The language switcher keeps the search.
    assert 'href="/ar/help/?city=tanger&amp;need=reception&amp;page=2"' in page_two


def test_the_empty_state_suggests_what_to_try_and_shows_the_hotlines(client: Client) -> None:
    html = client.get("/en/help/?q=zzzz").content.decode()
    assert "data-empty-state" in html and "open now" in html and "hotlines-card-title" in html


def test_an_unknown_choice_is_explained_not_a_500(client: Client) -> None:
    make_service(name="Centre")
    html = assert_public_response(client.get("/fr/help/?need=%3Cscript%3E&city=atlantis&page=-4"))
    assert "data-invalid-search" in html and "data-empty-state" in html
    assert "<script>" not in html


def test_the_map_tile_url_comes_from_the_settings(client: Client, settings, shelter) -> None:
    make_service(location=make_location(city="rabat"))
    assert 'data-tile-url=""' in client.get("/fr/help/").content.decode()
    settings.HIMAYA_MAP_TILE_URL = "https://tiles.example.ma/{z}/{x}/{y}.png"
    assert (
        'data-tile-url="https://tiles.example.ma/{z}/{x}/{y}.png"' in client.get("/fr/help/").content.decode()
    )


def test_post_is_refused(client: Client) -> None:
    assert client.post("/fr/help/").status_code == 405


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["%", "_", "' OR 1=1 --", "\u202e", "\x00", "a" * 3000, "reception", "tanger", "01.511"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_TEXT, need=_TEXT, city=_TEXT, province=_TEXT, language=_TEXT, page=_TEXT, open_now=_TEXT)
def test_hostile_search_parameters_never_give_a_500(
    client: Client, q: str, need: str, city: str, province: str, language: str, page: str, open_now: str
) -> None:
    response = client.get(
        "/fr/help/",
        {
            "q": q,
            "need": need,
            "city": city,
            "province": province,
            "language": language,
            "page": page,
            "open_now": open_now,
        },
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
