"""Pages in Chromium: Arabic right-to-left, strict CSP, small screens, forged forms and other organisations' URLs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import translation

from tests.e2e.conftest import Contexts, Server, demo_email, submit

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SCREENSHOT = "/tmp/himaya-ar-home.png"  # noqa: S108  (looked at by people, not read back)
STAFF_PAGES = ["/home/", "/organisations/", "/users/", "/me/security/"]


def test_it_switches_to_arabic_with_the_language_switcher_right_to_left_with_the_rtl_stylesheet(
    contexts: Contexts, server: Server
) -> None:
    page = contexts.signed_in_page(demo_email("hotline"))
    assert page.locator("html").get_attribute("dir") == "ltr"

    submit(page, "nav a[data-language='ar']")
    assert re.search(r"/ar/home/$", page.url), page.url

    html = page.locator("html")
    assert (html.get_attribute("dir"), html.get_attribute("lang")) == ("rtl", "ar")
    loaded = page.evaluate(
        "[...document.styleSheets].filter(s => s.href).map(s => [new URL(s.href).pathname, s.cssRules.length])"
    )
    stylesheets = dict(loaded)
    assert stylesheets.get("/static/vendor/bootstrap/css/bootstrap.rtl.min.css", 0) > 100, loaded
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" not in stylesheets
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Right to left for real: the brand sits on the right, the language links on the left.
    brand = page.locator("nav .navbar-brand").bounding_box()
    switcher = page.locator("nav a[data-language='fr']").bounding_box()
    assert brand and switcher and brand["x"] > switcher["x"]
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.goto(server.url("/ar/organisations/"))  # the choice follows the user from page to page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert contexts.reports.violations == []


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_it_shows_no_csp_violation_and_no_console_error_on_the_main_pages(
    contexts: Contexts, server: Server, language: str
) -> None:
    anonymous = contexts.new_page()
    for path in ["/", "/accounts/login/"]:
        response = anonymous.goto(server.url(f"/{language}{path}"))
        assert response and response.status == 200, path
    page = contexts.signed_in_page(demo_email("supervisor"))
    for path in STAFF_PAGES:
        response = page.goto(server.url(f"/{language}{path}"))
        assert response and response.status == 200, path
        assert response.headers["content-security-policy"].count("'unsafe-") == 0

    assert contexts.reports.violations == [], contexts.reports.violations
    assert contexts.reports.console_problems() == [], contexts.reports.console_problems()
    assert contexts.reports.page_errors == []


def test_it_offers_no_self_sign_up(contexts: Contexts, server: Server) -> None:
    page = contexts.new_page()
    page.goto(server.url("/fr/accounts/login/"))
    assert page.locator("a[href*='signup']").count() == 0
    response = page.goto(server.url("/fr/accounts/signup/"))
    assert response is not None and response.status < 500
    assert page.locator("input[name=password1]").count() == 0


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_it_renders_pages_without_horizontal_overflow_on_a_phone(
    contexts: Contexts, server: Server, language: str
) -> None:
    phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
    page = contexts.signed_in_page(demo_email("admin"), **phone)
    anonymous = contexts.new_page(**phone)
    overflowing = []
    for browser_page, path in [(anonymous, "/"), (anonymous, "/accounts/login/")] + [
        (page, path) for path in [*STAFF_PAGES, "/audit/", "/users/new/"]
    ]:
        browser_page.goto(server.url(f"/{language}{path}"))
        widths = browser_page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            overflowing.append((path, widths))
    assert overflowing == []


def test_it_refuses_a_forged_or_missing_csrf_token_with_a_clear_page_and_changes_nothing(
    contexts: Contexts, server: Server, user_id_of: Callable[[str], int]
) -> None:
    colleague = user_id_of(demo_email("caseworker"))
    page = contexts.signed_in_page(demo_email("supervisor"))
    page.on("dialog", lambda dialog: dialog.accept())
    detail = server.url(f"/fr/users/{colleague}/")
    page.goto(detail)
    deactivate = page.locator("form[action$='/active/']")
    assert deactivate.locator("input[name=active]").input_value() == "0"

    # A forged token in the real form.
    deactivate.locator("input[name=csrfmiddlewaretoken]").evaluate(
        "input => { input.value = 'forged' + input.value.slice(6); }"
    )
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        deactivate.locator("button").click()
    assert answer.value.status == 403
    with translation.override("fr"):
        assert page.locator("main h1").inner_text().strip() == translation.gettext("This form has expired")
    assert page.locator("main a[href='/fr/home/']").is_visible()

    # No token at all, from the same signed-in browser (its session cookie goes along).
    response = page.request.post(server.url(f"/fr/users/{colleague}/active/"), form={"active": "0"})
    assert response.status == 403
    assert 'href="/fr/home/"' in response.text(), "not Himaya's own error page"
    response = page.request.post(server.url("/fr/me/logout-everywhere/"))
    assert response.status == 403

    page.goto(detail)
    assert page.locator("form[action$='/active/'] input[name=active]").input_value() == "0", "deactivated!"
    page.goto(server.url("/fr/home/"))
    assert re.search(r"/fr/home/$", page.url), "the session did not survive the forged logout"


def test_it_answers_404_or_403_never_500_when_a_supervisor_guesses_another_organisations_urls(
    contexts: Contexts, server: Server, user_id_of: Callable[[str], int]
) -> None:
    other = user_id_of(demo_email("caseworker.tanger"))
    page = contexts.signed_in_page(demo_email("supervisor"))
    for path in [f"/fr/users/{other}/", f"/fr/users/{other}/edit/", "/fr/users/999999/"]:
        response = page.goto(server.url(path))
        assert response is not None and response.status in {403, 404}, (path, response and response.status)
        assert page.locator("main h1").inner_text().strip()

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "himaya_csrf")
    for action, form in [("active", {"active": "0"}), ("reset-2fa", {})]:
        response = page.request.post(
            server.url(f"/fr/users/{other}/{action}/"), form=form, headers={"X-CSRFToken": token}
        )
        assert response.status in {403, 404}, (action, response.status)

    # Nothing changed: the administrator still sees the account active, with its authenticator.
    admin = contexts.signed_in_page(demo_email("admin"))
    admin.goto(server.url(f"/fr/users/{other}/"))
    assert admin.locator("form[action$='/active/'] input[name=active]").input_value() == "0"
    # …and its authenticator (the demo helper lists only accounts that have one).
    assert demo_email("caseworker.tanger") in server.himaya("demo", "totp").stdout
