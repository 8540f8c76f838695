"""The public search: filters in the database, distances from the chosen city, the public view only."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from himaya.core.models import City, Province
from himaya.directory import search
from himaya.directory.models import ServiceArea, ServiceStatus, Taxonomy, TaxonomyTerm
from himaya.directory.search import clean_query, haversine_km, public_search
from tests.directory.factories import make_location, make_service

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Morocco (UTC+1)


def names(result: search.SearchResult) -> list[str]:
    return [item.service.name for item in result.items]


def test_only_listed_services_appear_and_a_closed_one_says_so() -> None:
    for status in ServiceStatus.values:
        make_service(name=f"S {status}", status=status)
    found = public_search()
    assert sorted(names(found)) == sorted(["S active", "S active_not_accepting", "S temporarily closed"])
    assert found.total == 3 and found.pages == 1


def test_it_filters_by_need_population_and_language() -> None:
    make_service(name="Shelter", needs=("emergency_shelter",), languages=("ar",))
    make_service(name="Listening", needs=("reception", "psychological"), languages=("fr", "ary"))
    women = make_service(name="Women legal", needs=("legal_counselling",))
    women.terms.add(search.TaxonomyTerm.objects.get(code="women", taxonomy__code=search.POPULATIONS))

    assert names(public_search(need="emergency_shelter")) == ["Shelter"]
    assert names(public_search(need="psychological")) == ["Listening"]
    assert names(public_search(language="ary")) == ["Listening"]
    assert names(public_search(language="ar")) == ["Shelter", "Women legal"]
    assert names(public_search(population="women")) == ["Women legal"]
    assert names(public_search(need="reception", language="ar")) == []
    # A population code is not a need (two facets), and an unknown code finds nothing rather than everything.
    assert names(public_search(need="women")) == []
    assert names(public_search(need="no-such-need")) == []
    assert names(public_search(city="atlantis")) == []
    assert names(public_search(province="99.999")) == []


def test_it_filters_by_province_through_locations_and_service_areas() -> None:
    tanger = Province.objects.get(code="01.511")
    make_service(name="In Tanger", location=make_location(city="tanger"))
    make_service(name="In Rabat", location=make_location(city="rabat"))
    serving = make_service(name="Mobile team")
    ServiceArea.objects.create(service=serving, province=tanger, name="Tanger-Assilah")
    regional = make_service(name="Regional")
    ServiceArea.objects.create(service=regional, region=tanger.region)
    elsewhere = make_service(name="Other region")
    ServiceArea.objects.create(service=elsewhere, region=Province.objects.get(code="04.421").region)

    ServiceArea.objects.create(service=make_service(name="National line"), name="Maroc")

    assert names(public_search(province="01.511")) == [
        "In Tanger",
        "Mobile team",
        "National line",
        "Regional",
    ]
    assert names(public_search(province="04.421")) == ["In Rabat", "National line", "Other region"]


def test_needs_population_province_and_language_combine(monkeypatch: pytest.MonkeyPatch) -> None:
    tanger = Province.objects.get(code="01.511")
    women = TaxonomyTerm.objects.get(code="women", taxonomy__code=search.POPULATIONS)
    located = make_service(name="A located", needs=("reception", "legal_counselling"), languages=("fr",))
    located.service_at_locations.create(location=make_location(city="tanger"))
    regional = make_service(name="B regional", needs=("reception",), languages=("ar", "fr"))
    ServiceArea.objects.create(service=regional, region=tanger.region)
    elsewhere = make_service(name="C elsewhere", needs=("reception",), languages=("fr",))
    elsewhere.service_at_locations.create(location=make_location(city="rabat"))
    for service in (located, regional, elsewhere):
        service.terms.add(women)

    # The services left by these filters as a list of ids (short), then as a subquery (long): the same answers.
    for limit in (search.SELECTIVE_LIST_UP_TO, 0):
        monkeypatch.setattr(search, "SELECTIVE_LIST_UP_TO", limit)
        assert names(public_search(need="reception", province="01.511")) == ["A located", "B regional"]
        assert names(
            public_search(need="reception", population="women", province="01.511", language="ar")
        ) == ["B regional"]
        assert names(public_search(need="legal_counselling", population="women", language="fr")) == [
            "A located"
        ]
        assert names(public_search(province="01.511", language="fr")) == ["A located", "B regional"]
        assert names(public_search(population="women", province="04.421")) == ["C elsewhere"]


def test_terms_and_territories_added_after_a_search_are_found() -> None:
    make_service(name="Listening")
    assert names(public_search(need="reception")) == ["Listening"]  # the reference data is read
    # A term added without signals (bulk), then one renamed: both are seen by the next search.
    needs = Taxonomy.objects.get(code=search.NEEDS)
    (added,) = TaxonomyTerm.objects.bulk_create(
        [TaxonomyTerm(taxonomy=needs, code="new-need", name="New need")]
    )
    make_service(name="New service", needs=("new-need",))
    assert names(public_search(need="new-need")) == ["New service"]
    added.name = "Renamed need"
    added.save()
    (item,) = public_search(need="new-need").items
    assert [term.label for term in item.needs] == ["Renamed need"]
    added.delete()
    assert names(public_search(need="new-need")) == []


def test_unknown_codes_from_a_visitor_do_not_reload_the_reference_data() -> None:
    make_service(name="Listening")
    public_search(need="reception")
    before = search.reference()
    for hostile in ("no-such-need", "' OR 1=1 --", "x" * 300):
        assert names(public_search(need=hostile, province="99.999", city=hostile)) == []
    assert search.reference() is before  # read again only when the tables' row counts change


def test_a_card_shows_what_the_service_page_shows() -> None:
    organisation = make_service(name="x").organisation
    organisation.name_ar = "جمعية الأمل"
    organisation.save()
    service = make_service(
        name="Écoute",
        name_en="Listening",
        name_ar="استماع",
        organisation=organisation,
        needs=("psychological", "reception"),
        alert="Closed on Friday",
        alert_until=datetime(2099, 1, 1).date(),
    )
    service.terms.add(TaxonomyTerm.objects.get(code="women", taxonomy__code=search.POPULATIONS))
    service.phones.create(number="0539000001", visibility="public")
    service.phones.create(number="0539000002", visibility="network")
    (item,) = public_search(q="Écoute").items
    detail = search.public_service(service.pk)
    assert detail is not None
    for language, label, organisation_name in (
        ("en", "Listening", organisation.name),
        ("ar", "استماع", "جمعية الأمل"),
        ("fr", "Écoute", organisation.name),
    ):
        with translation.override(language):
            assert item.service.label == detail.service.label == label
            assert item.service.organisation.display_name == organisation_name
    assert item.alert == detail.alert == "Closed on Friday"
    assert [term.code for term in item.needs] == [term.code for term in detail.needs]
    assert len(item.needs) == 2
    assert [term.code for term in item.populations] == [term.code for term in detail.populations] == ["women"]
    assert (
        [phone.number for phone in item.phones] == [phone.number for phone in detail.phones] == ["0539000001"]
    )


def test_a_city_sorts_by_distance_and_a_confidential_location_counts_from_its_city_centre() -> None:
    far_pin = {"latitude": Decimal("30.427800"), "longitude": Decimal("-9.598100")}  # Agadir's coordinates
    make_service(name="A in Asilah", location=make_location(city="asilah"))
    make_service(name="B in Tanger", location=make_location(city="tanger"))
    make_service(name="C shelter", location=make_location(city="tanger", is_confidential=True, **far_pin))
    make_service(name="D no place", languages=("fr",))
    ServiceArea.objects.create(
        service=make_service(name="E area"), province=Province.objects.get(code="01.511")
    )

    found = public_search(city="tanger")
    assert found.origin is not None and found.origin.slug == "tanger"
    assert names(found) == ["B in Tanger", "C shelter", "A in Asilah", "E area"]
    distances = {item.service.name: item.distance_km for item in found.items}
    assert distances["B in Tanger"] == 0
    # The shelter's real pin (Agadir, ~600 km away) is never used: its city centre is.
    assert distances["C shelter"] == 0
    asilah = City.objects.get(slug="asilah")
    expected = haversine_km(35.7673, -5.7998, float(asilah.latitude), float(asilah.longitude))
    assert distances["A in Asilah"] == pytest.approx(expected, abs=0.1)
    assert 30 < expected < 40
    assert distances["E area"] is None


def test_a_confidential_location_shows_no_address_nor_pin() -> None:
    location = make_location(
        city="tanger", is_confidential=True, front_door_phone="0539000000", transportation="Bus 12"
    )
    make_service(name="Shelter", location=location)
    (item,) = public_search().items
    (view,) = item.locations
    assert view["address_1"] == view["transportation"] == view["postal_code"] == ""
    assert view["latitude"] is None and view["longitude"] is None and view["map_point"] is None
    assert view["front_door_phone"] == "0539000000"
    assert view["city"].slug == "tanger"


def test_a_confidential_location_without_city_counts_from_its_province() -> None:
    province = Province.objects.get(code="01.511")
    location = make_location(city="tanger", is_confidential=True)
    location.city = None
    location.save()
    make_service(name="Shelter", location=location)
    (item,) = public_search(city="tanger").items
    centre = [(float(c.latitude), float(c.longitude)) for c in City.objects.filter(province=province)]
    lat = sum(point[0] for point in centre) / len(centre)
    lon = sum(point[1] for point in centre) / len(centre)
    assert item.distance_km == pytest.approx(haversine_km(35.7673, -5.7998, lat, lon), abs=0.1)


def test_open_now_filters_in_the_database() -> None:
    make_service(name="Day", hours=(("MO", time(9), time(17)),))
    make_service(name="Night", hours=(("SU", time(20), time(8)),))
    make_service(name="Closed", hours=(("MO", time(9), time(17)),), status=ServiceStatus.TEMPORARILY_CLOSED)
    make_service(name="No hours")
    assert names(public_search(open_now=True, now=MONDAY_NOON)) == ["Day"]
    early = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 in Morocco
    assert names(public_search(open_now=True, now=early)) == ["Night"]
    flags = {item.service.name: item.open_now for item in public_search(now=MONDAY_NOON).items}
    assert flags == {"Day": True, "Night": False, "Closed": False, "No hours": False}


def test_open_now_gives_the_same_answer_on_long_lists_in_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_service(name="Day", hours=(("MO", time(9), time(17)),), location=make_location(city="tanger"))
    make_service(name="Night", hours=(("SU", time(20), time(8)),), location=make_location(city="asilah"))
    make_service(name="Closed", hours=(("MO", time(9), time(17)),), status=ServiceStatus.TEMPORARILY_CLOSED)
    located = make_location(city="tanger")
    search.Schedule.objects.create(location=located, weekday="MO", opens_at=time(8), closes_at=time(13))
    make_service(name="Located", location=located)
    early = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    answers = []
    for limit in (1000, 0):  # short list in Python, then the database expression
        monkeypatch.setattr(search, "OPEN_NOW_IN_PYTHON_UP_TO", limit)
        answers.append(
            (
                names(public_search(open_now=True, now=MONDAY_NOON)),
                names(public_search(open_now=True, now=early)),
                names(public_search(open_now=True, now=MONDAY_NOON, city="tanger")),
            )
        )
    assert answers[0] == answers[1] == (["Day", "Located"], ["Night"], ["Day", "Located"])


def test_text_search_looks_at_names_only_never_at_hidden_fields() -> None:
    make_service(name="Centre Amal", name_ar="مركز الأمل")
    make_service(name="Other", description="secretword", field_visibility={"description": "restricted"})
    assert names(public_search(q="amal")) == ["Centre Amal"]
    assert names(public_search(q="الأمل")) == ["Centre Amal"]
    assert names(public_search(q="secretword")) == []


@pytest.mark.parametrize(
    "text",
    ["%", "_", "' OR 1=1 --", "\x00", "a" * 5000, "\u202eevil", "Robert'); DROP TABLE directory_service;--"],
)
def test_hostile_text_finds_nothing_and_breaks_nothing(text: str) -> None:
    make_service(name="Centre Amal")
    # Nothing left after cleaning (a lone NUL): no text filter at all.
    expected = [] if clean_query(text) else ["Centre Amal"]
    assert names(public_search(q=text)) == expected
    assert names(public_search()) == ["Centre Amal"]


def test_clean_query() -> None:
    assert clean_query("  a\u202eb\x00c\u2066 ") == "ab c"
    assert len(clean_query("x" * 1000)) == search.MAX_QUERY_LENGTH
    assert clean_query(None) == ""


def test_pages() -> None:
    for number in range(45):
        make_service(name=f"Service {number:02d}")
    first = public_search(per_page=20)
    assert (first.total, first.pages, first.page, len(first.items)) == (45, 3, 1, 20)
    last = public_search(page=3, per_page=20)
    assert names(last) == [f"Service {number}" for number in range(40, 45)]
    assert public_search(page=99, per_page=20).page == 3  # out of range: the last page
    assert public_search(page=0).page == 1
    near = public_search(city="tanger", page=2, per_page=20)
    assert near.total == 0 and near.items == []


def test_the_number_of_queries_does_not_grow_with_the_page() -> None:
    for number in range(30):
        location = make_location(city="tanger" if number % 2 else "asilah", is_confidential=number % 3 == 0)
        service = make_service(location=location, hours=(("MO", time(9), time(17)),))
        service.phones.create(number=f"05390000{number:02d}")

    def count(**filters: object) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = public_search(now=MONDAY_NOON, **filters)
            assert result.items
        return len(queries)

    public_search()  # territories and terms (reference data) are read once per process, by the first search
    small, large = count(per_page=2), count(per_page=30)
    # The page and its count, then the page's locations, terms, telephones and hours.
    assert small == large <= 7
    assert count(city="tanger", per_page=2) == count(city="tanger", per_page=30) <= 7
    assert count(city="tanger", open_now=True, per_page=2) == count(city="tanger", open_now=True) <= 7


def test_a_service_detail_is_found_only_when_listed() -> None:
    listed = make_service(status=ServiceStatus.NOT_ACCEPTING)
    gone = make_service(status=ServiceStatus.DEFUNCT)
    item = search.public_service(listed.pk)
    assert item is not None and item.service.pk == listed.pk
    assert search.public_service(gone.pk) is None
