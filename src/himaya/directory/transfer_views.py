"""Staff pages to import and export the directory, and to download the partners' empty template.

Thin pages over ``hsds_import.directory_import``, ``spreadsheet.template_bytes`` and ``hsds.export_hsds``.

Import is two steps: the uploaded file is always checked first (a dry run), then the editor confirms and the
SAME bytes are committed. Between the two steps the bytes wait in a private file under
``MEDIA_ROOT / "imports"``, named by a random token, next to a small JSON sidecar (owner's user id, file name,
time, the dry run's report). The session holds only the token and the file name. A token of another user is
a 404; files are deleted after the commit, or after an hour (cleaned up opportunistically).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
import zipfile
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from himaya.accounts.models import User
from himaya.directory.hsds import export_hsds
from himaya.directory.hsds_import import ImportReport, directory_import
from himaya.directory.spreadsheet import COLUMNS as REQUIRED_COLUMN_HELP
from himaya.directory.spreadsheet import OPTIONAL_COLUMNS, TEMPLATE_COLUMNS, template_bytes
from himaya.directory.visibility import Audience

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_SUFFIXES = (".json", ".zip", ".csv", ".xlsx")
PENDING_LIFETIME_SECONDS = 60 * 60
SESSION_KEY = "directory_import"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_SHOWN_ISSUES = 500
TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _allow(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


# Pending uploads ------------------------------------------------------------------------------------------------


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _paths(token: str) -> tuple[Path, Path]:
    """The bytes and the sidecar of ``token``; a malformed token (never ours) is a 404."""
    if not TOKEN_RE.match(token):
        raise Http404
    folder = imports_dir()
    return folder / f"{token}.upload", folder / f"{token}.json"


def cleanup_pending(now: float | None = None) -> int:
    """Delete pending files older than the lifetime; returns how many files went."""
    folder = imports_dir()
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - PENDING_LIFETIME_SECONDS
    removed = 0
    for path in folder.iterdir():
        if path.suffix not in (".upload", ".importing", ".json") or not path.is_file():
            continue
        with suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _report_data(report: ImportReport) -> dict[str, Any]:
    data = asdict(report)
    data["ok"] = report.ok
    return data


def _store_pending(user: User, filename: str, data: bytes, report: ImportReport) -> str:
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with suppress(OSError):
        folder.chmod(0o700)
    token = secrets.token_urlsafe(24)
    upload, sidecar = _paths(token)
    if report.ok:  # the bytes are kept only when there is something to confirm
        _write_private(upload, data)
    meta = {"user": user.pk, "filename": filename, "created": time.time(), "report": _report_data(report)}
    _write_private(sidecar, json.dumps(meta).encode("utf-8"))
    return token


class Expired(Exception):
    """The pending file of the user's own token is older than the lifetime (it is deleted)."""


def _load_pending(user: User, token: str) -> dict[str, Any]:
    """The sidecar of ``token`` if it belongs to ``user`` (else 404) and is not expired (else ``Expired``)."""
    upload, sidecar = _paths(token)
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Http404 from error
    if not isinstance(meta, dict) or meta.get("user") != user.pk:
        raise Http404
    if time.time() - float(meta.get("created", 0)) > PENDING_LIFETIME_SECONDS:
        _discard(token)
        raise Expired
    meta["has_data"] = upload.is_file()
    return meta


def _discard(token: str) -> None:
    for path in _paths(token):
        with suppress(OSError):
            path.unlink()


def _session_pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("token"), str):
        return None
    try:
        meta = _load_pending(_user(request), pending["token"])
    except (Http404, Expired):
        request.session.pop(SESSION_KEY, None)
        return None
    meta["token"] = pending["token"]
    return meta


# Forms ----------------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "HSDS .json, a .zip (an HSDS export or CSV data package), or the template as .csv or .xlsx; "
            "at most 10 MB."
        ),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ",".join(ALLOWED_SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Unsupported file type: use .json or .zip (HSDS), .csv or .xlsx (template).")
            )
        if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


EXPORT_FORMATS = [
    ("both", gettext_lazy("HSDS JSON and CSV data package")),
    ("json", gettext_lazy("HSDS JSON only")),
]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=EXPORT_FORMATS,
        initial="both",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"), initial="public", widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("public", _("Public: what anyone sees on the public pages"))]
        if user.has_perm("directory.view_directory"):
            choices.append(("network", _("Network: what signed-in professionals see")))
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = choices


# Import ---------------------------------------------------------------------------------------------------------


KIND_LABELS = {
    "taxonomy": gettext_lazy("Taxonomies"),
    "taxonomy_term": gettext_lazy("Taxonomy terms"),
    "organization": gettext_lazy("Organisations"),
    "service": gettext_lazy("Services"),
    "location": gettext_lazy("Locations"),
    "service_at_location": gettext_lazy("Services at locations"),
}


def _counts(report: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [
        (str(KIND_LABELS.get(kind, kind)), bucket.get("created", 0), bucket.get("updated", 0))
        for kind, bucket in report.get("counts", {}).items()
    ]


def _column_help() -> list[tuple[str, str, bool]]:
    labels = {**REQUIRED_COLUMN_HELP, **OPTIONAL_COLUMNS}
    return [(name, str(labels.get(name, "")), name in OPTIONAL_COLUMNS) for name in TEMPLATE_COLUMNS]


@require_GET
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.import")
    cleanup_pending()
    pending = _session_pending(request)
    report = pending["report"] if pending else None
    context = {
        "form": ImportForm(),
        "pending": pending,
        "report": report,
        "counts": _counts(report) if report else [],
        "errors": report["errors"][:MAX_SHOWN_ISSUES] if report else [],
        "warnings": report["warnings"][:MAX_SHOWN_ISSUES] if report else [],
        "hidden_errors": max(0, len(report["errors"]) - MAX_SHOWN_ISSUES) if report else 0,
        "hidden_warnings": max(0, len(report["warnings"]) - MAX_SHOWN_ISSUES) if report else 0,
        "columns": _column_help(),
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "directory/transfer/import.html", context)


@require_POST
@login_required
def import_check(request: HttpRequest) -> HttpResponse:
    """Upload and dry run; the report waits on the import page, with the confirm button when it is clean."""
    viewer = _user(request)
    _allow(viewer, "directory.import")
    cleanup_pending()
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []) or [_("Choose a file to import.")]:
            messages.error(request, str(error))
        return redirect("directory:transfer_import")
    upload = form.cleaned_data["file"]
    filename = Path(upload.name).name[:200]
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        messages.error(
            request,
            _("The file is too large: at most %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
        return redirect("directory:transfer_import")
    previous = request.session.get(SESSION_KEY)
    if (
        isinstance(previous, dict)
        and isinstance(previous.get("token"), str)
        and TOKEN_RE.match(previous["token"])
    ):
        _discard(previous["token"])
    report = directory_import(actor=viewer, data=data, filename=filename, dry_run=True)
    token = _store_pending(viewer, filename, data, report)
    request.session[SESSION_KEY] = {"token": token, "filename": filename}
    if report.ok:
        messages.info(request, _("Check the report below, then confirm the import."))
    else:
        messages.error(
            request, _("The file has errors: nothing can be imported. Correct them and upload it again.")
        )
    return redirect("directory:transfer_import")


@require_POST
@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Commit the file checked by the dry run (all or nothing: the service guarantees it)."""
    viewer = _user(request)
    _allow(viewer, "directory.import")
    token = request.POST.get("token", "")
    if not token:
        messages.error(request, _("There is no checked file to import. Upload it again."))
        return redirect("directory:transfer_import")
    try:
        meta = _load_pending(viewer, token)
    except Expired:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("The checked file has expired (after one hour). Upload it again."))
        return redirect("directory:transfer_import")
    upload, _sidecar = _paths(token)
    claimed = upload.with_suffix(".importing")
    try:  # claim the bytes atomically: a double submission imports once
        upload.rename(claimed)
        data = claimed.read_bytes()
    except OSError:
        messages.error(request, _("This file cannot be imported: upload it again."))
        return redirect("directory:transfer_import")
    try:
        report = directory_import(actor=viewer, data=data, filename=meta["filename"], dry_run=False)
    finally:
        claimed.unlink(missing_ok=True)
        _discard(token)
    if report.committed:
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("Import done: %(created)s created, %(updated)s updated.")
            % {"created": report.created, "updated": report.updated},
        )
        return redirect("directory:service_list")
    # The directory changed since the dry run: nothing was written; show the new report.
    new_token = _store_pending(viewer, meta["filename"], b"", report)
    if report.ok:
        _discard(new_token)
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("Nothing was imported. Upload the file again."))
    else:
        request.session[SESSION_KEY] = {"token": new_token, "filename": meta["filename"]}
        messages.error(request, _("Nothing was imported: the file no longer passes the checks."))
    return redirect("directory:transfer_import")


@require_POST
@login_required
def import_discard(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.import")
    pending = request.session.pop(SESSION_KEY, None)
    if (
        isinstance(pending, dict)
        and isinstance(pending.get("token"), str)
        and TOKEN_RE.match(pending["token"])
    ):
        _discard(pending["token"])
    return redirect("directory:transfer_import")


# Template -------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def template_download(request: HttpRequest, ext: str) -> HttpResponse:
    _allow(_user(request), "directory.view_directory")
    if ext not in TEMPLATE_TYPES:
        raise Http404
    filename = f"himaya-directory-template.{ext}"
    response = HttpResponse(template_bytes(filename), content_type=TEMPLATE_TYPES[ext])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Export ---------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    _allow(viewer, "directory.export")
    return render(request, "directory/transfer/export.html", {"form": ExportForm(user=viewer)})


def _zip_directory(folder: Path) -> Any:
    """A temporary file (deleted when closed) holding ``folder`` as a zip archive."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder).as_posix())
    archive.seek(0)
    return archive


@require_POST
@login_required
def export_download(request: HttpRequest) -> HttpResponseBase:
    viewer = _user(request)
    _allow(viewer, "directory.export")
    form = ExportForm(request.POST, user=viewer)
    if not form.is_valid():
        messages.error(request, _("Choose a format and an audience."))
        return redirect("directory:transfer_export")
    audience = Audience.NETWORK if form.cleaned_data["audience"] == "network" else Audience.PUBLIC
    with tempfile.TemporaryDirectory(prefix="himaya-export-") as folder:
        export_hsds(folder, actor=viewer, audience=audience, format=form.cleaned_data["format"])
        archive = _zip_directory(Path(folder))
    day = timezone.localdate().isoformat()
    filename = f"himaya-directory-hsds-{audience.name.lower()}-{day}.zip"
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
