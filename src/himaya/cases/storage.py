"""Encrypted file storage of case documents.

Each file lives in ``settings.HIMAYA_DOCUMENT_DIR`` under a random ``storage_key`` (64 hexadecimal characters,
never derived from the document), in a sub-folder named after its first two characters. Its content is a Fernet
token (AES-128-CBC + HMAC-SHA256) under the newest field key (``HIMAYA_FIELD_KEYS``, core.crypto), stored as raw
bytes (the token's base64 decoded). Nothing in the folder reveals the case, the name or the type of a document:
those are in the database, encrypted where personal.

Writes go through a temporary file and ``os.replace``: a reader never sees half a file; files and folders are
created readable by their owner only. ``rotate_files`` (run by ``himaya keys rotate``) re-encrypts every file
under the newest key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from himaya.core import crypto

__all__ = ["DocumentUnreadable", "delete", "new_key", "read", "rotate_files", "write"]

_KEY = re.compile(r"[0-9a-f]{64}")
logger = logging.getLogger(__name__)


class DocumentUnreadable(Exception):
    """The file is missing, damaged or encrypted with a key no longer listed in HIMAYA_FIELD_KEYS."""


def root() -> Path:
    return Path(settings.HIMAYA_DOCUMENT_DIR)


def new_key() -> str:
    return secrets.token_hex(32)


def path_of(key: str) -> Path:
    """Where the file of ``key`` lives; refuses anything but a storage key (no path can be smuggled in)."""
    if not _KEY.fullmatch(key):
        raise ValueError("not a storage key")
    return root() / key[:2] / key


def _write_raw(path: Path, raw: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def write(key: str, data: bytes) -> None:
    """Encrypt ``data`` under the newest field key and store it as ``key``."""
    _write_raw(path_of(key), base64.urlsafe_b64decode(crypto.encrypt_bytes(data)))


def read(key: str) -> bytes:
    """The plaintext of ``key``; raises DocumentUnreadable when it cannot be opened."""
    try:
        raw = path_of(key).read_bytes()
        return crypto.decrypt_bytes(base64.urlsafe_b64encode(raw))
    except (OSError, crypto.InvalidToken, binascii.Error) as exc:
        raise DocumentUnreadable(key) from exc


def delete(key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_of(key).unlink()


def stored_keys() -> Iterator[str]:
    """Every storage key present on disk (temporary files excepted)."""
    if not root().is_dir():
        return
    for folder in sorted(root().iterdir()):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if _KEY.fullmatch(path.name):
                    yield path.name


def rotate_files() -> dict[str, int]:
    """Re-encrypt every stored file under the newest field key (``himaya keys rotate``). Safe to run twice.

    A file that no listed key opens is left untouched (and logged), so that rotation never destroys it.
    """
    rotated = unreadable = 0
    for key in stored_keys():
        path = path_of(key)
        try:
            token = base64.urlsafe_b64encode(path.read_bytes())
            fresh = crypto.reencrypt_bytes(token)
        except FileNotFoundError:
            continue  # removed meanwhile
        except crypto.InvalidToken:
            unreadable += 1
            continue
        if path.exists():
            _write_raw(path, base64.urlsafe_b64decode(fresh))
            rotated += 1
    if unreadable:
        logger.error("%d document file(s) could not be opened with any listed field key", unreadable)
    return {"documents (files)": rotated}
