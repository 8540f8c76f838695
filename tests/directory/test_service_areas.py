"""Service areas on the staff pages: the whole country, or regions and provinces; who may; history and audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, AuditEvent, Province, Region
from himaya.directory import queries, services
from himaya.directory.models import Service, ServiceArea, ServiceHistory
from himaya.directory.search import public_search
from tests.directory.factories import make_location, make_service

pytestmark = pytest.mark.django_db

TANGER, TETOUAN, FES = (
    "01.511",
    "01.571",
    "03.231",
)  # provinces of region 01 (Tanger-Tétouan-Al Hoceima) and 03


@pytest.fixture
def service(org: Any) -> Service:
    return make_service(organisation=org, name="Centre Amal", location=make_location(organisation=org))


def page(service: Service) -> str:
    return f"/en/directory/{service.pk}/areas/"


def area_keys(service: Service) -> list[tuple[str, str]]:
    """("country", "") / ("region", code) / ("province", code) of the service's rows, sorted."""
    keys = []
    for area in ServiceArea.objects.filter(service=service).select_related("region", "province"):
        if area.province is not None:
            keys.append(("province", area.province.code))
        elif area.region is not None:
            keys.append(("region", area.region.code))
        else:
            keys.append(("country", ""))
    return sorted(keys)


def area_history(service: Service) -> list[list[Any]]:
    return [
        entry.changes["service_areas"]
        for entry in ServiceHistory.objects.filter(service=service).order_by("at", "id")
        if "service_areas" in entry.changes
    ]


def province_name(code: str) -> str:
    return Province.objects.get(code=code).name_fr


# Views ---------------------------------------------------------------------------------------------------------


def test_editor_sets_regions_and_provinces_then_the_whole_country(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])  # an editor of another organisation: editors edit every entry
    form = client.get(page(service))
    assert form.status_code == 200
    assert f'value="{TANGER}"' in form.content.decode() and 'value="01"' in form.content.decode()
    audits = AuditEvent.objects.filter(action=AuditAction.UPDATE, fields=["service_areas"])
    before = audits.count()

    response = client.post(
        page(service),
        {"scope": "territories", "regions": ["03"], "provinces": [TANGER], "note": "Convention"},
    )
    assert response.status_code == 302 and response["Location"] == f"/en/directory/{service.pk}/"
    assert area_keys(service) == [("province", TANGER), ("region", "03")]
    fes_meknes = Region.objects.get(code="03").name_fr
    assert area_history(service) == [[[], [f"{fes_meknes} (03)", f"{province_name(TANGER)} (01.511)"]]]
    assert ServiceHistory.objects.filter(service=service, note="Convention").exists()
    assert audits.count() == before + 1
    event = audits.latest("id")
    assert event.detail == {"national": False, "regions": ["03"], "provinces": [TANGER]}

    detail = client.get(f"/en/directory/{service.pk}/").content.decode()
    assert f"{fes_meknes}</bdi> (whole region)" in detail and province_name(TANGER) in detail
    assert page(service) in detail  # the editing link

    # The whole country: the boxes still ticked are left aside.
    response = client.post(page(service), {"scope": "national", "provinces": [TETOUAN]})
    assert response.status_code == 302
    assert area_keys(service) == [("country", "")]
    assert area_history(service)[-1][1] == ["Maroc"]
    assert "The whole country" in client.get(f"/en/directory/{service.pk}/").content.decode()


def test_the_form_starts_from_the_current_areas(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    services.service_set_areas(actor=people["editor"], service=service, national=False, provinces=[FES])
    content = client_for(people["editor"]).get(page(service)).content.decode()
    assert f'value="{FES}" id="id_provinces_' in content
    checked = content.split(f'value="{FES}"', 1)[1].split(">", 1)[0]
    assert "checked" in checked
    assert 'value="territories" id="id_scope_1" checked' in content


def test_wrong_method_is_refused(client_for: Any, people: dict[str, Any], service: Service) -> None:
    client = client_for(people["editor"])
    assert client.put(page(service), {"scope": "national"}).status_code == 405
    assert client.delete(page(service)).status_code == 405
    assert not ServiceArea.objects.filter(service=service).exists()


@pytest.mark.parametrize("who", ["member", "colleague", "outsider", "analyst"])
def test_roles_without_editor_rights_are_refused(
    client_for: Any, people: dict[str, Any], service: Service, who: str
) -> None:
    """The service's own members (caseworker, supervisor) and another organisation's staff: read only."""
    services.service_set_areas(actor=people["editor"], service=service, national=False, provinces=[TANGER])
    client = client_for(people[who])
    assert client.get(page(service)).status_code == 403
    assert client.post(page(service), {"scope": "national"}).status_code == 403
    assert area_keys(service) == [("province", TANGER)]
    assert len(area_history(service)) == 1
    detail = client.get(f"/en/directory/{service.pk}/").content.decode()
    assert province_name(TANGER) in detail  # they see the areas
    assert page(service) not in detail  # but no editing link


def test_an_unknown_service_is_a_404(client_for: Any, people: dict[str, Any]) -> None:
    client = client_for(people["editor"])
    assert client.get("/en/directory/00000000-0000-0000-0000-000000000000/areas/").status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"scope": "territories", "provinces": ["99.999"]}, "Unknown province code: 99.999."),
        ({"scope": "territories", "regions": ["77"]}, "Unknown region code: 77."),
        ({"scope": "territories"}, "Tick at least one region or province, or choose the whole country."),
        ({"provinces": [TANGER]}, "Choose the whole country, or some regions or provinces."),
        ({"scope": "somewhere"}, "Select a valid choice."),
        (
            {"scope": "territories", "regions": ["01"], "provinces": [TANGER, FES]},
            "already served through the whole region",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client_for: Any, people: dict[str, Any], service: Service, form: dict[str, Any], message: str
) -> None:
    response = client_for(people["editor"]).post(page(service), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceArea.objects.filter(service=service).exists()
    assert area_history(service) == []


def test_saving_the_same_areas_again_says_nothing_changed(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    client = client_for(people["editor"])
    assert client.post(page(service), {"scope": "territories", "provinces": [TANGER]}).status_code == 302
    response = client.post(page(service), {"scope": "territories", "provinces": [TANGER]})
    assert response.status_code == 200
    assert "Nothing to change: the service areas are already like this." in response.content.decode()
    assert len(area_history(service)) == 1


def test_the_arabic_page_names_the_territories_in_arabic(
    client_for: Any, people: dict[str, Any], service: Service
) -> None:
    response = client_for(people["editor"]).get(f"/ar/directory/{service.pk}/areas/")
    assert response.status_code == 200
    content = response.content.decode()
    tanger = Province.objects.get(code=TANGER)
    assert tanger.name_ar in content and Region.objects.get(code="01").name_ar in content
    assert f"<bdi>{tanger.name_fr}</bdi>" not in content


# Services ------------------------------------------------------------------------------------------------------


def test_the_service_checks_permission_and_rules(people: dict[str, Any], service: Service) -> None:
    editor = people["editor"]
    for who in ("member", "colleague", "outsider", "analyst"):
        with pytest.raises(PermissionDenied):
            services.service_set_areas(actor=people[who], service=service, national=True)
    with pytest.raises(
        BusinessRuleError, match="Choose the whole country, or at least one region or province"
    ):
        services.service_set_areas(actor=editor, service=service, national=False, provinces=[" "])
    with pytest.raises(BusinessRuleError, match="choose one or the other"):
        services.service_set_areas(actor=editor, service=service, national=True, provinces=[TANGER])
    with pytest.raises(BusinessRuleError, match=r"Unknown province code: 01\.999, 99\.999\."):
        services.service_set_areas(
            actor=editor, service=service, national=False, provinces=["99.999", "01.999"]
        )
    with pytest.raises(BusinessRuleError, match=r"Unknown region code: 13\."):
        services.service_set_areas(actor=editor, service=service, national=False, regions=["13"])
    with pytest.raises(BusinessRuleError, match="already served through the whole region"):
        services.service_set_areas(
            actor=editor, service=service, national=False, regions=["01"], provinces=[TETOUAN]
        )
    assert not ServiceArea.objects.filter(service=service).exists()
    assert area_history(service) == []


def test_kept_rows_keep_their_identity_and_duplicates_go(people: dict[str, Any], service: Service) -> None:
    """Imported rows that stay keep their id, name and description (stable HSDS ids); a second row for the same
    territory and rows no longer wanted are removed."""
    tanger = Province.objects.get(code=TANGER)
    imported = ServiceArea.objects.create(service=service, name="Tanger (convention)", province=tanger)
    twin = ServiceArea.objects.create(
        service=service, name="Tanger (bis)", province=tanger, region=tanger.region
    )
    ServiceArea.objects.create(service=service, name="Maroc")
    updated_before = Service.objects.get(pk=service.pk).updated_at

    result = services.service_set_areas(
        actor=people["editor"], service=service, national=False, provinces=[TANGER, FES]
    )
    assert [area.province.code for area in result if area.province] == [TANGER, FES]
    assert area_keys(service) == [("province", TANGER), ("province", FES)]
    kept = ServiceArea.objects.get(service=service, province=tanger)
    assert (kept.pk, kept.name) in {(imported.pk, imported.name), (twin.pk, twin.name)}
    assert ServiceArea.objects.get(service=service, province__code=FES).name == province_name(FES)
    old, new = area_history(service)[0]
    assert old == ["Maroc", f"{tanger.name_fr} ({TANGER})", f"{tanger.name_fr} ({TANGER})"]
    assert new == [f"{tanger.name_fr} ({TANGER})", f"{province_name(FES)} ({FES})"]
    assert Service.objects.get(pk=service.pk).updated_at > updated_before  # the HSDS entry changed
    entry = ServiceHistory.objects.filter(service=service).latest("at")
    assert (entry.kind, entry.by) == (ServiceHistory.Kind.EDITED, people["editor"])


def test_the_history_reads_the_areas_for_every_staff_member(people: dict[str, Any], service: Service) -> None:
    services.service_set_areas(actor=people["editor"], service=service, national=False, regions=["01"])
    rows = [
        row
        for entry in queries.service_history(viewer=people["outsider"], service=service)
        for row in entry.changes
    ]
    region = Region.objects.get(code="01").name_fr
    assert ("service areas", "", f"{region} (01)") in rows


def test_the_public_search_follows_the_areas_set(people: dict[str, Any], org: Any) -> None:
    """A service located in Tanger, set to serve the Fès-Meknès region, is found from Fès; then, set back to
    Tanger's province only, it is not found from Fès any more."""
    service = make_service(organisation=org, name="Ligne d'écoute", location=make_location(organisation=org))
    assert "Ligne d'écoute" not in [item.service.name for item in public_search(province=FES).items]
    services.service_set_areas(actor=people["editor"], service=service, national=False, regions=["03"])
    assert "Ligne d'écoute" in [item.service.name for item in public_search(province=FES).items]
    services.service_set_areas(actor=people["editor"], service=service, national=False, provinces=[TANGER])
    assert "Ligne d'écoute" not in [item.service.name for item in public_search(province=FES).items]
