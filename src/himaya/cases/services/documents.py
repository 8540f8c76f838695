"""Case documents: upload (type checked by content and by extension, size checked), encrypted storage on disk
(cases/storage.py), removal.

Accepted types (``settings.HIMAYA_DOCUMENT_TYPES`` narrows the list), each recognised by its content:

- ``pdf``  ``%PDF-`` at the start; ``jpeg`` ``FF D8 FF``; ``png`` the PNG signature; ``webp`` ``RIFF....WEBP``;
- ``text`` UTF-8 without NUL bytes, refused when it looks like HTML, SVG or XML (a page in disguise);
- ``docx`` a zip holding ``[Content_Types].xml`` that declares a Word document and ``word/document.xml``,
  without macros (``vbaProject.bin``); ``odt`` a zip whose first member ``mimetype`` says
  ``application/vnd.oasis.opendocument.text``.

The extension of the file name must be one of the detected type's; the stored ``content_type`` is the detected
one, never what the browser said.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.cases import choices, storage
from himaya.cases.models import Case, Document, EventKind
from himaya.cases.policies import require
from himaya.cases.services.common import check_text, event_add
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction

TITLE_MAX, FILE_NAME_MAX = 200, 255
_ZIP_MEMBER_MAX = 1024 * 1024  # bytes read from one member of an office file while checking it


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extensions: tuple[str, ...]
    label: str


FILE_TYPES: dict[str, FileType] = {
    item.code: item
    for item in (
        FileType("pdf", "application/pdf", (".pdf",), "PDF"),
        FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
        FileType("png", "image/png", (".png",), "PNG"),
        FileType("webp", "image/webp", (".webp",), "WebP"),
        FileType("text", "text/plain", (".txt",), "TXT"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "Word (DOCX)",
        ),
        FileType("odt", "application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument (ODT)"),
    )
}
_BY_CONTENT_TYPE = {item.content_type: item for item in FILE_TYPES.values()}
_HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")


def accepted_types() -> list[FileType]:
    return [FILE_TYPES[code] for code in settings.HIMAYA_DOCUMENT_TYPES if code in FILE_TYPES]


def accepted_extensions() -> list[str]:
    return [extension for item in accepted_types() for extension in item.extensions]


def max_bytes() -> int:
    return int(settings.HIMAYA_DOCUMENT_MAX_BYTES)


def file_type_of(content_type: str) -> FileType | None:
    return _BY_CONTENT_TYPE.get(content_type)


# Recognising the content -------------------------------------------------------------------------------------


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > _ZIP_MEMBER_MAX:
        return b""
    with archive.open(info) as member:
        return member.read(_ZIP_MEMBER_MAX)


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype":
                mimetype = _read_member(archive, infos[0]).strip()
                return "odt" if mimetype == FILE_TYPES["odt"].content_type.encode() else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    return None  # a macro-enabled document
                declared = _read_member(archive, archive.getinfo("[Content_Types].xml"))
                return "docx" if b"wordprocessingml.document.main+xml" in declared else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def _is_plain_text(data: bytes) -> bool:
    if b"\0" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    head = text[:1024].lstrip().lower().encode()
    return not any(marker in head for marker in _HTML_MARKERS)


def detect_type(data: bytes) -> str | None:
    """The code of the type the bytes are (whatever the file is called), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if _is_plain_text(data):
        return "text"
    return None


def check_file(*, file_name: str, data: bytes) -> FileType:
    """Refuse (BusinessRuleError, translated) a file that is empty, too large, of a type not accepted, or whose
    content does not match its extension."""
    limit = max_bytes()
    if not data:
        raise BusinessRuleError(_("The file is empty."))
    if len(data) > limit:
        raise BusinessRuleError(file_too_large_message(len(data)))
    accepted = accepted_types()
    listing = ", ".join(extension for item in accepted for extension in item.extensions)
    extension = PurePosixPath(file_name.lower()).suffix
    if not extension:
        raise BusinessRuleError(
            _("The file name has no extension (such as .pdf). Accepted: %(types)s.") % {"types": listing}
        )
    if extension not in accepted_extensions():
        raise BusinessRuleError(
            _("Files ending in “%(extension)s” are not accepted. Accepted: %(types)s.")
            % {"extension": extension, "types": listing}
        )
    detected = detect_type(data)
    file_type = FILE_TYPES.get(detected or "")
    if file_type is None or file_type not in accepted:
        raise BusinessRuleError(
            _(
                "The content of this file is not of an accepted type (%(types)s). Its content was checked, "
                "not only its name."
            )
            % {"types": listing}
        )
    if extension not in file_type.extensions:
        raise BusinessRuleError(
            _("The file name ends in “%(extension)s” but its content is %(type)s. Rename or convert it.")
            % {"extension": extension, "type": file_type.label}
        )
    return file_type


def file_too_large_message(size: int | None = None) -> str:
    limit_mb = max_bytes() / (1024 * 1024)
    if size is None:
        return _("The file is too large: at most %(max).1f MB.") % {"max": limit_mb}
    return _("The file is too large (%(size).1f MB, at most %(max).1f MB).") % {
        "size": size / (1024 * 1024),
        "max": limit_mb,
    }


def _clean_file_name(file_name: str) -> str:
    name = unicodedata.normalize("NFC", file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return check_text(name, label=_("File name"), max_length=FILE_NAME_MAX)


def download_name(document: Document) -> str:
    """A safe file name for Content-Disposition: no path, no control or direction characters, no quotes, and
    the extension of the stored type."""
    name = unicodedata.normalize("NFC", document.original_name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*;')
    path = PurePosixPath(name.strip(" ."))
    file_type = file_type_of(document.content_type)
    extension = path.suffix.lower()
    if file_type is not None and extension not in file_type.extensions:
        extension = file_type.extensions[0]
    stem = path.stem.strip(" .")[:100] or "document"
    return f"{stem}{extension}"


# Writes ------------------------------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, actor: User, case: Case, kind: str, title: str, file_name: str, data: bytes) -> Document:
    """Check and store an attachment of an open case: the file encrypted on disk, its title and name encrypted
    in the database, the SHA-256 of its content kept to verify it on download."""
    require(actor, "cases.add_document", case)
    if kind not in choices.DocumentKind.values:
        raise BusinessRuleError(_("Choose the kind of document from the list."))
    file_name = _clean_file_name(file_name)
    if not file_name:
        raise BusinessRuleError(_("The file has no name."))
    title = (
        check_text(title, label=_("Title"), max_length=TITLE_MAX) or PurePosixPath(file_name).stem[:TITLE_MAX]
    )
    file_type = check_file(file_name=file_name, data=data)
    key = storage.new_key()
    storage.write(key, data)
    try:
        document = Document(
            case=case,
            kind=kind,
            title=title,
            original_name=file_name,
            content_type=file_type.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_key=key,
            created_by=actor,
        )
        document.full_clean()
        document.save()
        detail = {"kind": kind, "type": file_type.code, "size": len(data)}
        event_add(case=case, kind=EventKind.DOCUMENT_ADDED, actor=actor, target=document, detail=detail)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            target=document,
            fields=["kind", "title", "original_name", "content"],
            detail={"case": case.code},
        )
    except BaseException:
        storage.delete(key)
        raise
    return document


@transaction.atomic
def document_remove(*, actor: User, document: Document) -> None:
    """Remove an attachment (its uploader or a supervisor, while the case is open): the row now, the file once
    the transaction is committed."""
    require(actor, "cases.remove_document", document)
    case = document.case
    event_add(
        case=case,
        kind=EventKind.DOCUMENT_REMOVED,
        actor=actor,
        target=document,
        detail={"kind": document.kind},
    )
    audit.record(
        AuditAction.DELETE,
        actor=actor,
        target=document,
        fields=["kind", "title", "original_name", "content"],
        detail={"case": case.code},
    )
    key = document.storage_key
    document.delete()
    transaction.on_commit(lambda: storage.delete(key))
