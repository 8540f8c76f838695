"""Permission matrix rows: cases closure (routes added with their feature)."""

from __future__ import annotations

from tests.security.matrix import Row

ROWS: dict[str, Row] = {}
