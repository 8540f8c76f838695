"""Home cards of assessments and plans: overdue and upcoming plan actions (listed in HIMAYA_HOME_CARD_PROVIDERS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himaya.accounts.home import Card
from himaya.accounts.models import User
from himaya.assessments.queries import plans as queries


def _overdue_text(count: int) -> str:
    return ngettext("%(n)s action is overdue.", "%(n)s actions are overdue.", count) % {"n": count}


def _upcoming_text(count: int) -> str:
    return ngettext("%(n)s action is due within 7 days.", "%(n)s actions are due within 7 days.", count) % {
        "n": count
    }


def home_cards(user: User) -> list[Card]:
    if not user.has_perm("cases.access_case_data"):
        return []
    mine = queries.my_action_counts(user=user)
    if mine.overdue or mine.upcoming:
        text = " ".join(
            [*([_overdue_text(mine.overdue)] if mine.overdue else []), _upcoming_text(mine.upcoming)]
        )
    else:
        text = _("No plan action of yours is overdue or due within 7 days.")
    cards = [Card(_("My plan actions"), text, reverse("assessments:my_actions"), _("See my actions"))]
    if user.has_perm("assessments.view_organisation_actions"):
        team = queries.organisation_action_counts(supervisor=user)
        cards.append(
            Card(
                _("Overdue actions in my organisation"),
                _overdue_text(team.overdue)
                if team.overdue
                else _("No plan action of your organisation is overdue."),
                reverse("assessments:organisation_actions"),
                _("See the overdue actions"),
            )
        )
    return cards
