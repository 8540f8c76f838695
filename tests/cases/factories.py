"""Factories for case tests: a survivor with a case, through the service layer (as the application does)."""

from __future__ import annotations

import itertools
from typing import Any

from himaya.accounts.models import User
from himaya.cases.models import Case
from himaya.cases.services import cases as case_services

_sequence = itertools.count(1)


def make_case(actor: User, **survivor_values: Any) -> Case:
    """A case of ``actor``'s organisation, opened by ``actor``, for a new survivor."""
    number = next(_sequence)
    values: dict[str, Any] = {
        "given_name_latin": "Fatima",
        "family_name_latin": f"Test{number}",
        "given_name_arabic": "فاطمة",
        "birth_year": 1990,
    }
    values.update(survivor_values)
    entry_point = values.pop("entry_point", "court_cell")
    return case_services.intake_start(
        actor=actor, survivor_values=values, case_values={"entry_point": entry_point}
    )
