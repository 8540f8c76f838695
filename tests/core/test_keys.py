from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from himaya.accounts.models import User
from tests.factories import current_code, make_user

pytestmark = pytest.mark.django_db


def _raw_phone(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_every_value_under_the_new_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        user = make_user("caseworker", phone="+212 600 11 22 33")
        code_before = current_code(user)
        token_before = _raw_phone(user)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        out = io.StringIO()
        call_command("keys", "rotate", stdout=out)
        assert "accounts_user.phone" in out.getvalue()
    assert _raw_phone(user) != token_before
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert User.objects.get(pk=user.pk).phone == "+212 600 11 22 33"
        assert current_code(user) == code_before


def test_generate_prints_a_usable_fernet_key():
    out = io.StringIO()
    call_command("keys", "generate", stdout=out)
    Fernet(out.getvalue().strip().encode())


def test_the_first_administrator_is_created_from_the_command_line(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-strong-password-2026\n"))
    call_command(
        "users", "create", "--email", "Admin@Example.ma", "--full-name", "First Admin",
        "--organisation", "Operator", "--role", "system_admin", "--password-stdin", stdout=io.StringIO(),
    )  # fmt: skip
    admin = User.objects.get(email="admin@example.ma")
    assert admin.role_codes() == {"system_admin"}
    assert admin.check_password("a-strong-password-2026")


def test_a_short_password_is_refused_by_the_command(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command(
            "users", "create", "--email", "a@example.ma", "--full-name", "A", "--organisation", "Operator",
            "--role", "system_admin", "--password-stdin",
        )  # fmt: skip
    assert not User.objects.filter(email="a@example.ma").exists()
