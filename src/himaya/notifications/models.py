"""In-app notifications (and the e-mails that announce them). A notification names a kind and a case *code*,
never a person: its text is composed in the reader's language when shown, and e-mails say only "you have
something to look at in Himaya" with a link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    HIGH_RISK = "high_risk", _("a case was assessed at high risk")
    SAFETY_PLAN_DUE = "safety_plan_due", _("a high-risk case has no safety plan")
    CLOSURE_REQUESTED = "closure_requested", _("a closure awaits your approval")
    CLOSURE_DECIDED = "closure_decided", _("your closure request was decided")
    ACTION_DUE = "action_due", _("plan actions are due")
    ERASURE_REQUESTED = "erasure_requested", _("an erasure request awaits your approval")
    PRESUMED_VICTIM = "presumed_victim", _("a presumed victim of trafficking was identified")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    case_code = models.CharField(_("case"), max_length=16, blank=True)  # a code, never a name
    detail = models.JSONField(default=dict, blank=True)  # codes and counts only
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_code}"
