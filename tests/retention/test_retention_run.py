"""The retention run: a dry run changes nothing; a real run leaves no readable trace of her and the same statistics;
legal hold stops it; a second run changes nothing more; delays differ per kind of record."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from himaya.cases.models import Case, CaseEvent, EventKind, Survivor, SurvivorLookup
from himaya.core.models import AuditEvent
from himaya.retention.models import RetentionPolicy
from himaya.retention.services import retention_run
from tests.cases.factories import make_case
from tests.retention.helpers import PDF, SECRETS, TEXTS, close, file_exists, full_case, statistics, traces

pytestmark = pytest.mark.django_db

EVERYTHING = {
    "survivor_identity": 1,
    "notes": 2,  # the note and the contact
    "documents": 1,
    "incident_descriptions": 1,
    "assessment_text": 6,  # screening, identification, risk, plan action, conference, closure request
    "held": 0,
}


def test_dry_run_reports_what_it_would_do_and_changes_nothing(staff: dict[str, Any]) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=6)
    events, audit = CaseEvent.objects.count(), AuditEvent.objects.count()

    report = retention_run(dry_run=True)

    assert report == EVERYTHING
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert {name: getattr(survivor, name) for name in SECRETS} == SECRETS
    assert case.notes.get().body == TEXTS["note"]
    assert SurvivorLookup.objects.filter(survivor=survivor).exists()
    assert file_exists(case)
    case.refresh_from_db()
    assert case.anonymised_at is None
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (events, audit)


def test_run_leaves_no_trace_of_her_and_the_same_statistics(
    staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=6)
    assert traces()  # the check finds her before the run
    before = statistics()

    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run(dry_run=False)

    assert report == EVERYTHING
    assert traces() == []
    assert statistics() == before
    assert not SurvivorLookup.objects.filter(survivor_id=case.survivor_id).exists()
    assert not file_exists(case)
    document = case.documents.get()
    assert (document.kind, document.size, document.title) == ("medical_certificate", len(PDF), "")
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.caseevents.filter(kind=EventKind.ANONYMISED).count() == 1
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert (survivor.sex, survivor.birth_year, survivor.code) == ("female", 1990, case.survivor.code)
    assert survivor.version == 2  # an edit form opened before the run cannot save her name back
    assert AuditEvent.objects.filter(
        object_type="cases.survivor", object_id=str(survivor.pk), action="update"
    ).exists()


def test_a_second_run_changes_nothing_more(staff: dict[str, Any]) -> None:
    close(full_case(staff["caseworker"]), years_ago=6)
    retention_run(dry_run=False)
    events, audit = CaseEvent.objects.count(), AuditEvent.objects.count()

    assert retention_run(dry_run=False) == dict.fromkeys(EVERYTHING, 0)
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (events, audit)


def test_legal_hold_stops_it_and_is_counted(staff: dict[str, Any]) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=6)
    Case.objects.filter(pk=case.pk).update(legal_hold=True, legal_hold_reason="proceedings")

    report = retention_run(dry_run=False)

    assert report == {**dict.fromkeys(EVERYTHING, 0), "held": 1}
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert survivor.given_name_latin == SECRETS["given_name_latin"]
    assert case.notes.get().body == TEXTS["note"]
    assert file_exists(case)
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_cases_not_closed_long_enough_or_open_are_untouched(staff: dict[str, Any]) -> None:
    recent = full_case(staff["caseworker"])
    close(recent, years_ago=1)
    full_case(staff["caseworker"])  # open

    assert retention_run(dry_run=False) == dict.fromkeys(EVERYTHING, 0)
    assert recent.notes.get().body == TEXTS["note"]


def test_each_kind_of_record_has_its_own_delay(staff: dict[str, Any]) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=3)  # documents go after 2 years, the rest after 5

    report = retention_run(dry_run=False)

    assert report == {**dict.fromkeys(EVERYTHING, 0), "documents": 1}
    assert case.documents.get().title == ""
    assert case.notes.get().body == TEXTS["note"]
    case.refresh_from_db()
    assert case.anonymised_at is None  # not every delay has passed
    # A shorter delay set by the administrator applies at the next run.
    RetentionPolicy.objects.filter(record_type="notes").update(years_after_closure=2)
    assert retention_run(dry_run=False)["notes"] == 2
    assert retention_run(dry_run=False)["notes"] == 0


def test_her_identity_stays_while_another_case_of_hers_is_open(staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    old = full_case(worker)
    close(old, years_ago=6)
    survivor = Survivor.objects.get(pk=old.survivor_id)
    newer = make_case(worker, **SECRETS)
    Case.objects.filter(pk=newer.pk).update(survivor=survivor)

    report = retention_run(dry_run=False)

    assert report["survivor_identity"] == 0 and report["notes"] == 2
    survivor.refresh_from_db()
    assert survivor.given_name_latin == SECRETS["given_name_latin"]
    old.refresh_from_db()
    assert old.anonymised_at is None  # her identity is still there: looked at again next night


def test_the_command_prints_the_report_and_dry_run_changes_nothing(staff: dict[str, Any]) -> None:
    case = full_case(staff["caseworker"])
    close(case, years_ago=6)
    out = io.StringIO()

    call_command("retention", "run", "--dry-run", "--language", "en", stdout=out)

    text = out.getvalue()
    assert "dry run" in text
    assert "Case notes and contact logs: 2" in text
    assert "Cases kept under legal hold: 0" in text
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == SECRETS["given_name_latin"]

    out = io.StringIO()
    call_command("retention", "run", "--language", "fr", stdout=out)
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == ""
