"""Key rotation: re-encrypt every encrypted column (and the TOTP secrets) under the newest field key.

Apps that keep encrypted data elsewhere (the case documents on disk) add their step through
``settings.HIMAYA_KEY_ROTATION_HOOKS``: dotted paths of callables returning ``{label: count}``, so that core
imports none of them.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from himaya.core import crypto
from himaya.core.fields import EncryptedTextField

BATCH = 500


def _rotate_column(table: str, column: str) -> int:
    """Re-encrypt one column in batches, reading and writing raw tokens (never decrypting to a model)."""
    quote = connection.ops.quote_name
    changed, last_id = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {quote(column)} FROM {quote(table)} WHERE id > %s AND {quote(column)} <> '' "  # noqa: S608
                f"ORDER BY id LIMIT %s",
                [last_id, BATCH],
            )
            rows = cursor.fetchall()
            for pk, token in rows:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [crypto.reencrypt(token), pk],
                )
            changed += len(rows)
        if len(rows) < BATCH:
            return changed
        last_id = rows[-1][0]


def _rotate_authenticators() -> int:
    """allauth keeps the TOTP secret, encrypted by our MFA adapter, inside a JSON document."""
    from allauth.mfa.models import Authenticator

    changed = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().filter(type=Authenticator.Type.TOTP):
            authenticator.data = {
                **authenticator.data,
                "secret": crypto.reencrypt(authenticator.data["secret"]),
            }
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def rotate_all() -> dict[str, int]:
    """Return the number of values re-encrypted per ``table.column``. Safe to run twice, or while serving."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                column = str(field.column)
                counts[f"{model._meta.db_table}.{column}"] = _rotate_column(model._meta.db_table, column)
    counts["mfa_authenticator.data.secret"] = _rotate_authenticators()
    for path in getattr(settings, "HIMAYA_KEY_ROTATION_HOOKS", []):
        counts.update(import_string(path)())
    return counts


def reindex_all() -> dict[str, int]:
    """Recompute the keyed blind indexes under the current HIMAYA_BLIND_INDEX_KEY: each app's step is named in
    ``settings.HIMAYA_REINDEX_HOOKS`` (dotted paths of callables returning ``{label: count}``)."""
    counts: dict[str, int] = {}
    for path in getattr(settings, "HIMAYA_REINDEX_HOOKS", []):
        counts.update(import_string(path)())
    return counts
