"""What every case service shares: the timeline, optimistic concurrency and input checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import IntegrityError, models
from django.utils.translation import gettext as _

from himaya.cases import codes
from himaya.cases.models import Case, CaseEvent, EventKind
from himaya.core.errors import BusinessRuleError, ConflictError

MAX_TEXT = 20_000  # characters of one free-text field
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class RecordConflict(ConflictError):
    """A stale save: ``current`` maps each field the user tried to change, that someone else changed, to its value
    now; ``changed_by``/``changed_at`` tell who saved last. Nothing was saved."""

    def __init__(self, *, labels: Mapping[str, str], current: Mapping[str, Any]) -> None:
        super().__init__()
        self.current = dict(current)
        fields = ", ".join(labels[name] for name in self.current) or _("other fields")
        self.message: Any = _(
            "Someone else saved this record while you were editing it (%(fields)s). Nothing was saved: "
            "the current values are shown below; apply your change again if it is still needed."
        ) % {"fields": fields}


def unique_code(model: type[models.Model], prefix: str) -> str:
    """A new pseudonymous code for ``model`` (32^8 codes per prefix: a clash is rare, five in a row unreachable)."""
    for _attempt in range(5):
        code = codes.new_code(prefix)
        if not model._default_manager.filter(code=code).exists():
            return code
    raise IntegrityError(f"could not draw a free {model._meta.model_name} code")


def event_add(
    *,
    case: Case,
    kind: EventKind | str,
    actor: Any,
    target: models.Model | None = None,
    detail: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append a line to the case timeline. ``detail`` holds codes and counts, never personal values."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        detail=dict(detail or {}),
        object_type=str(target._meta.model_name) if target is not None else "",
        object_id=target.pk if target is not None else None,
    )


def save_versioned(
    instance: models.Model,
    *,
    expected_version: int | None,
    values: Mapping[str, Any],
    check: Callable[[Any], None] | None = None,
) -> list[str]:
    """Apply ``values`` to ``instance`` (locked and re-read) if nobody saved since ``expected_version``.

    Returns the names of the fields that really changed (empty: nothing saved). Raises RecordConflict, listing
    the fields whose current value differs from what the user submitted, when the version moved on. ``check``,
    if given, receives the locked current record once the version is known to be right (rules that depend on
    the current values, such as the allowed stage moves) and raises to refuse.
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        labels = {name: str(getattr(model._meta.get_field(name), "verbose_name", name)) for name in values}
        differing = {
            name: getattr(current, name) for name, value in values.items() if getattr(current, name) != value
        }
        raise RecordConflict(labels=labels, current=differing)
    if check is not None:
        check(current)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name, value in values.items():
        setattr(instance, name, value)
    if changed:
        instance.version = current.version + 1  # type: ignore[attr-defined]
        instance.full_clean()
        instance.save(update_fields=[*changed, "version", *_auto_now_fields(model)])
    return changed


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def check_text(value: str, *, label: str, max_length: int = MAX_TEXT, allow_bidi: bool = False) -> str:
    """Refuse oversized text and (in names) right-to-left override characters; strip surrounding spaces."""
    value = (value or "").strip()
    if len(value) > max_length:
        raise BusinessRuleError(
            _("%(field)s is too long (%(length)d characters, at most %(max)d).")
            % {"field": label, "length": len(value), "max": max_length}
        )
    if not allow_bidi and _BIDI_OVERRIDES.intersection(value):
        raise BusinessRuleError(
            _("%(field)s contains invisible text-direction characters; type it again without them.")
            % {"field": label}
        )
    return value


def check_codes(values: Iterable[str], allowed: Iterable[str], *, label: str) -> list[str]:
    """A multi-select of codes: every code known, no duplicates, in the order of ``allowed``."""
    allowed = list(allowed)
    values = list(values)
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise BusinessRuleError(
            _("%(field)s: unknown code(s) %(codes)s.") % {"field": label, "codes": ", ".join(unknown)}
        )
    return [code for code in allowed if code in values]
