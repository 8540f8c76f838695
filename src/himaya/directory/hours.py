"""Opening hours: "open now" and hours per week, on ``Schedule`` rows (local time, Africa/Casablanca).

A schedule row is one weekday with a local wall-clock period. ``closes_at`` earlier than ``opens_at``: the period
runs past midnight into the next day; ``opens_at`` equal to ``closes_at`` (00:00-00:00): the whole day. The
current instant is converted with zoneinfo, so the change of offset around Ramadan is followed.

Whose hours count for a service: its own rows and those of its service-at-location links; when it has none, the
hours of the locations where it is delivered. The same rule exists twice, in Python (``service_open_at``, for
objects already loaded) and as a database expression (``open_now_expression``, for searching); the tests check
that they agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from himaya.directory.models import Schedule, Service, ServiceAtLocation, ServiceStatus

LOCAL_ZONE = ZoneInfo("Africa/Casablanca")
MINUTES_PER_DAY = 24 * 60
# A temporarily closed (or inactive, defunct) service is never "open now", whatever its hours say.
OPEN_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.NOT_ACCEPTING)


@dataclass(frozen=True)
class LocalMoment:
    weekday: int  # Monday = 0
    time: time
    date: date

    @property
    def yesterday(self) -> int:
        return (self.weekday - 1) % 7


def local_moment(now: datetime | None = None) -> LocalMoment:
    """The local weekday, wall-clock time (to the second) and date of an instant (aware; naive means UTC)."""
    now = now or timezone.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    local = now.astimezone(LOCAL_ZONE)
    return LocalMoment(local.weekday(), local.time().replace(microsecond=0, tzinfo=None), local.date())


class ScheduleLike(Protocol):
    """A ``Schedule`` row or an ``HoursRow``."""

    @property
    def weekday_index(self) -> int: ...
    @property
    def opens_at(self) -> time: ...
    @property
    def closes_at(self) -> time: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_to(self) -> date | None: ...


class HoursRow(NamedTuple):
    """The fields of a schedule row that "open now" needs (read with ``values_list``)."""

    weekday_index: int
    opens_at: time
    closes_at: time
    valid_from: date | None
    valid_to: date | None


HOURS_FIELDS = ("weekday_index", "opens_at", "closes_at", "valid_from", "valid_to")


def _valid_on(row: ScheduleLike, day: date) -> bool:
    return (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or row.valid_to >= day)


def row_open_at(row: ScheduleLike, moment: LocalMoment) -> bool:
    """Whether one schedule row covers ``moment``."""
    opens, closes = row.opens_at.replace(microsecond=0), row.closes_at.replace(microsecond=0)
    today = row.weekday_index == moment.weekday and _valid_on(row, moment.date)
    if opens == closes:  # the whole day
        return today
    if opens < closes:
        return today and opens <= moment.time < closes
    # Past midnight: from ``opens`` to midnight on its day, then until ``closes`` on the next day.
    if today and moment.time >= opens:
        return True
    started_yesterday = row.weekday_index == moment.yesterday and _valid_on(
        row, moment.date - timedelta(days=1)
    )
    return started_yesterday and moment.time < closes


def rows_open_at(rows: Iterable[ScheduleLike], moment: LocalMoment) -> bool:
    return any(row_open_at(row, moment) for row in rows)


def service_schedules(service: Service) -> tuple[list[Schedule], list[Schedule]]:
    """The service's own rows (its own and its service-at-location rows) and its locations' rows.

    Uses prefetched relations when present (``schedules``, ``service_at_locations__schedules``,
    ``service_at_locations__location__schedules``).
    """
    own = list(service.schedules.all())
    located: list[Schedule] = []
    for link in service.service_at_locations.all():
        own.extend(link.schedules.all())
        located.extend(link.location.schedules.all())
    return own, located


def effective_schedules(service: Service) -> list[Schedule]:
    """The rows that say when ``service`` is open: its own, or else its locations'."""
    own, located = service_schedules(service)
    rows = own or located
    unique = {row.pk: row for row in rows}
    return sorted(unique.values(), key=lambda row: (row.weekday_index, row.opens_at))


def service_open_at(service: Service, now: datetime | None = None) -> bool:
    """Whether ``service`` is open at ``now``; a temporarily closed, inactive or defunct one never is."""
    if service.status not in OPEN_STATUSES:
        return False
    return rows_open_at(effective_schedules(service), local_moment(now))


def minutes_per_week(rows: Iterable[Schedule]) -> int:
    """Total opening minutes in a week (overlapping rows are counted once)."""
    week = 7 * MINUTES_PER_DAY
    covered = [False] * week
    for row in rows:
        start = row.weekday_index * MINUTES_PER_DAY + row.opens_at.hour * 60 + row.opens_at.minute
        for offset in range(row.minutes):
            covered[(start + offset) % week] = True
    return sum(covered)


def hours_per_week(rows: Iterable[Schedule]) -> float:
    return round(minutes_per_week(rows) / 60, 1)


def open_among(
    service_ids: Collection[Any],
    now: datetime | None = None,
    links: Iterable[tuple[Any, Any, Any]] | None = None,
) -> set[Any]:
    """Which of ``service_ids`` are open at ``now`` by their hours (the caller keeps only open statuses).

    For a short list of candidates (what the other filters left): two indexed queries read their links and their
    hours of today and yesterday (the only rows that can be open now), and the rule of ``service_open_at`` is
    applied in Python; a third query, only when a location's hours could count, tells which services have hours
    of their own on other days. The database expression below serves long lists. ``links``: the candidates'
    service-at-location links as (link id, service id, location id), when the caller has read them already.
    """
    ids = list(service_ids)
    if not ids:
        return set()
    moment = local_moment(now)
    own: dict[Any, list[HoursRow]] = {}
    located: dict[Any, list[HoursRow]] = {}
    # The links and locations of the candidates first (one small indexed read), then their hours in one query by
    # the (partial) indexes on Schedule: a join would let the planner scan every schedule row instead.
    if links is None:
        links = ServiceAtLocation.objects.filter(service_id__in=ids).values_list(
            "pk", "service_id", "location_id"
        )
    links = list(links)
    link_owner = {link_id: service_id for link_id, service_id, _location in links}
    location_owners: dict[Any, list[Any]] = {}
    for _link, service_id, location_id in links:
        location_owners.setdefault(location_id, []).append(service_id)
    wanted = Q(service_id__in=ids)
    if links:
        wanted |= Q(service_at_location_id__in=list(link_owner)) | Q(location_id__in=list(location_owners))
    rows = Schedule.objects.filter(wanted, weekday_index__in=[moment.weekday, moment.yesterday]).order_by()
    for service_id, link_id, location_id, *values in rows.values_list(
        "service_id", "service_at_location_id", "location_id", *HOURS_FIELDS
    ):
        row = HoursRow(*values)
        if service_id is not None:
            own.setdefault(service_id, []).append(row)
        if link_id is not None:
            own.setdefault(link_owner[link_id], []).append(row)
        if location_id is not None:
            for owner in location_owners.get(location_id, []):
                located.setdefault(owner, []).append(row)
    # A location's hours count only for a service without hours of its own (on any day).
    fallback = [service_id for service_id in located if service_id not in own]
    if fallback:
        links_of = [link_id for link_id, owner in link_owner.items() if owner in set(fallback)]
        for service_id, link_id in (
            Schedule.objects.filter(Q(service_id__in=fallback) | Q(service_at_location_id__in=links_of))
            .order_by()
            .values_list("service_id", "service_at_location_id")
        ):
            located.pop(service_id if service_id is not None else link_owner[link_id], None)
    return {
        service_id
        for service_id in ids
        if rows_open_at(own.get(service_id) or located.get(service_id, []), moment)
    }


# In the database ------------------------------------------------------------------------------------------------


def open_rows_q(now: datetime | None = None, prefix: str = "") -> Q:
    """A filter on ``Schedule`` rows (behind ``prefix``, e.g. ``"schedules__"``) open at ``now``."""
    moment = local_moment(now)
    yesterday = moment.date - timedelta(days=1)

    def field(name: str) -> str:
        return f"{prefix}{name}"

    def valid(day: date) -> Q:
        return (Q(**{field("valid_from__isnull"): True}) | Q(**{field("valid_from__lte"): day})) & (
            Q(**{field("valid_to__isnull"): True}) | Q(**{field("valid_to__gte"): day})
        )

    closes = F(field("closes_at"))
    today = Q(**{field("weekday_index"): moment.weekday}) & valid(moment.date)
    whole_day = today & Q(**{field("opens_at"): closes})
    same_day = (
        today
        & Q(**{field("opens_at__lt"): closes})
        & Q(**{field("opens_at__lte"): moment.time})
        & Q(**{field("closes_at__gt"): moment.time})
    )
    tonight = today & Q(**{field("opens_at__gt"): closes}) & Q(**{field("opens_at__lte"): moment.time})
    last_night = (
        Q(**{field("weekday_index"): moment.yesterday})
        & valid(yesterday)
        & Q(**{field("opens_at__gt"): closes})
        & Q(**{field("closes_at__gt"): moment.time})
    )
    return whole_day | same_day | tonight | last_night


def open_now_expression(now: datetime | None = None) -> Q:
    """A filter on ``Service`` rows: open at ``now`` (the same rule as ``service_open_at``).

    Correlated EXISTS on the service's schedule rows of today and yesterday (indexed by service, link or
    location, then weekday): the database probes the few rows of each candidate left by the other filters
    instead of reading every open row of the country. The "no hours of its own" test of the location fallback
    is only evaluated for a service that has an open location.
    """
    moment = local_moment(now)
    rows = Schedule.objects.filter(weekday_index__in=[moment.weekday, moment.yesterday]).filter(
        open_rows_q(now)
    )
    open_own = Exists(rows.filter(service_id=OuterRef("pk")))
    open_linked = Exists(rows.filter(service_at_location__service_id=OuterRef("pk")))
    open_located = Exists(rows.filter(location__service_at_locations__service_id=OuterRef("pk")))
    has_own = Exists(Schedule.objects.filter(service_id=OuterRef("pk"))) | Exists(
        Schedule.objects.filter(service_at_location__service_id=OuterRef("pk"))
    )
    located = Q(open_located) & ~Q(has_own)
    return Q(status__in=OPEN_STATUSES) & (Q(open_own) | Q(open_linked) | located)
