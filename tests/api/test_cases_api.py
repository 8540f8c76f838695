"""The cases API (/api/v1/cases…, /api/v1/survivors…): the web's access policy for session staff, tokens acting as
their acting user, version conflicts, hostile input, audited reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from himaya.accounts.models import RoleAssignment
from himaya.api.models import ApiToken
from himaya.cases.models import Case, Consent, Incident, Note, Survivor
from himaya.cases.services import consents as consent_services
from himaya.cases.services import incidents as incident_services
from himaya.cases.services import notes as note_services
from himaya.core.models import AuditAction, AuditEvent
from tests.api.conftest import bearer
from tests.cases.factories import make_case
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_SURVIVOR = {
    "survivor": {"given_name_latin": "Amina", "family_name_latin": "Berrada", "birth_year": 1991},
    "entry_point": "court_cell",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(org: Any, other_org: Any) -> dict[str, Any]:
    return {
        "caseworker": make_user("caseworker", organisation=org),
        "colleague": make_user("caseworker", organisation=org),
        "supervisor": make_user("supervisor", organisation=org),
        "outsider": make_user("caseworker", organisation=other_org),
        "analyst": make_user("national_analyst", organisation=org),
        "editor": make_user("directory_editor", organisation=org),
        "admin": make_user("system_admin", organisation=org),
    }


@pytest.fixture
def api_for(client_for: Any) -> Any:
    """A signed-in client that asks for English answers (the API's default language is French)."""

    def build(user: Any) -> Client:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return build


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def case(staff: dict[str, Any]) -> Case:
    return make_case(staff["caseworker"])


def post(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def patch(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json", **extra)


# Session staff ---------------------------------------------------------------------------------------------------


def test_a_caseworker_lists_her_organisations_open_cases_by_code_without_names(api_for, staff, case):
    other = make_case(staff["outsider"])
    response = api_for(staff["caseworker"]).get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["code"] == case.code
    assert body["items"][0]["survivor_code"] == case.survivor.code
    assert other.code not in response.content.decode()
    assert "Fatima" not in response.content.decode()


def test_it_filters_the_case_list(api_for, staff, case):
    mine = api_for(staff["colleague"])
    assert mine.get("/api/v1/cases?assigned_to_me=true").json()["count"] == 0
    assert mine.get(f"/api/v1/cases?q={case.code}").json()["count"] == 1
    assert mine.get(f"/api/v1/cases?q={case.survivor.code}").json()["count"] == 1
    assert mine.get("/api/v1/cases?stage=protection").json()["count"] == 0
    assert mine.get("/api/v1/cases?status=open").json()["count"] == 1
    assert mine.get("/api/v1/cases?status=bogus").status_code == 422


def test_it_opens_a_case_for_a_new_survivor_assigned_to_the_caller(api_for, staff):
    response = post(api_for(staff["caseworker"]), "/api/v1/cases", NEW_SURVIVOR)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert body["survivor_code"] == case.survivor.code
    assert body["caseworker_ids"] == [staff["caseworker"].pk]
    assert body["version"] == 1
    assert case.survivor.family_name_latin == "Berrada"
    assert "Berrada" not in response.content.decode()


def test_it_opens_a_second_case_for_a_known_survivor(api_for, staff, case):
    body = {"survivor_code": case.survivor.code, "entry_point": "hospital_cell", "priority": "high"}
    response = post(api_for(staff["colleague"]), "/api/v1/cases", body)
    assert response.status_code == 201, response.content
    assert Case.objects.filter(survivor=case.survivor).count() == 2
    assert response.json()["priority"] == "high"


def test_a_known_survivor_of_another_organisation_is_not_found(api_for, staff):
    theirs = make_case(staff["outsider"])
    body = {"survivor_code": theirs.survivor.code, "entry_point": "court_cell"}
    response = post(api_for(staff["caseworker"]), "/api/v1/cases", body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_refuses_both_a_new_and_a_known_survivor_at_once(api_for, staff, case):
    body = {**NEW_SURVIVOR, "survivor_code": case.survivor.code}
    assert post(api_for(staff["caseworker"]), "/api/v1/cases", body).status_code == 422
    assert Case.objects.count() == 1


def test_it_reads_one_case_and_audits_the_read(api_for, staff, case):
    response = api_for(staff["colleague"]).get(f"/api/v1/cases/{case.code}")
    assert response.status_code == 200
    assert response.json()["code"] == case.code
    event = AuditEvent.objects.filter(action=AuditAction.READ, object_id=str(case.pk)).latest("id")
    assert event.actor_id == staff["colleague"].pk
    assert {"case.status", "case.stage", "survivor.code", "case.immediate_needs"} <= set(event.fields)
    assert event.detail == {"view": "api"}


def test_another_organisations_case_is_not_found_with_the_standard_body(api_for, staff):
    theirs = make_case(staff["outsider"])
    client = api_for(staff["caseworker"])
    for path in (f"/api/v1/cases/{theirs.code}", f"/api/v1/cases/{theirs.code}/notes"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    response = post(client, f"/api/v1/cases/{theirs.code}/notes", {"body": "x"})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_an_unknown_or_malformed_code_answers_404_or_422(api_for, staff, case):
    client = api_for(staff["caseworker"])
    unknown = case.code[:-1] + ("0" if case.code[-1] != "0" else "1")
    assert client.get(f"/api/v1/cases/{unknown}").status_code == 404
    assert client.get("/api/v1/cases/not-a-code").status_code == 422
    assert client.get(f"/api/v1/cases/{case.survivor.code}").status_code == 422


@pytest.mark.parametrize("role", ["analyst", "editor", "admin"])
def test_roles_without_case_work_are_refused_as_on_the_web(api_for, staff, case, role):
    client = api_for(staff[role])
    assert client.get("/api/v1/cases").status_code == 403
    assert client.get("/api/v1/survivors?code=" + case.survivor.code).status_code == 403
    assert client.get(f"/api/v1/cases/{case.code}").status_code == 404
    assert client.get(f"/api/v1/survivors/{case.survivor.code}").status_code == 404
    assert post(client, "/api/v1/cases", NEW_SURVIVOR).status_code == 403
    assert post(client, f"/api/v1/cases/{case.code}/notes", {"body": "x"}).status_code == 404
    assert Case.objects.count() == 1
    assert not Note.objects.exists()


def test_anonymous_callers_get_401(client, case):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{case.code}").status_code == 401
    assert post(client, "/api/v1/cases", NEW_SURVIVOR).status_code == 401


# Updates and version conflicts ---------------------------------------------------------------------------------


def test_it_changes_a_case_with_its_version(api_for, staff, case):
    path = f"/api/v1/cases/{case.code}"
    response = patch(api_for(staff["caseworker"]), path, {"version": 1, "priority": "urgent"})
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == "urgent"
    assert response.json()["version"] == 2
    case.refresh_from_db()
    assert case.priority == "urgent"


def test_a_stale_case_version_answers_409_with_the_current_values_and_saves_nothing(api_for, staff, case):
    path = f"/api/v1/cases/{case.code}"
    assert patch(api_for(staff["colleague"]), path, {"version": 1, "stage": "assessment"}).status_code == 200
    response = patch(api_for(staff["caseworker"]), path, {"version": 1, "stage": "identification"})
    assert response.status_code == 409
    body = response.json()
    assert "Someone else saved" in body["detail"]
    assert body["changes"] == [{"field": "stage", "label": "stage", "current": "assessment"}]
    case.refresh_from_db()
    assert case.stage == "assessment"


def test_closing_a_case_through_patch_is_refused_with_a_message(api_for, staff, case):
    path = f"/api/v1/cases/{case.code}"
    response = patch(api_for(staff["caseworker"]), path, {"version": 1, "status": "closed"})
    assert response.status_code == 400
    assert "closure procedure" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == "open"


def test_a_follow_up_beyond_two_years_is_refused_with_a_translated_message(api_for, staff, case):
    far = (timezone.localdate() + timedelta(days=800)).isoformat()
    path = f"/api/v1/cases/{case.code}"
    response = patch(api_for(staff["caseworker"]), path, {"version": 1, "follow_up_due": far})
    assert response.status_code == 400
    assert response.json() == {"detail": "The next follow-up must lie within the next two years."}
    french = patch(
        api_for(staff["caseworker"]), path, {"version": 1, "follow_up_due": far}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert french.json() == {"detail": "Le prochain suivi doit avoir lieu dans les deux prochaines années."}
    case.refresh_from_db()
    assert case.follow_up_due is None and case.version == 1


# Survivors -----------------------------------------------------------------------------------------------------


def test_the_survivor_search_finds_her_by_exact_name_and_is_audited_without_values(api_for, staff, case):
    response = api_for(staff["colleague"]).get(
        "/api/v1/survivors", {"name": case.survivor.family_name_latin + " Fatima"}
    )
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"code": case.survivor.code, "birth_year": 1990, "case_codes": [case.code]}
    ]
    event = AuditEvent.objects.filter(object_type="cases.survivor", detail__search=["name"]).get()
    assert case.survivor.family_name_latin not in json.dumps(event.detail)
    assert api_for(staff["colleague"]).get("/api/v1/survivors").json() == {"items": [], "count": 0}


def test_reading_a_survivor_reveals_her_identity_and_audits_the_reveal(api_for, staff, case):
    response = api_for(staff["colleague"]).get(f"/api/v1/survivors/{case.survivor.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["given_name_latin"] == "Fatima"
    assert body["case_codes"] == [case.code]
    reveal = AuditEvent.objects.filter(detail__reveal="api", object_id=str(case.survivor.pk)).get()
    assert reveal.actor_id == staff["colleague"].pk
    assert "given_name_latin" in reveal.fields


def test_a_stale_survivor_version_answers_409_and_saves_nothing(api_for, staff, case):
    path = f"/api/v1/survivors/{case.survivor.code}"
    first = patch(api_for(staff["colleague"]), path, {"version": 1, "phone": "0612345678"})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    response = patch(api_for(staff["caseworker"]), path, {"version": 1, "phone": "0698765432"})
    assert response.status_code == 409
    assert response.json()["changes"] == [{"field": "phone", "label": "telephone", "current": "0612345678"}]
    survivor = Survivor.objects.get(pk=case.survivor.pk)
    assert survivor.phone == "0612345678"
    assert AuditEvent.objects.filter(detail__reveal="conflict", fields=["phone"]).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("<script>alert(1)</script>", "may not contain < or >"),
        ("Amina\u202eadirraB", "invisible text-direction characters"),
        ("A" * 121, "is too long (121 characters, at most 120)"),
    ],
)
def test_hostile_names_are_refused_with_a_message_and_nothing_is_stored(api_for, staff, name, message):
    body = {"survivor": {"given_name_latin": name}, "entry_point": "court_cell"}
    response = post(api_for(staff["caseworker"]), "/api/v1/cases", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Case.objects.exists() and not Survivor.objects.exists()


def test_a_survivor_without_any_name_is_refused(api_for, staff):
    response = post(
        api_for(staff["caseworker"]), "/api/v1/cases", {"survivor": {}, "entry_point": "court_cell"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Give at least one name, in Latin or Arabic script."}


def test_a_birth_year_out_of_range_and_an_unknown_province_are_refused(api_for, staff):
    client = api_for(staff["caseworker"])
    future = {
        "survivor": {"given_name_latin": "A", "birth_year": timezone.localdate().year + 1},
        "entry_point": "court_cell",
    }
    assert post(client, "/api/v1/cases", future).status_code == 400
    province = {
        "survivor": {"given_name_latin": "A", "residence_province": "99.999"},
        "entry_point": "court_cell",
    }
    response = post(client, "/api/v1/cases", province)
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown province."}
    assert not Survivor.objects.exists()


# Incidents, consents, notes ------------------------------------------------------------------------------------


def test_it_records_and_reads_an_incident(api_for, staff, case):
    client = api_for(staff["caseworker"])
    body = {
        "occurred_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "involved_physical_assault": True,
        "law_forms": ["physical"],
        "description": "Hit at home.",
        "perpetrators": [{"relationship": "husband"}],
    }
    response = post(client, f"/api/v1/cases/{case.code}/incidents", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["gbv_type"] == "physical_assault"
    assert created["reporting_delay"] == "0-3"
    assert created["perpetrators"] == [{"relationship": "husband", "sex": "male", "age_group": "unknown"}]
    listing = client.get(f"/api/v1/cases/{case.code}/incidents").json()
    assert listing["count"] == 1 and "description" not in listing["items"][0]
    listed = AuditEvent.objects.filter(action=AuditAction.READ, object_id=str(case.pk)).latest("id")
    assert {"incident.occurred_on", "incident.law_forms", "incident.perpetrators"} <= set(listed.fields)
    detail = client.get(f"/api/v1/cases/{case.code}/incidents/{created['id']}")
    assert detail.json()["description"] == "Hit at home."
    assert client.get(f"/api/v1/cases/{case.code}/incidents/{created['id'] + 1000}").status_code == 404


def test_a_future_incident_is_refused_and_nothing_is_stored(api_for, staff, case):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = post(
        api_for(staff["caseworker"]), f"/api/v1/cases/{case.code}/incidents", {"occurred_on": future}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The incident cannot be in the future."}
    assert not Incident.objects.exists()


def test_another_cases_incident_is_not_found_under_this_case(api_for, staff, case):
    second = make_case(staff["caseworker"])
    incident = incident_services.incident_create(actor=staff["caseworker"], case=second, values={})
    assert (
        api_for(staff["caseworker"]).get(f"/api/v1/cases/{case.code}/incidents/{incident.pk}").status_code
        == 404
    )


def test_it_records_lists_and_withdraws_a_consent(api_for, staff, case):
    client = api_for(staff["caseworker"])
    response = post(
        client, f"/api/v1/cases/{case.code}/consents", {"purpose": "services", "method": "verbal"}
    )
    assert response.status_code == 201, response.content
    consent = response.json()
    assert consent["in_force"] is True
    assert client.get(f"/api/v1/cases/{case.code}/consents").json()["count"] == 1
    listed = AuditEvent.objects.filter(action=AuditAction.READ, object_id=str(case.pk)).latest("id")
    assert {"consent.purpose", "consent.recipient", "consent.withdrawn_at"} <= set(listed.fields)
    withdraw = f"/api/v1/cases/{case.code}/consents/{consent['id']}/withdraw"
    response = post(client, withdraw, {"note": "She asked."})
    assert response.status_code == 200
    assert response.json()["in_force"] is False
    again = post(client, withdraw, {})
    assert again.status_code == 400
    assert "already withdrawn" in again.json()["detail"]


def test_a_consent_refused_by_the_rules_answers_400_with_the_reason(api_for, staff, case, other_org):
    client = api_for(staff["caseworker"])
    own = {"purpose": "sharing", "method": "written", "recipient_id": case.organisation_id}
    response = post(client, f"/api/v1/cases/{case.code}/consents", own)
    assert response.status_code == 400
    assert response.json() == {"detail": "Name another organisation: this one already holds her case."}
    future = {
        "purpose": "services",
        "method": "verbal",
        "given_at": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    response = post(client, f"/api/v1/cases/{case.code}/consents", future)
    assert response.status_code == 400
    assert response.json() == {"detail": "Consent cannot be given in the future."}
    assert not Consent.objects.exists()


def test_it_adds_and_lists_notes_and_audits_the_read(api_for, staff, case):
    client = api_for(staff["caseworker"])
    response = post(client, f"/api/v1/cases/{case.code}/notes", {"body": "First call."})
    assert response.status_code == 201
    assert response.json()["body"] == "First call."
    listing = client.get(f"/api/v1/cases/{case.code}/notes").json()
    assert [note["body"] for note in listing["items"]] == ["First call."]
    event = AuditEvent.objects.filter(action=AuditAction.READ, object_id=str(case.pk)).latest("id")
    assert "note.body" in event.fields


def test_oversized_and_empty_notes_are_refused(api_for, staff, case):
    client = api_for(staff["caseworker"])
    response = post(client, f"/api/v1/cases/{case.code}/notes", {"body": "x" * 20_001})
    assert response.status_code == 400
    assert "too long" in response.json()["detail"]
    assert post(client, f"/api/v1/cases/{case.code}/notes", {"body": "  "}).status_code == 400
    assert not Note.objects.exists()


# Tokens ---------------------------------------------------------------------------------------------------------


def test_a_token_acts_with_exactly_its_acting_users_rights(client, staff, case, issue_token, org):
    _, secret = issue_token(org, scopes=["cases:read", "cases:write"], acting_user=staff["colleague"])
    listing = client.get("/api/v1/cases", **bearer(secret))
    assert listing.status_code == 200 and listing.json()["count"] == 1
    response = post(client, f"/api/v1/cases/{case.code}/notes", {"body": "By the partner."}, **bearer(secret))
    assert response.status_code == 201
    note = Note.objects.get()
    assert note.created_by == staff["colleague"]
    theirs = make_case(staff["outsider"])
    assert client.get(f"/api/v1/cases/{theirs.code}", **bearer(secret)).status_code == 404


def test_token_calls_are_attributable_in_the_audit_trail(client, staff, case, issue_token, org):
    token, secret = issue_token(org, scopes=["cases:read"], acting_user=staff["colleague"])
    client.get(f"/api/v1/cases/{case.code}", **bearer(secret))
    event = AuditEvent.objects.filter(object_type="api.apitoken", object_id=str(token.pk)).latest("id")
    assert event.actor_id == staff["colleague"].pk
    assert event.detail == {"api_token": token.pk, "method": "GET", "path": f"/api/v1/cases/{case.code}"}


def test_a_token_needs_the_scope_of_the_operation(client, staff, case, issue_token, org):
    _, reader = issue_token(org, scopes=["cases:read"], acting_user=staff["colleague"])
    response = post(client, f"/api/v1/cases/{case.code}/notes", {"body": "x"}, **bearer(reader))
    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the scope cases:write."}
    _, other = issue_token(org, scopes=["users:read"])
    assert client.get("/api/v1/cases", **bearer(other)).status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize("change", ["deactivated", "role_removed"])
def test_a_token_whose_acting_user_left_case_work_answers_403(client, staff, case, issue_token, org, change):
    user = staff["colleague"]
    _, secret = issue_token(org, scopes=["cases:read", "cases:write"], acting_user=user)
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 200
    if change == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        RoleAssignment.objects.filter(user=user).delete()
    for response in (
        client.get("/api/v1/cases", **bearer(secret)),
        client.get(f"/api/v1/cases/{case.code}", **bearer(secret)),
        post(client, f"/api/v1/cases/{case.code}/notes", {"body": "x"}, **bearer(secret)),
    ):
        assert response.status_code == 403
        assert "acting user" in response.json()["detail"]
    assert not Note.objects.exists()


def test_a_token_whose_acting_user_was_removed_answers_403(client, staff, case, issue_token, org):
    token, secret = issue_token(org, scopes=["cases:read"], acting_user=staff["colleague"])
    ApiToken.objects.filter(pk=token.pk).update(acting_user=None)
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 403


def test_writes_through_a_token_are_the_services_writes(client, staff, case, issue_token, org):
    _, secret = issue_token(org, scopes=["cases:write", "cases:read"], acting_user=staff["caseworker"])
    consent = consent_services.consent_give(
        actor=staff["caseworker"], case=case, purpose="services", method="verbal"
    )
    note_services.note_add(actor=staff["caseworker"], case=case, body="Seen.")
    path = f"/api/v1/cases/{case.code}/consents/{consent.pk}/withdraw"
    assert post(client, path, {}, **bearer(secret)).status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_by == staff["caseworker"]


# Writes with valid bodies, for every role that may not write (the matrix sends no body) -------------------------

WRITES = (
    ("POST", "/api/v1/cases", NEW_SURVIVOR, "list"),
    ("PATCH", "/api/v1/cases/{case}", {"version": 1, "priority": "urgent"}, "object"),
    ("PATCH", "/api/v1/survivors/{survivor}", {"version": 1, "phone": "0612345678"}, "object"),
    ("POST", "/api/v1/cases/{case}/incidents", {"involved_physical_assault": True}, "object"),
    ("POST", "/api/v1/cases/{case}/consents", {"purpose": "services", "method": "verbal"}, "object"),
    ("POST", "/api/v1/cases/{case}/consents/{consent}/withdraw", {"note": "x"}, "object"),
    ("POST", "/api/v1/cases/{case}/notes", {"body": "x"}, "object"),
)


@pytest.mark.parametrize(("method", "template", "body", "kind"), WRITES)
def test_every_write_is_refused_to_roles_without_case_work_and_to_other_organisations(
    api_for, staff, case, method, template, body, kind
):
    consent = consent_services.consent_give(
        actor=staff["caseworker"], case=case, purpose="statistics", method="verbal"
    )
    path = template.format(case=case.code, survivor=case.survivor.code, consent=consent.pk)
    before = [model.objects.count() for model in (Case, Survivor, Incident, Consent, Note)]
    # Opening a case names no object: an outsider would open one in her own organisation (allowed).
    refused = ("analyst", "editor", "admin") if kind == "list" else ("analyst", "editor", "admin", "outsider")
    send = post if method == "POST" else patch
    for who in refused:
        response = send(api_for(staff[who]), path, body)
        expected = 403 if kind == "list" else 404
        assert response.status_code == expected, (who, response.status_code, response.content)
    assert [model.objects.count() for model in (Case, Survivor, Incident, Consent, Note)] == before
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    case.refresh_from_db()
    assert case.priority == "normal"


def test_a_models_own_validation_error_answers_422_field_by_field(rf):
    from django.core.exceptions import ValidationError

    from himaya.api.api import model_invalid

    request = rf.post("/api/v1/cases")
    response = model_invalid(request, ValidationError({"entry_point": ["Value 'x' is not a valid choice."]}))
    assert response.status_code == 422
    assert json.loads(response.content) == {
        "detail": [
            {"type": "value_error", "loc": ["body", "entry_point"], "msg": "Value 'x' is not a valid choice."}
        ]
    }
    plain = model_invalid(request, ValidationError("Wrong."))
    assert json.loads(plain.content) == {
        "detail": [{"type": "value_error", "loc": ["body"], "msg": "Wrong."}]
    }
