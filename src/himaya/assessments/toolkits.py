"""Versioned question lists (trafficking indicators, danger questions) kept as data, not code.

Each list is a JSON file ``data/<kind>/<version>.json``::

    {"version": "2026-1", "title": {"fr": …, "ar": …, "en": …},
     "groups": [{"code": "act", "label": {…}, "items": [{"code": "act.deceptive_recruitment", "label": {…}}, …]}],
     … any other keys the kind needs (the danger list's "thresholds") …}

Item codes are unique within a list and never reused with another meaning: a record keeps the version it was
answered with, and is always read back with that version's wording. Partners adopt their validated tool by adding
a new version file; the newest version (highest file name) is the one offered for new records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("fr", "ar", "en")


def _text(labels: dict[str, str]) -> str:
    """The label in the active language (French, then English, when it lacks one)."""
    language = (get_language() or "fr")[:2]
    return labels.get(language) or labels.get("fr") or labels.get("en") or ""


@dataclass(frozen=True)
class Item:
    code: str
    labels: dict[str, str]

    @property
    def label(self) -> str:
        return _text(self.labels)


@dataclass(frozen=True)
class Group:
    code: str
    labels: dict[str, str]
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        return _text(self.labels)


@dataclass(frozen=True)
class Toolkit:
    kind: str
    version: str
    titles: dict[str, str]
    groups: tuple[Group, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return _text(self.titles)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for group in self.groups for item in group.items)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def group_of(self, code: str) -> Group | None:
        return next((group for group in self.groups if any(item.code == code for item in group.items)), None)


class ToolkitError(ValueError):
    """A question list file is missing or malformed."""


def versions(kind: str) -> list[str]:
    """The versions of a list, oldest first."""
    return sorted(path.stem for path in (DATA_DIR / kind).glob("*.json"))


@cache
def get(kind: str, version: str) -> Toolkit:
    """One version of a list (checked: unique codes, every label in fr, ar and en)."""
    path = DATA_DIR / kind / f"{version}.json"
    if not path.is_file():
        raise ToolkitError(f"no {kind} list version {version!r}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("version") != version:
        raise ToolkitError(f"{path.name}: its version is {raw.get('version')!r}")
    groups = []
    seen: set[str] = set()
    for group in raw["groups"]:
        items = []
        for item in group["items"]:
            if item["code"] in seen:
                raise ToolkitError(f"{path.name}: code {item['code']!r} appears twice")
            seen.add(item["code"])
            _check_labels(path, item["code"], item["label"])
            items.append(Item(code=item["code"], labels=dict(item["label"])))
        _check_labels(path, group["code"], group["label"])
        groups.append(Group(code=group["code"], labels=dict(group["label"]), items=tuple(items)))
    _check_labels(path, "title", raw["title"])
    extra = {key: value for key, value in raw.items() if key not in ("version", "title", "groups")}
    return Toolkit(kind=kind, version=version, titles=dict(raw["title"]), groups=tuple(groups), extra=extra)


def current(kind: str) -> Toolkit:
    """The newest version of a list: the one offered for new records."""
    found = versions(kind)
    if not found:
        raise ToolkitError(f"no {kind} list")
    return get(kind, found[-1])


def _check_labels(path: Path, code: str, labels: dict[str, str]) -> None:
    missing = [language for language in LANGUAGES if not str(labels.get(language, "")).strip()]
    if missing:
        raise ToolkitError(f"{path.name}: {code!r} has no label in {', '.join(missing)}")
