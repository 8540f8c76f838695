from __future__ import annotations

import pytest
from django.test import Client

from himaya.accounts.models import User
from himaya.core.models import AuditEvent
from tests.factories import PASSWORD, current_code, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/fr/accounts/login/"
SECOND_FACTOR = "/fr/accounts/2fa/authenticate/"


def _password_stage(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_it_asks_for_the_code_after_the_password_and_then_signs_in(client):
    user = make_user("caseworker")
    response = _password_stage(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR
    assert "_auth_user_id" not in client.session
    response = client.post(SECOND_FACTOR, {"code": current_code(user)})
    assert response.status_code == 302
    assert response["Location"] == "/fr/home/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action="login", actor_id=user.pk).exists()


def test_it_refuses_a_wrong_code_and_audits_it(client):
    user = make_user("caseworker")
    _password_stage(client, user.email)
    good = current_code(user)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(SECOND_FACTOR, {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="second_factor").exists()


def test_it_refuses_a_wrong_password_with_a_message_and_audits_it(client):
    user = make_user("caseworker")
    response = _password_stage(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_email == user.email
    assert "not-the-password" not in str(event.detail)


def test_it_locks_the_account_after_five_failures(client):
    user = make_user("caseworker")
    for _ in range(5):
        _password_stage(client, user.email, "wrong-password-123")
    response = _password_stage(client, user.email)  # the right password, too late
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout").exists()
    # Another person's account is not affected by this lockout.
    other = make_user("caseworker")
    assert _password_stage(Client(), other.email).status_code == 302


def test_it_sends_a_newcomer_to_authenticator_enrolment_first(client):
    user = make_user("caseworker", totp=False)
    response = _password_stage(client, user.email)
    assert response.status_code == 302
    response = client.get("/fr/home/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/2fa/totp/activate/"
    assert client.get("/fr/accounts/2fa/totp/activate/").status_code == 200


def test_nobody_can_sign_up(client):
    response = client.post(
        "/fr/accounts/signup/", {"email": "new@example.org", "password1": "a-long-password-42"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()


def test_the_login_page_sets_no_session_for_an_anonymous_visit(client):
    response = client.get("/fr/")
    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.real_hasher
def test_passwords_are_hashed_with_argon2():
    user = make_user("caseworker")
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


def test_a_newcomer_enrols_an_authenticator_and_its_secret_is_stored_encrypted(client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    user = make_user("caseworker", totp=False)
    _password_stage(client, user.email)
    assert client.get("/fr/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    import time

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/fr/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert stored.data["secret"] != secret
    assert client.get("/fr/home/").status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_a_user_cannot_switch_two_factor_off(client_for):
    from allauth.mfa.models import Authenticator

    user = make_user("caseworker")
    client = client_for(user)
    client.post("/fr/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
