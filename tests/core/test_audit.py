from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from himaya.core import audit
from himaya.core.models import AuditAction, AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _three_events(user):
    return [audit.record(AuditAction.READ, actor=user, target=user, fields=["phone"]) for _ in range(3)]


def test_it_chains_each_event_to_the_previous_one(user_factory):
    user = user_factory("supervisor")
    first, second, third = _three_events(user)
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert audit.verify_chain().intact


def test_it_records_who_what_and_from_where_but_no_values(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    colleague = user_factory("caseworker", organisation=org, phone="+212 600 000 001")
    client_for(supervisor).get(f"/fr/users/{colleague.pk}/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="read", object_id=str(colleague.pk)).get()
    assert event.actor_id == supervisor.pk
    assert event.actor_roles == "supervisor"
    assert event.organisation_id == org.pk
    assert event.object_type == "accounts.user"
    assert event.client_address == "10.1.2.3"
    assert "phone" in event.fields
    assert "600" not in str(event.detail) and "600" not in str(event.fields)


def test_it_refuses_to_update_or_delete_an_event(user_factory):
    event = _three_events(user_factory("caseworker"))[0]
    event.action = "login"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="login")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_it_names_the_first_altered_event(user_factory):
    events = _three_events(user_factory("caseworker"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET fields = %s WHERE id = %s", ['["name"]', events[1].pk])
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken_id == events[1].pk
    assert report.reason == "content does not match its hash"


def test_it_detects_a_deleted_event(user_factory):
    events = _three_events(user_factory("caseworker"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = audit.verify_chain()
    assert not report.intact
    assert report.first_broken_id == events[2].pk


def test_the_command_reports_intact_or_broken(user_factory, capsys):
    events = _three_events(user_factory("caseworker"))
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_email = %s WHERE id = %s", ["x@y.z", events[0].pk])
    with pytest.raises(CommandError, match=f"BROKEN at event #{events[0].pk}"):
        call_command("audit", "verify")


def test_supervisors_see_their_organisation_log_only(client_for, user_factory, org, other_org):
    supervisor = user_factory("supervisor", organisation=org)
    mine = user_factory("caseworker", organisation=org, email="mine@example.org")
    theirs = user_factory("caseworker", organisation=other_org, email="theirs@example.org")
    audit.record(AuditAction.LOGIN, actor=mine, target=mine)
    audit.record(AuditAction.LOGIN, actor=theirs, target=theirs)
    response = client_for(supervisor).get("/fr/audit/")
    assert response.status_code == 200
    assert b"mine@example.org" in response.content
    assert b"theirs@example.org" not in response.content


def test_administrators_see_account_events_but_not_data_reads(user_factory, org):
    admin = make_user("system_admin")
    colleague = user_factory("caseworker", organisation=org)
    supervisor = user_factory("supervisor", organisation=org)
    audit.record(AuditAction.LOGIN, actor=colleague, target=colleague)
    audit.record(AuditAction.READ, actor=supervisor, target=colleague, fields=["phone"])
    visible = set(AuditEvent.objects.visible_to(admin).values_list("action", flat=True))
    assert "login" in visible
    assert "read" not in visible


def test_nobody_else_sees_the_log(user_factory, org):
    caseworker = user_factory("caseworker", organisation=org)
    audit.record(AuditAction.LOGIN, actor=caseworker, target=caseworker)
    assert not AuditEvent.objects.visible_to(caseworker).exists()


def test_the_log_shows_translated_labels_not_codes(client_for, user_factory, org):
    supervisor = user_factory("supervisor", organisation=org)
    colleague = user_factory("caseworker", organisation=org)
    client_for(supervisor).get(f"/fr/users/{colleague.pk}/")
    page = client_for(supervisor).get("/fr/audit/", {"action": "read"}).content.decode()
    assert "Superviseur" in page
    assert "accounts.user" not in page
    assert "full_name" not in page
