"""Permission matrix rows: assessments risk (danger assessment pages and API).

World objects: ``own_case`` / ``other_case``; an assessment of each is recorded on first use through the service
(own side by the caseworker of ``users``, other side by ``other_user``). The case roles of the case's organisation
may use every route; another organisation's case answers 404 (never confirmed). The API's create shares its URL
with the list and is checked with GET (see rows_cases_api); tests/assessments/test_risk_views.py sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES
from himaya.assessments.models import RiskAssessment
from himaya.assessments.services import risk as risk_services
from tests.security.matrix import ALL, NOBODY, Row
from tests.security.rows_cases_records import _actor

URL = Callable[[dict[str, Any], str], str]


def _assessment(world: dict[str, Any], side: str) -> RiskAssessment:
    key = f"{side}_risk_assessment"
    if key not in world:
        world[key] = risk_services.risk_assess(
            actor=_actor(world, side), case=world[f"{side}_case"], answers={"very_frightened": "yes"}
        )
    return world[key]


def case(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def assessment(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code, _assessment(world, side).pk)


def _api(url: URL) -> Row:
    return Row(url=url, own=CASE_ROLES, other=NOBODY, anonymous={401}, api=True)


ROWS: dict[str, Row] = {
    "assessments:risk_new": Row(url=case("/fr/cases/{}/risk/new/"), own=CASE_ROLES, other=NOBODY),
    "assessments:risk_detail": Row(url=assessment("/fr/cases/{}/risk/{}/"), own=CASE_ROLES, other=NOBODY),
    "api:risk_assessment_list": _api(case("/api/v1/cases/{}/risk-assessments")),
    "api:risk_assessment_create": _api(case("/api/v1/cases/{}/risk-assessments")),  # same URL: GET
    "api:risk_assessment_detail": _api(assessment("/api/v1/cases/{}/risk-assessments/{}")),
    # The question list is no personal data: every signed-in role reads it.
    "api:risk_question_list": Row(
        url=lambda world, side: "/api/v1/risk-questions", own=ALL, anonymous={401}, api=True
    ),
}
