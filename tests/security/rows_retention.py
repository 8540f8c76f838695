"""Permission matrix rows: retention policies (system administrator) and erasure requests (recorded by the case
roles of one of her cases' organisation, decided by a supervisor of the organisation that recorded it).

The erasure request of a side is recorded on first use: on the own side by the caseworker of ``users`` for the
survivor of ``own_case``, on the other side by ``other_user`` for the survivor of ``other_case``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.retention.models import ErasureRequest
from tests.security.matrix import ADMIN, NOBODY, Row, fixed

SUPERVISOR = frozenset({Role.SUPERVISOR})


def _erasure(world: dict[str, Any], side: str) -> ErasureRequest:
    key = f"{side}_erasure"
    if key not in world:
        requester = world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]
        world[key] = ErasureRequest.objects.create(
            survivor=world[f"{side}_case"].survivor, requested_by=requester
        )
    return world[key]


def erasure(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(_erasure(world, side).pk)


def survivor(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_case"].survivor.code)


ROWS: dict[str, Row] = {
    "retention:policies": Row(url=fixed("/fr/retention/policies/"), own=ADMIN),
    "retention:erasure_queue": Row(url=fixed("/fr/retention/erasure/"), own=SUPERVISOR),
    "retention:erasure_new": Row(url=survivor("/fr/retention/erasure/new/{}/"), own=CASE_ROLES, other=NOBODY),
    "retention:erasure_detail": Row(url=erasure("/fr/retention/erasure/{}/"), own=SUPERVISOR, other=NOBODY),
    "retention:erasure_approve": Row(
        url=erasure("/fr/retention/erasure/{}/approve/"), method="POST", own=SUPERVISOR, other=NOBODY
    ),
    "retention:erasure_reject": Row(
        url=erasure("/fr/retention/erasure/{}/reject/"), method="POST", own=SUPERVISOR, other=NOBODY
    ),
}
