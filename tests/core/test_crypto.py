"""Field encryption (MultiFernet with rotation), text normalisation, blind indexes, EncryptedTextField."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from himaya.accounts.models import User
from himaya.core import crypto
from himaya.core.fields import encrypted_fields
from tests.factories import make_user

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


# Encryption ----------------------------------------------------------------------------------------------------


def test_round_trip() -> None:
    for value in ["", "0612345678", "فاطمة الزهراء", "Hélène — rue 5, Fès\n2e étage"]:
        token = crypto.encrypt(value)
        assert value not in token or value == ""
        assert crypto.decrypt(token) == value


def test_ciphertext_differs_per_call() -> None:
    first, second = crypto.encrypt("0612345678"), crypto.encrypt("0612345678")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == "0612345678"


def test_tampered_token_is_rejected() -> None:
    token = crypto.encrypt("secret")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(tampered)


def test_unknown_key_cannot_decrypt() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        token = crypto.encrypt("secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_rotation_with_multifernet() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        old_token = crypto.encrypt("0612345678")
    # The new key is put first, the old one kept for reading.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert crypto.decrypt(old_token) == "0612345678"
        new_token = crypto.reencrypt(old_token)
        fresh_token = crypto.encrypt("0700000000")
    assert new_token != old_token
    # Once the old key is retired, only re-encrypted (and new) tokens remain readable.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.decrypt(new_token) == "0612345678"
        assert crypto.decrypt(fresh_token) == "0700000000"
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(old_token)
    # The re-encrypted token is under the new key, not the old one.
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(crypto.InvalidToken):
        crypto.decrypt(new_token)


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_missing_or_malformed_keys_are_a_configuration_error(keys: list[str]) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_property(value: str) -> None:
    assert crypto.decrypt(crypto.encrypt(value)) == value


# Normalisation -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Alef with hamza above/below, madda and wasla all become a bare alef.
        ("أحمد", "احمد"),
        ("إيمان", "ايمان"),
        ("آمنة", "امنه"),
        ("ٱلله", "الله"),
        # Hamza on waw and on ya.
        ("مؤمن", "مومن"),
        ("هيئة", "هييه"),
        # Ta marbuta and alef maqsura.
        ("فاطمة", "فاطمه"),
        ("مصطفى", "مصطفي"),
        # Diacritics (harakat, shadda) and tatweel.
        ("مُحَمَّد", "محمد"),
        ("محـــمد", "محمد"),
        # Latin accents and case.
        ("Hélène", "helene"),
        ("MEKNÈS", "meknes"),
        ("Ｆａｔｉｍａ", "fatima"),
        # Spaces.
        ("  Fatima \t Zahra\n", "fatima zahra"),
        # Bidirectional control characters (marks, embeddings, isolates).
        ("\u200fفاطمة\u202c", "فاطمه"),
        ("\u2067Ali\u2069 \u202bBen\u202c", "ali ben"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert crypto.normalise_text(raw) == expected


def test_normalise_text_keeps_distinct_names_distinct() -> None:
    assert crypto.normalise_text("محمد") != crypto.normalise_text("أحمد")
    assert crypto.normalise_text("Ali") != crypto.normalise_text("Alia")


# Blind index ---------------------------------------------------------------------------------------------------


def test_blind_index_equal_for_equivalent_inputs() -> None:
    assert crypto.blind_index("فاطمة  الزهراء", purpose="name") == crypto.blind_index(
        "\u200fفَاطِمه الزهراء", purpose="name"
    )
    assert crypto.blind_index("Hélène Dupont", purpose="name") == crypto.blind_index(
        " HELENE  dupont", purpose="name"
    )
    assert crypto.blind_index("Hélène", purpose="name") != crypto.blind_index("Helena", purpose="name")


def test_blind_index_differs_across_purposes() -> None:
    assert crypto.blind_index("0612345678", purpose="phone") != crypto.blind_index(
        "0612345678", purpose="name"
    )


def test_blind_index_differs_across_keys_and_hides_the_value() -> None:
    with override_settings(BLIND_INDEX_KEY="first-key-" + "a" * 32):
        first = crypto.blind_index("0612345678", purpose="phone")
    with override_settings(BLIND_INDEX_KEY="second-key-" + "b" * 32):
        second = crypto.blind_index("0612345678", purpose="phone")
    assert first != second
    assert len(first) == 64 and "0612345678" not in first


def test_blind_index_requires_a_key() -> None:
    with override_settings(BLIND_INDEX_KEY=""), pytest.raises(ImproperlyConfigured):
        crypto.blind_index("x", purpose="name")


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_blind_index_of_normalised_text_is_stable(value: str) -> None:
    assert crypto.blind_index(crypto.normalise_text(value), purpose="p") == crypto.blind_index(
        value, purpose="p"
    )


# EncryptedTextField --------------------------------------------------------------------------------------------


def raw_phone(user: User) -> str:
    table = connection.ops.quote_name(User._meta.db_table)
    column = connection.ops.quote_name("phone")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [user.pk])  # noqa: S608 - names from the model
        return str(cursor.fetchone()[0])


def test_phone_column_holds_ciphertext(db: None) -> None:
    user = make_user(phone="+212 6 12 34 56 78")
    stored = raw_phone(user)
    assert stored != "+212 6 12 34 56 78"
    assert "12 34" not in stored and "212" not in stored
    assert crypto.decrypt(stored) == "+212 6 12 34 56 78"
    reloaded = User.objects.get(pk=user.pk)
    assert reloaded.phone == "+212 6 12 34 56 78"
    assert User.objects.filter(pk=user.pk).values_list("phone", flat=True).get() == "+212 6 12 34 56 78"


def test_phone_update_is_encrypted_again(db: None) -> None:
    user = make_user(phone="0611111111")
    first = raw_phone(user)
    user.phone = "0622222222"
    user.save(update_fields=["phone"])
    second = raw_phone(user)
    assert first != second and "0622222222" not in second
    assert User.objects.get(pk=user.pk).phone == "0622222222"
    User.objects.filter(pk=user.pk).update(phone="0633333333")
    assert "0633333333" not in raw_phone(user)
    assert User.objects.get(pk=user.pk).phone == "0633333333"


def test_empty_phone_stays_empty(db: None) -> None:
    user = make_user()
    assert raw_phone(user) == ""
    assert User.objects.get(pk=user.pk).phone == ""


def test_phone_readable_after_key_rotation(db: None) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        user = make_user(phone="0644444444")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert User.objects.get(pk=user.pk).phone == "0644444444"
        table = connection.ops.quote_name(User._meta.db_table)
        query = f"UPDATE {table} SET phone = %s WHERE id = %s"  # noqa: S608 - table name from the model
        with connection.cursor() as cursor:
            cursor.execute(query, [crypto.reencrypt(raw_phone(user)), user.pk])
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert User.objects.get(pk=user.pk).phone == "0644444444"


def test_encrypted_fields_lists_phone() -> None:
    assert "phone" in encrypted_fields(User)
    assert "email" not in encrypted_fields(User)
