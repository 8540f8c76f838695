"""``himaya backup [--output PATH]``: an encrypted, checksummed backup of the whole database and of the folders
of files that go with it (HIMAYA_BACKUP_DIRECTORIES: the encrypted case documents)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write an encrypted (AES-256-GCM, key HIMAYA_BACKUP_KEY), checksummed backup of the whole database and of "
        "the case documents folder (HIMAYA_BACKUP_DIRECTORIES). "
        "Default file: var/backups/himaya-<date>-<time>.himaya-backup (mode 0600)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="file to write (must not exist yet)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            info = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {info.path} ({info.size} bytes, {info.tables} tables, {info.rows} rows, "
                f"{info.files} files of {info.file_bytes} bytes, "
                f"sha256 of the content {info.sha256})."
            )
        )
        self.stdout.write("Keep HIMAYA_BACKUP_KEY apart from the backup: without it the file cannot be read.")
