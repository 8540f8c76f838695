"""Recording and correcting incidents through the service: classifications, perpetrators, bad input (a clear
message, nothing stored), concurrency, timeline and audit, who may."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from himaya.cases.models import CaseEvent, Incident, Perpetrator
from himaya.cases.services import incidents
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditEvent, Province
from tests.cases.factories import make_case

TODAY = timezone.localdate


def _values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "occurred_on": TODAY() - timedelta(days=10),
        "reported_on": TODAY(),
        "place_type": "marital_home",
        "law_forms": ["psychological", "physical"],
        "involved_physical_assault": True,
        "tech_forms": ["sextortion"],
        "platforms": ["whatsapp", "facebook"],
        "trafficking_forms": [],
        "perpetrator_count": 2,
        "reported_to_police_before": "no",
        "description": "Il l'a frappée devant les enfants.",
    }
    values.update(overrides)
    return values


def test_it_records_every_classification_with_perpetrators_timeline_and_audit(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    province = Province.objects.get(code="04.421")
    incident = incidents.incident_create(
        actor=staff["caseworker"],
        case=case,
        values=_values(province=province),
        perpetrators=[
            {"relationship": "husband", "sex": "male", "age_group": "26-40"},
            {"relationship": "family_member", "sex": "female", "age_group": "41-60"},
        ],
    )
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.law_forms == ["physical", "psychological"]  # in the order of the list
    assert stored.platforms == ["facebook", "whatsapp"]
    assert stored.tech_forms == ["sextortion"] and stored.province == province
    assert stored.gbv_type == "physical_assault" and stored.reporting_delay == "6-14"
    assert stored.created_by == staff["caseworker"]
    assert [p.relationship for p in stored.perpetrators.all()] == ["husband", "family_member"]
    event = CaseEvent.objects.get(case=case, kind="incident_added")
    assert event.detail["gbv_type"] == "physical_assault" and event.detail["law_forms"] == [
        "physical",
        "psychological",
    ]
    assert event.object_id == incident.pk
    assert "frapp" not in str(event.detail)
    audit = AuditEvent.objects.get(object_type="cases.incident", action="create")
    assert "description" in audit.fields and "frapp" not in str(audit.detail)


def test_the_description_is_encrypted_in_the_table(staff: dict[str, Any]) -> None:
    incident = incidents.incident_create(
        actor=staff["caseworker"], case=make_case(staff["caseworker"]), values=_values()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM cases_incident WHERE id = %s", [incident.pk])
        (raw,) = cursor.fetchone()
    assert "frapp" not in raw
    assert Incident.objects.get(pk=incident.pk).description.startswith("Il l'a")


def test_a_period_is_recorded_with_its_end(staff: dict[str, Any]) -> None:
    incident = incidents.incident_create(
        actor=staff["caseworker"],
        case=make_case(staff["caseworker"]),
        values=_values(
            occurred_on=TODAY() - timedelta(days=400),
            occurred_until=TODAY() - timedelta(days=1),
            date_is_approximate=True,
        ),
    )
    assert incident.occurred_until == TODAY() - timedelta(days=1) and incident.reporting_delay == "0-3"


BAD_INPUT = [
    ({"occurred_on": date(2999, 1, 1)}, "cannot be in the future"),
    ({"occurred_until": date(2999, 1, 1)}, "cannot be in the future"),
    ({"reported_on": date(2999, 1, 1)}, "report cannot be in the future"),
    (
        {
            "occurred_on": date(2024, 5, 10),
            "occurred_until": date(2024, 5, 1),
            "reported_on": date(2024, 6, 1),
        },
        "end of the period cannot come before its start",
    ),
    ({"occurred_on": None, "occurred_until": date(2024, 5, 1)}, "start of the period"),
    ({"occurred_on": date(2024, 5, 10), "reported_on": date(2024, 5, 1)}, "report cannot come before"),
    ({"occurred_on": date(1980, 5, 10), "reported_on": date(2024, 5, 1)}, "before her year of birth (1990)"),
    ({"law_forms": ["physical", "spiritual"]}, "unknown code(s) spiritual"),
    ({"tech_forms": ["telepathy"]}, "unknown code(s) telepathy"),
    ({"platforms": ["myspace"]}, "unknown code(s) myspace"),
    ({"trafficking_forms": ["x"]}, "unknown code(s) x"),
    ({"place_type": "moon"}, "unknown code(s) moon"),
    ({"reported_to_police_before": "maybe"}, "unknown code(s) maybe"),
    ({"law_forms": "physical"}, "must be a list of codes"),
    ({"description": "x" * 20_001}, "too long (20001 characters, at most 20000)"),
    ({"perpetrator_count": 0}, "between 1 and 50"),
    ({"perpetrator_count": 51}, "between 1 and 50"),
    ({"perpetrator_count": "many"}, "whole number"),
    ({"reported_on": None}, "date the incident was reported"),
    ({"occurred_on": "2024-01-01"}, "is not a date"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_it_refuses_bad_input_with_a_clear_message_and_stores_nothing(
    staff: dict[str, Any], overrides: dict[str, Any], message: str
) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError) as refused:
        incidents.incident_create(actor=staff["caseworker"], case=case, values=_values(**overrides))
    assert message in str(refused.value.message)
    assert not Incident.objects.exists()
    assert not CaseEvent.objects.filter(kind="incident_added").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"relationship": "husband"}] * 3, "described 3 perpetrators but the incident counts 2"),
        ([{"relationship": "alien"}], "unknown code(s) alien"),
        ([{"relationship": "husband", "sex": "x"}], "unknown code(s) x"),
        ([{"relationship": "husband", "age_group": "7"}], "unknown code(s) 7"),
        ([{"relationship": ""}], "relationship of each perpetrator"),
    ],
)
def test_it_refuses_bad_perpetrators_and_stores_nothing(
    staff: dict[str, Any], rows: list[dict[str, str]], message: str
) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(BusinessRuleError) as refused:
        incidents.incident_create(actor=staff["caseworker"], case=case, values=_values(), perpetrators=rows)
    assert message in str(refused.value.message)
    assert not Incident.objects.exists() and not Perpetrator.objects.exists()


def test_an_incident_the_same_year_as_her_birth_is_accepted(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"], birth_year=2010)
    incident = incidents.incident_create(
        actor=staff["caseworker"],
        case=case,
        values=_values(occurred_on=date(2010, 12, 1), reported_on=date(2011, 1, 1)),
    )
    assert incident.reporting_delay == "over_month"


def test_an_update_with_a_stale_version_is_refused_and_nothing_is_overwritten(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    incident = incidents.incident_create(actor=staff["caseworker"], case=case, values=_values())
    opened_with = incident.version
    incidents.incident_update(
        actor=staff["colleague"],
        incident=Incident.objects.get(pk=incident.pk),
        values={"place_type": "workplace"},
        expected_version=opened_with,
    )
    with pytest.raises(RecordConflict) as conflict:
        incidents.incident_update(
            actor=staff["caseworker"],
            incident=Incident.objects.get(pk=incident.pk),
            values={"place_type": "public_space"},
            expected_version=opened_with,
        )
    assert conflict.value.current == {"place_type": "workplace"}
    assert "Someone else saved this record" in str(conflict.value.message)
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.place_type == "workplace" and stored.version == opened_with + 1


def test_an_update_replaces_the_perpetrators_and_moves_the_version(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    incident = incidents.incident_create(
        actor=staff["caseworker"], case=case, values=_values(), perpetrators=[{"relationship": "husband"}]
    )
    changed = incidents.incident_update(
        actor=staff["caseworker"],
        incident=incident,
        values={},
        perpetrators=[{"relationship": "employer", "sex": "female"}],
        expected_version=incident.version,
    )
    assert changed == ["perpetrators"]
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.version == 2
    assert [(p.relationship, p.sex) for p in stored.perpetrators.all()] == [("employer", "female")]
    event = CaseEvent.objects.get(case=case, kind="incident_updated")
    assert event.detail["fields"] == ["perpetrators"]
    assert AuditEvent.objects.filter(object_type="cases.incident", action="update").count() == 1


def test_an_update_that_changes_nothing_writes_nothing(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    incident = incidents.incident_create(actor=staff["caseworker"], case=case, values=_values())
    changed = incidents.incident_update(
        actor=staff["caseworker"], incident=incident, values={}, expected_version=incident.version
    )
    assert changed == []
    assert not CaseEvent.objects.filter(kind="incident_updated").exists()
    assert Incident.objects.get(pk=incident.pk).version == 1


def test_a_bad_update_leaves_the_incident_as_it_was(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    incident = incidents.incident_create(
        actor=staff["caseworker"], case=case, values=_values(), perpetrators=[{"relationship": "husband"}]
    )
    with pytest.raises(BusinessRuleError):
        incidents.incident_update(
            actor=staff["caseworker"],
            incident=incident,
            values={"place_type": "workplace", "perpetrator_count": 0},
            perpetrators=[],
            expected_version=incident.version,
        )
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.place_type == "marital_home" and stored.perpetrators.count() == 1 and stored.version == 1


@pytest.mark.parametrize("role", ["outsider", "outside_supervisor", "analyst", "editor", "admin"])
def test_only_those_working_on_the_case_record_incidents(staff: dict[str, Any], role: str) -> None:
    case = make_case(staff["caseworker"])
    with pytest.raises(PermissionDenied):
        incidents.incident_create(actor=staff[role], case=case, values=_values())
    assert not Incident.objects.exists()


def test_colleagues_of_the_organisation_record_incidents_too(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    incidents.incident_create(actor=staff["supervisor"], case=case, values=_values())
    assert Incident.objects.filter(case=case).count() == 1


def test_no_incident_is_recorded_on_a_closed_case(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    type(case).objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        incidents.incident_create(actor=staff["caseworker"], case=case, values=_values())
