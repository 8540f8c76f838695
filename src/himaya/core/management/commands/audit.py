"""``himaya audit verify``: check the hash chain of the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaya.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' recomputes the hash chain and names the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.intact:
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} events verified."))
            return
        raise CommandError(
            f"Audit trail BROKEN at event #{report.first_broken_id}: {report.reason} "
            f"({report.checked} events verified before it)."
        )
