"""Fixtures shared with the case tests (English messages, the staff around a case)."""

from tests.cases.conftest import english, staff  # noqa: F401
