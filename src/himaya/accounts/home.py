"""What each role finds on its home page: the next useful actions, in the order a newcomer needs them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.accounts.roles import Role


@dataclass(frozen=True)
class Card:
    title: str | Promise
    text: str | Promise
    url: str = ""
    action: str | Promise = ""


def provided_cards(user: User) -> list[Card]:
    """Cards of the apps built on accounts (which accounts must not import): each dotted path in
    ``settings.HIMAYA_HOME_CARD_PROVIDERS`` names a function ``(user) -> list[Card]``."""
    cards: list[Card] = []
    for path in getattr(settings, "HIMAYA_HOME_CARD_PROVIDERS", []):
        cards += import_string(path)(user)
    return cards


def home_cards(user: User) -> list[Card]:
    roles = user.role_codes()
    cards: list[Card] = []
    if Role.SYSTEM_ADMIN in roles:
        cards += [
            Card(
                _("Organisations"),
                _("Create and keep up to date the actors that use Himaya."),
                reverse("accounts:organisation_list"),
                _("Manage organisations"),
            ),
            Card(
                _("Users"),
                _("Create accounts, grant roles, reset a lost authenticator."),
                reverse("accounts:user_list"),
                _("Manage users"),
            ),
            Card(
                _("Security events"),
                _("Logins, failed logins, lockouts and permission changes."),
                reverse("accounts:audit_log"),
                _("See the events"),
            ),
            Card(
                _("Separation of duties"),
                _(
                    "As system administrator you manage accounts and settings; victims' data stay out of your "
                    "reach, by design."
                ),
            ),
        ]
    if Role.SUPERVISOR in roles:
        cards += [
            Card(
                _("My team"),
                _("Add a colleague, change roles, reset a lost authenticator."),
                reverse("accounts:user_list"),
                _("Manage my team"),
            ),
            Card(
                _("Access log"),
                _("Who did what in your organisation, and when."),
                reverse("accounts:audit_log"),
                _("See the access log"),
            ),
            Card(
                _("Partner systems"),
                _("Issue or revoke API tokens for your organisation's systems."),
                reverse("tokens:list"),
                _("API tokens"),
            ),
        ]
    # Case roles get their cards from the cases app (HIMAYA_HOME_CARD_PROVIDERS).
    if roles & {Role.TERRITORIAL_ANALYST, Role.NATIONAL_ANALYST}:
        cards.append(
            Card(
                _("Statistics"),
                _(
                    "Figures without identities for your territory will appear here as soon as cases are "
                    "recorded. Meanwhile, the map of actors is available."
                ),
            )
        )
    if Role.DIRECTORY_EDITOR in roles or roles & {Role.TERRITORIAL_ANALYST, Role.NATIONAL_ANALYST}:
        cards.append(
            Card(
                _("Actors"),
                _("Browse the organisations registered in Himaya."),
                reverse("accounts:organisation_list"),
                _("See the organisations"),
            )
        )
    cards += provided_cards(user)
    cards.append(
        Card(
            _("My security"),
            _("Your authenticator, recovery codes, password and active sessions."),
            reverse("accounts:security"),
            _("Open"),
        )
    )
    if not roles:
        cards.insert(0, Card(_("No role yet"), _("Ask your supervisor to give you a role to start working.")))
    return cards
