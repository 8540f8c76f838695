"""A caseworker's journey in Chromium, in French and in Arabic: sign in, the four intake steps, the case page, her
cases, the audited reveal of her name, a note, a contact, editing the case; the duplicate warning; no horizontal
overflow on a tablet; Arabic right to left.

Every locator uses the accessible names of the page in its language, built from the English msgids with the
catalogues: a msgid without a French or Arabic translation fails the test by name (never a silent fallback).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import trans_real
from playwright.sync_api import Locator, Page, expect

from himaya.accounts.demo.data import DEMO_PASSWORD
from tests.e2e.conftest import Contexts, Server, demo_email, submit_code, submit_password

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 900}
CASE_URL = re.compile(r"/cases/(D-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=])/$")
LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية"}
SURVIVOR_CODE = re.compile(r"S-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=]")

# Every msgid the journey looks for on the pages, checked against the catalogue of the language first.
MSGIDS = (
    "Main menu",
    "Show the menu",
    "Start an intake",
    "New intake",
    "first name (Latin script)",
    "family name (Latin script)",
    "first name (Arabic script)",
    "family name (Arabic script)",
    "year of birth",
    "Entry point",
    "association (NGO)",
    "Save and continue",
    "Consent",
    "Consent recorded.",
    "She also agrees to be counted in de-identified statistics",
    "What happened",
    "did it involve physical assault?",
    "forms of violence (Law 103-13)",
    "Incident recorded.",
    "Immediate needs",
    "Complete the intake",
    "Intake complete.",
    "Case",
    "Summary",
    "Consents",
    "to receive services from this organisation",
    "to be counted in de-identified statistics",
    "in force",
    "Incidents",
    "physical assault",
    "Timeline",
    "case opened",
    "consent recorded",
    "incident recorded",
    "intake completed",
    "My cases",
    "Survivor",
    "Identity and contact",
    "Reveal her identity",
    "Her cases",
    "New note",
    "Add the note",
    "Note added.",
    "Case %(code)s",
    "note added",
    "Record a contact",
    "Kind of contact",
    "phone call",
    "When",
    "Duration (minutes)",
    "Record the contact",
    "Contact recorded.",
    "contact recorded",
    "Edit the case",
    "Priority",
    "Stage",
    "Status",
    "high",
    "assessment",
    "reception",
    "open",
    "closure requested",
    "Save",
    "Case saved.",
    "stage changed",
    "case updated",
    "She may already be known",
    "same name and year of birth",
    "Another person: register her",
)


@dataclass(frozen=True)
class Person:
    given_latin: str
    family_latin: str
    given_arabic: str
    family_arabic: str
    birth_year: int

    @property
    def names(self) -> tuple[str, str, str, str]:
        return (self.given_latin, self.family_latin, self.given_arabic, self.family_arabic)


# One caseworker per language (two accounts, so the second sign-in needs no second TOTP code of one account).
JOURNEYS = {
    "fr": ("caseworker", Person("Zineb", "Testaoui", "زينب", "التستاوي", 1994)),
    "ar": ("caseworker.tanger", Person("Houda", "Essaidi", "هدى", "السعيدي", 1988)),
}


class Ui:
    """The text of a msgid in the UI language; the test fails at once naming every msgid left untranslated."""

    def __init__(self, language: str) -> None:
        self.language = language
        catalog = trans_real.translation(language)._catalog
        missing = [msgid for msgid in MSGIDS if msgid not in catalog]
        assert missing == [], f"msgids without a {language} translation: {missing}"

    def __call__(self, msgid: str, **values: str) -> str:
        assert msgid in MSGIDS, f"add {msgid!r} to MSGIDS"
        with translation.override(self.language):
            text = translation.gettext(msgid)
        return text % values if values else text


def exactly(text: str) -> re.Pattern[str]:
    """A label as shown: the text, perhaps followed by the required-field asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$")


def assert_no_horizontal_overflow(page: Page, where: str) -> None:
    sizes = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert sizes[0] <= sizes[1], (
        f"{where}: horizontal overflow (scrollWidth, clientWidth, innerWidth) {sizes}"
    )


def timeline(page: Page, ui: Ui) -> Locator:
    return page.get_by_role("region", name=ui("Timeline"))


def expect_message(page: Page, text: str) -> None:
    expect(page.locator("main .messages")).to_contain_text(text)


# The steps -----------------------------------------------------------------------------------------------------


def sign_in(page: Page, server: Server, ui: Ui, email: str) -> None:
    """Through the real forms of the language: e-mail and password, then the current TOTP code."""
    language = ui.language
    submit_password(page, server, email, DEMO_PASSWORD, language=language)
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/2fa/authenticate/"))
    submit_code(page, server.totp_code(email))
    if "/accounts/2fa/authenticate/" in page.url:
        # The code expired between ``himaya demo totp`` and the server's check (a loaded machine): the next one.
        submit_code(page, server.totp_code(email))
    # She lands on the home page in her preferred language (French for the demo accounts), then switches.
    expect(page).to_have_url(re.compile(r"/[a-z]{2}/home/$"))
    if not page.url.endswith(f"/{language}/home/"):
        shown = Ui(page.locator("html").get_attribute("lang") or "")
        menu = page.get_by_role("navigation", name=shown("Main menu"))
        toggler = menu.get_by_role("button", name=shown("Show the menu"))
        if toggler.is_visible():
            toggler.click()
        menu.get_by_role("link", name=LANGUAGE_NAMES[language]).click()
        expect(page).to_have_url(re.compile(rf"/{language}/home/$"))


def check_direction(page: Page, language: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    main = page.locator("main")
    direction = main.evaluate("element => getComputedStyle(element).direction")
    assert direction == ("rtl" if language == "ar" else "ltr"), direction
    # Laid out for real: the first crumb of the breadcrumb sits on the start side (the right, in Arabic).
    crumbs = page.locator("main .breadcrumb-item")
    first, second = crumbs.nth(0).bounding_box(), crumbs.nth(1).bounding_box()
    assert first and second
    assert (first["x"] > second["x"]) == (language == "ar"), (first, second)


def fill_person(page: Page, ui: Ui, person: Person) -> None:
    page.get_by_label(exactly(ui("first name (Latin script)"))).fill(person.given_latin)
    page.get_by_label(exactly(ui("family name (Latin script)"))).fill(person.family_latin)
    page.get_by_label(exactly(ui("first name (Arabic script)"))).fill(person.given_arabic)
    page.get_by_label(exactly(ui("family name (Arabic script)"))).fill(person.family_arabic)
    page.get_by_label(exactly(ui("year of birth"))).fill(str(person.birth_year))


def intake(page: Page, ui: Ui, language: str, person: Person) -> str:
    """The four steps, from the home page's card, on a tablet; returns the code of the new case."""
    page.get_by_role("link", name=ui("Start an intake")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("New intake"))
    check_direction(page, language)
    assert_no_horizontal_overflow(page, f"{language} intake, the person")

    fill_person(page, ui, person)
    page.get_by_label(exactly(ui("Entry point"))).select_option(label=ui("association (NGO)"))
    page.get_by_role("button", name=ui("Save and continue")).click()

    # Step 2: her consent to services, and to de-identified statistics.
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui("Consent"))
    assert_no_horizontal_overflow(page, f"{language} intake, consent")
    page.get_by_label(ui("She also agrees to be counted in de-identified statistics")).check()
    page.get_by_role("button", name=ui("Save and continue")).click()

    # Step 3: the first incident, classified.
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui("What happened"))
    expect_message(page, ui("Consent recorded."))
    assert_no_horizontal_overflow(page, f"{language} intake, incident")
    page.get_by_label(ui("did it involve physical assault?")).check()
    law_forms = page.get_by_role("group", name=ui("forms of violence (Law 103-13)"))
    law_forms.get_by_role("checkbox").first.check()
    page.get_by_role("button", name=ui("Save and continue")).click()

    # Step 4: her immediate needs; saving them completes the intake.
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui("Immediate needs"))
    expect_message(page, ui("Incident recorded."))
    assert_no_horizontal_overflow(page, f"{language} intake, needs")
    need = page.get_by_role("group", name=ui("Immediate needs")).locator(".form-check").first
    need_label = need.locator("label").inner_text().strip()
    need.get_by_role("checkbox").check()
    page.get_by_role("button", name=ui("Complete the intake")).click()

    expect(page).to_have_url(CASE_URL)
    match = CASE_URL.search(page.url)
    assert match
    code = match.group(1)
    expect_message(page, ui("Intake complete."))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ui('Case')} {code}")
    summary = page.get_by_role("region", name=ui("Summary"))
    expect(summary).to_contain_text(need_label)
    # Her two consents in force, the incident classified from the answers (GBVIMS type computed).
    consents = page.get_by_role("region", name=ui("Consents")).get_by_role("row")
    for purpose in (
        "to receive services from this organisation",
        "to be counted in de-identified statistics",
    ):
        expect(consents.filter(has_text=ui(purpose))).to_contain_text(ui("in force"))
    expect(page.get_by_role("region", name=ui("Incidents"))).to_contain_text(ui("physical assault"))
    events = timeline(page, ui)
    for kind in ("case opened", "consent recorded", "incident recorded", "intake completed"):
        expect(events).to_contain_text(capfirst(ui(kind)))
    expect(events).to_contain_text(need_label)
    return code


def my_cases_show_the_code_not_the_name(page: Page, ui: Ui, code: str, person: Person) -> None:
    page.get_by_role("navigation", name=ui("Main menu")).get_by_role("link", name=ui("My cases")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("My cases"))
    expect(page.get_by_role("link", name=code)).to_be_visible()
    main = page.locator("main").inner_text()
    for name in person.names:
        assert name not in main, f"{name!r} shown in the list of cases"
    page.get_by_role("link", name=code).click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(code)}/$"))


def reveal_her_name(page: Page, server: Server, ui: Ui, email: str, person: Person) -> str:
    """From the case page to her page: masked, then revealed (audited). Returns her code."""
    survivor_link = page.get_by_role("region", name=ui("Summary")).get_by_role("link", name=SURVIVOR_CODE)
    survivor = survivor_link.inner_text().strip()
    survivor_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ui('Survivor')} {survivor}")
    identity = page.get_by_role("region", name=ui("Identity and contact"))
    for name in person.names:
        expect(identity).not_to_contain_text(name)

    identity.get_by_role("button", name=ui("Reveal her identity")).click()
    identity = page.get_by_role("region", name=ui("Identity and contact"))
    for name in person.names:
        expect(identity).to_contain_text(name)
    expect(identity.get_by_role("button", name=ui("Reveal her identity"))).to_have_count(0)

    revealed = server.himaya("shell", "-c", REVEAL_AUDIT.format(code=survivor, email=email))
    fields = json.loads(revealed.stdout.strip().splitlines()[-1])
    assert fields, f"no audit event of the reveal of {survivor} by {email}"
    assert {"given_name_latin", "family_name_latin", "given_name_arabic", "family_name_arabic"} <= set(
        fields[-1]
    ), fields
    return survivor


# The reveals of her identity in the audit trail, by this user: the field names of each.
REVEAL_AUDIT = """
import json
from himaya.cases.models import Survivor
from himaya.core.models import AuditAction, AuditEvent
survivor = Survivor.objects.get(code="{code}")
events = AuditEvent.objects.filter(
    action=AuditAction.READ, object_type="cases.survivor", object_id=str(survivor.pk),
    actor_email="{email}", detail__reveal="reveal",
).order_by("id")
print(json.dumps([event.fields for event in events]))
"""


def back_to_the_case(page: Page, ui: Ui, code: str) -> None:
    page.get_by_role("link", name=ui("Case %(code)s", code=code)).click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(code)}/$"))


def add_a_note_and_a_contact(page: Page, ui: Ui, language: str, code: str) -> None:
    note = f"Note E2E {language}: appel prévu / مكالمة مقررة"
    page.get_by_label(exactly(ui("New note"))).fill(note)
    page.get_by_role("button", name=ui("Add the note")).click()
    expect_message(page, ui("Note added."))
    expect(page.locator("main")).to_contain_text(note)
    back_to_the_case(page, ui, code)
    expect(timeline(page, ui)).to_contain_text(capfirst(ui("note added")))

    summary = f"Contact E2E {language}"
    page.get_by_text(ui("Record a contact"), exact=True).click()  # opens the <details> of the form
    form = page.locator("form").filter(has=page.get_by_role("button", name=ui("Record the contact")))
    form.get_by_label(exactly(ui("Kind of contact"))).select_option(label=ui("phone call"))
    when = timezone.localtime() - timedelta(hours=1)
    form.get_by_label(exactly(ui("When"))).fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(exactly(ui("Duration (minutes)"))).fill("20")
    form.get_by_label(exactly(ui("Summary"))).fill(summary)
    form.get_by_role("button", name=ui("Record the contact")).click()
    expect_message(page, ui("Contact recorded."))
    expect(page.locator("main")).to_contain_text(summary)
    back_to_the_case(page, ui, code)
    expect(timeline(page, ui)).to_contain_text(capfirst(ui("contact recorded")))


def edit_the_case(page: Page, ui: Ui) -> None:
    page.get_by_role("link", name=ui("Edit the case")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui("Edit the case"))
    form = page.locator("main form")
    form.get_by_label(exactly(ui("Priority"))).select_option(label=ui("high"))
    form.get_by_label(exactly(ui("Stage"))).select_option(label=ui("assessment"))
    expect(form.get_by_label(exactly(ui("Status")))).to_be_disabled()  # the closure procedure changes it
    form.get_by_role("button", name=ui("Save"), exact=True).click()

    expect(page).to_have_url(CASE_URL)
    expect_message(page, ui("Case saved."))
    summary = page.get_by_role("region", name=ui("Summary"))
    for value in ("high", "assessment", "open"):
        expect(summary).to_contain_text(ui(value))
    events = timeline(page, ui).get_by_role("listitem")
    expect(events.filter(has_text=capfirst(ui("stage changed")))).to_contain_text(
        f"{ui('reception')} → {ui('assessment')}"
    )
    expect(events.filter(has_text=capfirst(ui("case updated")))).to_contain_text(ui("high"))


def duplicate_warning(page: Page, ui: Ui, language: str, person: Person, survivor: str) -> None:
    """A second intake with her names and year of birth, on a tablet: the warning shows her code."""
    menu = page.get_by_role("navigation", name=ui("Main menu"))
    menu.get_by_role("button", name=ui("Show the menu")).click()  # collapsed below the desktop width
    menu.get_by_role("link", name=ui("My cases")).click()
    page.get_by_role("link", name=ui("New intake")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("New intake"))
    fill_person(page, ui, person)
    page.get_by_role("button", name=ui("Save and continue")).click()

    warning = page.get_by_role("alert").filter(has_text=ui("She may already be known"))
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(survivor)
    expect(warning).to_contain_text(ui("same name and year of birth"))
    expect(warning.get_by_role("button", name=ui("Another person: register her"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/{language}/cases/new/$"))
    assert_no_horizontal_overflow(page, f"{language} intake, duplicate warning")


# The test ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_caseworker_goes_from_intake_to_follow_up_in_the_browser(
    contexts: Contexts, server: Server, language: str
) -> None:
    ui = Ui(language)
    local, person = JOURNEYS[language]
    email = demo_email(local)
    page = contexts.new_page(viewport=TABLET)
    sign_in(page, server, ui, email)

    code = intake(page, ui, language, person)
    page.set_viewport_size(DESKTOP)
    check_direction(page, language)

    my_cases_show_the_code_not_the_name(page, ui, code, person)
    survivor = reveal_her_name(page, server, ui, email, person)
    page.get_by_role("region", name=ui("Her cases")).get_by_role("link", name=code).click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(code)}/$"))
    add_a_note_and_a_contact(page, ui, language, code)
    edit_the_case(page, ui)

    page.set_viewport_size(TABLET)
    duplicate_warning(page, ui, language, person, survivor)

    assert contexts.reports.violations == [], contexts.reports.violations
    assert contexts.reports.page_errors == [], contexts.reports.page_errors
    assert contexts.reports.console_problems() == [], contexts.reports.console_problems()
