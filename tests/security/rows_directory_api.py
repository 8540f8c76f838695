"""Permission matrix rows: directory read API (HSDS shape).

World objects: ``own_service`` / ``other_service`` (a service with one location of ``own_org`` / ``other_org``).
"""

from __future__ import annotations

from tests.security.matrix import Row

ROWS: dict[str, Row] = {}
