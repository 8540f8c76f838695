"""Telephones of a service on the staff pages: add, edit, remove; who may; the number rules; the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, AuditEvent
from himaya.directory import queries, services
from himaya.directory.models import Phone, Service, ServiceHistory, Visibility
from tests.directory.factories import make_location, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(org: Any) -> Service:
    return make_service(organisation=org, name="Centre Amal", location=make_location(organisation=org))


def phone_history(service: Service) -> list[list[Any]]:
    return [
        entry.changes["phones"]
        for entry in ServiceHistory.objects.filter(service=service, kind=ServiceHistory.Kind.EDITED).order_by(
            "at", "id"
        )
        if "phones" in entry.changes
    ]


FORM = {"number": "+212 522-40 40 40", "extension": "12", "type": "voice", "description": "Accueil"}


# Views ---------------------------------------------------------------------------------------------------------


def test_editor_adds_a_telephone(client_for: Any, people: dict[str, Any], service: Service) -> None:
    client = client_for(people["editor"])
    assert client.get(f"/en/directory/{service.pk}/phones/new/").status_code == 200
    before = AuditEvent.objects.filter(action=AuditAction.UPDATE).count()
    response = client.post(
        f"/en/directory/{service.pk}/phones/new/",
        {**FORM, "languages": ["ar", "fr"], "visibility": "network"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/directory/{service.pk}/"
    phone = service.phones.get()
    assert (phone.number, phone.extension, phone.type, phone.description) == (
        "+212 522-40 40 40",
        12,
        "voice",
        "Accueil",
    )
    assert phone.languages == ["ar", "fr"] and phone.visibility == Visibility.NETWORK
    assert phone_history(service) == [[None, "+212 522-40 40 40 (12) · Accueil"]]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == before + 1
    page = client.get(f"/en/directory/{service.pk}/").content.decode()
    assert 'id="phones"' in page and f"/en/directory/phones/{phone.pk}/edit/" in page


def test_editor_edits_a_telephone(client_for: Any, people: dict[str, Any], service: Service) -> None:
    phone = services.phone_add(actor=people["editor"], service=service, number="0522 40 40 40")
    client = client_for(people["editor"])
    page = client.get(f"/en/directory/phones/{phone.pk}/edit/").content.decode()
    assert "0522 40 40 40" in page
    response = client.post(
        f"/en/directory/phones/{phone.pk}/edit/",
        {"number": "0600 11 22 33", "type": "cell", "description": "", "visibility": "public"},
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert (phone.number, phone.type) == ("0600 11 22 33", "cell")
    assert phone_history(service)[-1] == ["0522 40 40 40", "0600 11 22 33"]


def test_editor_removes_a_telephone(client_for: Any, people: dict[str, Any], service: Service) -> None:
    phone = services.phone_add(actor=people["editor"], service=service, number="0522 40 40 40")
    client = client_for(people["editor"])
    confirmation = client.get(f"/en/directory/phones/{phone.pk}/remove/")
    assert confirmation.status_code == 200 and "0522 40 40 40" in confirmation.content.decode()
    assert Phone.objects.filter(pk=phone.pk).exists()  # GET removes nothing
    response = client.post(f"/en/directory/phones/{phone.pk}/remove/")
    assert response.status_code == 302
    assert not Phone.objects.filter(pk=phone.pk).exists()
    assert phone_history(service)[-1] == ["0522 40 40 40", None]
    assert client.post(f"/en/directory/phones/{phone.pk}/remove/").status_code == 404


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_other_roles_are_refused(client_for: Any, people: dict[str, Any], service: Service, who: str) -> None:
    phone = services.phone_add(actor=people["editor"], service=service, number="0522 40 40 40")
    client = client_for(people[who])
    assert client.get(f"/en/directory/{service.pk}/phones/new/").status_code == 403
    assert client.post(f"/en/directory/{service.pk}/phones/new/", FORM).status_code == 403
    assert client.post(f"/en/directory/phones/{phone.pk}/edit/", FORM).status_code == 403
    assert client.post(f"/en/directory/phones/{phone.pk}/remove/").status_code == 403
    phone.refresh_from_db()
    assert phone.number == "0522 40 40 40" and service.phones.count() == 1
    page = client.get(f"/en/directory/{service.pk}/").content.decode()
    assert 'id="phones"' not in page and "/phones/new/" not in page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("=1+2345678", "only digits, spaces"),
        ("<b>0522404040</b>", "only digits, spaces"),
        ("0522 40 4O 40", "only digits, spaces"),
        ("12345", "between 6 and 20 digits"),
        ("1" * 21, "between 6 and 20 digits"),
        ("-0522404040", "only digits, spaces"),
    ],
)
def test_a_bad_number_is_refused_with_a_message(
    client_for: Any, people: dict[str, Any], service: Service, number: str, message: str
) -> None:
    client = client_for(people["editor"])
    response = client.post(f"/en/directory/{service.pk}/phones/new/", {**FORM, "number": number})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not service.phones.exists()
    assert phone_history(service) == []


def test_html_in_the_description_is_refused(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    response = client.post(
        f"/en/directory/{service.pk}/phones/new/", {**FORM, "description": "<script>x</script>"}
    )
    assert response.status_code == 200
    assert "may not contain" in response.content.decode()
    assert not service.phones.exists()


# Services ------------------------------------------------------------------------------------------------------


def test_services_check_permission_and_rules(people: dict[str, Any], service: Service) -> None:
    with pytest.raises(PermissionDenied):
        services.phone_add(actor=people["member"], service=service, number="0522 40 40 40")
    with pytest.raises(BusinessRuleError, match="between 6 and 20 digits"):
        services.phone_add(actor=people["editor"], service=service, number="12 34")
    with pytest.raises(BusinessRuleError, match="Unknown language"):
        services.phone_add(actor=people["editor"], service=service, number="0522404040", languages=["xx"])
    phone = services.phone_add(actor=people["editor"], service=service, number="0522404040")
    with pytest.raises(PermissionDenied):
        services.phone_update(actor=people["outsider"], phone=phone, number="0600112233")
    with pytest.raises(PermissionDenied):
        services.phone_remove(actor=people["member"], phone=phone)
    with pytest.raises(BusinessRuleError, match="Nothing to change"):
        services.phone_update(actor=people["editor"], phone=phone, number="0522404040")
    assert Phone.objects.get(pk=phone.pk).number == "0522404040"


def test_history_hides_restricted_telephones(people: dict[str, Any], service: Service) -> None:
    editor = people["editor"]
    phone = services.phone_add(
        actor=editor, service=service, number="0661 00 00 00", visibility=Visibility.RESTRICTED
    )
    services.phone_update(actor=editor, phone=phone, visibility=Visibility.PUBLIC)
    services.phone_update(actor=editor, phone=phone, visibility=Visibility.RESTRICTED)
    assert phone_history(service) == [[None, "…"], ["…", "0661 00 00 00"], ["0661 00 00 00", "…"]]
    # An outsider (network audience) reading the history never sees the number while it was restricted.
    rows = [
        row
        for entry in queries.service_history(viewer=people["outsider"], service=service)
        for row in entry.changes
    ]
    assert rows == [
        ("telephones", "0661 00 00 00", "…"),
        ("telephones", "…", "0661 00 00 00"),
        ("telephones", "", "…"),
    ]
