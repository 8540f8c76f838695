"""Home cards of assessments and plans: overdue and upcoming plan actions (listed in HIMAYA_HOME_CARD_PROVIDERS)."""

from __future__ import annotations

from himaya.accounts.home import Card
from himaya.accounts.models import User


def home_cards(user: User) -> list[Card]:
    return []
