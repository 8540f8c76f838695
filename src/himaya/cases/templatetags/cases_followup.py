"""What the case page's follow-up sections (cases/followup/_notes.html, _contacts.html, _documents.html) show:
the latest entries, their number and, when the user may add one, an empty form. Reads go through queries/;
the case page audits them (NOTE_FIELDS_SHOWN, CONTACT_FIELDS_SHOWN, DOCUMENT_FIELDS_SHOWN)."""

from __future__ import annotations

from typing import Any

from django import template

from himaya.cases.forms.documents import DocumentForm
from himaya.cases.forms.notes import ContactForm, NoteForm
from himaya.cases.queries import documents as document_queries
from himaya.cases.queries import notes as note_queries

register = template.Library()


def _section(queryset: Any, form: Any) -> dict[str, Any]:
    items = list(queryset[: note_queries.PREVIEW])
    count = len(items) if len(items) < note_queries.PREVIEW else queryset.count()
    return {"items": items, "count": count, "form": form}


@register.simple_tag
def followup_notes(case: Any, user: Any) -> dict[str, Any]:
    form = NoteForm() if user.has_perm("cases.add_note", case) else None
    return _section(note_queries.case_notes(viewer=user, case=case), form)


@register.simple_tag
def followup_contacts(case: Any, user: Any) -> dict[str, Any]:
    form = ContactForm() if user.has_perm("cases.add_note", case) else None
    return _section(note_queries.case_contacts(viewer=user, case=case), form)


@register.simple_tag
def followup_documents(case: Any, user: Any) -> dict[str, Any]:
    form = DocumentForm() if user.has_perm("cases.add_document", case) else None
    return _section(document_queries.case_documents(viewer=user, case=case), form)
