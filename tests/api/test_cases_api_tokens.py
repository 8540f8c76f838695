"""Issuing a token with a case scope: it names an acting user (an active member of the organisation holding a case
role), only a supervisor who works on that organisation's cases issues it, and the token page offers the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from himaya.api import services
from himaya.api.forms import TokenForm
from himaya.api.models import ApiToken
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CREATE = "/en/api-tokens/new/"


@pytest.fixture
def people(org: Any, other_org: Any) -> dict[str, Any]:
    return {
        "supervisor": make_user("supervisor", organisation=org),
        "caseworker": make_user("caseworker", organisation=org),
        "analyst": make_user("national_analyst", organisation=org),
        "inactive": make_user("caseworker", organisation=org, is_active=False),
        "outsider": make_user("caseworker", organisation=other_org),
        "admin": make_user("system_admin", organisation=org),
    }


def issue(people: dict[str, Any], org: Any, **values: Any) -> ApiToken:
    arguments: dict[str, Any] = {"actor": people["supervisor"], "organisation": org, "name": "Hotline"}
    arguments.update(values)
    arguments.setdefault("scopes", ["cases:read"])
    token, _secret = services.token_issue(**arguments)
    return token


def test_a_supervisor_issues_a_case_token_acting_as_a_caseworker_and_it_is_audited(people, org):
    token = issue(people, org, scopes=["cases:read", "cases:write"], acting_user=people["caseworker"])
    assert token.acting_user == people["caseworker"]
    event = AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE, object_id=str(token.pk)).get()
    assert event.detail["acting_user"] == people["caseworker"].pk


def test_a_case_scope_without_an_acting_user_is_refused_with_a_clear_message(people, org):
    with translation.override("en"), pytest.raises(BusinessRuleError) as error:
        issue(people, org)
    assert error.value.message == "A token with a case scope acts as one person: choose its acting user."
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["analyst", "inactive", "outsider", "admin"])
def test_the_acting_user_must_work_on_the_organisations_cases(people, org, who):
    with translation.override("en"), pytest.raises(BusinessRuleError) as error:
        issue(people, org, acting_user=people[who])
    assert "active member of the token's organisation who works on cases" in error.value.message
    assert not ApiToken.objects.exists()


def test_the_system_administrator_never_issues_a_case_token(people, org):
    with translation.override("en"), pytest.raises(BusinessRuleError) as error:
        issue(people, org, actor=people["admin"], acting_user=people["caseworker"])
    assert "Only a supervisor who works on this organisation's cases" in error.value.message
    assert not ApiToken.objects.exists()


def test_a_supervisor_cannot_issue_a_case_token_for_another_organisation(people, other_org):
    with pytest.raises(PermissionDenied):
        issue(people, other_org, acting_user=people["outsider"])
    assert not ApiToken.objects.exists()


def test_a_token_without_a_case_scope_keeps_no_acting_user(people, org):
    token = issue(people, org, scopes=["users:read"], acting_user=people["caseworker"])
    assert token.acting_user is None


def test_the_form_offers_only_the_organisations_eligible_users(people, org):
    choices = set(TokenForm(viewer=people["supervisor"]).fields["acting_user"].queryset)
    assert choices == {people["supervisor"], people["caseworker"]}
    assert not TokenForm(viewer=people["admin"]).fields["acting_user"].queryset.exists()


def test_the_token_page_issues_a_case_token_with_its_acting_user(client_for, people, org):
    client = client_for(people["supervisor"])
    page = client.get(CREATE)
    assert b'name="acting_user"' in page.content
    data = {"name": "Partner", "organisation": org.pk, "scopes": ["cases:read"], "days": 30}
    refused = client.post(CREATE, data)
    assert refused.status_code == 200
    assert b"choose its acting user" in refused.content
    assert not ApiToken.objects.exists()
    response = client.post(CREATE, {**data, "acting_user": people["caseworker"].pk})
    assert response.status_code == 200
    assert ApiToken.objects.get().acting_user == people["caseworker"]


def test_the_token_page_refuses_an_acting_user_of_another_organisation(client_for, people, org):
    client = client_for(people["supervisor"])
    data = {"name": "P", "organisation": org.pk, "scopes": ["cases:read"], "days": 30}
    response = client.post(CREATE, {**data, "acting_user": people["outsider"].pk})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
