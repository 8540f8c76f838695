"""The national hotlines and reporting platforms shown on every public page (domain.md), as data.

Labels are English msgids translated in the fr/ar/en catalogues. Numbers are shown left-to-right
(``<bdi dir="ltr">``) and dialled through ``tel:`` links (a link, not a request: no other origin is contacted).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Hotline:
    code: str
    number: str  # as displayed; empty for an online platform
    name: str
    label: Promise
    hours: Promise
    free: bool = False

    @property
    def dial(self) -> str:
        """The number for a ``tel:`` link (digits only), or an empty string."""
        return "".join(character for character in self.number if character.isdigit())


HOTLINES: tuple[Hotline, ...] = (
    Hotline(
        code="kolonamaak",
        number="8350",
        name="Kolonamaak",
        label=_("Women victims of violence (run by the UNFM)"),
        hours=_("24 hours a day, 7 days a week"),
        free=True,
    ),
    Hotline(
        code="trafficking",
        number="0800 00 47 47",
        name="",
        label=_("Victims of trafficking in persons"),
        hours=_("Free call"),
        free=True,
    ),
    Hotline(
        code="e-blagh",
        number="",
        name="e-Blagh",
        label=_("Police online reporting platform, notably for sexual blackmail online"),
        hours=_("Online"),
    ),
)
