"""Normalisation before blind indexing: Arabic and Latin names, telephone numbers, document numbers."""

from __future__ import annotations

import pytest

from himaya.cases.normalise import normalise_document_number, normalise_phone
from himaya.cases.services.survivors import document_digest, name_digests, phone_digest
from himaya.core.crypto import normalise_text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("أحمد", "احمد"),  # hamza on alef
        ("إيمان", "ايمان"),  # hamza under alef
        ("آمنة", "امنه"),  # madda, ta marbuta
        ("فاطمة", "فاطمه"),  # ta marbuta / ha
        ("مُحَمَّد", "محمد"),  # diacritics (harakat, shadda)
        ("مـــريم", "مريم"),  # tatweel
        ("ليلى", "ليلي"),  # alef maqsura
        ("Hélène", "helene"),  # accents, case
        ("Zoé  El-Idrissi", "zoe el-idrissi"),  # spaces, case
        ("ÇAĞLA", "cagla"),
        ("  Fatima\tZahra ", "fatima zahra"),  # spacing
        ("Ｆａｔｉｍａ", "fatima"),  # full-width letters
        ("Amina\u200f", "amina"),  # a stray right-to-left mark
    ],
)
def test_names_that_differ_only_in_writing_normalise_alike(first: str, second: str) -> None:
    assert normalise_text(first) == normalise_text(second)


def test_different_names_stay_different() -> None:
    assert normalise_text("Amina") != normalise_text("Amine")
    assert normalise_text("سعيد") != normalise_text("سعد")


@pytest.mark.django_db
def test_a_full_name_is_indexed_in_both_orders() -> None:
    assert name_digests("Fatima", "El Amrani") == name_digests("el amrani", "FATIMA")
    assert name_digests("فاطمة", "العمراني") == name_digests("فاطمه", "العمراني")
    assert name_digests("", "") == set()


@pytest.mark.parametrize(
    "written",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+212 6 12 34 56 78",
        "+212612345678",
        "+212 (0)6 12 34 56 78",
        "00212612345678",
        "00 212 6 12 34 56 78",
        "212612345678",
        "+212 0612345678",
    ],
)
def test_moroccan_numbers_in_every_format_normalise_to_one_number(written: str) -> None:
    assert normalise_phone(written) == "+212612345678"


def test_landlines_and_foreign_numbers() -> None:
    assert normalise_phone("05 22 12 34 56") == "+212522123456"
    assert normalise_phone("+221 77 123 45 67") == "+221771234567"
    assert normalise_phone("00221771234567") == "+221771234567"
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"
    assert normalise_phone("+221 77 123 45 67") != normalise_phone("0771234567")


@pytest.mark.parametrize("garbage", ["", "   ", "abc", "06-AB-34", "12", "+", "<script>", "0" * 30])
def test_what_is_not_a_number_normalises_to_nothing(garbage: str) -> None:
    assert normalise_phone(garbage) == ""


def test_document_numbers_ignore_spaces_dashes_and_case() -> None:
    assert normalise_document_number("be 123-456") == normalise_document_number("BE123456") == "BE123456"


@pytest.mark.django_db
def test_digests_follow_the_normalisation() -> None:
    assert phone_digest("06 12 34 56 78") == phone_digest("00212612345678")
    assert phone_digest("not a phone") is None
    assert document_digest("be 123456") == document_digest("BE-123456")
    assert document_digest(" ") is None
