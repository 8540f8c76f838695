"""What the case page's incidents and consents sections read, through the scoped queries:
``{% load case_records %}{% case_incidents case user as incidents %}``, ``{% case_consents case user as consents %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from himaya.cases.queries.consents import consents_of
from himaya.cases.queries.incidents import code_labels, incidents_of

register = template.Library()


@register.simple_tag
def case_incidents(case: Any, user: Any) -> list[Any]:
    """The incidents of ``case`` visible to ``user``, perpetrators prefetched (description not loaded)."""
    return list(incidents_of(viewer=user, case=case))


@register.simple_tag
def case_consents(case: Any, user: Any) -> list[dict[str, Any]]:
    """The consents of ``case`` visible to ``user``, each with its state today: active, expired or withdrawn."""
    today = timezone.localdate()
    rows = []
    for consent in consents_of(viewer=user, case=case):
        if consent.withdrawn_at is not None:
            state = "withdrawn"
        elif consent.expires_on is not None and consent.expires_on < today:
            state = "expired"
        else:
            state = "active"
        rows.append({"consent": consent, "state": state})
    return rows


@register.filter
def labels(codes: Any, field: str) -> str:
    """``incident.law_forms|labels:"law_forms"``: the translated labels, comma-separated."""
    return ", ".join(code_labels(field, codes or []))


@register.filter
def information_labels(codes: Any) -> str:
    from himaya.cases import choices

    names = dict(choices.SharedInformation.choices)
    return ", ".join(str(names.get(code, code)) for code in codes or [])
