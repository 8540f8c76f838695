"""Case notes and the contact log. Notes are never edited: a correction is a new note."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.models import Case, ContactLog, EventKind, Note
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, event_add
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

MAX_DURATION_MINUTES = 24 * 60
# A contact may be recorded that happened before the case was opened (a first call), not long before.
EARLIEST_BEFORE_OPENING = timedelta(days=366)
CLOCK_TOLERANCE = timedelta(minutes=5)


@transaction.atomic
def note_add(*, actor: User, case: Case, body: str) -> Note:
    """Add a note to an open case (the actor must work on it)."""
    require(actor, "cases.add_note", case)
    body = check_text(body, label=_("Note"))
    if not body:
        raise BusinessRuleError(_("Write the note before saving it."))
    note = Note(case=case, body=body, created_by=actor)
    note.full_clean()
    note.save()
    event_add(case=case, kind=EventKind.NOTE_ADDED, actor=actor, target=note)
    audit.record(AuditAction.CREATE, actor=actor, target=note, fields=["body"])
    return note


@transaction.atomic
def contact_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    happened_at: datetime,
    duration_minutes: int | None = None,
    summary: str = "",
) -> ContactLog:
    """Record a contact with her (visit, call, message, accompaniment…) on an open case."""
    require(actor, "cases.add_note", case)
    if kind not in choices.ContactKind.values:
        raise BusinessRuleError(_("Choose the kind of contact from the list."))
    now = timezone.now()
    if happened_at > now + CLOCK_TOLERANCE:
        raise BusinessRuleError(_("The contact cannot be in the future."))
    if happened_at < case.opened_at - EARLIEST_BEFORE_OPENING:
        raise BusinessRuleError(
            _("The contact cannot be more than a year before the case was opened (%(date)s).")
            % {"date": timezone.localtime(case.opened_at).date().isoformat()}
        )
    if duration_minutes is not None and not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise BusinessRuleError(
            _("The duration must lie between 1 and %(max)d minutes.") % {"max": MAX_DURATION_MINUTES}
        )
    summary = check_text(summary, label=_("Summary"))
    contact = ContactLog(
        case=case,
        kind=kind,
        happened_at=happened_at,
        duration_minutes=duration_minutes,
        summary=summary,
        created_by=actor,
    )
    contact.full_clean()
    contact.save()
    detail: dict[str, str | int] = {"kind": kind}
    if duration_minutes is not None:
        detail["duration_minutes"] = duration_minutes
    event_add(case=case, kind=EventKind.CONTACT_LOGGED, actor=actor, target=contact, detail=detail)
    fields = ["kind", "happened_at", "duration_minutes", *(["summary"] if summary else [])]
    audit.record(AuditAction.CREATE, actor=actor, target=contact, fields=fields)
    return contact
