"""The user's own notifications (thin): the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himaya.accounts.models import User
from himaya.core.pagination import paginate
from himaya.notifications import queries, services
from himaya.notifications.models import Kind, Notification

# Where a notification without a case leads (by URL name: notifications imports none of these apps).
KIND_TARGETS = {Kind.ERASURE_REQUESTED: "retention:erasure_queue"}


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def target_of(notification: Notification) -> str:
    """The page a notification leads to: its case, its queue, or the list."""
    try:
        if notification.case_code:
            return reverse("cases:case_detail", args=[notification.case_code])
        if notification.kind in KIND_TARGETS:
            return reverse(KIND_TARGETS[Kind(notification.kind)])
    except NoReverseMatch:
        pass
    return reverse("notifications:list")


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = user_of(request)
    page = paginate(request, queries.notifications_of(viewer))
    context = {"page": page, "notifications": page.object_list, "unread": queries.unread_count(viewer)}
    return render(request, "notifications/list.html", context)


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go where it leads; another user's notification answers 404."""
    viewer = user_of(request)
    notification = queries.notifications_of(viewer).filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(actor=viewer, notification=notification)
    return redirect(target_of(notification))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=user_of(request))
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")
