"""Pseudonymous codes: random, readable, with a check character; never derived from a name.

Alphabet: Crockford's base 32 (no I, L, O, U: nothing to misread). ``S-7K4Q-9XM2-H`` is a survivor, ``D-…`` a
case (dossier). The check character is the ISO 7064 MOD 37-36 check over the eight random characters, so a
single mistyped character or two swapped neighbours are caught.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK_ALPHABET = ALPHABET + "*~$=U"  # 37 symbols for the MOD 37 check
BODY_LENGTH = 8
SURVIVOR_PREFIX = "S"
CASE_PREFIX = "D"


def _check_character(body: str) -> str:
    modulus = len(_CHECK_ALPHABET) - 1  # 36
    product = modulus
    for char in body:
        total = (product + ALPHABET.index(char)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return _CHECK_ALPHABET[(modulus + 1 - product) % modulus]


def new_code(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:]}-{_check_character(body)}"


def normalise_code(value: str) -> str:
    """Upper case, no spaces; Crockford's readings (O->0, I/L->1) so a code read aloud still matches."""
    cleaned = "".join(value.split()).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return cleaned


def complete(value: str) -> str:
    """A code as typed: Crockford's readings folded, dashes put back when they were left out."""
    code = normalise_code(value).replace("-", "")
    if len(code) == 2 + BODY_LENGTH:  # prefix + body + check character
        return f"{code[0]}-{code[1:5]}-{code[5:9]}-{code[9]}"
    return normalise_code(value)


def is_valid(code: str) -> bool:
    parts = normalise_code(code).split("-")
    if len(parts) != 4 or parts[0] not in (SURVIVOR_PREFIX, CASE_PREFIX):
        return False
    body = parts[1] + parts[2]
    if len(body) != BODY_LENGTH or any(char not in ALPHABET for char in body):
        return False
    return parts[3] == _check_character(body)
