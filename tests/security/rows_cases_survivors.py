"""Permission matrix rows: case management (survivors).

World objects: ``own_case`` / ``other_case`` (an open case of ``own_org`` / ``other_org``, opened by the caseworker of
``users`` / by ``other_user``; ``case.survivor`` is her survivor). URLs address cases and survivors by code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES
from tests.security.matrix import NOBODY, Row, fixed


def survivor(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].survivor.code)


ROWS: dict[str, Row] = {
    # Search: cases.search_survivors (the case roles); results are scoped to what each user may see.
    "cases:survivor_search": Row(url=fixed("/fr/cases/survivors/search/"), own=CASE_ROLES),
    # One survivor: visible through her cases (the own organisation's case roles); another organisation's
    # survivor answers 404, as for anyone without case work.
    "cases:survivor_detail": Row(url=survivor("/fr/cases/survivors/{}/"), own=CASE_ROLES, other=NOBODY),
    "cases:survivor_edit": Row(url=survivor("/fr/cases/survivors/{}/edit/"), own=CASE_ROLES, other=NOBODY),
    # The reveal answers the POST with the page itself (200, shown once), not a redirect: hence api=True, which
    # makes the matrix expect 200 for the allowed roles.
    "cases:survivor_reveal": Row(
        url=survivor("/fr/cases/survivors/{}/reveal/"),
        method="POST",
        own=CASE_ROLES,
        other=NOBODY,
        api=True,
    ),
}
