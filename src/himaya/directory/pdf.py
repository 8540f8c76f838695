"""PDF rendering with WeasyPrint that can read only our own static files.

Templates link fonts and stylesheets with ``{% static %}``; the document's base URL is a fixed origin that is
never resolved on the network. The fetcher serves files found by Django's static-files finders (or in
``STATIC_ROOT``) under that origin and refuses every other URL (other hosts, ``file:``, ``data:``…), so a name
or an address typed into the directory can never make the server fetch anything (SSRF).

WeasyPrint 70 drops ``@font-face`` fonts when the fetcher is a plain function: this is a
``weasyprint.urls.URLFetcher`` subclass on purpose.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://himaya.invalid/"

mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("font/woff2", ".woff2")


class RefusedURL(ValueError):
    """A resource outside our static files was asked for."""


def static_file(url: str) -> Path:
    """The local file behind ``url`` when it is one of our static files; ``RefusedURL`` otherwise."""
    parts = urlsplit(url)
    origin = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        raise RefusedURL(f"Only Himaya's static files may be used in a PDF, not {url[:100]!r}.")
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL):
        raise RefusedURL(f"Not a static file: {path[:100]!r}.")
    relative = path[len(settings.STATIC_URL) :]
    if not relative or any(segment in {"", ".", ".."} for segment in relative.split("/")):
        raise RefusedURL(f"Not a static file: {path[:100]!r}.")
    found = finders.find(relative)
    if isinstance(found, list):  # find(all=True) shape; not used, but typed so
        found = found[0] if found else None
    if found:
        return Path(found)
    try:
        candidate = Path(safe_join(str(settings.STATIC_ROOT), relative))
    except SuspiciousFileOperation as error:
        raise RefusedURL(str(error)) from error
    if candidate.is_file():
        return candidate
    raise RefusedURL(f"No such static file: {relative[:100]!r}.")


class StaticFilesFetcher(URLFetcher):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=["https"], allow_redirects=False, **kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a rendered template); only our static files are loaded."""
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
