"""Restricted fields and confidential addresses never leave through a public door.

One service carries secrets at every level: a confidential location (address, postcode, coordinates, directions),
a field restricted to its organisation, a field for the network only, and telephones for the network and for the
restricted audience. The test walks every public page (the whole ``help`` namespace), every directory API route
as an anonymous caller, the HSDS export (JSON and CSV) and the printable pathway sheet, and asserts that none of
the secrets appears — and, so that the test can fail, that the same secrets do appear where they are allowed.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfReader

from himaya.directory.hsds import export_hsds
from himaya.directory.models import Phone, Taxonomy, TaxonomyTerm
from himaya.directory.pathway import build_sheet, render_sheet
from tests.directory.factories import make_location, make_service
from tests.factories import make_organisation, make_user

ADDRESS = "Impasse Secrete Zeta"
SECRETS = {
    "confidential address": ADDRESS,
    "confidential postcode": "90999",
    "confidential directions": "Bus 77 secret",
    "confidential latitude": "35.771234",
    "confidential longitude": "5.812345",
    "restricted e-mail": "restricted-secret@example.org",
    "network-only field": "NETWORK-ONLY-PROCESS",
    "network telephone": "0500333444",
    "restricted telephone": "0500555666",
}
FRONT_DOOR = "0500111222"


def _leaks(text: str) -> list[str]:
    return [label for label, secret in SECRETS.items() if secret in text]


@pytest.fixture
def secret_service(db: None) -> Any:
    organisation = make_organisation(name="Refuge fictif Zeta", kind="shelter", sector="civil_society")
    location = make_location(
        organisation=organisation,
        city="tanger",
        is_confidential=True,
        address_1=f"12 {ADDRESS}",
        postal_code="90999",
        transportation="Bus 77 secret",
        latitude=Decimal("35.771234"),
        longitude=Decimal("-5.812345"),
        front_door_phone=FRONT_DOOR,
        front_door_note="Appelez d'abord",
    )
    service = make_service(
        organisation=organisation,
        location=location,
        name="Hebergement fictif Zeta",
        needs=("emergency_shelter", "reception"),
        hours=(("MO", time(0, 0), time(0, 0)),),
        email="restricted-secret@example.org",
        application_process="NETWORK-ONLY-PROCESS",
        field_visibility={"email": "restricted", "application_process": "network"},
        verified_at=timezone.now(),
        verification_method="phone",
    )
    Phone.objects.create(service=service, number="0500333444", visibility="network")
    Phone.objects.create(service=service, number="0500555666", visibility="restricted")
    Phone.objects.create(service=service, number="0500777888", visibility="public")
    return service


def _names(patterns: list[Any], namespace: str | None = None) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            found += _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            found.append((f"{namespace}:{pattern.name}", pattern))
    return found


def _public_pages(service: Any) -> list[str]:
    """Every route of the public ``help`` namespace, in the three languages, with the secret service."""
    paths = []
    for name, pattern in _names(get_resolver().url_patterns):
        if not name.startswith("help:"):
            continue
        route = str(pattern.pattern)
        route = re.sub(r"<uuid:\w+>", str(service.id), route)
        assert "<" not in route, f"the walk does not know how to fill {route}; teach it"
        for language in ("fr", "ar", "en"):
            paths.append(f"/{language}/help/{route}")
    paths += ["/fr/help/?city=tanger&need=emergency_shelter", "/ar/help/?province=01.511&open_now=1"]
    return paths


def _api_paths(service: Any) -> list[str]:
    location_link = service.service_at_locations.get()
    taxonomy = Taxonomy.objects.get(code="himaya-needs")
    term = TaxonomyTerm.objects.get(taxonomy=taxonomy, code="emergency_shelter")
    ids = {
        "services": service.id,
        "service_at_locations": location_link.id,
        "organizations": service.organisation.hsds_id,
        "taxonomies": taxonomy.id,
        "taxonomy_terms": term.id,
    }
    paths = []
    for name, pattern in _names(get_resolver().url_patterns):
        if not name.startswith("api:hsds_"):
            continue
        route = str(pattern.pattern)
        collection = route.split("/")[0]
        route = re.sub(r"<[\w:]+>", str(ids[collection]), route)
        paths.append(f"/api/v1/{route}")
        paths.append(f"/api/v1/{route}?full=true")
    return paths


def test_public_pages_show_no_secret(secret_service: Any) -> None:
    client = Client()
    seen_service = False
    for path in _public_pages(secret_service):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert not _leaks(body), f"{path} shows {_leaks(body)}"
        seen_service |= "Hebergement fictif Zeta" in body
    assert seen_service, "the walk never reached the secret service: it proves nothing"


def test_public_detail_shows_the_front_door(secret_service: Any) -> None:
    body = Client().get(f"/fr/help/services/{secret_service.id}/").content.decode()
    assert FRONT_DOOR in body
    assert "0500777888" in body  # a public telephone is shown


def test_anonymous_api_shows_no_secret(secret_service: Any) -> None:
    client = Client()
    paths = _api_paths(secret_service)
    assert len(paths) >= 10
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _leaks(response.content.decode()), f"{path} shows {_leaks(response.content.decode())}"
    body = client.get(f"/api/v1/services/{secret_service.id}").content.decode()
    assert "Hebergement fictif Zeta" in body and FRONT_DOOR in body


def test_the_same_secrets_are_shown_to_the_organisation_itself(secret_service: Any) -> None:
    member = make_user("service_provider", organisation=secret_service.organisation)
    client = Client()
    client.force_login(member, backend="allauth.account.auth_backends.AuthenticationBackend")
    body = client.get(f"/api/v1/services/{secret_service.id}?full=true").content.decode()
    assert {"confidential address", "restricted e-mail", "restricted telephone"} <= set(_leaks(body))


def test_public_export_shows_no_secret(secret_service: Any, tmp_path: Path) -> None:
    export_hsds(tmp_path)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.suffix == ".csv" for path in files) and any(path.suffix == ".json" for path in files)
    everything = ""
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not _leaks(text), f"{path.name} shows {_leaks(text)}"
        everything += text
    assert "Hebergement fictif Zeta" in everything and FRONT_DOOR in everything


def test_network_export_keeps_the_restricted_level_out(secret_service: Any, tmp_path: Path) -> None:
    from himaya.directory.visibility import Audience

    export_hsds(tmp_path, audience=Audience.NETWORK)
    text = "".join(path.read_text(encoding="utf-8") for path in tmp_path.rglob("*") if path.is_file())
    leaks = set(_leaks(text))
    assert "network telephone" in leaks and "network-only field" in leaks
    assert not leaks & {
        "confidential address",
        "restricted e-mail",
        "restricted telephone",
        "confidential postcode",
    }


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_pathway_sheet_shows_no_secret(secret_service: Any, language: str) -> None:
    province = secret_service.service_at_locations.get().location.province
    pdf = render_sheet(build_sheet(province=province, need=None, language=language))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert not _leaks(text.replace(" ", "")), _leaks(text)
    assert FRONT_DOOR in text.replace(" ", "")
