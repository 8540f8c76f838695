"""Case tests read English messages (pages under /en/); tests about French or Arabic ask for them explicitly."""

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
def staff(org: Any, other_org: Any) -> dict[str, Any]:
    """Who meets a case of ``org``: its caseworkers and supervisor, an outsider, and roles that see no cases."""
    return {
        "caseworker": make_user("caseworker", organisation=org),
        "colleague": make_user("caseworker", organisation=org),
        "supervisor": make_user("supervisor", organisation=org),
        "outsider": make_user("caseworker", organisation=other_org),
        "outside_supervisor": make_user("supervisor", organisation=other_org),
        "analyst": make_user("national_analyst", organisation=org),
        "editor": make_user("directory_editor", organisation=org),
        "admin": make_user("system_admin", organisation=org),
    }
