"""Notifications: the list, opening one, marking all read, the unread badge, and the task worker (real
DatabaseBackend: tasks enqueued, then run by ``db_worker --batch``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from himaya.assessments.models import Plan, PlanAction
from himaya.cases.models import Case
from himaya.notifications.context_processors import unread
from himaya.notifications.models import Kind, Notification
from himaya.notifications.services import notify
from himaya.notifications.tasks import send_daily_reminders
from himaya.retention.tasks import retention_run_task
from tests.cases.factories import make_case
from tests.retention.helpers import SECRETS, close, full_case

pytestmark = pytest.mark.django_db
PROCESSOR = "himaya.notifications.context_processors.unread"


@pytest.fixture
def badge_processor() -> Iterator[None]:
    """The badge's context processor, as settings list it (added here while settings do not yet)."""
    templates = [dict(engine) for engine in settings.TEMPLATES]
    processors = list(templates[0]["OPTIONS"]["context_processors"])
    if PROCESSOR not in processors:
        processors.append(PROCESSOR)
    templates[0]["OPTIONS"] = {**templates[0]["OPTIONS"], "context_processors": processors}
    with override_settings(TEMPLATES=templates):
        yield


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def _worker() -> None:
    """The real worker, in batch mode. It recycles old connections between tasks, which would end the test's
    transaction (PostgreSQL): only that is turned off here."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0", stdout=io.StringIO()
        )


def test_opening_a_notification_marks_it_read_and_leads_to_its_case(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    [mine] = notify([worker], Kind.HIGH_RISK, case_code=case.code)
    [theirs] = notify([staff["colleague"]], Kind.HIGH_RISK, case_code=case.code)
    client = _as(worker)

    assert client.get(f"/en/notifications/{mine.pk}/open/").status_code == 405  # POST only
    response = client.post(f"/en/notifications/{mine.pk}/open/")

    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.code}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/en/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_erasure_notification_leads_to_the_queue(staff: dict[str, Any]) -> None:
    [notification] = notify([staff["supervisor"]], Kind.ERASURE_REQUESTED, detail={"request": 1})
    response = _as(staff["supervisor"]).post(f"/en/notifications/{notification.pk}/open/")
    assert response["Location"] == "/en/retention/erasure/"


def test_mark_all_read_touches_only_her_own(staff: dict[str, Any]) -> None:
    worker, colleague = staff["caseworker"], staff["colleague"]
    notify([worker, colleague], Kind.ACTION_DUE, detail={"overdue": 1})
    notify([worker], Kind.HIGH_RISK)
    client = _as(worker)
    assert b"Mark all as read" in client.get("/en/notifications/").content

    assert client.post("/en/notifications/read-all/").status_code == 302

    assert not Notification.objects.filter(user=worker, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=colleague, read_at__isnull=True).count() == 1
    assert b"Mark all as read" not in client.get("/en/notifications/").content


def test_the_badge_counts_unread_notifications_in_one_query(
    staff: dict[str, Any], badge_processor: None, django_assert_num_queries: Any
) -> None:
    worker = staff["caseworker"]
    notify([worker], Kind.HIGH_RISK)
    notify([worker], Kind.ACTION_DUE)
    Notification.objects.filter(kind=Kind.ACTION_DUE).update(read_at=timezone.now())
    notify([staff["colleague"]], Kind.HIGH_RISK)
    request = RequestFactory().get("/en/home/")
    request.user = worker

    with django_assert_num_queries(1):
        assert unread(request)["NOTIFICATIONS_UNREAD"] == 1
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {}

    page = _as(worker).get("/en/home/").content.decode()
    assert 'data-notifications="1"' in page and '1<span class="visually-hidden"> unread</span>' in page
    Notification.objects.filter(user=worker).update(read_at=timezone.now())
    page = _as(worker).get("/en/home/").content.decode()
    assert 'data-notifications="0"' in page and 'visually-hidden"> unread' not in page


def test_the_worker_sends_the_emails_without_personal_data(
    staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    worker = staff["caseworker"]
    case = make_case(worker, **SECRETS)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify([worker], Kind.HIGH_RISK, case_code=case.code)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert mail.outbox == []

    _worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [worker.email]
    text = f"{message.subject}\n{message.body}"
    assert case.code not in text and case.survivor.code not in text
    assert all(value not in text for value in SECRETS.values())
    assert "/notifications/" in text
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    _worker()  # nothing left: nothing sent twice
    assert len(mail.outbox) == 1


def test_daily_reminders_count_actions_and_follow_ups_due_once_a_day(
    staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    worker = staff["caseworker"]
    due = make_case(worker)
    later = make_case(worker)
    today = timezone.localdate()
    Case.objects.filter(pk=due.pk).update(follow_up_due=today - timedelta(days=1))
    Case.objects.filter(pk=later.pk).update(follow_up_due=today + timedelta(days=3))
    plan = Plan.objects.create(case=due, kind="safety")
    for days, status, owner in [
        (-2, "todo", worker),  # overdue
        (-1, "in_progress", worker),  # overdue
        (0, "todo", worker),  # today
        (3, "todo", worker),  # soon: not counted
        (-5, "done", worker),  # done: not counted
        (-5, "todo", staff["colleague"]),  # hers, not the worker's
    ]:
        PlanAction.objects.create(
            plan=plan,
            need="legal",
            description="x",
            owner=owner,
            due_on=today + timedelta(days=days),
            status=status,
        )

    send_daily_reminders.enqueue()
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
        _worker()
    _worker()  # the e-mails, enqueued once the reminders were committed

    result = DBTaskResult.objects.get(task_path="himaya.notifications.tasks.send_daily_reminders")
    assert result.status == "SUCCESSFUL", result.traceback
    notification = Notification.objects.get(kind=Kind.ACTION_DUE, user=worker)
    assert notification.case_code == ""
    assert notification.detail == {"overdue": 2, "today": 1, "follow_ups": 1}
    assert notification.emailed_at is not None
    colleague = Notification.objects.get(kind=Kind.ACTION_DUE, user=staff["colleague"])
    assert colleague.detail == {"overdue": 1, "today": 0, "follow_ups": 0}
    assert len(mail.outbox) == 2 and all(due.code not in message.body for message in mail.outbox)
    send_daily_reminders.enqueue()
    _worker()
    assert Notification.objects.filter(kind=Kind.ACTION_DUE).count() == 2


def test_daily_enqueues_the_retention_run_and_the_reminders_which_the_worker_runs(
    staff: dict[str, Any],
) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=6)
    out = io.StringIO()

    call_command("daily", stdout=out)

    names = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert names == {
        "himaya.retention.tasks.retention_run_task",
        "himaya.notifications.tasks.send_daily_reminders",
    }
    _worker()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    result = DBTaskResult.objects.get(task_path="himaya.retention.tasks.retention_run_task")
    assert result.return_value["survivor_identity"] == 1
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert retention_run_task.name == "retention_run_task"
