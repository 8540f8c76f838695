"""Home cards for the directory: editors (entries to verify, proposals to review) and an organisation's members
(their services, their pending proposals, capacity to update). Listed in HIMAYA_HOME_CARD_PROVIDERS."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from himaya.accounts.home import Card
from himaya.accounts.models import User
from himaya.directory import queries


def home_cards(user: User) -> list[Card]:
    if not user.has_perm("directory.view_directory"):
        return []
    cards: list[Card] = []
    if user.has_perm("directory.verify_service"):
        stale = queries.stale_count(viewer=user)
        cards.append(
            Card(
                _("Entries to verify"),
                ngettext(
                    "%(n)s entry is due for verification.", "%(n)s entries are due for verification.", stale
                )
                % {"n": stale}
                if stale
                else _("Every entry of the directory is verified and up to date."),
                reverse("directory:stale_list"),
                _("Verify entries"),
            )
        )
    if user.has_perm("directory.review_proposal"):
        pending = queries.proposal_queue(viewer=user).count()
        cards.append(
            Card(
                _("Proposed changes"),
                ngettext(
                    "%(n)s proposal from an organisation waits for your review.",
                    "%(n)s proposals from organisations wait for your review.",
                    pending,
                )
                % {"n": pending}
                if pending
                else _("No proposal waits for review."),
                reverse("directory:proposal_queue"),
                _("Review proposals"),
            )
        )
    own = queries.my_services(viewer=user).count()
    if own and user.has_perm("directory.propose_change", user.organisation):
        mine_pending = queries.my_proposals(viewer=user, pending_only=True).count()
        capacity_due = len(queries.capacity_to_update(viewer=user))
        parts = [
            ngettext(
                "Your organisation has %(n)s service in the directory.",
                "Your organisation has %(n)s services in the directory.",
                own,
            )
            % {"n": own}
        ]
        if mine_pending:
            parts.append(
                ngettext(
                    "%(n)s proposed change is pending.", "%(n)s proposed changes are pending.", mine_pending
                )
                % {"n": mine_pending}
            )
        if capacity_due:
            parts.append(
                ngettext(
                    "Update the vacancies of %(n)s shelter: unknown for 48 hours.",
                    "Update the vacancies of %(n)s shelters: unknown for 48 hours.",
                    capacity_due,
                )
                % {"n": capacity_due}
            )
        cards.append(
            Card(
                _("Our services in the directory"),
                " ".join(parts),
                reverse("directory:my_organisation"),
                _("See our services"),
            )
        )
    cards.append(
        Card(
            _("Directory of services"),
            _("Find a service for a woman you help: by need, province, status."),
            reverse("directory:service_list"),
            _("Search the directory"),
        )
    )
    return cards
