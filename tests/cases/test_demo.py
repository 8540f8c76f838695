"""The fictional demo cases: every status and stage, reminders to see, names never in clear, loaded once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings
from django.utils.module_loading import import_string

from himaya.accounts.demo.data import DEMO_DOMAIN
from himaya.accounts.demo.loader import load_demo
from himaya.accounts.models import User
from himaya.cases import choices, demo, storage
from himaya.cases.models import Case, CaseEvent, Consent, ContactLog, Document, Incident, Note, Survivor
from himaya.cases.queries import cases as queries
from himaya.cases.services.survivors import IDENTIFYING_FIELDS
from himaya.core.audit import verify_chain
from tests.cases.test_survivors_storage import _every_cell

# One load for the whole class (about 300 cases through the services), rolled back once its tests are done; each
# test runs inside it, in its own savepoint. One worker runs them all, one after the other.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("cases_demo")]


def test_without_the_demo_accounts_it_loads_nothing() -> None:
    assert demo.load() == 0
    assert not Case.objects.exists()


def test_himaya_demo_load_calls_it_through_the_app_hook() -> None:
    # `himaya demo load` runs every AppConfig.demo_loader (tests/directory/test_demo.py runs the command).
    assert import_string(apps.get_app_config("cases").demo_loader) is demo.load


@pytest.fixture(scope="class")
def loaded(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[int]:
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        HIMAYA_DOCUMENT_DIR=str(tmp_path_factory.getbasetemp() / "documents"),
    )
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
            yield demo.load()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class TestTheLoadedDemo:
    def test_it_loads_a_few_hundred_cases_in_every_status_and_stage(self, loaded: int) -> None:
        assert 250 <= loaded == Case.objects.count() <= 400
        assert set(Case.objects.values_list("status", flat=True)) == set(choices.CaseStatus.values)
        assert set(Case.objects.values_list("stage", flat=True)) == set(choices.Stage.values)
        assert set(Case.objects.values_list("intake_step", flat=True)) >= {
            "consent",
            "incident",
            "needs",
            "done",
        }
        assert set(Case.objects.values_list("entry_point", flat=True)) == set(choices.EntryPoint.values)
        assert set(Case.objects.values_list("priority", flat=True)) == set(choices.Priority.values)
        assert set(Case.objects.values_list("risk_level", flat=True)) == set(choices.RiskLevel.values)
        # Mostly open cases, over several demo organisations, every one fictional.
        statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
        assert statuses["open"] > loaded / 2
        per_org = Case.objects.values("organisation").annotate(n=Count("id"))
        assert len(per_org) >= 4 and all(row["n"] >= 20 for row in per_org)
        assert not Case.objects.filter(organisation__is_fictional=False).exists()
        # Closed cases carry their closing date; open ones do not.
        assert not Case.objects.filter(status="closed", closed_at__isnull=True).exists()
        assert not Case.objects.exclude(status="closed").filter(closed_at__isnull=False).exists()

    def test_the_records_are_varied_and_spread_over_18_months(self, loaded: int) -> None:
        gbv_types = set(Incident.objects.values_list("gbv_type", flat=True))
        assert {
            "rape",
            "sexual_assault",
            "physical_assault",
            "forced_marriage",
            "psychological_abuse",
        } <= gbv_types
        forms = {form for forms in Incident.objects.values_list("law_forms", flat=True) for form in forms}
        assert forms == set(choices.LawForm.values)
        assert Incident.objects.exclude(tech_forms=[]).count() >= 20
        assert Incident.objects.exclude(trafficking_forms=[]).count() >= 10
        assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
        assert Consent.objects.filter(purpose="sharing", recipient__isnull=False).exists()
        assert queries.consents_expiring().filter(case__status="open").count() >= 5
        assert Note.objects.count() >= 200 and ContactLog.objects.count() >= 200
        assert 5 <= Document.objects.count() <= 60
        document = Document.objects.first()
        assert storage.read(document.storage_key).decode().startswith(document.title)
        assert Survivor.objects.filter(cases__isnull=False).distinct().count() == Survivor.objects.count()
        assert Survivor.objects.annotate(n=Count("cases")).filter(n__gt=1).exists()  # she came back
        # Opened over the last 18 months, timeline lines dated in the story, never in the future.
        oldest = Case.objects.order_by("opened_at").first()
        newest = Case.objects.order_by("-opened_at").first()
        assert (newest.opened_at - oldest.opened_at).days >= 365
        assert (queries.today() - oldest.opened_at.date()).days <= 550
        assert not CaseEvent.objects.filter(at__gt=queries.timezone.now()).exists()
        for case in Case.objects.filter(status="closed")[:20]:
            lines = list(case.caseevents.order_by("at", "id"))
            assert lines[0].kind == "case_opened" and lines[0].at == case.opened_at
            assert lines[-1].kind == "status_changed" and lines[-1].detail["to"] == "closed"
            assert lines[-1].at == case.closed_at
        assert verify_chain().intact

    def test_the_demo_caseworker_has_a_handful_of_cases_with_every_reminder(self, loaded: int) -> None:
        caseworker = User.objects.get(email=f"{demo.HANDFUL_ACCOUNT}@{DEMO_DOMAIN}")
        counts = queries.my_counts(viewer=caseworker)
        assert 4 <= counts.open <= 12
        assert counts.follow_up_overdue and counts.follow_up_today
        assert counts.consent_expiring and counts.intake_unfinished
        supervisor = User.objects.get(email=f"supervisor@{DEMO_DOMAIN}")
        assert queries.my_counts(viewer=supervisor).open > counts.open
        # Every demo account that works on cases has some; the others none.
        for local in ("caseworker.tanger", "hotline", "provider", "judicial"):
            assert queries.my_counts(viewer=User.objects.get(email=f"{local}@{DEMO_DOMAIN}")).open >= 10, (
                local
            )

    def test_her_queue_pages_render(self, loaded: int, client_for: Any) -> None:
        caseworker = User.objects.get(email=f"{demo.HANDFUL_ACCOUNT}@{DEMO_DOMAIN}")
        client = client_for(caseworker)
        assert client.get("/en/cases/").status_code == 200
        case = Case.objects.filter(caseworkers=caseworker, status="closed").first()
        assert client.get(f"/en/cases/{case.code}/").status_code == 200

    def test_loading_twice_adds_nothing_and_no_name_is_stored_in_clear(self, loaded: int) -> None:
        counts = [model.objects.count() for model in (Case, Survivor, CaseEvent, Note, Consent, Document)]
        assert demo.load() == 0
        assert [
            model.objects.count() for model in (Case, Survivor, CaseEvent, Note, Consent, Document)
        ] == counts

        # Every identifying value the loader gave a survivor, looked for as a whole word (or phrase) in every cell
        # of the tables it writes: ciphertext and digests are single long tokens that never make such a word.
        values = set()
        for survivor in Survivor.objects.all():
            values |= {getattr(survivor, name) for name in IDENTIFYING_FIELDS} - {""}
        assert len(values) > 300
        assert _leaks(values) == []
        # The search finds a value written in clear.
        survivor = Survivor.objects.exclude(family_name_arabic="").first()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_note SET body = %s WHERE id = %s",
                [f"vue avec {survivor.family_name_arabic}", Note.objects.first().pk],
            )
        assert _leaks(values) == [f"cases_note.body holds {survivor.family_name_arabic!r}"]


def _leaks(values: set[str]) -> list[str]:
    """Where any of ``values`` occurs in clear in a table the loader writes: a single-word value as a whole word,
    a phrase as is. Ciphertext and digests are long single tokens, so a short name inside them is no match."""
    words_only = {value for value in values if re.fullmatch(r"\w+", value)}
    phrases = values - words_only
    found = set()
    for table, column, text in _every_cell():
        if not table.startswith(("cases_", "core_audit")):
            continue  # staff names and directory texts, which the loader does not write
        hits = set(re.findall(r"\w+", text)) & words_only
        if " " in text:
            hits |= {phrase for phrase in phrases if phrase in text}
        found |= {f"{table}.{column} holds {value!r}" for value in hits}
    return sorted(found)
