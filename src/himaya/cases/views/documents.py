"""Views: a case's documents — the list with the upload form, the audited download, the removal."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from himaya.cases import storage
from himaya.cases.forms.documents import CappedMemoryUploadHandler, DocumentForm
from himaya.cases.queries import documents as queries
from himaya.cases.queries.cases import case_get, record_case_read
from himaya.cases.services import documents as services
from himaya.cases.views.notes import followup_context, user_of
from himaya.core.errors import BusinessRuleError
from himaya.core.pagination import paginate

logger = logging.getLogger(__name__)


@csrf_exempt  # only so that the upload handler is installed before the body is read: _documents checks CSRF
@require_http_methods(["GET", "POST"])
@login_required
def document_list(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the documents of the case and the upload form; POST (multipart): upload one."""
    handler = CappedMemoryUploadHandler(request, max_bytes=services.max_bytes())
    request.upload_handlers = [handler]
    return _documents(request, code, handler)


@csrf_protect
def _documents(request: HttpRequest, code: str, handler: CappedMemoryUploadHandler) -> HttpResponse:
    viewer = user_of(request)
    case = case_get(viewer=viewer, code=code)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        valid = form.is_valid()
        if handler.too_large:
            form.errors.pop("file", None)
            form.add_error("file", services.file_too_large_message())
            valid = False
        if valid:
            upload = form.cleaned_data["file"]
            try:
                services.document_add(
                    actor=viewer,
                    case=case,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    file_name=upload.name or "",
                    data=upload.read(),
                )
            except BusinessRuleError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("Document added. It is stored encrypted."))
                return redirect("cases:case_documents", case.code)
    page = paginate(request, queries.case_documents(viewer=viewer, case=case))
    record_case_read(viewer=viewer, case=case, fields=queries.DOCUMENT_FIELDS_SHOWN)
    context = followup_context(request, case, form=form, page=page, title=_("Documents"))
    return render(request, "cases/followup/documents.html", context)


@require_GET
@login_required
def document_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The decrypted file, as an attachment that no browser renders in the page; every download is audited."""
    viewer = user_of(request)
    case = case_get(viewer=viewer, code=code)
    document = queries.document_get(viewer=viewer, case=case, pk=pk)
    try:
        data = queries.document_content(viewer=viewer, document=document)
    except storage.DocumentUnreadable:
        logger.error("document %s of case %s cannot be read", document.pk, case.code)
        messages.error(
            request,
            _(
                "This document cannot be opened: its file is missing or damaged, or was encrypted with a key "
                "that is no longer configured. Tell the platform administrator."
            ),
        )
        return redirect("cases:case_documents", case.code)
    content_type = document.content_type
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, services.download_name(document))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def document_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """GET: a confirmation page; POST: remove the document (row and file)."""
    viewer = user_of(request)
    case = case_get(viewer=viewer, code=code)
    document = queries.document_get(viewer=viewer, case=case, pk=pk)
    if not viewer.has_perm("cases.remove_document", document):
        raise PermissionDenied
    if request.method == "POST":
        services.document_remove(actor=viewer, document=document)
        messages.success(request, _("Document removed."))
        return redirect("cases:case_documents", case.code)
    record_case_read(viewer=viewer, case=case, fields=["document.kind", "document.title"])
    context = followup_context(request, case, document=document, title=_("Remove the document"))
    return render(request, "cases/followup/document_remove.html", context)


urlpatterns: list[URLPattern] = [
    path("<case:code>/documents/", document_list, name="case_documents"),
    path("<case:code>/documents/<int:pk>/download/", document_download, name="document_download"),
    path("<case:code>/documents/<int:pk>/remove/", document_remove, name="document_remove"),
]
