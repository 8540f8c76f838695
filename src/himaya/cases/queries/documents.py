"""Reading a case's documents: the list (metadata) and, through an audited read, the content of one."""

from __future__ import annotations

import hashlib
import logging

from django.db.models import QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.cases import storage
from himaya.cases.models import Case, Document
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

logger = logging.getLogger(__name__)

# The names a page records in its READ audit of the case when it lists the documents (the case page includes
# cases/followup/_documents.html: it adds these names to its own). The content is never shown there.
DOCUMENT_FIELDS_SHOWN = (
    "document.kind",
    "document.title",
    "document.original_name",
    "document.size",
    "document.created_by",
)


def case_documents(*, viewer: User, case: Case) -> QuerySet[Document]:
    """Newest first, with who added them. The content stays on disk."""
    return (
        Document.objects.visible_to(viewer)
        .filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def document_get(*, viewer: User, case: Case, pk: int) -> Document:
    """A document of ``case`` the viewer may see; 404 otherwise."""
    try:
        return Document.objects.visible_to(viewer).select_related("case").get(case=case, pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404 from exc


def document_content(*, viewer: User, document: Document) -> bytes:
    """The decrypted content, checked against its SHA-256; the read is audited. Raises
    storage.DocumentUnreadable when the file is missing, damaged or under a key no longer listed."""
    require(viewer, "cases.view_document", document)
    data = storage.read(document.storage_key)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        logger.error("document %s: content does not match its SHA-256", document.pk)
        raise storage.DocumentUnreadable(document.storage_key)
    audit.record(
        AuditAction.READ,
        actor=viewer,
        target=document,
        fields=["content", "original_name"],
        detail={"case": document.case.code},
    )
    return data
