"""The public "find help" journey in Chromium: search, a service, the map, quick exit; no cookie, no other origin."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Route

from tests.e2e.conftest import Contexts, Server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EXIT_ORIGIN = "https://www.google.com"  # the default quick-exit target (settings.HIMAYA_QUICK_EXIT_URL)

# Fictional services created in the server's database through ``himaya shell`` (the demo data may hold none).
SETUP = """
from datetime import time
from django.utils import timezone
from himaya.accounts.models import Organisation
from himaya.core.models import City
from himaya.directory.models import Location, Schedule, Service, ServiceAtLocation, TaxonomyTerm

tanger = City.objects.select_related("province__region").get(slug="tanger")
organisation, _ = Organisation.objects.get_or_create(
    name="Association E2E Find Help",
    defaults={"kind": "ngo", "sector": "civil_society", "province": tanger.province, "region": tanger.province.region},
)
need = TaxonomyTerm.objects.get(taxonomy__code="himaya-needs", code="reception")
ids = []
for name, confidential in (("Écoute E2E Tanger", False), ("Refuge E2E Tanger", True)):
    location = Location.objects.create(
        organisation=organisation, name=name, city=tanger, city_name="Tanger", province=tanger.province,
        region=tanger.province.region, latitude=tanger.latitude, longitude=tanger.longitude,
        address_1="1 rue E2E", is_confidential=confidential, front_door_phone="0539000000", is_fictional=True,
    )
    service = Service.objects.create(
        organisation=organisation, name=name, is_fictional=True, verified_at=timezone.now(),
        alert="Alerte E2E",
    )
    service.terms.add(need)
    service.languages.create(code="fr")
    ServiceAtLocation.objects.create(service=service, location=location)
    for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
        Schedule.objects.create(service=service, weekday=day, opens_at=time(0), closes_at=time(0))
    ids.append(str(service.pk))
print(" ".join(ids))
"""


@pytest.fixture(scope="module")
def help_services(e2e_server: Server) -> Iterator[list[str]]:
    output = e2e_server.himaya("shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    yield output.split()


def test_find_help_search_detail_and_quick_exit_leave_no_cookie_and_no_trail(
    contexts: Contexts, server: Server, help_services: list[str]
) -> None:
    open_service, shelter = help_services
    context = contexts.new()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    exits: list[str] = []

    def fulfil_exit(route: Route) -> None:
        exits.append(route.request.url)
        route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>Météo</title><p>Météo</p>"
        )

    context.route(re.compile(r"^https://www\.google\.com/"), fulfil_exit)
    page = context.new_page()

    response = page.goto(server.url("/fr/help/"))
    assert response is not None and response.status == 200
    assert "set-cookie" not in response.headers
    entries = page.evaluate("history.length")
    assert page.locator("[data-hotline='kolonamaak']").first.is_visible()
    assert page.locator("#quick-exit").is_visible()

    page.select_option("select[name=need]", "reception")
    page.select_option("select[name=city]", "tanger")
    page.fill("input[name=q]", "E2E")
    with page.expect_navigation():
        page.locator("form[data-help-form] button[type=submit]").click()
    assert re.search(r"/fr/help/\?.*city=tanger", page.url), page.url
    assert page.locator("[data-result-count='2']").count() == 1
    # The map is drawn locally: one marker for the public location, none for the shelter's hidden address.
    page.wait_for_selector("[data-map-ready]")
    assert page.locator("[data-map]").get_attribute("data-map-ready") == "1"
    assert page.locator("#help-map path.leaflet-interactive").count() == 1
    assert page.locator(f"[data-service='{shelter}']").inner_text().count("1 rue E2E") == 0

    with page.expect_navigation():
        page.locator(f"[data-service='{open_service}'] h3 a").click()
    assert page.url.endswith(f"/fr/help/services/{open_service}/")
    assert page.locator("[data-alert]").inner_text() == "Alerte E2E"
    assert page.locator("[data-open-now]").count() == 1
    # Inside the help pages every step replaced the previous one: a single history entry.
    assert page.evaluate("history.length") == entries

    assert context.cookies() == []
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"^https://www\.google\.com/"))
    assert exits and exits[0].startswith(EXIT_ORIGIN)
    page.go_back()
    assert "/help/" not in page.url, page.url
    assert context.cookies() == []

    own = [url for url in requested if not url.startswith(EXIT_ORIGIN)]
    assert own and all(url.startswith(server.base_url + "/") for url in own), own
    assert contexts.reports.violations == [], contexts.reports.violations
    assert [entry for entry in contexts.reports.console_problems() if EXIT_ORIGIN not in entry[2]] == []
    assert contexts.reports.page_errors == []


def test_the_quick_exit_button_replaces_the_page(
    contexts: Contexts, server: Server, help_services: list[str]
) -> None:
    context = contexts.new()
    context.route(
        re.compile(r"^https://www\.google\.com/"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>x</title>"
        ),
    )
    page = context.new_page()
    page.goto(server.url(f"/fr/help/services/{help_services[1]}/"))
    assert page.locator("[data-confidential]").count() == 1
    assert page.locator("text=1 rue E2E").count() == 0
    with page.expect_navigation():
        page.locator("#quick-exit").click()
    assert page.url.startswith(EXIT_ORIGIN)
    page.go_back()
    assert "/help/" not in page.url
    assert context.cookies() == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_help_pages_in_arabic_are_right_to_left(
    contexts: Contexts, server: Server, language: str
) -> None:
    page = contexts.new_page()
    page.goto(server.url(f"/{language}/help/?city=tanger"))
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    sheets = page.evaluate("[...document.styleSheets].filter(s => s.href).map(s => new URL(s.href).pathname)")
    expected = "bootstrap.rtl.min.css" if language == "ar" else "bootstrap.min.css"
    assert any(sheet.endswith(expected) for sheet in sheets), sheets
    # The language switcher keeps the search.
    assert page.locator("a[data-language='fr']").get_attribute("href") == "/fr/help/?city=tanger"
    assert page.context.cookies() == []
    assert contexts.reports.violations == []
    page.screenshot(path=f"/tmp/himaya-find-help-{language}.png", full_page=True)  # noqa: S108  (for people)
