"""Errors that services raise and views turn into clear, translated messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """Someone else saved the record since it was opened (optimistic concurrency)."""

    message = _(
        "Someone else changed this record while you were editing it. Reload it and apply your change again."
    )


class BusinessRuleError(ValueError):
    """A request that the rules of the field refuse; ``message`` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
