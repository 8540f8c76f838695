"""Background tasks of retention (django-tasks; run by ``himaya db_worker``, enqueued nightly by ``himaya daily``)."""

from __future__ import annotations

from django_tasks import task

from himaya.retention.services import retention_run


@task()
def retention_run_task() -> dict[str, int]:
    """The nightly retention run (not a dry run); its report (counts only) is kept with the task result."""
    return retention_run(dry_run=False)
