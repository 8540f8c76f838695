"""Permission matrix rows: trafficking screening and formal identification (web and API).

World objects: ``own_case`` / ``other_case`` (open cases; the survivor born in 1990). A screening is recorded on
first use through the service: on the own side by the caseworker of ``users``, on the other side by
``other_user``. The case roles of the case's organisation may use every route; another organisation's case
answers 404 (never confirmed), roles without case work 404 on a case and 403 on the indicator list.

As in rows_cases_api, the API's creates share their URL with a read and are checked with GET; tests/assessments/
test_screening_api.py sends them with a body as refused roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.assessments.models import Screening
from himaya.assessments.services import screening as screening_services
from tests.security.matrix import NOBODY, Row

URL = Callable[[dict[str, Any], str], str]


def _screening(world: dict[str, Any], side: str) -> Screening:
    key = f"{side}_screening"
    if key not in world:
        actor = world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]
        world[key] = screening_services.screening_record(
            actor=actor, case=world[f"{side}_case"], answers={"act.deceptive_recruitment": "yes"}
        )
    return world[key]


def case(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def screening(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code, _screening(world, side).pk)


def _api(url: URL) -> Row:
    return Row(url=url, own=CASE_ROLES, other=NOBODY, anonymous={401}, api=True)


ROWS: dict[str, Row] = {
    "assessments:screening_new": Row(url=case("/fr/cases/{}/screening/new/"), own=CASE_ROLES, other=NOBODY),
    "assessments:screening_detail": Row(
        url=screening("/fr/cases/{}/screening/{}/"), own=CASE_ROLES, other=NOBODY
    ),
    "assessments:identification_new": Row(
        url=case("/fr/cases/{}/identification/new/"), own=CASE_ROLES, other=NOBODY
    ),
    "api:screening_indicators": Row(
        url=lambda world, side: "/api/v1/screening-indicators", own=CASE_ROLES, anonymous={401}, api=True
    ),
    "api:screening_list": _api(case("/api/v1/cases/{}/screenings")),
    "api:screening_create": _api(case("/api/v1/cases/{}/screenings")),  # same URL: GET
    "api:screening_detail": _api(screening("/api/v1/cases/{}/screenings/{}")),
    "api:identification_list": _api(case("/api/v1/cases/{}/identifications")),
    "api:identification_create": _api(case("/api/v1/cases/{}/identifications")),  # same URL: GET
}
