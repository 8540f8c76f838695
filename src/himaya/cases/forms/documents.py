"""The upload form of case documents, and the upload handler that keeps uploads in memory, capped."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himaya.cases import choices
from himaya.cases.services import documents as document_services
from himaya.core.forms import StyledFormMixin


class CappedMemoryUploadHandler(FileUploadHandler):
    """Keep an uploaded file in memory, never in a plaintext temporary file on disk; a file larger than
    ``max_bytes`` is skipped as soon as it exceeds it, and ``too_large`` says so (the view shows the message).

    Must be installed before the request body is read (so the view is csrf_exempt outside, csrf_protect inside).
    """

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.buffer = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        if self.content_length is not None and self.content_length > self.max_bytes:
            self.too_large = True
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.max_bytes:
            self.too_large = True
            self.buffer = BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class DocumentForm(StyledFormMixin, forms.Form):
    prefix = "document"
    file = forms.FileField(label=_("File"), max_length=document_services.FILE_NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=choices.DocumentKind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=document_services.TITLE_MAX,
        help_text=_("Optional: the file name is used otherwise."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extensions = document_services.accepted_extensions()
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["file"].help_text = _("Accepted: %(types)s; at most %(max).1f MB.") % {
            "types": ", ".join(extensions),
            "max": document_services.max_bytes() / (1024 * 1024),
        }
