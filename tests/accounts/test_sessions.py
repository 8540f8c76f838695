from __future__ import annotations

import time

import pytest
from django.test import Client

from himaya.core.middleware import IDLE_KEY
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def test_it_ends_a_session_idle_longer_than_the_timeout(settings):
    settings.IDLE_TIMEOUT_MINUTES = 15
    user = make_user("caseworker")
    client = _signed_in(user)
    assert client.get("/fr/home/").status_code == 200
    session = client.session
    session[IDLE_KEY] = time.time() - 16 * 60
    session.save()
    response = client.get("/fr/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_it_keeps_an_active_session(settings):
    settings.IDLE_TIMEOUT_MINUTES = 15
    client = _signed_in(make_user("caseworker"))
    client.get("/fr/home/")
    session = client.session
    session[IDLE_KEY] = time.time() - 14 * 60
    session.save()
    assert client.get("/fr/home/").status_code == 200


def test_logout_everywhere_ends_every_session_of_the_user_only():
    user = make_user("caseworker")
    colleague = make_user("caseworker", organisation=user.organisation)
    laptop, phone, colleagues_pc = _signed_in(user), _signed_in(user), _signed_in(colleague)
    response = laptop.post("/fr/me/logout-everywhere/")
    assert response.status_code == 302
    assert phone.get("/fr/home/").status_code == 302
    assert laptop.get("/fr/home/").status_code == 302
    assert colleagues_pc.get("/fr/home/").status_code == 200


def test_logout_everywhere_rejects_get():
    client = _signed_in(make_user("caseworker"))
    assert client.get("/fr/me/logout-everywhere/").status_code == 405
    assert client.get("/fr/home/").status_code == 200


def test_a_forged_csrf_token_is_refused_with_a_clear_page_and_changes_nothing():
    user = make_user("caseworker")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    response = client.post("/en/me/logout-everywhere/", {"csrfmiddlewaretoken": "forged"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert client.get("/fr/home/").status_code == 200


def test_production_cookies_are_secure_and_sessions_are_short(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == settings.IDLE_TIMEOUT_MINUTES * 60 + settings.SESSION_TOUCH_SECONDS


def test_the_last_activity_is_written_at_most_once_a_minute(settings):
    from django.contrib.sessions.models import Session

    settings.IDLE_TIMEOUT_MINUTES = 15
    client = _signed_in(make_user("caseworker"))
    client.get("/fr/home/")
    first = client.session[IDLE_KEY]
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    client.get("/fr/home/")
    assert client.session[IDLE_KEY] == first  # within the minute: the session is not saved again
    assert Session.objects.get(session_key=client.session.session_key).expire_date == expiry
    session = client.session
    session[IDLE_KEY] = time.time() - 61
    session.save()
    expiry = Session.objects.get(session_key=session.session_key).expire_date
    before = time.time()
    client.get("/fr/home/")
    assert client.session[IDLE_KEY] >= before  # a minute later it is, and the stored expiry moves with it
    assert Session.objects.get(session_key=client.session.session_key).expire_date > expiry
