"""The system administrator manages accounts and settings, never victims' data."""

from __future__ import annotations

import pytest

from himaya.accounts.roles import CASE_ROLES, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(CASE_ROLES))
def test_case_roles_may_reach_victim_data(role):
    assert make_user(role).has_perm("cases.access_case_data")


@pytest.mark.parametrize(
    "role", [Role.SYSTEM_ADMIN, Role.DIRECTORY_EDITOR, Role.NATIONAL_ANALYST, Role.TERRITORIAL_ANALYST]
)
def test_other_roles_may_not(role):
    assert not make_user(role).has_perm("cases.access_case_data")


def test_an_administrator_given_a_case_role_still_may_not():
    assert not make_user(Role.SYSTEM_ADMIN, Role.CASEWORKER).has_perm("cases.access_case_data")


def test_a_deactivated_caseworker_may_not():
    user = make_user(Role.CASEWORKER)
    user.is_active = False
    user.save()
    assert not user.has_perm("cases.access_case_data")


def test_an_administrator_does_not_see_data_reads_in_the_audit_log(client_for):
    from himaya.core import audit
    from himaya.core.models import AuditAction

    admin = make_user(Role.SYSTEM_ADMIN)
    supervisor = make_user(Role.SUPERVISOR)
    audit.record(
        AuditAction.READ, actor=supervisor, object_type="cases.survivor", object_id="42", fields=["name"]
    )
    page = client_for(admin).get("/en/audit/").content
    assert b"cases.survivor" not in page
