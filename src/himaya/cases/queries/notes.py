"""Reading a case's notes and contact log (always from ``visible_to``), and the audit of what pages show."""

from __future__ import annotations

from django.db.models import QuerySet

from himaya.accounts.models import User
from himaya.cases.models import Case, ContactLog, Note

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
