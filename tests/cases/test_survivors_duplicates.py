"""Duplicate warning at intake: same normalised name and year of birth, same telephone or same document number,
among the survivors the user may see; codes only."""

from __future__ import annotations

from typing import Any

from himaya.cases.queries.survivors import (
    SAME_ID_NUMBER,
    SAME_NAME,
    SAME_NAME_AND_BIRTH_YEAR,
    SAME_PHONE,
    possible_duplicates,
)
from tests.cases.factories import make_case


def _found(user: Any, **values: Any) -> dict[str, list[str]]:
    return {item.code: item.reasons for item in possible_duplicates(user, values)}


def test_it_finds_the_same_name_and_year_in_either_order_and_script_form(staff: dict[str, Any]) -> None:
    case = make_case(
        staff["caseworker"],
        given_name_latin="Fatima Zahra",
        family_name_latin="El Amrani",
        given_name_arabic="فاطمة الزهراء",
        family_name_arabic="العمراني",
        birth_year=1991,
    )
    code = case.survivor.code
    assert _found(
        staff["colleague"], given_name_latin="EL AMRANI", family_name_latin="fatima  zahra", birth_year=1991
    ) == {code: [SAME_NAME_AND_BIRTH_YEAR]}
    assert _found(
        staff["colleague"], given_name_arabic="فاطمه الزهراء", family_name_arabic="العمراني", birth_year=1991
    ) == {code: [SAME_NAME_AND_BIRTH_YEAR]}
    # Same name, another year: a different person.
    assert (
        _found(
            staff["colleague"],
            given_name_latin="Fatima Zahra",
            family_name_latin="El Amrani",
            birth_year=1970,
        )
        == {}
    )
    # Same name, year not given: still worth a look, with the weaker reason.
    assert _found(staff["colleague"], given_name_latin="Fatima Zahra", family_name_latin="El Amrani") == {
        code: [SAME_NAME]
    }


def test_it_finds_the_same_phone_in_any_format_and_the_same_document(staff: dict[str, Any]) -> None:
    case = make_case(
        staff["caseworker"],
        phone="06 12 34 56 78",
        other_phone="+221 77 123 45 67",
        id_document_number="BE 123456",
    )
    code = case.survivor.code
    for phone in ("+212612345678", "00212 6 12 34 56 78", "212612345678", "0612-345-678"):
        assert _found(staff["caseworker"], given_name_latin="Someone", phone=phone) == {code: [SAME_PHONE]}, (
            phone
        )
    assert _found(staff["caseworker"], other_phone="00221771234567") == {code: [SAME_PHONE]}
    assert _found(staff["caseworker"], id_document_number="be-123456") == {code: [SAME_ID_NUMBER]}
    both = possible_duplicates(staff["caseworker"], {"phone": "0612345678", "id_document_number": "BE123456"})
    assert [(item.code, item.reasons) for item in both] == [(code, [SAME_PHONE, SAME_ID_NUMBER])]
    assert both[0].reason_labels == ["same telephone", "same identity document number"]


def test_it_ranks_a_document_match_before_a_name_match(staff: dict[str, Any]) -> None:
    by_name = make_case(
        staff["caseworker"], given_name_latin="Amina", family_name_latin="Bennani", birth_year=1985
    )
    by_document = make_case(staff["caseworker"], given_name_latin="Other", id_document_number="X1")
    found = possible_duplicates(
        staff["caseworker"],
        {
            "given_name_latin": "Amina",
            "family_name_latin": "Bennani",
            "birth_year": 1985,
            "id_document_number": "x 1",
        },
    )
    assert [item.code for item in found] == [by_document.survivor.code, by_name.survivor.code]


def test_it_only_warns_about_survivors_the_user_may_see(staff: dict[str, Any]) -> None:
    make_case(staff["caseworker"], phone="0612345678")
    for role in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        assert _found(staff[role], phone="0612345678") == {}, role


def test_it_ignores_the_survivor_being_edited_and_empty_values(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"], phone="0612345678")
    assert possible_duplicates(staff["caseworker"], {"phone": "0612345678"}, exclude=case.survivor) == []
    assert possible_duplicates(staff["caseworker"], {}) == []
    assert possible_duplicates(staff["caseworker"], {"phone": "not a number", "given_name_latin": "  "}) == []
