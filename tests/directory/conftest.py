"""Directory tests read English messages: pages built with reverse() and service errors use English.

Tests about French or Arabic pages ask for /fr/ or /ar/ explicitly (or override the language themselves).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from tests.factories import make_user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def people(org: Any, other_org: Any) -> dict[str, Any]:
    """Who acts on a service of ``org``: its members, an outsider, the directory's editor and administrator."""
    return {
        "editor": make_user("directory_editor", organisation=other_org),
        "admin": make_user("system_admin", organisation=other_org),
        "member": make_user("caseworker", organisation=org),
        "colleague": make_user("supervisor", organisation=org),
        "outsider": make_user("caseworker", organisation=other_org),
        "analyst": make_user("national_analyst", organisation=other_org),
    }
