"""``himaya restore PATH [--force] [--check]``: bring a backup back into a freshly migrated database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `himaya backup` into a freshly migrated, empty database (all or nothing), and "
        "its folders of files (the case documents) into empty folders. "
        "The file's authentication tags, checksum and migration state are checked before anything changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="wipe a database that already holds data (and replace the folders' files), then restore",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only decrypt and verify the file; the database is not touched",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                info = backup_verify(path=options["path"])
                verb = "Backup verified"
            else:
                info = backup_restore(path=options["path"], force=options["force"])
                verb = "Backup restored"
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {info.path}, made {info.created_at} on {info.vendor}, "
                f"{info.tables} tables, {info.rows} rows, {info.files} files, checksum intact."
            )
        )
        if not options["check"]:
            self.stdout.write("Run `himaya migrate` if this version of Himaya has newer migrations.")
