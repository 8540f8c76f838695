"""Permission matrix rows: case management (core).

World objects: ``own_case`` / ``other_case`` (an open case of ``own_org`` / ``other_org``, opened by the caseworker of
``users`` / by ``other_user``; ``case.survivor`` is her survivor). URLs address cases and survivors by code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from tests.security.matrix import Row, fixed

SUPERVISOR = frozenset({Role.SUPERVISOR})


def case(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].code)


ROWS: dict[str, Row] = {
    # Queues: cases.access_case_data (the case roles; never the system administrator) / the supervisor.
    "cases:my_cases": Row(url=fixed("/fr/cases/"), own=CASE_ROLES),
    "cases:organisation_cases": Row(url=fixed("/fr/cases/organisation/"), own=SUPERVISOR),
    # Intake: step 1 opens a case (cases.add_case); step 4 changes one of the own organisation's open cases.
    "cases:intake_new": Row(url=fixed("/fr/cases/new/"), own=CASE_ROLES),
    "cases:intake_needs": Row(url=case("/fr/cases/{}/intake/needs/"), own=CASE_ROLES, other=frozenset()),
    # One case: its organisation's case workers; another organisation's case answers 404.
    "cases:case_detail": Row(url=case("/fr/cases/{}/"), own=CASE_ROLES, other=frozenset()),
    "cases:case_edit": Row(url=case("/fr/cases/{}/edit/"), own=CASE_ROLES, other=frozenset()),
    "cases:case_assign": Row(url=case("/fr/cases/{}/assign/"), own=SUPERVISOR, other=frozenset()),
}
