"""Background tasks of the notifications (django-tasks; run by ``himaya db_worker``)."""

from __future__ import annotations

import importlib
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from himaya.accounts.models import User
from himaya.notifications.models import Kind, Notification


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each not yet e-mailed notification to its user, in her language, without any personal data.
    Returns the number of e-mails sent; safe to run twice (``emailed_at``)."""
    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user"
    )
    for notification in pending:
        user = notification.user
        if not user.is_active or not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            link = f"{settings.HIMAYA_SITE_URL.rstrip('/')}{reverse('notifications:list')}"
            subject = _("Himaya: something awaits you")
            body = _(
                "Something awaits you in Himaya: %(what)s.\n\nSign in to see it: %(link)s\n\n"
                "This message holds no personal data on purpose."
            ) % {"what": notification.get_kind_display(), "link": link}
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _plan_queries() -> Any:
    """``himaya.assessments.queries.plans`` when it exists (another part of the code base writes it), else None."""
    try:
        return importlib.import_module("himaya.assessments.queries.plans")
    except ImportError:
        return None


def _action_counts(user: User, today: date) -> tuple[int, int]:
    """Her open plan actions overdue and due today, on cases she may see (0, 0 without the plans query)."""
    my_actions = getattr(_plan_queries(), "my_actions", None)
    if my_actions is None:
        return 0, 0
    overdue = my_actions(user=user, state="overdue", day=today).count()
    due_today = my_actions(user=user, state="today", day=today).count()
    return overdue, due_today


def _follow_ups_due(user: User, today: date) -> int:
    """Her assigned, not closed cases whose next follow-up is today or past."""
    from himaya.cases.choices import CaseStatus
    from himaya.cases.models import Case

    return (
        Case.objects.visible_to(user)
        .filter(caseworkers=user, follow_up_due__lte=today)
        .exclude(status=CaseStatus.CLOSED)
        .count()
    )


@task()
def send_daily_reminders() -> int:
    """Notify each user who works on cases of her overdue and due-today plan actions and follow-ups due (counts
    only: ``Kind.ACTION_DUE``); once a day (a second run the same day notifies nobody again). Returns the number
    of users notified; their e-mails leave through ``send_notification_emails``."""
    from himaya.accounts.policies import works_on_cases
    from himaya.accounts.roles import CASE_ROLES
    from himaya.notifications.services import notify

    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    already = set(
        Notification.objects.filter(kind=Kind.ACTION_DUE, created_at__gte=start).values_list(
            "user_id", flat=True
        )
    )
    users = (
        User.objects.filter(is_active=True, role_assignments__role__in=CASE_ROLES).distinct().order_by("pk")
    )
    notified = 0
    for user in users:
        if user.pk in already or not works_on_cases(user):
            continue
        overdue, due_today = _action_counts(user, today)
        follow_ups = _follow_ups_due(user, today)
        if overdue or due_today or follow_ups:
            detail = {"overdue": overdue, "today": due_today, "follow_ups": follow_ups}
            notify([user], Kind.ACTION_DUE, detail=detail)
            notified += 1
    return notified
