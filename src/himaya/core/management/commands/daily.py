"""``himaya daily``: enqueue the daily background tasks (run at night by cron in production; once by ``make run``).

The tasks are found by dotted path in ``DAILY_TASKS`` (core imports no app); ``himaya db_worker`` runs them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

DAILY_TASKS = (
    "himaya.retention.tasks.retention_run_task",
    "himaya.notifications.tasks.send_daily_reminders",
)


class Command(BaseCommand):
    help = "Enqueue the daily tasks (retention run, reminders of plan actions and follow-ups due)."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in DAILY_TASKS:
            result = import_string(path).enqueue()
            if options["verbosity"] >= 1:
                self.stdout.write(f"Enqueued {path} ({result.id})")
