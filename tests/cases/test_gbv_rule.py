"""The GBVIMS core type (computed from the classification answers in the ordered rule) and the reporting-delay
buckets: pure rules, then through the service (the stored value is the computed one, never typed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from himaya.cases.models import Incident
from himaya.cases.services import incidents
from himaya.cases.services.incidents import GBV_RULE, QUESTION_FIELDS, gbv_type_for, reporting_delay_for
from tests.cases.factories import make_case

ORDER = [
    ("involved_penetration", "rape"),
    ("involved_sexual_contact", "sexual_assault"),
    ("involved_physical_assault", "physical_assault"),
    ("involved_forced_marriage", "forced_marriage"),
    ("involved_denial_of_resources", "denial_of_resources"),
    ("involved_psychological_abuse", "psychological_abuse"),
]


def test_the_rule_asks_the_questions_in_the_order_of_domain_md() -> None:
    assert [(name, str(kind)) for name, kind in GBV_RULE] == ORDER


def test_no_yes_answer_is_not_gender_based_violence() -> None:
    assert gbv_type_for({name: False for name in QUESTION_FIELDS}) == "non_gbv"
    assert gbv_type_for({}) == "non_gbv"


@pytest.mark.parametrize(("question", "expected"), ORDER)
def test_each_answer_alone_gives_its_type(question: str, expected: str) -> None:
    answers = {name: name == question for name in QUESTION_FIELDS}
    assert gbv_type_for(answers) == expected


@pytest.mark.parametrize("position", range(len(ORDER)))
def test_when_several_answers_are_yes_the_first_in_the_order_wins(position: int) -> None:
    # This question and every later one answered yes: the type is this question's.
    answers = {name: index >= position for index, (name, _kind) in enumerate(ORDER)}
    assert gbv_type_for(answers) == ORDER[position][1]


def test_rape_wins_over_everything_and_psychological_abuse_over_nothing() -> None:
    everything = {name: True for name in QUESTION_FIELDS}
    assert gbv_type_for(everything) == "rape"
    assert gbv_type_for({"involved_psychological_abuse": True, "involved_forced_marriage": True}) == (
        "forced_marriage"
    )


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "0-3"),
        (3, "0-3"),
        (4, "4-5"),
        (5, "4-5"),
        (6, "6-14"),
        (14, "6-14"),
        (15, "15-30"),
        (30, "15-30"),
        (31, "over_month"),
        (400, "over_month"),
    ],
)
def test_the_reporting_delay_buckets_at_their_boundaries(days: int, bucket: str) -> None:
    reported = date(2025, 3, 31)
    assert reporting_delay_for(
        occurred_on=reported - timedelta(days=days), occurred_until=None, reported_on=reported
    ) == (bucket)


def test_the_delay_of_a_period_counts_from_its_end() -> None:
    reported = date(2025, 3, 31)
    start, end = reported - timedelta(days=200), reported - timedelta(days=4)
    assert reporting_delay_for(occurred_on=start, occurred_until=end, reported_on=reported) == "4-5"


def test_without_a_date_the_delay_is_not_known() -> None:
    assert (
        reporting_delay_for(occurred_on=None, occurred_until=None, reported_on=date(2025, 1, 1)) == "unknown"
    )


def test_the_service_stores_the_computed_type_and_delay_and_ignores_typed_ones(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    today = timezone.localdate()
    incident = incidents.incident_create(
        actor=staff["caseworker"],
        case=case,
        values={
            "occurred_on": today - timedelta(days=5),
            "reported_on": today,
            "involved_physical_assault": True,
            "involved_psychological_abuse": True,
            "gbv_type": "rape",  # not an input: ignored
            "reporting_delay": "0-3",
        },
    )
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.gbv_type, stored.reporting_delay) == ("physical_assault", "4-5")


def test_an_update_recomputes_the_type_and_the_delay(staff: dict[str, Any]) -> None:
    case = make_case(staff["caseworker"])
    today = timezone.localdate()
    incident = incidents.incident_create(
        actor=staff["caseworker"],
        case=case,
        values={"occurred_on": today - timedelta(days=2), "involved_psychological_abuse": True},
    )
    assert (incident.gbv_type, incident.reporting_delay) == ("psychological_abuse", "0-3")
    changed = incidents.incident_update(
        actor=staff["caseworker"],
        incident=incident,
        values={"involved_sexual_contact": True, "occurred_on": today - timedelta(days=20)},
        expected_version=incident.version,
    )
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.gbv_type, stored.reporting_delay) == ("sexual_assault", "15-30")
    assert {"involved_sexual_contact", "occurred_on", "gbv_type", "reporting_delay"} <= set(changed)
