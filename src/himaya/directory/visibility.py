"""Who sees which field of a directory entry: the one place that decides it.

Three audiences, in order: the public (anyone, no login), the network (any signed-in professional) and the
restricted audience (the entry's own organisation and the directory editors). Every public page, API response,
export and PDF asks this module; none decides on its own. Confidential locations never show their address or
coordinates below the restricted audience; their "front door" contact is shown instead.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from himaya.directory.models import Location, Phone, Service, Visibility


class Audience(IntEnum):
    PUBLIC = 0
    NETWORK = 1
    RESTRICTED = 2


LEVEL_AUDIENCE: dict[str, Audience] = {
    Visibility.PUBLIC: Audience.PUBLIC,
    Visibility.NETWORK: Audience.NETWORK,
    Visibility.RESTRICTED: Audience.RESTRICTED,
}

# Service fields whose visibility an editor may set, with their default level.
CONFIGURABLE_FIELDS: dict[str, Visibility] = {
    "description": Visibility.PUBLIC,
    "email": Visibility.PUBLIC,
    "url": Visibility.PUBLIC,
    "application_process": Visibility.PUBLIC,
    "eligibility_description": Visibility.PUBLIC,
    "fees_description": Visibility.PUBLIC,
    "wait_time": Visibility.PUBLIC,
    "interpretation_services": Visibility.PUBLIC,
    "accreditations": Visibility.NETWORK,
    "licenses": Visibility.NETWORK,
}
CONFIGURABLE_FIELD_LABELS = {
    "description": _("description"),
    "email": _("e-mail"),
    "url": _("website"),
    "application_process": _("how to access"),
    "eligibility_description": _("eligibility (free text)"),
    "fees_description": _("fees"),
    "wait_time": _("waiting time"),
    "interpretation_services": _("interpretation"),
    "accreditations": _("accreditations"),
    "licenses": _("licences"),
}
# Not configurable: capacity (vacancies) is for the network only; verification details too.
CAPACITY_AUDIENCE = Audience.NETWORK
VERIFICATION_AUDIENCE = Audience.NETWORK
LOCATION_ADDRESS_FIELDS = ("address_1", "address_2", "postal_code", "latitude", "longitude", "transportation")


def audience_for(user: Any, service_or_organisation: Any = None) -> Audience:
    """The audience of ``user`` for an entry (or for the directory in general when no entry is given)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Audience.PUBLIC
    if service_or_organisation is not None and user.has_perm(
        "directory.view_restricted", service_or_organisation
    ):
        return Audience.RESTRICTED
    if user.has_perm("directory.view_directory"):
        return Audience.NETWORK
    return Audience.PUBLIC


def field_level(service: Service, field: str) -> Audience:
    default = CONFIGURABLE_FIELDS.get(field, Visibility.PUBLIC)
    level = (service.field_visibility or {}).get(field, default)
    return LEVEL_AUDIENCE.get(level, Audience.RESTRICTED)  # an unknown level hides the field


def field_visible(service: Service, field: str, audience: Audience) -> bool:
    return audience >= field_level(service, field)


def service_field(service: Service, field: str, audience: Audience) -> Any:
    """The value of ``field`` for ``audience``, or an empty string when it may not see it."""
    return getattr(service, field) if field_visible(service, field, audience) else ""


def phone_visible(phone: Phone, audience: Audience) -> bool:
    return audience >= LEVEL_AUDIENCE.get(phone.visibility, Audience.RESTRICTED)


def visible_phones(phones: Any, audience: Audience) -> list[Phone]:
    return [phone for phone in phones if phone_visible(phone, audience)]


def address_visible(location: Location, audience: Audience) -> bool:
    return not location.is_confidential or audience >= Audience.RESTRICTED


def location_view(location: Location, audience: Audience) -> dict[str, Any]:
    """What ``audience`` may know of a location. Confidential: city and province, front-door contact only."""
    shown = address_visible(location, audience)
    return {
        "id": location.id,
        "name": location.name,
        "name_ar": location.name_ar,
        "location_type": location.location_type,
        "is_confidential": location.is_confidential,
        "city_name": location.city_name,
        "city": location.city,
        "province": location.province,
        "region": location.region,
        "address_1": location.address_1 if shown else "",
        "address_2": location.address_2 if shown else "",
        "postal_code": location.postal_code if shown else "",
        "transportation": location.transportation if shown else "",
        "latitude": location.latitude if shown else None,
        "longitude": location.longitude if shown else None,
        "front_door_phone": location.front_door_phone,
        "front_door_note": location.front_door_note,
    }
