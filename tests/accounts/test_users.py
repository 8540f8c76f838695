from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from himaya.accounts import services
from himaya.accounts.models import RoleAssignment, User
from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_supervisor_creates_a_colleague_who_is_invited_by_email(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    response = client_for(supervisor).post(
        "/fr/users/new/",
        {
            "full_name": "Amina Test",
            "email": "Amina@Example.org",
            "preferred_language": "ar",
            "roles": ["caseworker"],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="amina@example.org")
    assert created.organisation == org
    assert created.role_codes() == {"caseworker"}
    assert not created.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]
    assert AuditEvent.objects.filter(action="permission_change", object_id=str(created.pk)).exists()


def test_a_supervisor_cannot_grant_administrator_or_analyst_roles(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    for role in ("system_admin", "national_analyst", "directory_editor"):
        response = client_for(supervisor).post(
            "/fr/users/new/",
            {"full_name": "X", "email": f"{role}@example.org", "preferred_language": "fr", "roles": [role]},
        )
        assert response.status_code == 200
        assert not User.objects.filter(email=f"{role}@example.org").exists()


def test_a_supervisor_cannot_create_users_in_another_organisation(org, other_org):
    supervisor = make_user("supervisor", organisation=org)
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=supervisor,
            organisation=other_org,
            email="x@example.org",
            full_name="X",
            roles=["caseworker"],
        )


def test_an_administrator_creates_a_territorial_analyst_with_a_scope(client_for, org):
    from himaya.core.models import Region

    admin = make_user("system_admin")
    region = Region.objects.get(code="08")
    response = client_for(admin).post(
        "/fr/users/new/",
        {
            "full_name": "Analyst",
            "email": "analyst@example.org",
            "preferred_language": "fr",
            "organisation": org.pk,
            "roles": ["territorial_analyst"],
            "region": region.pk,
        },
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__email="analyst@example.org")
    assert assignment.region == region


def test_a_territorial_analyst_without_scope_is_refused_with_a_message(client_for, org):
    admin = make_user("system_admin")
    response = client_for(admin).post(
        "/en/users/new/",
        {"full_name": "A", "email": "a@example.org", "preferred_language": "fr", "organisation": org.pk,
         "roles": ["territorial_analyst"]},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"needs a region or a province" in response.content
    assert not User.objects.filter(email="a@example.org").exists()


def test_a_duplicate_email_is_refused(org):
    admin = make_user("system_admin")
    make_user("caseworker", organisation=org, email="taken@example.org")
    with pytest.raises(BusinessRuleError):
        services.user_create(
            actor=admin, organisation=org, email="TAKEN@example.org", full_name="Y", roles=["caseworker"]
        )


def test_roles_are_replaced_and_the_change_is_audited(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    response = client_for(supervisor).post(
        f"/fr/users/{colleague.pk}/edit/",
        {"save_roles": "1", "roles-roles": ["hotline_operator", "caseworker"]},
    )
    assert response.status_code == 302
    colleague.forget_roles()
    assert colleague.role_codes() == {"caseworker", "hotline_operator"}
    event = AuditEvent.objects.filter(action="permission_change", object_id=str(colleague.pk)).latest("id")
    assert event.detail == {"granted": ["hotline_operator"], "revoked": []}


def test_a_supervisor_keeps_roles_they_may_not_grant(org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", "directory_editor", organisation=org)
    services.user_set_roles(actor=supervisor, user=colleague, roles=["supervisor"])
    colleague.forget_roles()
    assert colleague.role_codes() == {"supervisor", "directory_editor"}


def test_an_administrator_cannot_remove_their_own_administrator_role():
    admin = make_user("system_admin")
    with pytest.raises(BusinessRuleError):
        services.user_set_roles(actor=admin, user=admin, roles=["caseworker"])


def test_a_stale_edit_is_refused_as_a_conflict(org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    version = colleague.version
    services.user_update(actor=supervisor, user=colleague, expected_version=version, job_title="First")
    with pytest.raises(ConflictError):
        services.user_update(actor=supervisor, user=colleague, expected_version=version, job_title="Second")
    colleague.refresh_from_db()
    assert colleague.job_title == "First"


def test_the_edit_form_shows_a_conflict_message(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    data = {
        "full_name": "New",
        "email": colleague.email,
        "preferred_language": "fr",
        "version": colleague.version,
    }
    services.user_update(actor=supervisor, user=colleague, job_title="Meanwhile")
    response = client_for(supervisor).post(f"/en/users/{colleague.pk}/edit/", data)
    assert response.status_code == 200
    assert b"Someone else changed this record" in response.content
    colleague.refresh_from_db()
    assert colleague.full_name != "New"


def test_deactivation_signs_the_person_out_and_is_audited(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    colleague_client = client_for(colleague)
    response = client_for(supervisor).post(f"/fr/users/{colleague.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert colleague_client.get("/fr/home/").status_code == 302
    assert AuditEvent.objects.filter(action="permission_change", fields=["is_active"]).exists()


def test_a_supervisor_cannot_deactivate_themselves(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    client_for(supervisor).post(f"/fr/users/{supervisor.pk}/active/", {"active": "0"})
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_resetting_two_factor_removes_the_authenticator(client_for, org):
    from allauth.mfa.models import Authenticator

    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    assert client_for(supervisor).post(f"/fr/users/{colleague.pk}/reset-2fa/").status_code == 302
    assert not Authenticator.objects.filter(user=colleague).exists()


def test_a_caseworker_sees_only_themself_in_the_user_scope(org):
    caseworker = make_user("caseworker", organisation=org)
    make_user("caseworker", organisation=org)
    assert list(User.objects.visible_to(caseworker)) == [caseworker]


def test_reading_a_colleague_profile_is_audited(client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    client_for(supervisor).get(f"/fr/users/{colleague.pk}/")
    assert AuditEvent.objects.filter(
        action="read", actor_id=supervisor.pk, object_id=str(colleague.pk)
    ).exists()


def test_a_guessed_url_of_another_organisation_answers_404_and_is_not_a_500(client_for, org, other_org):
    supervisor = make_user("supervisor", organisation=org)
    stranger = make_user("caseworker", organisation=other_org)
    client = client_for(supervisor)
    assert client.get(f"/fr/users/{stranger.pk}/").status_code == 404
    assert client.post(f"/fr/users/{stranger.pk}/active/", {"active": "0"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    assert client.get("/fr/users/999999/").status_code == 404


def test_the_members_link_lists_one_organisation(client_for):
    from tests.factories import make_organisation

    admin = make_user("system_admin")
    shelter = make_organisation(name="Shelter")
    make_user("caseworker", organisation=shelter, full_name="Member Of Shelter")
    make_user("caseworker", full_name="Somebody Else")
    page = client_for(admin).get("/en/users/", {"organisation": shelter.pk}).content
    assert b"Member Of Shelter" in page
    assert b"Somebody Else" not in page


def test_refused_and_guessed_urls_are_audited(client_for, org, other_org):
    caseworker = make_user("caseworker", organisation=org)
    stranger = make_user("caseworker", organisation=other_org)
    client = client_for(caseworker)
    assert client.get("/fr/audit/").status_code == 403
    assert client.get(f"/fr/users/{stranger.pk}/").status_code == 404
    denied = AuditEvent.objects.filter(action="denied", actor_id=caseworker.pk)
    assert sorted(event.detail["status"] for event in denied) == [403, 404]
    assert {event.organisation_id for event in denied} == {org.pk}


def test_failed_logins_of_a_colleague_reach_the_supervisor_log(client, client_for, org):
    supervisor = make_user("supervisor", organisation=org)
    colleague = make_user("caseworker", organisation=org)
    client.post("/fr/accounts/login/", {"login": colleague.email, "password": "wrong-password-1"})
    page = client_for(supervisor).get("/en/audit/", {"action": "login_failed"}).content
    assert colleague.email.encode() in page


def test_users_land_on_their_preferred_language_after_login(client):
    from tests.factories import current_code

    user = make_user("caseworker", preferred_language="ar")
    client.post("/fr/accounts/login/", {"login": user.email, "password": "correct-horse-battery-staple"})
    response = client.post("/fr/accounts/2fa/authenticate/", {"code": current_code(user)})
    assert response["Location"] == "/ar/home/"


def test_organisation_names_show_in_arabic_on_arabic_pages(client_for):
    from tests.factories import make_organisation

    cell = make_organisation(name="Cellule X", name_ar="خلية س")
    user = make_user("caseworker", organisation=cell)
    client = client_for(user)
    assert "خلية س" in client.get("/ar/home/").content.decode()
    assert "Cellule X" in client.get("/fr/home/").content.decode()
