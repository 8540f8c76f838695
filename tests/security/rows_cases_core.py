"""Permission matrix rows: case management (core).

World objects: ``own_case`` / ``other_case`` (an open case of ``own_org`` / ``other_org``, opened by the caseworker of
``users`` / by ``other_user``; ``case.survivor`` is her survivor). URLs address cases and survivors by code.
"""

from __future__ import annotations

from tests.security.matrix import Row

ROWS: dict[str, Row] = {}
