"""Opening a case: codes, encryption at rest, blind indexes, scope, audit, timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from himaya.cases import codes
from himaya.cases.models import Case, CaseEvent, Survivor, SurvivorLookup
from himaya.cases.services import survivors
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case


def test_it_opens_a_case_with_pseudonymous_codes_and_an_audit_trail(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"], phone="06 12 34 56 78")
    assert codes.is_valid(case.code) and case.code.startswith("D-")
    assert codes.is_valid(case.survivor.code) and case.survivor.code.startswith("S-")
    assert "Fatima" not in case.survivor.code
    assert list(case.caseworkers.all()) == [staff["caseworker"]]
    assert CaseEvent.objects.filter(case=case, kind="case_opened").count() == 1
    assert AuditEvent.objects.filter(object_type="cases.survivor", action="create").count() == 1
    assert AuditEvent.objects.filter(object_type="cases.case", action="create").count() == 1


def test_it_keeps_names_and_phones_encrypted_in_the_table(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"], phone="0612345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name_latin, phone FROM cases_survivor WHERE id = %s", [case.survivor_id])
        name, phone = cursor.fetchone()
    assert "Fatima" not in name and "0612345678" not in phone
    assert Survivor.objects.get(pk=case.survivor_id).given_name_latin == "Fatima"


def test_it_indexes_names_in_both_orders_and_phones_in_every_format(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"], family_name_latin="El Amrani", phone="0612345678")
    digests = set(SurvivorLookup.objects.filter(survivor=case.survivor).values_list("digest", flat=True))
    assert survivors.name_digests("EL AMRANI", "fatima") <= digests
    assert survivors.phone_digest("+212 6 12 34 56 78") in digests
    assert survivors.phone_digest("00212612345678") in digests


def test_it_refuses_a_survivor_without_a_name_and_stores_nothing(staff: dict[str, Any]) -> None:
    with pytest.raises(BusinessRuleError):
        make_case(staff["caseworker"], given_name_latin="", family_name_latin="", given_name_arabic="")
    assert not Survivor.objects.exists() and not Case.objects.exists()


def test_it_refuses_right_to_left_overrides_in_names(staff: dict[str, Any]) -> None:
    with pytest.raises(BusinessRuleError, match="text-direction"):
        make_case(staff["caseworker"], family_name_latin="Ali\u202eces")


@pytest.mark.parametrize("role", ["analyst", "editor", "admin"])
def test_roles_without_case_work_cannot_open_a_case(staff: dict[str, Any], role: str) -> None:
    with pytest.raises(PermissionDenied):
        make_case(staff[role])


def test_a_case_is_visible_to_its_organisation_only(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    assert list(Case.objects.visible_to(staff["colleague"])) == [case]
    assert list(Survivor.objects.visible_to(staff["supervisor"])) == [case.survivor]
    for role in ("outsider", "outside_supervisor", "analyst", "editor", "admin"):
        assert not Case.objects.visible_to(staff[role]).exists(), role
        assert not Survivor.objects.visible_to(staff[role]).exists(), role


def _found_by(user: Any, **criteria: str) -> list[str]:
    from himaya.cases.queries.survivors import SearchCriteria, case_search

    return [case.code for case in case_search(user, SearchCriteria(**criteria))]


def test_blind_index_rows_belong_to_the_organisations_that_may_find_her(staff: dict[str, Any]) -> None:
    mine = make_case(staff["caseworker"], family_name_latin="Tazi", phone="0612345678")
    namesake = make_case(staff["outsider"], family_name_latin="Tazi", phone="0698765432")
    organisations = set(
        SurvivorLookup.objects.filter(survivor=mine.survivor).values_list("organisation", flat=True)
    )
    assert organisations == {staff["caseworker"].organisation_id}
    # Each organisation finds its own Fatima Tazi through its own rows, never the other's.
    assert _found_by(staff["caseworker"], name="fatima tazi") == [mine.code]
    assert _found_by(staff["outsider"], name="FATIMA TAZI") == [namesake.code]
    assert _found_by(staff["outsider"], phone="0612345678") == []


def test_an_organisation_given_a_case_of_hers_finds_her_and_follows_her_changes(
    staff: dict[str, Any],
) -> None:
    case = make_case(staff["caseworker"], family_name_latin="Tazi")
    survivor = Survivor.objects.get(pk=case.survivor_id)
    # Another organisation comes to hold a case of hers (a transfer, in the referral mechanism).
    Case.objects.filter(pk=case.pk).update(organisation=staff["outsider"].organisation)
    assert _found_by(staff["outsider"], name="Fatima Tazi") == []
    survivors.lookups_open_to(survivor, staff["outsider"].organisation_id)
    survivors.lookups_open_to(survivor, staff["outsider"].organisation_id)  # twice: nothing doubled
    assert _found_by(staff["outsider"], name="Fatima Tazi") == [case.code]
    rows = SurvivorLookup.objects.filter(survivor=survivor)
    assert rows.filter(organisation=staff["outsider"].organisation).count() == rows.count() // 2
    # A change of name re-indexes her for every organisation that may find her.
    survivors.survivor_update(
        actor=staff["outside_supervisor"],
        survivor=survivor,
        values={"family_name_latin": "Bennani"},
        expected_version=survivor.version,
    )
    assert _found_by(staff["outsider"], name="Fatima Tazi") == []
    assert _found_by(staff["outsider"], name="Fatima Bennani") == [case.code]
    organisations = set(rows.filter(kind="name").values_list("organisation", flat=True))
    assert organisations == {staff["caseworker"].organisation_id, staff["outsider"].organisation_id}
