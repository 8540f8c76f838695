"""Permission matrix rows: safety and case plans, plan actions, case conferences, the lists of plan actions.

World objects: ``own_case`` / ``other_case``; a plan action is added on first use through the services (on the own
side by the caseworker of ``users``, on the other side by ``other_user``). The case roles of the case's
organisation may use every case route; another organisation's case answers 404 (never confirmed). The lists
of actions across cases: case roles ("mine"), supervisors (the organisation's).

POST routes are sent without a body: the action form answers with the plan page and its errors (200, hence
api=True), the status buttons redirect with a message (302). The API's writes share their URL with a read
(checked with GET, as in rows_cases_api); tests/assessments/test_plans_api.py sends each write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.assessments.models import PlanAction
from himaya.assessments.services import plans as plan_services
from tests.security.matrix import NOBODY, Row, fixed

URL = Callable[[dict[str, Any], str], str]
SUPERVISOR = frozenset({Role.SUPERVISOR})


def _action(world: dict[str, Any], side: str) -> PlanAction:
    key = f"{side}_plan_action"
    if key not in world:
        actor = world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]
        plan = plan_services.plan_get_or_create(actor=actor, case=world[f"{side}_case"], kind="safety")
        world[key] = plan_services.action_add(
            actor=actor, plan=plan, need="safety", description="Keep a bag ready"
        )
    return world[key]


def case(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def action(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code, _action(world, side).pk)


def _web(url: URL, **extra: Any) -> Row:
    return Row(url=url, own=CASE_ROLES, other=NOBODY, **extra)


def _api(url: URL, method: str = "GET") -> Row:
    return Row(url=url, method=method, own=CASE_ROLES, other=NOBODY, anonymous={401}, api=True)


ROWS: dict[str, Row] = {
    "assessments:plan_detail": _web(case("/fr/cases/{}/plans/safety/")),
    "assessments:plan_print": _web(case("/fr/cases/{}/plans/case/print/")),
    "assessments:action_add": _web(case("/fr/cases/{}/plans/safety/actions/"), method="POST", api=True),
    "assessments:action_edit": _web(action("/fr/cases/{}/plans/actions/{}/edit/")),
    "assessments:action_status": _web(action("/fr/cases/{}/plans/actions/{}/status/"), method="POST"),
    "assessments:conference_new": _web(case("/fr/cases/{}/conferences/new/")),
    "assessments:my_actions": Row(url=fixed("/fr/cases/actions/"), own=CASE_ROLES),
    "assessments:organisation_actions": Row(url=fixed("/fr/cases/actions/organisation/"), own=SUPERVISOR),
    "api:plan_list": _api(case("/api/v1/cases/{}/plans")),
    "api:plan_detail": _api(case("/api/v1/cases/{}/plans/safety")),
    "api:plan_action_list": _api(case("/api/v1/cases/{}/plans/safety/actions")),
    "api:plan_action_create": _api(case("/api/v1/cases/{}/plans/safety/actions")),  # same URL: GET
    "api:plan_action_detail": _api(action("/api/v1/cases/{}/plans/actions/{}")),
    "api:plan_action_update": _api(action("/api/v1/cases/{}/plans/actions/{}")),  # same URL: GET
    "api:conference_list": _api(case("/api/v1/cases/{}/conferences")),
    "api:conference_create": _api(case("/api/v1/cases/{}/conferences")),  # same URL: GET
    "api:my_plan_actions": Row(
        url=fixed("/api/v1/me/plan-actions"), own=CASE_ROLES, anonymous={401}, api=True
    ),
}
