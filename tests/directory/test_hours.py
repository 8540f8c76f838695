"""Opening hours: "open now" (Python and database agree), past midnight, whole days, Ramadan, hours per week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from himaya.directory import hours
from himaya.directory.models import Schedule, Service, ServiceStatus
from tests.directory.factories import make_location, make_service

CASABLANCA = ZoneInfo("Africa/Casablanca")
WEEK = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Moroccan wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=CASABLANCA)


def row(weekday: str, opens: str, closes: str, **values: object) -> Schedule:
    schedule = Schedule(
        weekday=weekday, opens_at=time.fromisoformat(opens), closes_at=time.fromisoformat(closes), **values
    )
    schedule.weekday_index = WEEK.index(weekday)
    return schedule


def open_in_db(service: Service, now: datetime) -> bool:
    return Service.objects.filter(pk=service.pk).filter(hours.open_now_expression(now)).exists()


# 2026-11-23 is a Monday; 2026-11-24 a Tuesday.
@pytest.mark.parametrize(
    ("schedule", "moment", "expected"),
    [
        (row("MO", "09:00", "17:00"), local(2026, 11, 23, 9, 0), True),
        (row("MO", "09:00", "17:00"), local(2026, 11, 23, 16, 59), True),
        (row("MO", "09:00", "17:00"), local(2026, 11, 23, 17, 0), False),
        (row("MO", "09:00", "17:00"), local(2026, 11, 23, 8, 59), False),
        (row("MO", "09:00", "17:00"), local(2026, 11, 24, 10, 0), False),  # Tuesday
        (row("MO", "20:00", "02:00"), local(2026, 11, 23, 23, 30), True),  # before midnight
        (row("MO", "20:00", "02:00"), local(2026, 11, 24, 1, 30), True),  # after midnight, next day
        (row("MO", "20:00", "02:00"), local(2026, 11, 24, 2, 0), False),
        (row("MO", "20:00", "02:00"), local(2026, 11, 23, 1, 30), False),  # Monday early: Sunday's night
        (row("SU", "20:00", "02:00"), local(2026, 11, 23, 1, 30), True),  # Sunday night into Monday
        (row("MO", "00:00", "00:00"), local(2026, 11, 23, 0, 0), True),  # the whole day
        (row("MO", "00:00", "00:00"), local(2026, 11, 23, 23, 59), True),
        (row("MO", "00:00", "00:00"), local(2026, 11, 24, 0, 0), False),
        (row("MO", "09:00", "17:00", valid_to=date(2026, 11, 22)), local(2026, 11, 23, 10), False),
        (row("MO", "09:00", "17:00", valid_from=date(2026, 11, 24)), local(2026, 11, 23, 10), False),
        (row("MO", "09:00", "17:00", valid_from=date(2026, 11, 23)), local(2026, 11, 23, 10), True),
    ],
)
def test_a_row_is_open_at_a_moment(schedule: Schedule, moment: datetime, expected: bool) -> None:
    assert hours.row_open_at(schedule, hours.local_moment(moment)) is expected


@pytest.mark.django_db
def test_the_database_and_python_agree_over_a_whole_week() -> None:
    services = [
        make_service(hours=tuple((day, time(9), time(17)) for day in WEEK[:5])),
        make_service(hours=(("FR", time(22), time(6)), ("SA", time(22), time(6)))),
        make_service(hours=(("SU", time(0), time(0)), ("WE", time(8, 30), time(12, 15)))),
        make_service(hours=(("MO", time(9), time(17)),), status=ServiceStatus.TEMPORARILY_CLOSED),
        make_service(hours=(("TU", time(10), time(11)),), status=ServiceStatus.NOT_ACCEPTING),
        make_service(),  # no hours: never open
    ]
    # Hours on the location only: they count when the service has none of its own.
    located = make_location()
    Schedule.objects.create(location=located, weekday="TH", opens_at=time(14), closes_at=time(18))
    services.append(make_service(location=located))
    loaded = list(
        Service.objects.prefetch_related(
            "schedules", "service_at_locations__schedules", "service_at_locations__location__schedules"
        ).filter(pk__in=[service.pk for service in services])
    )
    start = datetime(2026, 11, 23, tzinfo=UTC)
    seen_open = set()
    for step in range(7 * 24 * 2 + 4):
        now = start + timedelta(minutes=30 * step + 7)
        in_python = {service.pk for service in loaded if hours.service_open_at(service, now)}
        in_db = set(Service.objects.filter(hours.open_now_expression(now)).values_list("pk", flat=True))
        assert in_db == in_python, now
        # The short-list path (three queries, the rule in Python) agrees too, statuses apart.
        candidates = [service.pk for service in loaded if service.status in hours.OPEN_STATUSES]
        assert hours.open_among(candidates, now) == in_python, now
        seen_open |= in_python
    # Every service with hours was open at some point, except the temporarily closed one.
    assert seen_open == {services[i].pk for i in (0, 1, 2, 4, 6)}


@pytest.mark.django_db
def test_location_hours_do_not_override_the_service_s_own_hours() -> None:
    located = make_location()
    Schedule.objects.create(location=located, weekday="MO", opens_at=time(8), closes_at=time(18))
    service = make_service(location=located, hours=(("MO", time(9), time(12)),))
    afternoon = local(2026, 11, 23, 14)
    assert open_in_db(service, afternoon) is False
    assert open_in_db(service, local(2026, 11, 23, 10)) is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 2, 8, 30, tzinfo=UTC),  # during Ramadan 2026: Morocco at UTC+0
        datetime(2026, 4, 6, 8, 30, tzinfo=UTC),  # after Ramadan: back to UTC+1
        datetime(2026, 3, 2, 16, 30, tzinfo=UTC),
        datetime(2026, 4, 6, 16, 30, tzinfo=UTC),
    ],
)
def test_open_now_follows_the_ramadan_change_of_offset(instant: datetime) -> None:
    in_ramadan = CASABLANCA.utcoffset(datetime(2026, 3, 2, 8, 30))
    after = CASABLANCA.utcoffset(datetime(2026, 4, 6, 8, 30))
    assert in_ramadan != after, "the time-zone data no longer has a Ramadan change: pick other dates"
    service = make_service(hours=tuple((day, time(9), time(17)) for day in WEEK))
    wall_clock = instant.astimezone(CASABLANCA).time()
    expected = time(9) <= wall_clock < time(17)
    assert open_in_db(service, instant) is expected
    assert hours.service_open_at(Service.objects.get(pk=service.pk), instant) is expected
    # The same UTC hour gives different answers inside and outside Ramadan for the morning instants.
    if instant.hour == 8:
        assert expected is (instant.month == 4)
    else:
        assert expected is (instant.month == 3)


def test_hours_per_week() -> None:
    weekdays = [row(day, "09:00", "17:00") for day in WEEK[:5]]
    assert hours.hours_per_week(weekdays) == 40
    assert hours.hours_per_week([row("MO", "22:00", "06:00")]) == 8
    assert hours.hours_per_week([row(day, "00:00", "00:00") for day in WEEK]) == 168
    # Overlapping rows count once; the night of Sunday wraps onto Monday morning.
    assert hours.hours_per_week([row("MO", "09:00", "12:00"), row("MO", "11:00", "13:00")]) == 4
    assert hours.hours_per_week([row("SU", "22:00", "02:00"), row("MO", "00:00", "01:00")]) == 4
    assert hours.hours_per_week([]) == 0


def test_a_naive_instant_is_read_as_utc() -> None:
    assert hours.local_moment(datetime(2026, 4, 6, 8, 30)) == hours.local_moment(
        datetime(2026, 4, 6, 8, 30, tzinfo=UTC)
    )
