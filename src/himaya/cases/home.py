"""Home cards for case work: my cases with their reminders, the organisation's queue for supervisors, and a
new intake. Listed in HIMAYA_HOME_CARD_PROVIDERS (accounts never imports cases)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himaya.accounts.home import Card
from himaya.accounts.models import User
from himaya.cases.queries import cases as queries


def _reminder_text(counts: queries.QueueCounts) -> list[str]:
    parts = []
    if counts.follow_up_overdue:
        parts.append(
            ngettext("%(n)s follow-up is overdue.", "%(n)s follow-ups are overdue.", counts.follow_up_overdue)
            % {"n": counts.follow_up_overdue}
        )
    if counts.follow_up_today:
        parts.append(
            ngettext(
                "%(n)s follow-up is due today.", "%(n)s follow-ups are due today.", counts.follow_up_today
            )
            % {"n": counts.follow_up_today}
        )
    if counts.consent_expiring:
        parts.append(
            ngettext(
                "%(n)s consent expires within 14 days.",
                "%(n)s consents expire within 14 days.",
                counts.consent_expiring,
            )
            % {"n": counts.consent_expiring}
        )
    if counts.intake_unfinished:
        parts.append(
            ngettext(
                "%(n)s intake is not finished.", "%(n)s intakes are not finished.", counts.intake_unfinished
            )
            % {"n": counts.intake_unfinished}
        )
    return parts


def home_cards(user: User) -> list[Card]:
    if not user.has_perm("cases.access_case_data"):
        return []
    mine = queries.my_counts(viewer=user)
    text = [
        ngettext("%(n)s open case is assigned to you.", "%(n)s open cases are assigned to you.", mine.open)
        % {"n": mine.open}
        if mine.open
        else _("No open case is assigned to you.")
    ]
    cards = [
        Card(
            _("My cases"), " ".join(text + _reminder_text(mine)), reverse("cases:my_cases"), _("See my cases")
        )
    ]
    if user.has_perm("cases.view_organisation_queue"):
        team = queries.organisation_counts(viewer=user)
        text = [
            ngettext(
                "Your organisation has %(n)s open case.", "Your organisation has %(n)s open cases.", team.open
            )
            % {"n": team.open}
        ]
        cards.append(
            Card(
                _("My organisation's cases"),
                " ".join(text + _reminder_text(team)),
                reverse("cases:organisation_cases"),
                _("See the organisation's cases"),
            )
        )
    if user.has_perm("cases.add_case"):
        cards.append(
            Card(
                _("New intake"),
                _(
                    "Register a woman you receive: who she is, her consent, what happened, what she needs now."
                ),
                reverse("cases:intake_new"),
                _("Start an intake"),
            )
        )
    return cards
