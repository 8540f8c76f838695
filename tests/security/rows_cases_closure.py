"""Permission matrix rows: closing a case (request, decision, withdrawal), reopening, the legal hold, the
supervisor's queue of closures, and their API routes.

World objects: ``own_case`` / ``other_case``. A closure request is made on first use through the services (the
intake finished first): on the own side by the caseworker of ``users``, on the other by ``other_user``; a closed
case is approved by a supervisor of its organisation. Only a supervisor of the case's organisation decides,
reopens or sets a legal hold; the requester (here the caseworker) or a supervisor withdraws.

The API's reject and reopen need a body (a comment, a reason) and answer 400 without one, and the matrix sends
none: their rows check the read that shares their resource (the closure requests of the case) and
tests/cases/test_closure_api.py sends each of them with a valid body as every role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.cases.models import Case, ClosureRequest
from himaya.cases.services import cases as case_services
from himaya.cases.services import closure as closure_services
from tests.factories import make_user
from tests.security.matrix import NOBODY, Row

SUPERVISOR = frozenset({Role.SUPERVISOR})
REQUESTER_OR_SUPERVISOR = frozenset({Role.SUPERVISOR, Role.CASEWORKER})
URL = Callable[[dict[str, Any], str], str]


def _actor(world: dict[str, Any], side: str) -> Any:
    return world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]


def _supervisor(world: dict[str, Any], side: str) -> Any:
    if side == "own":
        return world["users"][Role.SUPERVISOR]
    if "other_supervisor" not in world:
        world["other_supervisor"] = make_user("supervisor", organisation=world["other_org"])
    return world["other_supervisor"]


def _pending(world: dict[str, Any], side: str) -> ClosureRequest:
    key = f"{side}_closure"
    if key not in world:
        case: Case = world[f"{side}_case"]
        actor = _actor(world, side)
        case_services.case_set_needs(actor=actor, case=case, needs=[])
        world[key] = closure_services.closure_request(
            actor=actor, case=case, reason="goals_met", checklist=closure_services.CHECKLIST_CODES
        )
    return world[key]


def _closed(world: dict[str, Any], side: str) -> Case:
    key = f"{side}_closed"
    if key not in world:
        world[key] = closure_services.closure_approve(
            actor=_supervisor(world, side), request=_pending(world, side)
        )
    return world[key]


def case(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def closed(template: str) -> URL:
    return lambda world, side: template.format(_closed(world, side).code)


def pending(template: str) -> URL:
    def build(world: dict[str, Any], side: str) -> str:
        request = _pending(world, side)
        return template.format(world[f"{side}_case"].code, request.pk)

    return build


def _api(url: URL, own: frozenset[str], method: str = "GET") -> Row:
    return Row(url=url, method=method, own=own, other=NOBODY, anonymous={401}, api=True)


ROWS: dict[str, Row] = {
    "cases:closures_pending": Row(url=lambda world, side: "/fr/cases/closures/", own=SUPERVISOR),
    "cases:closure_request": Row(url=case("/fr/cases/{}/closure/"), own=CASE_ROLES, other=NOBODY),
    "cases:closure_decide": Row(url=pending("/fr/cases/{}/closure/{}/decide/"), own=SUPERVISOR, other=NOBODY),
    "cases:closure_withdraw": Row(
        url=pending("/fr/cases/{}/closure/{}/withdraw/"),
        method="POST",
        own=REQUESTER_OR_SUPERVISOR,
        other=NOBODY,
    ),
    "cases:case_reopen": Row(url=closed("/fr/cases/{}/reopen/"), own=SUPERVISOR, other=NOBODY),
    "cases:legal_hold": Row(url=case("/fr/cases/{}/legal-hold/"), own=SUPERVISOR, other=NOBODY),
    # API.
    "api:closure_request_list": _api(case("/api/v1/cases/{}/closure-requests"), CASE_ROLES),
    # Same URL as the list: checked with GET (see above).
    "api:closure_request_create": _api(case("/api/v1/cases/{}/closure-requests"), CASE_ROLES),
    "api:closure_approve": _api(
        pending("/api/v1/cases/{}/closure-requests/{}/approve"), SUPERVISOR, method="POST"
    ),
    "api:closure_reject": _api(pending("/api/v1/cases/{}/closure-requests"), CASE_ROLES),  # see above
    "api:case_reopen": _api(closed("/api/v1/cases/{}/closure-requests"), CASE_ROLES),  # see above
}
