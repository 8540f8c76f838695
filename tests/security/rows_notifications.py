"""Permission matrix rows: the in-app notifications (each user sees only her own)."""

from __future__ import annotations

from tests.security.matrix import ALL, Row, fixed

ROWS: dict[str, Row] = {
    "notifications:list": Row(url=fixed("/fr/notifications/"), own=ALL),
}
