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
