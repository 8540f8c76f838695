"""Search of survivors and cases: exact name (either order, normalised), telephone, document number, code, case
filters; scoped to what the user may see, audited without the values, never a server error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from himaya.cases.models import Case
from himaya.cases.queries.survivors import SearchCriteria, case_search
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

URL = "/en/cases/survivors/search/"


@pytest.fixture
def cases(staff: dict[str, Any]) -> dict[str, Case]:
    worker = staff["caseworker"]
    return {
        "amina": make_case(
            worker,
            given_name_latin="Amina",
            family_name_latin="El Fassi",
            given_name_arabic="أمينة",
            family_name_arabic="الفاسي",
            phone="0612345678",
            id_document_number="BE 123456",
        ),
        "aicha": make_case(
            worker, given_name_latin="Aïcha", family_name_latin="Diallo", phone="+221 77 123 45 67"
        ),
        "outside": make_case(staff["outsider"], given_name_latin="Amina", family_name_latin="El Fassi"),
    }


def _codes(user: Any, **criteria: Any) -> list[str]:
    return [case.code for case in case_search(user, SearchCriteria(**criteria))]


def test_it_finds_a_name_in_either_order_and_either_script(
    staff: dict[str, Any], cases: dict[str, Case]
) -> None:
    amina = cases["amina"].code
    for name in ("Amina El Fassi", "el fassi AMINA", "  amina   el  fassi ", "امينة الفاسي", "الفاسي أمينه"):
        assert _codes(staff["colleague"], name=name) == [amina], name
    assert _codes(staff["colleague"], name="aicha diallo") == [cases["aicha"].code]
    assert _codes(staff["colleague"], name="Amina") == []  # exact: a part of the name finds nothing


def test_it_finds_a_phone_in_any_format_an_id_number_and_a_code(
    staff: dict[str, Any], cases: dict[str, Case]
) -> None:
    amina, aicha = cases["amina"], cases["aicha"]
    assert _codes(staff["colleague"], phone="+212 6 12 34 56 78") == [amina.code]
    assert _codes(staff["colleague"], phone="00221771234567") == [aicha.code]
    assert _codes(staff["colleague"], id_number="be-123456") == [amina.code]
    assert _codes(staff["colleague"], code=amina.code.lower()) == [amina.code]
    assert _codes(staff["colleague"], code=amina.survivor.code.replace("-", " ")) == [amina.code]
    # Read aloud: O for 0, I or L for 1 still match.
    spoken = amina.code.replace("0", "o").replace("1", "l")
    assert _codes(staff["colleague"], code=spoken) == [amina.code]


def test_it_filters_cases_by_status_stage_entry_point_and_dates(
    staff: dict[str, Any], cases: dict[str, Case]
) -> None:
    amina, aicha = cases["amina"], cases["aicha"]
    Case.objects.filter(pk=aicha.pk).update(
        stage="assessment", entry_point="hotline", opened_at=timezone.now() - timedelta(days=40)
    )
    user = staff["supervisor"]
    assert _codes(user, stage="assessment") == [aicha.code]
    assert _codes(user, entry_point="hotline") == [aicha.code]
    assert _codes(user, status="open") == [amina.code, aicha.code]
    today = timezone.localdate()
    assert _codes(user, opened_from=today - timedelta(days=7)) == [amina.code]
    assert _codes(user, opened_to=today - timedelta(days=30)) == [aicha.code]
    assert _codes(user, status="open", name="aicha diallo", stage="reception") == []


def test_it_only_finds_what_the_user_may_see(staff: dict[str, Any], cases: dict[str, Case]) -> None:
    assert _codes(staff["outsider"], name="Amina El Fassi") == [cases["outside"].code]
    assert _codes(staff["outsider"], phone="0612345678") == []
    assert _codes(staff["outsider"], code=cases["amina"].code) == []


def test_a_search_is_audited_with_the_kinds_of_criteria_never_the_values(
    staff: dict[str, Any], cases: dict[str, Case], client_for: Any
) -> None:
    response = client_for(staff["colleague"]).get(URL, {"name": "Amina El Fassi", "phone": "0612345678"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="read", object_type="cases.survivor").latest("id")
    assert event.detail == {"search": ["name", "phone"]}
    assert event.actor_id == staff["colleague"].pk
    assert "Amina" not in str(event.detail) and "0612345678" not in str(event.detail)


def test_the_page_shows_codes_never_names(
    staff: dict[str, Any], cases: dict[str, Case], client_for: Any
) -> None:
    response = client_for(staff["colleague"]).get(URL, {"name": "Amina El Fassi"})
    html = response.content.decode()
    assert cases["amina"].code in html and cases["amina"].survivor.code in html
    assert "El Fassi" not in html.split("</form>")[-1]  # the results: codes only
    assert cases["outside"].code not in html
    assert "1 case" in html


def test_an_empty_search_shows_no_result_and_records_nothing(staff: dict[str, Any], client_for: Any) -> None:
    client = client_for(staff["caseworker"])
    response = client.get(URL)
    assert response.status_code == 200 and "<table" not in response.content.decode()
    response = client.get(URL, {"name": "", "status": ""})
    assert "Fill in at least one criterion" in response.content.decode()
    assert not AuditEvent.objects.filter(action="read", object_type="cases.survivor").exists()


@pytest.mark.parametrize(
    "query",
    [
        {"name": "<script>alert(1)</script>"},
        {"name": "x" * 5000},
        {"name": "\u202e\u202e"},
        {"name": "a\x00b"},
        {"phone": "'; DROP TABLE cases_survivor; --"},
        {"phone": "+" + "9" * 200},
        {"code": "S-ZZZZ-ZZZZ-Z"},
        {"code": "D-0000"},
        {"code": "%%%"},
        {"code": "\x00"},
        {"id_number": "   "},
        {"status": "nonsense"},
        {"stage": "<b>"},
        {"opened_from": "2024-13-45"},
        {"opened_from": "0001-01-01"},
        {"opened_to": "9999-12-31"},
        {"opened_from": "2025-05-01", "opened_to": "2024-01-01"},
        {"page": "-1", "name": "Amina El Fassi"},
        {"page": "99999999999999999999", "name": "Amina El Fassi"},
    ],
)
def test_hostile_input_gives_an_empty_result_never_an_error(
    staff: dict[str, Any], cases: dict[str, Case], client_for: Any, query: dict[str, str]
) -> None:
    response = client_for(staff["colleague"]).get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if "page" not in query:
        assert cases["amina"].code not in html


@pytest.mark.parametrize("role", ["analyst", "editor", "admin"])
def test_roles_without_case_work_may_not_search(staff: dict[str, Any], client_for: Any, role: str) -> None:
    assert client_for(staff[role]).get(URL, {"name": "Amina El Fassi"}).status_code == 403


def test_the_search_refuses_post(staff: dict[str, Any], client_for: Any) -> None:
    assert client_for(staff["caseworker"]).post(URL, {"name": "x"}).status_code == 405


def test_a_mistyped_code_is_named_as_such_and_searches_nothing(
    staff: dict[str, Any], cases: dict[str, Case], client_for: Any
) -> None:
    code = cases["amina"].code
    last = code[-1]
    wrong = code[:-1] + ("X" if last != "X" else "Y")  # the check character no longer matches
    response = client_for(staff["colleague"]).get(URL, {"code": wrong})
    html = response.content.decode()
    assert "This code does not exist as typed" in html and "<table" not in html
    assert not AuditEvent.objects.filter(action="read", object_type="cases.survivor").exists()
    # The right code, typed without dashes, still finds her.
    response = client_for(staff["colleague"]).get(URL, {"code": code.replace("-", "")})
    assert code in response.content.decode().split("</form>")[-1]
