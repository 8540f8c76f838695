"""Factories for directory tests: services, locations, schedules (fictional data)."""

from __future__ import annotations

import itertools
from datetime import time
from typing import Any

from himaya.accounts.models import Organisation
from himaya.core.models import City
from himaya.directory.models import Location, Schedule, Service, ServiceAtLocation, TaxonomyTerm
from tests.factories import make_organisation

_sequence = itertools.count(1)


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code, taxonomy__code__in=["himaya-needs", "himaya-populations"])


def make_location(
    *, organisation: Organisation | None = None, city: str = "tanger", **values: Any
) -> Location:
    number = next(_sequence)
    place = City.objects.select_related("province__region").get(slug=city)
    defaults: dict[str, Any] = {
        "organisation": organisation or make_organisation(),
        "name": f"Lieu {number}",
        "address_1": f"{number} rue de la Paix",
        "city_name": place.name_fr,
        "city": place,
        "province": place.province,
        "region": place.province.region,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    defaults.update(values)
    return Location.objects.create(**defaults)


def make_service(
    *,
    organisation: Organisation | None = None,
    location: Location | None = None,
    needs: tuple[str, ...] = ("reception",),
    languages: tuple[str, ...] = ("ar", "fr"),
    hours: tuple[tuple[str, time, time], ...] = (),
    **values: Any,
) -> Service:
    """A service of ``organisation`` (at ``location`` when given) with need terms, languages and hours."""
    number = next(_sequence)
    organisation = organisation or (location.organisation if location else make_organisation())
    defaults: dict[str, Any] = {"organisation": organisation, "name": f"Service {number}"}
    defaults.update(values)
    service = Service.objects.create(**defaults)
    service.terms.set([term(code) for code in needs])
    for code in languages:
        service.languages.create(code=code)
    if location is not None:
        ServiceAtLocation.objects.create(service=service, location=location)
    for weekday, opens_at, closes_at in hours:
        Schedule.objects.create(service=service, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
    return service
