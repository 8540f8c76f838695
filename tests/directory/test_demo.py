"""The fictional demo directory: something on every screen, for every city, loaded once however often run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from himaya.accounts.demo.loader import load_demo
from himaya.directory import demo
from himaya.directory.data.demo_services import CITIES
from himaya.directory.data.taxonomy import FAMILIES
from himaya.directory.models import (
    CapacityRecord,
    ChangeProposal,
    Location,
    Service,
    ServiceLanguage,
    ServiceStatus,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> int:
    load_demo()
    return demo.load()


def test_it_loads_several_hundred_services_spread_over_the_eight_cities(loaded):
    assert 300 <= loaded == Service.objects.count() <= 500
    per_city = dict(
        Service.objects.values_list("organisation__city__slug")
        .annotate(n=Count("id"))
        .values_list("organisation__city__slug", "n")
    )
    assert set(CITIES) <= set(per_city)
    assert all(per_city[city] >= 35 for city in CITIES), per_city
    assert per_city[None] >= 4  # national actors: hotlines, e-Blagh, online support
    assert Service.objects.filter(is_fictional=False).count() == 0


def test_loading_twice_creates_nothing_more(loaded):
    counts = (Service.objects.count(), Location.objects.count(), ChangeProposal.objects.count())
    assert demo.load() == 0
    assert (Service.objects.count(), Location.objects.count(), ChangeProposal.objects.count()) == counts


def test_every_status_and_each_verification_state_is_present(loaded):
    assert set(Service.objects.values_list("status", flat=True)) == set(ServiceStatus.values)
    assert Service.objects.filter(verified_at__isnull=True).exists()
    stale = [s for s in Service.objects.filter(verified_at__isnull=False) if s.is_stale()]
    fresh = [s for s in Service.objects.filter(verified_at__isnull=False) if not s.is_stale()]
    assert stale and len(fresh) > len(stale)
    assert Service.objects.exclude(alert="").count() >= 3
    assert any(s.current_alert() == "" for s in Service.objects.exclude(alert=""))  # an alert that has ended
    assert ChangeProposal.objects.filter(status=ChangeProposal.Status.PENDING).count() >= 3


def test_shelters_are_confidential_with_fresh_and_stale_capacity(loaded):
    confidential = Location.objects.filter(is_confidential=True)
    assert confidential.count() >= len(CITIES)
    assert all(location.front_door_phone.startswith("05 00 00") for location in confidential)
    latest = {}
    for record in CapacityRecord.objects.order_by("as_of"):
        latest[record.service_id] = record
    assert any(record.is_fresh() for record in latest.values())
    assert any(not record.is_fresh() for record in latest.values())


def test_every_need_family_and_the_hotlines_are_present(loaded):
    families = set(
        TaxonomyTerm.objects.filter(taxonomy__code="himaya-needs", services__isnull=False).values_list(
            "family", flat=True
        )
    )
    assert families == set(FAMILIES)
    numbers = set(Service.objects.values_list("phones__number", flat=True))
    assert {"8350", "0800 00 47 47"} <= numbers
    hotline = Service.objects.get(name__startswith="Ligne d'écoute 8350")
    assert hotline.schedules.count() == 7
    assert hotline.locations.get().location_type == Location.Kind.VIRTUAL


def test_languages_follow_the_regions(loaded):
    def languages(city: str) -> set[str]:
        return set(
            ServiceLanguage.objects.filter(service__organisation__city__slug=city).values_list(
                "code", flat=True
            )
        )

    assert {"es", "rif"} <= languages("tanger")
    assert "shi" in languages("agadir") and "tzm" in languages("errachidia")
    assert "es" not in languages("errachidia")


def test_the_demo_command_loads_the_directory_through_the_app_hook():
    call_command("demo", "load", stdout=StringIO())
    assert Service.objects.count() >= 300
    call_command("demo", "--load-if-empty", stdout=StringIO())
    assert Service.objects.count() == Service.objects.values("organisation", "name").distinct().count()


def test_every_public_page_of_the_demo_directory_renders(loaded, client):
    """Real, varied entries (virtual locations without a city, confidential shelters…) on every public page."""
    for city in CITIES:
        for language in ("fr", "ar", "en"):
            response = client.get(f"/{language}/help/", {"city": city})
            assert response.status_code == 200, (city, language)
    for service in Service.objects.listed():
        assert client.get(f"/fr/help/services/{service.pk}/").status_code == 200, service.name
