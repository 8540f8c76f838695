"""Translated labels of directory codes for the staff pages."""

from __future__ import annotations

from django import template

from himaya.directory.services import PHONE_TYPES

register = template.Library()


@register.filter
def phone_type(code: str | None) -> str:
    """The translated label of an HSDS telephone type ("cell": "mobile"); an unknown code as it is."""
    if not code:
        return ""
    label = PHONE_TYPES.get(code)
    return str(label) if label is not None else code
