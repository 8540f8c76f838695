"""``himaya keys generate`` prints a new key; ``himaya keys rotate`` re-encrypts everything under the newest;
``himaya keys reindex`` recomputes the blind indexes after the blind-index key changed."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from himaya.core import crypto
from himaya.core.keys import reindex_all, rotate_all


class Command(BaseCommand):
    help = (
        "Encryption keys. 'generate' prints a new field-encryption key (or --kind blind/backup); 'rotate' "
        "re-encrypts every encrypted value under the first key of HIMAYA_FIELD_KEYS. Rotation: put the new key "
        "first in HIMAYA_FIELD_KEYS, keep the old one after it, restart, run 'himaya keys rotate', then remove "
        "the old key. 'reindex' recomputes the search indexes under HIMAYA_BLIND_INDEX_KEY after it changed "
        "(exact searches find nobody until it has run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate", "rotate", "reindex"])
        parser.add_argument("--kind", choices=["field", "blind", "backup"], default="field")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            key = crypto.generate_key() if options["kind"] == "field" else secrets.token_urlsafe(32)
            self.stdout.write(key)
            return
        if options["action"] == "reindex":
            counts = reindex_all()
            self._table(counts)
            self.stdout.write(
                self.style.SUCCESS(f"Reindexed {sum(counts.values())} records under the current key.")
            )
            return
        counts = rotate_all()
        self._table(counts)
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {sum(counts.values())} values under the newest key.")
        )

    def _table(self, counts: dict[str, int]) -> None:
        for column, count in counts.items():
            self.stdout.write(f"{count:>8}  {column}")
