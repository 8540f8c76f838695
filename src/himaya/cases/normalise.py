"""Normalisation of identifying values before blind indexing (names: core.crypto.normalise_text)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_phone(value: str) -> str:
    """A telephone number as +<country><number>: Moroccan national forms (06…, 05…, 07…) become +212…;
    00 becomes +. Returns "" when nothing dialable remains."""
    number = _SEPARATORS.sub("", value or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("+"):
        digits = number[1:]
    elif number.startswith("212") and len(number) == 12:
        digits = number
    elif number.startswith("0") and len(number) == 10:
        digits = "212" + number[1:]
    else:
        digits = number
    if digits.startswith("2120"):  # +212 0612… written with the national 0
        digits = "212" + digits[4:]
    return "+" + digits if digits.isdigit() and 6 <= len(digits) <= 15 else ""


def normalise_document_number(value: str) -> str:
    """Identity document numbers compare without spaces or dashes, in upper case (CNIE: "BE 123456")."""
    return _SEPARATORS.sub("", value or "").upper()
