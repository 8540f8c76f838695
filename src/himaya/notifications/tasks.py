"""Background tasks of the notifications (django-tasks; run by ``himaya db_worker``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from himaya.notifications.models import Notification


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
