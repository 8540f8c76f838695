"""Readable, translated labels for audit events (role codes, object types, field names)."""

from __future__ import annotations

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from himaya.accounts.roles import Role

register = template.Library()


@register.filter
def role_labels(codes: str) -> str:
    labels = []
    for code in filter(None, codes.split(",")):
        labels.append(str(Role(code).label) if code in Role.values else code)
    return ", ".join(labels)


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@register.filter
def object_label(label: str) -> str:
    model = _model(label)
    return str(model._meta.verbose_name) if model is not None else label


@register.filter
def field_labels(names: list[str], label: str) -> str:
    model = _model(label)
    readable = []
    for name in names:
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        readable.append(str(getattr(field, "verbose_name", name)))
    return ", ".join(readable)
