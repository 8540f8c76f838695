"""The trafficking decision rule (pure): elements from the indicators, adults need act + means + purpose, children
act + purpose; incomplete or contradictory answers give "possible" with what is missing, never a crash; the age
rule; the indicator list itself."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from himaya.assessments import toolkits
from himaya.assessments.services.screening import child_from, clean_answers, clean_notes, decide
from himaya.core.errors import BusinessRuleError

TOOLKIT = toolkits.get("screening", "2026-1")
YES = {
    "act": "act.deceptive_recruitment",
    "means": "means.confiscated_documents",
    "purpose": "purpose.domestic_servitude",
}


def _all(element: str, value: str) -> dict[str, str]:
    group = next(g for g in TOOLKIT.groups if g.code == element)
    return {item.code: value for item in group.items}


def _answers(**elements: str) -> dict[str, str]:
    """element=yes (one indicator yes, the others no) / no (all no) / unknown (all unknown) / blank (none sent)."""
    answers: dict[str, str] = {}
    for element, state in elements.items():
        if state == "yes":
            answers.update(_all(element, "no"))
            answers[YES[element]] = "yes"
        elif state in ("no", "unknown"):
            answers.update(_all(element, state))
    return answers


def test_the_list_has_three_elements_of_eight_to_twelve_indicators_in_three_languages() -> None:
    assert [g.code for g in TOOLKIT.groups] == ["act", "means", "purpose"]
    for group in TOOLKIT.groups:
        assert 8 <= len(group.items) <= 12
        for item in group.items:
            assert item.code.startswith(f"{group.code}.")
            assert all(item.labels[language].strip() for language in ("fr", "ar", "en"))
    with translation.override("ar"):
        assert TOOLKIT.item("means.debt_bondage").label.startswith("عبودية")  # type: ignore[union-attr]
    assert toolkits.current("screening").version >= "2026-1"


@pytest.mark.parametrize("child", [False, True])
def test_every_element_indicated_is_a_presumed_victim(child: bool) -> None:
    decision = decide(TOOLKIT, _answers(act="yes", means="yes", purpose="yes"), child)
    assert decision.outcome == "presumed"
    assert decision.elements == {"act": "yes", "means": "yes", "purpose": "yes"}
    assert decision.missing == {}
    assert decision.reasons["means"] == [TOOLKIT.item(YES["means"]).label]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("child", "absent", "expected"),
    [
        # An adult: each element not indicated in turn.
        (False, "act", "possible"),
        (False, "means", "possible"),
        (False, "purpose", "possible"),
        # A child: the means are not required.
        (True, "act", "possible"),
        (True, "means", "presumed"),
        (True, "purpose", "possible"),
    ],
)
def test_each_element_missing_in_turn(child: bool, absent: str, expected: str) -> None:
    states = {element: "yes" for element in ("act", "means", "purpose")}
    states[absent] = "no"
    decision = decide(TOOLKIT, _answers(**states), child)
    assert decision.outcome == expected
    assert decision.elements[absent] == "no"
    if expected == "possible":
        assert decision.missing == {absent: "no"}
    else:
        assert decision.missing == {}


@pytest.mark.parametrize("child", [False, True])
@pytest.mark.parametrize("unknown", ["act", "purpose"])
def test_a_required_element_not_known_gives_possible_with_what_is_missing(child: bool, unknown: str) -> None:
    states = {element: "yes" for element in ("act", "means", "purpose")}
    states[unknown] = "unknown"
    decision = decide(TOOLKIT, _answers(**states), child)
    assert decision.outcome == "possible"
    assert decision.missing == {unknown: "unknown"}


def test_an_element_half_answered_no_is_not_known() -> None:
    answers = _answers(act="yes", purpose="yes")
    group = _all("means", "no")
    first = next(iter(group))
    del group[first]  # one means indicator left unanswered
    decision = decide(TOOLKIT, {**answers, **group}, child=False)
    assert decision.elements["means"] == "unknown"
    assert decision.outcome == "possible"
    assert decision.missing == {"means": "unknown"}


def test_every_required_element_no_is_no_indication() -> None:
    decision = decide(TOOLKIT, _answers(act="no", means="no", purpose="no"), child=False)
    assert decision.outcome == "no_indication"
    assert decision.missing == {"act": "no", "means": "no", "purpose": "no"}
    child = decide(TOOLKIT, _answers(act="no", means="unknown", purpose="no"), child=True)
    assert child.outcome == "no_indication"  # the means do not matter for a child
    assert child.missing == {"act": "no", "purpose": "no"}


def test_no_answer_at_all_is_possible_with_everything_missing() -> None:
    decision = decide(TOOLKIT, {}, child=False)
    assert decision.outcome == "possible"
    assert decision.elements == {"act": "unknown", "means": "unknown", "purpose": "unknown"}
    assert decision.missing == {"act": "unknown", "means": "unknown", "purpose": "unknown"}


@pytest.mark.parametrize(
    "answers",
    [
        {
            "act.deceptive_recruitment": "yes",
            "act.coercive_recruitment": "no",
        },  # yes and no within an element
        {"means.threats": "maybe", "purpose.forced_begging": None},  # values outside yes/no/unknown
        {"nonsense": "yes", "purpose.forced_labour": 1},  # an unknown code, a number
        {"act.harbouring": ["yes"], "means.violence": {"x": 1}},  # wrong types
    ],
)
def test_contradictory_or_malformed_answers_never_crash(answers: dict[str, Any]) -> None:
    decision = decide(TOOLKIT, answers, child=False)
    assert decision.outcome in ("possible", "no_indication")
    assert set(decision.elements) == {"act", "means", "purpose"}


def test_a_child_indicated_for_means_only_needs_follow_up() -> None:
    decision = decide(TOOLKIT, _answers(act="no", means="yes", purpose="no"), child=True)
    assert decision.outcome == "possible"


def test_answers_are_checked_and_unanswered_means_unknown() -> None:
    cleaned = clean_answers(TOOLKIT, {"act.harbouring": "yes", "means.threats": ""})
    assert cleaned["act.harbouring"] == "yes"
    assert cleaned["means.threats"] == "unknown"
    assert cleaned["purpose.forced_labour"] == "unknown"
    assert len(cleaned) == len(TOOLKIT.items)
    with pytest.raises(BusinessRuleError, match=r"act\.invented"):
        clean_answers(TOOLKIT, {"act.invented": "yes"})
    with pytest.raises(BusinessRuleError, match=r"yes, no or not known"):
        clean_answers(TOOLKIT, {"act.harbouring": "perhaps"})
    with pytest.raises(BusinessRuleError, match=r"purpose\.invented"):
        clean_notes(TOOLKIT, {"purpose.invented": "text"})
    with pytest.raises(BusinessRuleError, match="text-direction"):
        clean_notes(TOOLKIT, {"act.harbouring": "abc\u202edef"})


@pytest.mark.parametrize(
    ("birth_year", "child"),
    [(2009, True), (2008, True), (2007, False), (1990, False)],  # in 2026: 17, 18 (possible minor), 19, 36
)
def test_age_from_the_birth_year_with_presumption_of_minority(birth_year: int, child: bool) -> None:
    assert child_from(birth_year=birth_year, age_basis=None, day=date(2026, 5, 1)) == (child, "birth_year")
    # The birth year decides even when the worker said otherwise.
    assert child_from(birth_year=birth_year, age_basis="declared_adult", day=date(2026, 5, 1))[0] is child


def test_age_without_birth_year_needs_the_workers_answer() -> None:
    day = date(2026, 5, 1)
    assert child_from(birth_year=None, age_basis="presumed_minor", day=day) == (True, "presumed_minor")
    assert child_from(birth_year=None, age_basis="declared_adult", day=day) == (False, "declared_adult")
    with pytest.raises(BusinessRuleError, match="year of birth is not recorded"):
        child_from(birth_year=None, age_basis=None, day=day)
    with pytest.raises(BusinessRuleError, match="unknown value"):
        child_from(birth_year=None, age_basis="birth_year", day=day)
