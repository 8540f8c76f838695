"""Real sample files for the document tests (made with Pillow, pypdf and zipfile), and hostile ones."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter

MARKER = "Secret-Marker-Fatima-0612345678"


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": MARKER})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def text() -> bytes:
    return f"Compte rendu\n{MARKER}\nمحضر الاستماع\n".encode()


def docx(*, macro: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", f"<w:document><w:body>{MARKER}</w:body></w:document>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", f"<office:document-content>{MARKER}</office:document-content>")
    return buffer.getvalue()


def exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run"
    )


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()
