"""The plan pages: a plan with its actions by need (fr, ar right-to-left), adding, editing (conflicts), the status
buttons, the printable plan, case conferences, the lists of actions across cases and the case page's section."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from himaya.assessments.models import CaseConference, PlanAction
from himaya.assessments.services import plans as services
from himaya.cases.models import Case
from himaya.core.models import AuditEvent
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


def add(actor: Any, case: Case, kind: str = "safety", **values: Any) -> PlanAction:
    plan = services.plan_get_or_create(actor=actor, case=case, kind=kind)
    values.setdefault("need", "safety")
    values.setdefault("description", "Numéro de la cellule noté sur un papier caché")
    return services.action_add(actor=actor, plan=plan, **values)


def test_the_plan_page_groups_actions_by_need_and_audits_the_read(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    add(staff["caseworker"], case, need="health", description="Rendez-vous médical")
    add(staff["caseworker"], case, need="safety", owner=staff["colleague"])
    page = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/plans/safety/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Safety</h2>") < html.index("Health</h2>")  # in the order of the needs
    assert "Rendez-vous médical" in html and staff["colleague"].full_name in html
    assert "Add an action" in html
    read = AuditEvent.objects.filter(action="read", object_type="cases.case").latest("id")
    assert "plan_action.description" in read.fields


def test_an_empty_plan_shows_its_empty_state_and_an_unknown_kind_is_404(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    assert "No case plan yet" in client.get(f"/en/cases/{case.code}/plans/case/").content.decode()
    assert client.get(f"/en/cases/{case.code}/plans/other/").status_code == 404


@pytest.mark.parametrize(("lang", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_the_plan_page_in_french_and_arabic(
    staff: dict[str, Any], client_for: Any, lang: str, direction: str
) -> None:
    case = make_case(staff["caseworker"])
    add(staff["caseworker"], case, description="نص بالعربية")
    page = client_for(staff["caseworker"]).get(f"/{lang}/cases/{case.code}/plans/safety/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'lang="{lang}" dir="{direction}"' in html
    assert '<bdi dir="auto">نص بالعربية</bdi>' in html
    assert f"<bdi>{case.code}</bdi>" in html


def test_adding_an_action_creates_the_plan_and_errors_stay_on_the_form(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/plans/case/actions/"
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {
        "action-need": "legal",
        "action-description": "Dépôt de plainte accompagné",
        "action-owner": staff["colleague"].pk,
        "action-due_on": due,
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.code}/plans/case/"
    action = PlanAction.objects.get()
    assert (action.plan.kind, action.need, action.owner, action.due_on.isoformat()) == (
        "case",
        "legal",
        staff["colleague"],
        due,
    )
    past = {**data, "action-due_on": (timezone.localdate() - timedelta(days=1)).isoformat()}
    response = client.post(url, past)
    assert response.status_code == 200 and "The due date cannot be in the past." in response.content.decode()
    outsider = {**data, "action-owner": staff["outsider"].pk}
    assert client.post(url, outsider).status_code == 200  # not a choice of the form
    assert PlanAction.objects.count() == 1


def test_editing_an_action_and_a_stale_edit_shows_the_values_saved_meanwhile(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case)
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/plans/actions/{action.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200 and "Numéro de la cellule" in form.content.decode()
    data = {"action-need": "shelter", "action-description": "Place en centre", "action-status": "in_progress",
            "action-version": 1, "action-owner": "", "action-due_on": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.need, action.status, action.version) == ("shelter", "in_progress", 2)
    stale = client.post(url, {**data, "action-status": "done"})  # version 1 again
    html = stale.content.decode()
    assert stale.status_code == 200 and "Someone else saved this record" in html
    assert "Saved meanwhile by someone else" in html
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_the_status_buttons_change_the_status_and_refuse_a_stale_click(
    staff: dict[str, Any], client_for: Any
) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case)
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/plans/actions/{action.pk}/status/"
    assert client.post(url, {"status": "done", "version": 1}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None
    response = client.post(url, {"status": "todo", "version": 1}, follow=True)
    assert "Someone else changed this action meanwhile" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done"
    assert client.get(url).status_code == 405


def test_the_printable_plan_has_print_styles_and_no_forms(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    add(staff["caseworker"], case, need="documents", description="Copie de la CIN")
    page = client_for(staff["caseworker"]).get(f"/en/cases/{case.code}/plans/safety/print/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "@media print" in html and "Copie de la CIN" in html and "Documents and civil status" in html
    assert "Add the action" not in html and 'name="status"' not in html
    assert "Confidential" in html


def test_recording_a_conference(staff: dict[str, Any], client_for: Any, org: Any, other_org: Any) -> None:
    case = make_case(staff["caseworker"])
    client = client_for(staff["caseworker"])
    url = f"/en/cases/{case.code}/conferences/new/"
    assert client.get(url).status_code == 200
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(url, {"held_on": future, "participants": [org.pk], "decisions": ""})
    assert "The conference cannot be in the future." in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"held_on": today, "participants": [org.pk, other_org.pk], "decisions": "Suivi"}
    )
    assert response.status_code == 302
    assert CaseConference.objects.get().participants == sorted([org.pk, other_org.pk])
    assert client_for(staff["outsider"]).get(url).status_code == 404
    assert client_for(staff["analyst"]).get(url).status_code in (403, 404)


def test_my_actions_list_shows_codes_never_names_and_filters_by_due_state(
    staff: dict[str, Any], client_for: Any
) -> None:
    me = staff["caseworker"]
    case = make_case(me, given_name_latin="Zineb", family_name_latin="Alaoui")
    overdue = add(me, case, owner=me, due_on=timezone.localdate())
    PlanAction.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    add(me, case, owner=me, due_on=timezone.localdate() + timedelta(days=30))
    client = client_for(me)
    html = client.get("/en/cases/actions/").content.decode()
    assert case.code in html and "overdue" in html and "1 action" in html
    assert "Zineb" not in html and "Alaoui" not in html and "Numéro de la cellule" not in html
    assert "1 action" in client.get("/en/cases/actions/?state=later").content.decode()
    assert "2 actions" in client.get("/en/cases/actions/?state=all").content.decode()
    assert client.get("/en/cases/actions/?state=bogus").status_code == 200


def test_the_organisation_list_is_for_supervisors(staff: dict[str, Any], client_for: Any) -> None:
    case = make_case(staff["caseworker"])
    action = add(staff["caseworker"], case, owner=staff["colleague"], due_on=timezone.localdate())
    PlanAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    page = client_for(staff["supervisor"]).get("/en/cases/actions/organisation/")
    assert page.status_code == 200 and case.code in page.content.decode()
    assert staff["colleague"].full_name in page.content.decode()
    assert client_for(staff["caseworker"]).get("/en/cases/actions/organisation/").status_code == 403
    assert (
        case.code
        not in client_for(staff["outside_supervisor"]).get("/en/cases/actions/organisation/").content.decode()
    )


def test_the_case_page_shows_the_plans_section(staff: dict[str, Any], client_for: Any, org: Any) -> None:
    case = make_case(staff["caseworker"])
    Case.objects.filter(pk=case.pk).update(risk_level="high")
    client = client_for(staff["caseworker"])
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert 'id="plans"' in html and "No case conference recorded." in html
    assert "make a safety plan with her and hold a case conference" in html
    action = add(staff["caseworker"], case, due_on=timezone.localdate())
    PlanAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    services.conference_record(
        actor=staff["caseworker"], case=case, held_on=timezone.localdate(), participants=[org.pk]
    )
    html = client.get(f"/en/cases/{case.code}/").content.decode()
    assert "1 open action" in html and "1 overdue" in html and "Latest held on" in html
    assert "make a safety plan" not in html
