"""Signing in, in Chromium: password then TOTP code, every demo role, lockout, wrong codes, enrolment, sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.utils import translation

from himaya.accounts.demo.data import DEMO_PASSWORD, USERS
from himaya.accounts.roles import Role
from tests.e2e.conftest import Contexts, Server, demo_email, submit, submit_code, submit_password

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

HOME = re.compile(r"/fr/home/$")
LOGIN = re.compile(r"/fr/accounts/login/")


def role_label(role: str) -> str:
    with translation.override("fr"):
        return str(Role(role).label)


def totp_now(secret: str) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it from the secret it was shown."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_it_signs_a_caseworker_in_with_password_then_totp_code_and_lands_on_the_home_page(
    contexts: Contexts, server: Server
) -> None:
    page = contexts.new_page()
    page.goto(server.url("/fr/"))
    page.locator("a[href='/fr/accounts/login/']").first.click()
    page.wait_for_url(LOGIN)
    submit_password(page, server, demo_email("caseworker"), DEMO_PASSWORD)

    assert "/fr/accounts/2fa/authenticate/" in page.url
    assert page.locator("input[name=code]").is_visible()
    # Between the two stages nobody is signed in yet.
    assert page.context.request.get(server.url("/fr/home/"), max_redirects=0).status == 302

    submit_code(page, server.totp_code(demo_email("caseworker")))

    assert HOME.search(page.url), page.url
    assert page.locator("h1").inner_text().endswith("Salma")
    assert role_label("caseworker") in page.locator("main").inner_text()


def test_it_signs_in_every_demo_account_and_shows_its_role_on_the_home_page(
    contexts: Contexts, server: Server
) -> None:
    # Accounts that used a TOTP code most recently go last: the least waiting for a fresh code.
    accounts = sorted(USERS, key=lambda row: server.last_code_at.get(demo_email(row[0]), 0.0))
    for local, full_name, _organisation, roles, _region in accounts:
        page = contexts.new_page()
        contexts.sign_in(page, demo_email(local))
        main = page.locator("main").inner_text()
        assert full_name.split()[0] in page.locator("h1").inner_text(), local
        for role in roles:
            assert role_label(role) in main, f"{local}: role {role} not shown"
        page.context.close()


def test_it_locks_an_account_after_5_bad_passwords_even_against_the_right_one(
    contexts: Contexts, server: Server
) -> None:
    email = demo_email("analyst.region")
    page = contexts.new_page()
    try:
        for attempt in range(1, 5):
            submit_password(page, server, email, f"wrong-password-{attempt}")
            assert LOGIN.search(page.url)
            assert page.locator("main .errorlist, main [role=alert]").count() > 0, (
                f"no error at attempt {attempt}"
            )
        submit_password(page, server, email, "wrong-password-5")

        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            submit_password(page, server, email, DEMO_PASSWORD)
        assert answer.value.status == 403
        assert page.locator("main [role=alert] h1").is_visible()
        assert "30" in page.locator("main [role=alert]").inner_text()
        assert page.locator("input[name=code]").count() == 0
        assert page.context.request.get(server.url("/fr/home/"), max_redirects=0).status == 302
    finally:
        server.himaya("axes_reset_username", email)


def test_it_refuses_a_wrong_totp_code_with_a_message_and_signs_nobody_in(
    contexts: Contexts, server: Server
) -> None:
    email = demo_email("judicial")
    page = contexts.new_page()
    submit_password(page, server, email, DEMO_PASSWORD)
    right = server.totp_code(email)
    server.forget_code(email, right)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    submit_code(page, wrong)

    assert "/fr/accounts/2fa/authenticate/" in page.url
    error = page.locator("main .errorlist, main [role=alert]")
    assert error.count() > 0 and error.first.inner_text().strip()
    home = page.context.request.get(server.url("/fr/home/"), max_redirects=0)
    assert home.status == 302 and home.headers["location"].startswith("/fr/accounts/login/")


def test_it_makes_a_user_whose_authenticator_was_reset_enrol_a_new_one_under_the_strict_csp(
    contexts: Contexts, server: Server
) -> None:
    email = demo_email("editor")
    admin = contexts.signed_in_page(demo_email("admin"))
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.goto(server.url(f"/fr/users/?q={email}"))
    admin.locator("main table a[href*='/users/']").first.click()
    admin.wait_for_url(re.compile(r"/fr/users/\d+/$"))
    submit(admin, "form[action$='/reset-2fa/'] button")
    assert admin.locator("main [role=status]").count() == 1
    contexts.forget(email)

    page = contexts.new_page()
    submit_password(page, server, email, DEMO_PASSWORD)
    # Straight to enrolment: no second password prompt for the first authenticator, no way around it.
    assert re.search(r"/fr/accounts/2fa/totp/activate/$", page.url), page.url

    page.goto(server.url("/fr/home/"))  # nothing else is reachable before enrolment
    assert re.search(r"/fr/accounts/2fa/totp/activate/$", page.url), page.url
    qr_code = page.locator("main form img").first
    assert qr_code.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("main input[readonly], main input[disabled]").first.input_value().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    submit_code(page, totp_now(secret))
    assert "/fr/accounts/2fa/totp/activate/" not in page.url, page.locator("main").inner_text()

    page.goto(server.url("/fr/home/"))
    assert HOME.search(page.url)
    assert contexts.reports.violations == [], contexts.reports.violations
    assert contexts.reports.page_errors == []


def test_it_ends_the_session_of_another_browser_when_the_user_logs_out_all_sessions(
    contexts: Contexts, server: Server
) -> None:
    email = demo_email("provider")
    first = contexts.signed_in_page(email)
    second = contexts.new_page()
    contexts.sign_in(second, email, remember=False)
    first_session = next(c["value"] for c in first.context.cookies() if c["name"] == "himaya_session")
    second_session = next(c["value"] for c in second.context.cookies() if c["name"] == "himaya_session")
    assert first_session != second_session

    first.on("dialog", lambda dialog: dialog.accept())
    first.goto(server.url("/fr/me/security/"))
    submit(first, "form[action$='/me/logout-everywhere/'] button")
    assert LOGIN.search(first.url), first.url
    contexts.forget(email)

    second.goto(server.url("/fr/home/"))
    assert LOGIN.search(second.url), second.url
    first.goto(server.url("/fr/home/"))
    assert LOGIN.search(first.url), first.url
