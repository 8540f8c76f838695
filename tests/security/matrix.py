"""Shared pieces of the permission matrix: the row type, role sets and URL builders.

Rows live in tests/security/test_permission_matrix.py (foundation) and in tests/security/rows_*.py (one module
per area, merged into MATRIX), so that each area keeps its own rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from himaya.accounts.roles import Role

ALL = frozenset(Role.values)
ADMIN = frozenset({Role.SYSTEM_ADMIN})
MANAGERS = frozenset({Role.SYSTEM_ADMIN, Role.SUPERVISOR})
NOBODY: frozenset[str] = frozenset()

OK_GET = {200}
OK_POST = {302}
DENIED = {403, 404}


@dataclass(frozen=True)
class Row:
    """``url`` receives the world and "own" / "other" and returns the path (language /fr/)."""

    url: Callable[[dict[str, Any], str], str]
    method: str = "GET"
    own: frozenset[str] = NOBODY
    other: frozenset[str] | None = None  # None: the route has no object; only ``own`` applies
    anonymous: set[int] = field(default_factory=lambda: {302})  # login redirect
    staff_status: set[int] | None = None  # for authentication routes: status for any signed-in role
    api: bool = False


def fixed(path: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: path


def obj(template: str, key: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_{key}"].pk)


def auth(path: str, anonymous: set[int], staff: set[int], method: str = "GET") -> Row:
    return Row(url=fixed(path), method=method, anonymous=anonymous, staff_status=staff)
