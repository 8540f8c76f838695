"""Directory tests read English messages: pages built with reverse() and service errors use English.

Tests about French or Arabic pages ask for /fr/ or /ar/ explicitly (or override the language themselves).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield
