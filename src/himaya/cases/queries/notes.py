"""Reading a case's notes and contact log (always from ``visible_to``), and the audit of what pages show."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.cases.models import Case, ContactLog, Note
from himaya.core import audit
from himaya.core.models import AuditAction

# The names a page records in its READ audit of the case when it shows these lists (the case page includes
# cases/followup/_notes.html and _contacts.html: it adds these names to its own).
NOTE_FIELDS_SHOWN = ("note.body", "note.created_by", "note.created_at")
CONTACT_FIELDS_SHOWN = (
    "contactlog.kind",
    "contactlog.happened_at",
    "contactlog.duration_minutes",
    "contactlog.summary",
    "contactlog.created_by",
)
PREVIEW = 5  # entries the case page shows; the family page shows them all, page by page


def case_get(*, viewer: User, code: str) -> Case:
    """The case ``code`` if the viewer may see it; 404 otherwise (never confirm another organisation's case)."""
    try:
        return Case.objects.visible_to(viewer).select_related("survivor").get(code=code)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_notes(*, viewer: User, case: Case) -> QuerySet[Note]:
    """Newest first, with their authors."""
    return (
        Note.objects.visible_to(viewer)
        .filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def case_contacts(*, viewer: User, case: Case) -> QuerySet[ContactLog]:
    """Most recent first, with who recorded them."""
    return (
        ContactLog.objects.visible_to(viewer)
        .filter(case=case)
        .select_related("created_by")
        .order_by("-happened_at", "-id")
    )


def record_case_read(*, viewer: User, case: Case, fields: Iterable[str]) -> None:
    """A page showed ``fields`` of ``case`` (names only) to ``viewer``."""
    audit.record(AuditAction.READ, actor=viewer, target=case, fields=fields)
