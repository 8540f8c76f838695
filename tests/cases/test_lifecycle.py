"""The stage lifecycle (cases/policies.py STAGE_MOVES): every allowed and refused move through case_update, the
edit form offering only the allowed moves, and the closure stage reached only by an approved closure."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from himaya.cases import choices
from himaya.cases.forms.cases import CaseEditForm
from himaya.cases.models import Case, CaseEvent
from himaya.cases.policies import STAGE_MOVES, stage_moves
from himaya.cases.services import cases as case_services
from himaya.cases.services import closure as closure_services
from himaya.core.errors import BusinessRuleError
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

STAGES = list(choices.Stage.values)
MOVES = [(current, target) for current, target in itertools.product(STAGES, STAGES) if current != target]


def at_stage(actor: Any, stage: str) -> Case:
    case = make_case(actor)
    Case.objects.filter(pk=case.pk).update(stage=stage)
    case.refresh_from_db()
    return case


def test_the_table_names_every_stage_and_only_stages():
    assert set(STAGE_MOVES) == set(STAGES)
    for current, targets in STAGE_MOVES.items():
        assert set(targets) <= set(STAGES), current
        assert current not in targets
        assert choices.Stage.CLOSURE not in targets  # only an approved closure leads there
    assert stage_moves("closure") == ()
    assert stage_moves("nowhere") == ()


def test_every_stage_but_closure_can_go_back_to_assessment_or_on_towards_closure():
    for stage in STAGES:
        if stage in ("closure", "reception", "assessment"):
            continue
        assert "assessment" in stage_moves(stage), stage
    # From reception, the way to follow-up exists (the NRM continuum, in order).
    reachable, frontier = {"reception"}, ["reception"]
    while frontier:
        for target in stage_moves(frontier.pop()):
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(STAGES) - {"closure"}


@pytest.mark.parametrize(("current", "target"), MOVES)
def test_each_stage_move_is_allowed_or_refused_as_the_table_says(staff, current, target):
    case = at_stage(staff["caseworker"], current)
    allowed = target in STAGE_MOVES[current]
    if allowed:
        changed = case_services.case_update(
            actor=staff["caseworker"], case=case, values={"stage": target}, expected_version=case.version
        )
        assert changed == ["stage"]
        event = CaseEvent.objects.get(case=case, kind="stage_changed")
        assert event.detail == {"from": current, "to": target}
    else:
        with pytest.raises(BusinessRuleError) as refused:
            case_services.case_update(
                actor=staff["caseworker"], case=case, values={"stage": target}, expected_version=case.version
            )
        message = refused.value.message
        if target == "closure":
            assert "closure request" in message
        elif not STAGE_MOVES[current]:
            assert "reopen it first" in message
        else:
            assert "It may move to:" in message
            for name in STAGE_MOVES[current]:
                assert str(choices.Stage(name).label) in message
        assert not CaseEvent.objects.filter(case=case, kind="stage_changed").exists()
    assert Case.objects.get(pk=case.pk).stage == (target if allowed else current)


@pytest.mark.parametrize("current", STAGES)
def test_the_edit_form_offers_the_current_stage_and_the_allowed_moves_only(staff, current):
    case = at_stage(staff["caseworker"], current)
    form = CaseEditForm(initial=CaseEditForm.initial_for(case))
    offered = [value for value, _label in form.fields["stage"].choices]
    assert offered == [stage for stage in STAGES if stage == current or stage in STAGE_MOVES[current]]


def test_the_edit_form_refuses_a_stage_the_lifecycle_does_not_allow(staff):
    case = at_stage(staff["caseworker"], "reception")
    data = {"priority": "normal", "follow_up_due": "", "stage": "protection", "version": case.version}
    form = CaseEditForm(data, initial=CaseEditForm.initial_for(case))
    assert not form.is_valid() and "stage" in form.errors
    data["stage"] = "assessment"
    form = CaseEditForm(data, initial=CaseEditForm.initial_for(case))
    assert form.is_valid()
    assert form.values() == {"priority": "normal", "follow_up_due": None, "stage": "assessment"}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_edit_page_lists_only_the_allowed_stages_in_each_language(client_for, staff, language):
    case = at_stage(staff["caseworker"], "plan")
    html = client_for(staff["caseworker"]).get(f"/{language}/cases/{case.code}/edit/").content.decode()
    assert f'lang="{language}"' in html
    for stage in STAGES:
        present = f'value="{stage}"' in html
        assert present == (stage in ("plan", "assessment", "protection")), stage


def test_the_closure_stage_comes_with_an_approved_closure_and_reopening_returns_to_follow_up(staff):
    case = at_stage(staff["caseworker"], "protection")
    case_services.case_set_needs(actor=staff["caseworker"], case=case, needs=[])
    request = closure_services.closure_request(
        actor=staff["caseworker"], case=case, reason="goals_met", checklist=closure_services.CHECKLIST_CODES
    )
    closure_services.closure_approve(actor=staff["supervisor"], request=request)
    case.refresh_from_db()
    assert (case.status, case.stage) == ("closed", "closure")
    closure_services.case_reopen(actor=staff["supervisor"], case=case, reason="New facts.")
    case.refresh_from_db()
    assert (case.status, case.stage) == ("open", "follow_up")
    case_services.case_update(
        actor=staff["caseworker"], case=case, values={"stage": "judicial"}, expected_version=case.version
    )
    assert Case.objects.get(pk=case.pk).stage == "judicial"
