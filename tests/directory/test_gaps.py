"""Gap analysis: which services count where, hours, distances, classes, standards, scope and query count."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from himaya.accounts.models import RoleAssignment
from himaya.core.models import Province, Region
from himaya.directory import gaps
from himaya.directory.models import CapacityRecord, ServiceArea, ServiceStatus
from tests.directory.factories import make_location, make_service
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

WEEKDAYS_9_TO_5 = tuple((day, time(9), time(17)) for day in ("MO", "TU", "WE", "TH", "FR"))  # 40 h


def verified(**values):
    values.setdefault("verified_at", timezone.now())
    return make_service(**values)


def row_of(matrix: gaps.GapMatrix, code: str) -> gaps.ProvinceRow:
    return next(row for row in matrix.rows if row.province.code == code)


def matrix_of(*codes: str) -> gaps.GapMatrix:
    return gaps.compute_matrix(Province.objects.filter(code__in=codes).select_related("region"))


@pytest.mark.parametrize(
    ("services", "hours", "nearest", "expected"),
    [
        (0, 0, None, gaps.DESERT),
        (0, 0, 150.0, gaps.DESERT),
        (0, 0, 100.0, gaps.LOW),
        (0, 0, 40.0, gaps.LOW),
        (1, 168, 0.0, gaps.LOW),
        (2, 39.5, 0.0, gaps.LOW),
        (2, 40, 0.0, gaps.ADEQUATE),
    ],
)
def test_classes_follow_the_documented_thresholds(services, hours, nearest, expected):
    assert gaps.classify(services, hours, nearest) == expected


def test_it_counts_verified_listed_services_located_in_the_province():
    tanger = make_location(city="tanger")
    verified(location=tanger, needs=("reception",), hours=WEEKDAYS_9_TO_5)
    make_service(location=tanger, needs=("reception",), hours=WEEKDAYS_9_TO_5)  # not verified
    verified(location=tanger, needs=("reception",), status=ServiceStatus.DEFUNCT)
    verified(location=make_location(city="casablanca"), needs=("reception",))

    cell = row_of(matrix_of("01.511"), "01.511").cells["reception"]

    assert (cell.services, cell.hours, cell.nearest_km, cell.status) == (1, 40.0, 0.0, gaps.LOW)


def test_two_services_with_forty_hours_are_adequate_and_other_families_stay_empty():
    tanger = make_location(city="tanger")
    verified(location=tanger, needs=("legal_aid",), hours=WEEKDAYS_9_TO_5[:3])
    verified(location=tanger, needs=("legal_counselling",), hours=WEEKDAYS_9_TO_5[3:])

    row = row_of(matrix_of("01.511"), "01.511")

    assert (row.cells["legal"].services, row.cells["legal"].hours, row.cells["legal"].status) == (
        2,
        40.0,
        gaps.ADEQUATE,
    )
    assert row.cells["shelter"].services == 0
    assert row.cells[gaps.ALL_FAMILIES].services == 2


def test_hours_are_capped_at_a_week():
    tanger = make_location(city="tanger")
    every_day = tuple((day, time(0), time(0)) for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"))
    verified(location=tanger, needs=("hotline",), hours=every_day)
    verified(location=tanger, needs=("hotline",), hours=every_day)

    assert row_of(matrix_of("01.511"), "01.511").cells["hotline"].hours == 168.0


def test_expired_schedules_do_not_count():
    service = verified(location=make_location(city="tanger"), needs=("reception",), hours=WEEKDAYS_9_TO_5)
    service.schedules.filter(weekday="MO").update(valid_to=timezone.localdate() - timedelta(days=1))

    assert row_of(matrix_of("01.511"), "01.511").cells["reception"].hours == 32.0


def test_service_areas_cover_their_province_or_their_region():
    by_region = verified(location=make_location(city="tanger"), needs=("psychological",))
    ServiceArea.objects.create(service=by_region, region=Region.objects.get(code="01"))
    by_province = verified(location=make_location(city="tanger"), needs=("legal_aid",))
    ServiceArea.objects.create(service=by_province, province=Province.objects.get(code="01.051"))

    matrix = matrix_of("01.051", "01.571", "06.141")

    assert row_of(matrix, "01.571").cells["psychosocial"].services == 1  # Tétouan: same region
    assert row_of(matrix, "06.141").cells["psychosocial"].services == 0  # Casablanca: other region
    assert row_of(matrix, "01.051").cells["legal"].services == 1  # Al Hoceima: named area
    assert row_of(matrix, "01.571").cells["legal"].services == 0


def test_a_remote_service_without_area_is_national():
    line = make_location(location_type="virtual", city="rabat", province=None, region=None, city_name="")
    verified(location=line, needs=("hotline",), hours=(("MO", time(0), time(0)),))
    whole_country = verified(location=make_location(city="tanger"), needs=("digital_support",))
    ServiceArea.objects.create(service=whole_country, name="Maroc")

    row = row_of(matrix_of("12.391"), "12.391")  # Dakhla

    assert row.cells["hotline"].services == 1
    assert row.cells["hotline"].nearest_km == 0.0
    assert row.cells["digital"].services == 1


def test_nearest_distance_from_the_province_centroid_decides_low_or_desert():
    verified(location=make_location(city="tanger"), needs=("emergency_shelter",))

    matrix = matrix_of("01.571", "12.391")
    tetouan, dakhla = row_of(matrix, "01.571").cells["shelter"], row_of(matrix, "12.391").cells["shelter"]

    # Tanger (35.7673, -5.7998) to Tétouan (35.5785, -5.3684): about 44 km.
    assert tetouan.services == 0 and 40 < tetouan.nearest_km < 50
    assert tetouan.status == gaps.LOW
    assert dakhla.nearest_km > 1000 and dakhla.status == gaps.DESERT


def test_province_centroid_is_the_mean_of_its_cities():
    lat, lon = gaps.province_centroids()[Province.objects.get(code="01.511").pk]

    assert lat == pytest.approx((35.7673 + 35.465) / 2)  # Tanger and Asilah
    assert lon == pytest.approx((-5.7998 + -6.0353) / 2)


def test_standards_compare_places_and_centres_with_the_population():
    tanger = make_location(city="tanger")
    shelter = verified(location=tanger, needs=("emergency_shelter",))
    CapacityRecord.objects.create(
        service=shelter, places=100, vacancies=0, as_of=timezone.now() - timedelta(days=90)
    )
    CapacityRecord.objects.create(
        service=shelter, places=30, vacancies=2, as_of=timezone.now() - timedelta(days=10)
    )
    long_term = verified(location=tanger, needs=("long_term_shelter",))
    CapacityRecord.objects.create(service=long_term, places=15, vacancies=0)
    verified(location=tanger, needs=("reception",))  # capacity of a non-shelter: irrelevant
    verified(location=tanger, needs=("sexual_health",))
    hospital = make_organisation(kind="hospital_cell", sector="health")
    verified(
        organisation=hospital,
        location=make_location(organisation=hospital, city="asilah"),
        needs=("medical_certificate",),
    )
    verified(location=tanger, needs=("medical_certificate",))  # a court cell: not a referral centre
    province = Province.objects.get(code="01.511")

    shelter_places, rape_crisis, referral = row_of(matrix_of("01.511"), "01.511").standards

    assert province.population == 1494413 and province.women_population == 732070  # 2024 census
    assert shelter_places.required == pytest.approx(149.4413)
    assert shelter_places.available == 45  # latest records (stale included): 30 + 15
    assert shelter_places.ratio == pytest.approx(45 / 149.4413)
    assert rape_crisis.required == pytest.approx(3.66035)
    assert rape_crisis.available == 1
    assert referral.required == pytest.approx(1.830175)
    assert (referral.available, round(referral.ratio, 3)) == (1, 0.546)


def test_standards_without_population_have_no_ratio():
    Province.objects.filter(code="01.511").update(population=None, women_population=None)

    standards = row_of(matrix_of("01.511"), "01.511").standards

    assert all(standard.required is None and standard.ratio is None for standard in standards)


def test_a_territorial_analyst_sees_their_region_only():
    analyst = make_user("territorial_analyst", region=Region.objects.get(code="01"))

    codes = {province.code for province in gaps.scope_provinces(analyst)}

    assert codes == set(Province.objects.filter(region__code="01").values_list("code", flat=True))
    assert "06.141" not in codes


def test_a_territorial_analyst_of_one_province_sees_it_only():
    analyst = make_user("territorial_analyst")
    RoleAssignment.objects.filter(user=analyst).update(
        region=None, province=Province.objects.get(code="04.421")
    )
    analyst.forget_roles()

    assert [province.code for province in gaps.scope_provinces(analyst)] == ["04.421"]


def test_national_analysts_editors_and_supervisors_see_every_province_and_others_none():
    total = Province.objects.count()
    for role in ("national_analyst", "directory_editor", "supervisor"):
        assert gaps.scope_provinces(make_user(role)).count() == total, role
    for role in ("caseworker", "system_admin"):
        assert gaps.scope_provinces(make_user(role)).count() == 0, role


def _populate(count: int) -> None:
    for index in range(count):
        service = verified(
            location=make_location(city=("tanger", "fes", "agadir")[index % 3]),
            needs=("emergency_shelter", "reception"),
            hours=WEEKDAYS_9_TO_5[:2],
        )
        CapacityRecord.objects.create(service=service, places=5, vacancies=1)
        ServiceArea.objects.create(service=service, region=Region.objects.get(code="01"))


def test_the_number_of_queries_does_not_grow_with_the_services():
    provinces = list(Province.objects.select_related("region"))
    _populate(3)
    with CaptureQueriesContext(connection) as few:
        gaps.compute_matrix(provinces)
    _populate(12)
    with CaptureQueriesContext(connection) as many:
        matrix = gaps.compute_matrix(provinces)

    assert len(many.captured_queries) == len(few.captured_queries) <= 8
    assert row_of(matrix, "01.511").cells["shelter"].services == 15


def test_map_points_carry_the_class_of_each_family():
    verified(location=make_location(city="tanger"), needs=("reception",))

    points = gaps.map_points(matrix_of("01.511", "06.141"))

    tanger = next(point for point in points if point["code"] == "01.511")
    assert tanger["cells"]["reception"]["status"] == gaps.LOW
    assert tanger["cells"]["shelter"]["status"] in {gaps.LOW, gaps.DESERT}
    assert {point["code"] for point in points} == {"01.511", "06.141"}


@pytest.mark.parametrize("value", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx"])
def test_formula_like_text_is_neutralised(value):
    assert gaps.neutralise(value) == "'" + value


def test_plain_text_and_numbers_are_left_alone():
    assert gaps.neutralise("Tanger") == "Tanger"
    assert gaps.neutralise(-3) == -3
