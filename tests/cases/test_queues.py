"""Work queues: my cases and the organisation's, filters, sorting, pagination, reminders, home cards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from himaya.cases.models import Case, Consent
from himaya.cases.queries.cases import QUEUE_LABELLED_FIELDS
from himaya.cases.services import cases as services
from tests.cases.factories import make_case


def _due(case: Case, days: int, actor: Any) -> None:
    services.case_update(
        actor=actor,
        case=case,
        values={"follow_up_due": timezone.localdate() + timedelta(days=days)},
        expected_version=case.version,
    )


def test_my_cases_lists_the_cases_assigned_to_me_by_code(client_for: Any, staff: dict[str, Any]) -> None:
    mine = make_case(staff["caseworker"], family_name_latin="Tazi")
    theirs = make_case(staff["colleague"])
    response = client_for(staff["caseworker"]).get("/en/cases/")
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.code in html and mine.survivor.code in html
    assert theirs.code not in html
    assert "Tazi" not in html and "Fatima" not in html


def test_the_supervisor_sees_the_organisation_queue_with_caseworkers(
    client_for: Any, staff: dict[str, Any]
) -> None:
    cases = [make_case(staff["caseworker"]), make_case(staff["colleague"])]
    outside = make_case(staff["outsider"])
    response = client_for(staff["supervisor"]).get("/en/cases/organisation/")
    html = response.content.decode()
    assert all(case.code in html for case in cases) and outside.code not in html
    assert staff["colleague"].full_name in html


@pytest.mark.parametrize("role", ["caseworker", "analyst", "admin"])
def test_the_organisation_queue_is_the_supervisors(client_for: Any, staff: dict[str, Any], role: str) -> None:
    assert client_for(staff[role]).get("/en/cases/organisation/").status_code == 403


@pytest.mark.parametrize("role", ["analyst", "editor", "admin"])
def test_roles_without_case_work_have_no_queue(client_for: Any, staff: dict[str, Any], role: str) -> None:
    assert client_for(staff[role]).get("/en/cases/").status_code == 403


def test_the_queue_refuses_a_post(client_for: Any, staff: dict[str, Any]) -> None:
    assert client_for(staff["caseworker"]).post("/en/cases/").status_code == 405


def test_filters_narrow_the_queue_and_bad_values_are_ignored(client_for: Any, staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    urgent = make_case(worker)
    services.case_update(actor=worker, case=urgent, values={"priority": "urgent"}, expected_version=1)
    hotline = make_case(worker, entry_point="hotline")
    overdue = make_case(worker)
    _due(overdue, -2, worker)
    client = client_for(worker)

    def codes(query: str) -> set[str]:
        html = client.get(f"/en/cases/?{query}").content.decode()
        return {case.code for case in (urgent, hotline, overdue) if case.code in html}

    assert codes("priority=urgent") == {urgent.code}
    assert codes("entry_point=hotline") == {hotline.code}
    assert codes("follow_up=overdue") == {overdue.code}
    assert codes("reminder=follow_up") == {overdue.code}
    assert codes("stage=assessment") == set()
    assert codes("priority=<b>&sort=nonsense&page=abc") == {urgent.code, hotline.code, overdue.code}


def test_closed_cases_leave_the_default_queue(client_for: Any, staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(status="closed")
    client = client_for(staff["caseworker"])
    assert case.code not in client.get("/en/cases/").content.decode()
    assert case.code in client.get("/en/cases/?status=closed").content.decode()
    assert case.code in client.get("/en/cases/?status=any").content.decode()


def test_sorting_by_priority_and_by_follow_up(staff: dict[str, Any]) -> None:
    from himaya.cases.queries import cases as queries

    worker = staff["caseworker"]
    low, urgent, plain = make_case(worker), make_case(worker), make_case(worker)
    services.case_update(actor=worker, case=low, values={"priority": "low"}, expected_version=1)
    services.case_update(actor=worker, case=urgent, values={"priority": "urgent"}, expected_version=1)
    by_priority = queries.my_cases(viewer=worker, filters=queries.QueueFilters(sort="priority"))
    assert [c.pk for c in by_priority] == [urgent.pk, plain.pk, low.pk]
    _due(plain, 5, worker)
    _due(low, 1, worker)
    by_due = queries.my_cases(viewer=worker, filters=queries.QueueFilters(sort="follow_up"))
    assert [c.pk for c in by_due] == [low.pk, plain.pk, urgent.pk]  # not planned: last


def test_reminders_follow_up_consent_expiring_and_unfinished_intake(
    client_for: Any, staff: dict[str, Any]
) -> None:
    worker = staff["caseworker"]
    today_case, quiet = make_case(worker), make_case(worker)
    _due(today_case, 0, worker)
    services.case_set_needs(actor=worker, case=quiet, needs=["reception"])
    Consent.objects.create(
        case=quiet, purpose="services", method="verbal", expires_on=timezone.localdate() + timedelta(days=10)
    )
    Consent.objects.create(  # withdrawn: no reminder
        case=today_case,
        purpose="services",
        method="verbal",
        expires_on=timezone.localdate() + timedelta(days=3),
        withdrawn_at=timezone.now(),
    )
    client = client_for(worker)
    assert client.get("/en/cases/?reminder=consent").content.decode().count(quiet.code) >= 1
    assert today_case.code not in client.get("/en/cases/?reminder=consent").content.decode()
    html = client.get("/en/cases/").content.decode()
    assert "Follow-up today" in html and "Consent expiring" in html and "Intake not finished" in html
    assert quiet.code not in client.get("/en/cases/?reminder=intake").content.decode()


def test_pagination_keeps_the_filters(client_for: Any, staff: dict[str, Any], settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for _ in range(3):
        make_case(staff["caseworker"], entry_point="hotline")
    html = client_for(staff["caseworker"]).get("/en/cases/?entry_point=hotline").content.decode()
    assert "Page 1 of 2" in html and "entry_point=hotline&amp;page=2" in html


@pytest.mark.parametrize("count", [3, 30])
def test_my_cases_costs_at_most_10_queries_whatever_the_page_size(
    client_for: Any, staff: dict[str, Any], settings: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    settings.PAGE_SIZE = 50
    worker = staff["caseworker"]
    for number in range(count):
        case = make_case(worker)
        if number % 2:
            _due(case, -1, worker)
    client = client_for(worker)
    client.get("/en/cases/")  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get("/en/cases/?sort=priority")
    assert response.status_code == 200
    assert response.content.decode().count("/intake/") >= count


def test_home_cards_count_my_cases_and_reminders(client_for: Any, staff: dict[str, Any]) -> None:
    worker = staff["caseworker"]
    overdue = make_case(worker)
    _due(overdue, -3, worker)
    make_case(staff["colleague"])
    html = client_for(worker).get("/en/home/").content.decode()
    assert "1 open case is assigned to you." in html and "1 follow-up is overdue." in html
    assert "1 intake is not finished." in html and "Start an intake" in html
    html = client_for(staff["supervisor"]).get("/en/home/").content.decode()
    assert "Your organisation has 2 open cases." in html and "2 intakes are not finished." in html


def test_the_menu_offers_the_queues_by_permission(client_for: Any, staff: dict[str, Any]) -> None:
    assert b'href="/en/cases/"' in client_for(staff["caseworker"]).get("/en/home/").content
    assert b'href="/en/cases/organisation/"' not in client_for(staff["caseworker"]).get("/en/home/").content
    assert b'href="/en/cases/organisation/"' in client_for(staff["supervisor"]).get("/en/home/").content
    assert b'href="/en/cases/"' not in client_for(staff["admin"]).get("/en/home/").content


def test_the_person_search_is_reachable_from_the_menu_and_the_queue(
    client_for: Any, staff: dict[str, Any]
) -> None:
    search = b'href="/en/cases/survivors/search/"'
    home = client_for(staff["caseworker"]).get("/en/home/").content
    queue = client_for(staff["caseworker"]).get("/en/cases/").content
    assert home.count(search) == 1 and queue.count(search) == 2  # the menu, and the button above the queue
    assert search not in client_for(staff["analyst"]).get("/en/home/").content


def test_queue_rows_show_each_coded_field_by_its_label_in_the_page_language(
    client_for: Any, staff: dict[str, Any]
) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(priority="urgent", entry_point="hospital_cell")
    case.refresh_from_db()
    client = client_for(staff["caseworker"])
    for language in ("fr", "ar"):
        html = client.get(f"/{language}/cases/").content.decode()
        row = html[html.index(case.code) :]
        row = row[: row.index("</tr>")]
        with translation.override(language):
            labels = [str(getattr(case, f"get_{name}_display")()) for name in QUEUE_LABELLED_FIELDS]
        assert all(escape(label) in row for label in labels), (language, labels)
        assert f"<strong>{escape(labels[2])}</strong>" in row  # urgent priority stands out
        assert ">hospital_cell<" not in row  # labels, never codes
