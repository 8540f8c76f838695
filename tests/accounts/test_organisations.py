from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from himaya.accounts import services
from himaya.accounts.models import Organisation
from himaya.core.models import AuditEvent, City, Province
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _form(**values):
    data = {"name": "Association Test", "kind": "ngo", "sector": "civil_society", "is_active": "on"}
    data.update(values)
    return data


def test_an_administrator_creates_an_organisation_and_the_region_follows_the_province(client_for):
    admin = make_user("system_admin")
    province = Province.objects.get(code="08.201")
    response = client_for(admin).post("/fr/organisations/new/", _form(province=province.pk))
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Association Test")
    assert organisation.region == province.region
    assert AuditEvent.objects.filter(action="create", object_type="accounts.organisation").exists()


def test_a_province_outside_the_chosen_region_is_refused(client_for):
    admin = make_user("system_admin")
    province = Province.objects.get(code="08.201")
    other_region = Province.objects.get(code="04.421").region
    response = client_for(admin).post(
        "/en/organisations/new/", _form(region=other_region.pk, province=province.pk)
    )
    assert response.status_code == 200
    assert b"not in the chosen region" in response.content
    assert not Organisation.objects.filter(name="Association Test").exists()


def test_a_city_outside_the_chosen_province_is_refused(client_for):
    admin = make_user("system_admin")
    response = client_for(admin).post(
        "/en/organisations/new/",
        _form(province=Province.objects.get(code="04.421").pk, city=City.objects.get(slug="agadir").pk),
    )
    assert response.status_code == 200
    assert b"not in the chosen province" in response.content


def test_html_in_a_name_is_stored_as_text_and_escaped(client_for):
    admin = make_user("system_admin")
    client = client_for(admin)
    client.post("/fr/organisations/new/", _form(name="<script>alert(1)</script>\u202eevil"))
    organisation = Organisation.objects.get(name__startswith="<script>")
    page = client.get(f"/fr/organisations/{organisation.pk}/").content
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_supervisor_cannot_create_or_edit_organisations(org):
    supervisor = make_user("supervisor", organisation=org)
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=supervisor, name="X", kind="ngo", sector="social")
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=supervisor, organisation=org, name="Renamed")
    org.refresh_from_db()
    assert org.name == "Cellule A"


def test_an_edit_records_the_changed_field_names_only(org):
    admin = make_user("system_admin")
    services.organisation_update(actor=admin, organisation=org, phone="+212 537 00 00 00", name=org.name)
    event = AuditEvent.objects.filter(action="update", object_type="accounts.organisation").get()
    assert event.fields == ["phone"]
    assert "537" not in str(event.detail)


def test_the_list_filters_and_paginates(client_for, settings):
    settings.PAGE_SIZE = 2
    viewer = make_user("caseworker")
    for number in range(4):
        services.organisation_create(
            actor=make_user("system_admin"), name=f"Shelter {number}", kind="shelter", sector="social"
        )
    client = client_for(viewer)
    page = client.get("/en/organisations/", {"kind": "shelter"}).content
    assert b"Shelter 0" in page and b"Shelter 2" not in page
    assert b"Page 1 of 2" in page
    assert b"Shelter 2" in client.get("/en/organisations/", {"kind": "shelter", "page": "2"}).content
    assert client.get("/en/organisations/", {"page": "not-a-number"}).status_code == 200
    assert b"No organisation matches" in client.get("/en/organisations/", {"q": "zzz-nothing"}).content
