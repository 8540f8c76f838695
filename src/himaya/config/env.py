"""Configuration read from the environment only.

Development and demo generate the secrets they miss into ``var/secrets.json`` (mode 0600, git-ignored);
production refuses to start without them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

REPO_DIR = Path(__file__).resolve().parents[3]
REQUIRED_IN_PRODUCTION = (
    "HIMAYA_SECRET_KEY",
    "HIMAYA_FIELD_KEYS",
    "HIMAYA_BLIND_INDEX_KEY",
    "HIMAYA_DATABASE_URL",
    "HIMAYA_ALLOWED_HOSTS",
    "HIMAYA_EMAIL_URL",
    "HIMAYA_BACKUP_KEY",
)


def environment() -> str:
    value = os.environ.get("HIMAYA_ENV", "development")
    if value not in {"development", "production"}:
        raise ImproperlyConfigured("HIMAYA_ENV must be 'development' or 'production'.")
    return value


def var_dir() -> Path:
    return Path(os.environ.get("HIMAYA_VAR_DIR", REPO_DIR / "var"))


def _generate_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _new_secrets() -> dict[str, str]:
    return {
        "HIMAYA_SECRET_KEY": secrets.token_urlsafe(50),
        "HIMAYA_FIELD_KEYS": _generate_fernet_key(),
        "HIMAYA_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "HIMAYA_BACKUP_KEY": _generate_fernet_key(),
    }


def _write_secrets(path: Path, values: dict[str, str], *, replace: bool) -> None:
    """Write with mode 0600 through a temporary file, so that no process ever reads a half-written file.

    Without ``replace`` the file is only created (hard link): when another process was first, its secrets stay.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(values, handle, indent=2)
    try:
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


def _development_secrets() -> dict[str, str]:
    """Secrets for development and demo, created once and kept in var/secrets.json (0600).

    A secrets file written by an older version gets the secrets it lacks added (existing ones never change).
    """
    path = var_dir() / "secrets.json"
    if path.exists():
        values = dict(json.loads(path.read_text()))
        missing = {name: value for name, value in _new_secrets().items() if name not in values}
        if not missing:
            return values
        _write_secrets(path, {**values, **missing}, replace=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_secrets(path, _new_secrets(), replace=False)
    return dict(json.loads(path.read_text()))


def get(name: str, default: str | None = None) -> str:
    """Return a setting from the environment; in development fall back to generated secrets."""
    value = os.environ.get(name)
    if value:
        return value
    if environment() == "production":
        if name in REQUIRED_IN_PRODUCTION:
            raise ImproperlyConfigured(f"{name} must be set when HIMAYA_ENV=production.")
        return default or ""
    generated = _development_secrets()
    if name in generated:
        return generated[name]
    return default or ""


def get_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in get(name, default).split(",") if item.strip()]


def get_bool(name: str, default: bool = False) -> bool:
    return get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def get_int(name: str, default: int) -> int:
    raw = get(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc
