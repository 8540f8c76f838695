"""Field encryption (MultiFernet, newest key first) and keyed blind indexes for exact search."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "decrypt_bytes",
    "encrypt",
    "encrypt_bytes",
    "normalise_text",
    "reencrypt",
    "reencrypt_bytes",
]


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("HIMAYA_FIELD_KEYS holds no key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("HIMAYA_FIELD_KEYS must hold url-safe base64 Fernet keys.") from exc


def _current() -> MultiFernet:
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _current().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """Re-encrypt a token under the newest key (key rotation)."""
    return _current().rotate(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """A Fernet token (url-safe base64) of ``data`` under the newest field key (files: cases/storage.py)."""
    return _current().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Raises InvalidToken when no listed key opens the token or it was altered."""
    return _current().decrypt(token)


def reencrypt_bytes(token: bytes) -> bytes:
    return _current().rotate(token)


def generate_key() -> str:
    return Fernet.generate_key().decode()


_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLDS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}
)
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normalise_text(value: str) -> str:
    """Fold case, Latin accents, Arabic diacritics, alef/hamza forms, ta marbuta and spacing."""
    value = _BIDI_CONTROLS.sub("", unicodedata.normalize("NFKC", value))
    value = _ARABIC_DIACRITICS.sub("", value).translate(_ARABIC_FOLDS)
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    value = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or "\u0600" <= ch <= "\u06ff")
    return " ".join(value.split())


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed HMAC of the normalised value: equal inputs give equal indexes, nothing else leaks."""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("HIMAYA_BLIND_INDEX_KEY is not set.")
    message = f"{purpose}:{normalise_text(value)}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
