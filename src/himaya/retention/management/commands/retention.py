"""``himaya retention run [--dry-run]``: apply the retention policies now and print what was (or would be) done."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from himaya.retention.models import RecordType
from himaya.retention.services import HELD, retention_run


class Command(BaseCommand):
    help = (
        "Retention of records. 'run' anonymises what the policies say for cases closed long enough ago "
        "(never a case under legal hold); with --dry-run it only reports what it would do."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")
        parser.add_argument("--today", type=date.fromisoformat, help="Run as of this day (YYYY-MM-DD).")
        parser.add_argument("--language", default=None, help="Language of the report (fr, ar, en).")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        report = retention_run(dry_run=dry_run, today=options["today"])
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            title = _("Retention run (dry run: nothing changed)") if dry_run else _("Retention run")
            self.stdout.write(title)
            for record_type in RecordType:
                self.stdout.write(f"  {str(record_type.label).capitalize()}: {report[record_type.value]}")
            self.stdout.write(f"  {_('Cases kept under legal hold')}: {report[HELD]}")
