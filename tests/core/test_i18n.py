"""Translations: complete catalogues, Moroccan month names in Arabic, French and right-to-left Arabic pages.

The date and page tests read the compiled ``.mo`` files: ``make messages`` (part of ``make test``) builds them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import dateformat, formats, translation

from tests.factories import make_user

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
MOROCCAN_MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
]
MIDDLE_EASTERN_ONLY = ["مايو", "يوليو", "أغسطس", "سبتمبر", "نوفمبر", "ديسمبر"]
NOT_COMPILED = "Arabic catalogue not compiled or incomplete: run `make messages`"


# --- the catalogues --------------------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode("raw_unicode_escape").decode("unicode_escape")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr {index: text}, flags, obsolete."""
    entries: list[dict] = []
    entry: dict = {}
    field: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal entry, field
        if "msgid" in entry:
            entries.append(entry)
        entry, field = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            flush()
            entries.append({"obsolete": True, "msgid": line})
        elif line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if "msgid" in entry:
                flush()
        elif line.startswith('"'):
            assert field is not None, f"{path}: continuation line without a keyword: {raw!r}"
            name, index = field
            if index is None:
                entry[name] += _unquote(line)
            else:
                entry[name][index] += _unquote(line)
        else:
            keyword = line.split(None, 1)[0]
            if keyword in ("msgctxt", "msgid") and "msgstr" in entry:
                flush()
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                index = int(match.group(1))
                entry.setdefault("msgstr", {})[index] = _unquote(line)
                field = ("msgstr", index)
            elif keyword == "msgstr":
                entry["msgstr"] = {0: _unquote(line)}
                field = ("msgstr", 0)
            else:
                assert keyword in ("msgctxt", "msgid", "msgid_plural"), f"{path}: unexpected line {raw!r}"
                entry[keyword] = _unquote(line)
                field = (keyword, None)
    flush()
    return entries


def _plural_count(entries: list[dict]) -> int:
    header = next(e for e in entries if e["msgid"] == "" and "msgctxt" not in e)
    match = re.search(r"nplurals\s*=\s*(\d+)", header["msgstr"][0])
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text))


def test_the_three_catalogues_exist():
    assert {path.parent.parent.name for path in PO_FILES} >= {"fr", "ar", "en"}


@pytest.mark.parametrize("path", PO_FILES, ids=lambda path: path.parent.parent.name + "/" + path.name)
def test_every_message_is_translated(path: Path):
    entries = parse_po(path)
    nplurals = _plural_count(entries)
    assert (path.parent.parent.name == "ar") <= (nplurals == 6), "Arabic has six plural forms"
    problems = []
    for entry in entries:
        label = repr(entry["msgid"])
        if entry.get("obsolete"):
            problems.append(f"obsolete entry {entry['msgid']}")
            continue
        if "fuzzy" in entry.get("flags", set()):
            problems.append(f"fuzzy: {label}")
        if entry["msgid"] == "" and "msgctxt" not in entry:
            continue
        msgstr = entry.get("msgstr", {})
        expected = range(nplurals) if "msgid_plural" in entry else range(1)
        for index in expected:
            if not msgstr.get(index, "").strip():
                problems.append(f"untranslated msgstr[{index}]: {label}")
        if "msgid_plural" not in entry and _placeholders(entry["msgid"]) != _placeholders(msgstr.get(0, "")):
            problems.append(f"placeholders differ: {label}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


# --- Moroccan month names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("month", range(1, 13))
def test_arabic_dates_use_moroccan_month_names(month: int):
    day = date(2026, month, 23)
    with translation.override("ar"):
        for format_string in ("j F Y", "j E Y", "j N Y", "j b Y"):
            words = dateformat.format(day, format_string).split()
            assert words[1] == MOROCCAN_MONTHS[month - 1], (format_string, words, NOT_COMPILED)
            assert not set(words) & set(MIDDLE_EASTERN_ONLY), (format_string, words)


def test_november_is_nounbir_in_every_arabic_format():
    day = date(2026, 11, 23)
    moment = datetime(2026, 11, 23, 14, 5)
    with translation.override("ar"):
        texts = [
            dateformat.format(day, "j F Y"),
            dateformat.format(day, "N"),
            dateformat.format(day, "b"),
            formats.date_format(day),  # DATE_FORMAT of Django's ar locale: "j F، Y"
            formats.date_format(day, "YEAR_MONTH_FORMAT"),
            formats.date_format(moment, "DATETIME_FORMAT"),  # falls back to the default "N j, Y, P"
        ]
    for text in texts:
        assert "نونبر" in text, (text, NOT_COMPILED)
        assert "نوفمبر" not in text, text


def test_french_and_english_month_names_are_untouched():
    day = date(2026, 11, 23)
    with translation.override("fr"):
        assert dateformat.format(day, "j F Y") == "23 novembre 2026"
        assert dateformat.format(date(2026, 8, 1), "N") == "août"
    with translation.override("en"):
        assert dateformat.format(day, "j F Y") == "23 November 2026"
        assert dateformat.format(day, "N") == "Nov."


# --- pages -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_french_home_page_is_in_french(client_for, org):
    user = make_user("caseworker", organisation=org, full_name="Amina Test")
    response = client_for(user).get("/fr/home/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Accueil" in html
    assert "Bienvenue, Amina" in html
    assert "Se déconnecter" in html
    assert "Sign out" not in html


@pytest.mark.django_db
def test_the_arabic_home_page_is_right_to_left_and_in_arabic(client_for, user_factory, org):
    user = user_factory("supervisor", organisation=org, full_name="Amina Test")
    response = client_for(user).get("/ar/home/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "الرئيسية" in html
    assert "مرحبا، Amina" in html
    assert "تسجيل الخروج" in html
    assert "Sign out" not in html


@pytest.mark.django_db
def test_the_english_home_page_stays_in_english(client_for, user_factory, org):
    user = user_factory("caseworker", organisation=org)
    html = client_for(user).get("/en/home/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Sign out" in html and "Home" in html
