"""Permission matrix rows: case management (records).

World objects: ``own_case`` / ``other_case`` (an open case of ``own_org`` / ``other_org``, opened by the caseworker of
``users`` / by ``other_user``; ``case.survivor`` is her survivor). URLs address cases and survivors by code.
Incidents and consents are recorded on first use through the services: on the own side by the caseworker of
``users``, on the other side by ``other_user``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.cases.models import Consent, Incident
from himaya.cases.services import consents as consent_services
from himaya.cases.services import incidents as incident_services
from tests.security.matrix import NOBODY, Row


def _actor(world: dict[str, Any], side: str) -> Any:
    return world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]


def _incident(world: dict[str, Any], side: str) -> Incident:
    key = f"{side}_incident"
    if key not in world:
        world[key] = incident_services.incident_create(
            actor=_actor(world, side),
            case=world[f"{side}_case"],
            values={"involved_physical_assault": True, "law_forms": ["physical"]},
        )
    return world[key]


def _consent(world: dict[str, Any], side: str) -> Consent:
    key = f"{side}_consent"
    if key not in world:
        world[key] = consent_services.consent_give(
            actor=_actor(world, side), case=world[f"{side}_case"], purpose="services", method="verbal"
        )
    return world[key]


def case(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def incident(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].code, _incident(world, side).pk)


def consent(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].code, _consent(world, side).pk)


# Everything here: the case roles of the case's organisation (an open case); another organisation's case and
# roles without case work answer 404 (the case is not confirmed).
ROWS: dict[str, Row] = {
    "cases:incident_create": Row(url=case("/fr/cases/{}/incidents/new/"), own=CASE_ROLES, other=NOBODY),
    "cases:incident_edit": Row(url=incident("/fr/cases/{}/incidents/{}/edit/"), own=CASE_ROLES, other=NOBODY),
    "cases:intake_incident": Row(url=case("/fr/cases/{}/intake/incident/"), own=CASE_ROLES, other=NOBODY),
    "cases:consent_create": Row(url=case("/fr/cases/{}/consents/new/"), own=CASE_ROLES, other=NOBODY),
    "cases:consent_withdraw": Row(
        url=consent("/fr/cases/{}/consents/{}/withdraw/"), own=CASE_ROLES, other=NOBODY
    ),
    "cases:intake_consent": Row(url=case("/fr/cases/{}/intake/consent/"), own=CASE_ROLES, other=NOBODY),
}
