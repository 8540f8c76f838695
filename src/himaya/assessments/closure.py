"""What the assessments and plans say against closing a case (settings.HIMAYA_CLOSURE_BLOCKERS)."""

from __future__ import annotations

from himaya.cases.models import Case


def blockers(case: Case) -> list[str]:
    """Translated reasons why ``case`` cannot be closed yet; empty when nothing here blocks it."""
    return []
