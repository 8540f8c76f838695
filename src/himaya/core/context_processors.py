from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi


def himaya(request: HttpRequest) -> dict[str, Any]:
    """Language switcher links (same page in each language), direction and demo flag for every template."""
    path = request.get_full_path()
    return {
        "LANGUAGE_LINKS": [
            {"code": code, "name": name, "url": translate_url(path, code), "current": code == get_language()}
            for code, name in (("fr", "Français"), ("ar", "العربية"), ("en", "English"))
        ],
        "TEXT_DIRECTION": "rtl" if get_language_bidi() else "ltr",
        "DEMO_MODE": settings.DEMO_MODE,
    }
