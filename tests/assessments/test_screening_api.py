"""The screening API: the indicator list in the request language, creating and listing screenings and formal
identifications, 400 for a rule of the field, 422 for invalid input, refusals, idempotent creates, audited
reads, tokens with their scopes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from himaya.assessments import toolkits
from himaya.assessments.models import FormalIdentification, Screening
from himaya.assessments.services import screening as services
from himaya.core.models import AuditAction, AuditEvent
from tests.api.conftest import bearer
from tests.api.conftest import issue_token as issue_token  # the fixture, for this module
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

PRESUMED = {
    "act.deceptive_recruitment": "yes",
    "means.confiscated_documents": "yes",
    "purpose.domestic_servitude": "yes",
}


@pytest.fixture
def api_for(client_for: Any) -> Any:
    def build(user: Any, language: str = "en") -> Client:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return build


def _post(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, body, content_type="application/json", **extra)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_indicator_list_in_the_request_language(
    staff: dict[str, Any], api_for: Any, language: str
) -> None:
    response = api_for(staff["caseworker"], language).get("/api/v1/screening-indicators")
    assert response.status_code == 200
    body = response.json()
    toolkit = toolkits.current("screening")
    assert body["version"] == toolkit.version
    assert [group["code"] for group in body["groups"]] == ["act", "means", "purpose"]
    item = toolkit.item("means.debt_bondage")
    assert item is not None
    means = body["groups"][1]["items"]
    assert {"code": "means.debt_bondage", "label": item.labels[language]} in means
    assert api_for(staff["analyst"]).get("/api/v1/screening-indicators").status_code == 403
    assert Client().get("/api/v1/screening-indicators").status_code == 401


def test_create_and_list_screenings(staff: dict[str, Any], api_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    client = api_for(worker)
    url = f"/api/v1/cases/{case.code}/screenings"
    response = _post(
        client, url, {"answers": PRESUMED, "notes": {"means.confiscated_documents": "Kept by her employer."}}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "presumed"
    assert body["elements"] == {"act": "yes", "means": "yes", "purpose": "yes"}
    assert body["missing"] == {}
    assert body["notes"] == {"means.confiscated_documents": "Kept by her employer."}
    assert body["case_stage"] == "identification"
    assert len(body["rights"]) == 6
    means = next(element for element in body["detail"] if element["code"] == "means")
    assert means["reasons"] == ["Identity or travel documents confiscated or withheld"]
    partial = _post(client, url, {"answers": {"act.harbouring": "yes"}})
    assert partial.json()["outcome"] == "possible"
    assert partial.json()["missing"] == {"means": "unknown", "purpose": "unknown"}
    assert partial.json()["rights"] == []
    listing = client.get(url)
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [item["id"] for item in items] == [partial.json()["id"], body["id"]]
    assert "notes" not in items[0] and "answers" not in items[0]
    detail = client.get(f"{url}/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["notes"] == {"means.confiscated_documents": "Kept by her employer."}
    read = AuditEvent.objects.filter(action=AuditAction.READ, object_type="assessments.screening")
    assert read.exists()


def test_rules_of_the_field_answer_400_and_invalid_input_422(staff: dict[str, Any], api_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    no_birth_year = make_case(worker, birth_year=None)
    client = api_for(worker)
    url = f"/api/v1/cases/{case.code}/screenings"
    unknown = _post(client, url, {"answers": {"act.invented": "yes"}})
    assert unknown.status_code == 400
    assert "act.invented" in unknown.json()["detail"]
    age = _post(client, f"/api/v1/cases/{no_birth_year.code}/screenings", {"answers": PRESUMED})
    assert age.status_code == 400
    assert "year of birth is not recorded" in age.json()["detail"]
    assert _post(client, url, {"answers": {"act.harbouring": "maybe"}}).status_code == 422
    assert _post(client, url, {"answers": PRESUMED, "age_basis": "birth_year"}).status_code == 422
    assert _post(client, url, {"answers": "yes"}).status_code == 422
    assert _post(client, url, {"answers": PRESUMED, "extra": 1}).status_code == 422
    assert not Screening.objects.exists()
    adult = _post(
        client,
        f"/api/v1/cases/{no_birth_year.code}/screenings",
        {"answers": PRESUMED, "age_basis": "declared_adult"},
    )
    assert adult.status_code == 201
    assert adult.json()["age_basis"] == "declared_adult"


def test_refusals_and_other_organisations(staff: dict[str, Any], api_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    screening = services.screening_record(actor=worker, case=case, answers={})
    url = f"/api/v1/cases/{case.code}/screenings"
    assert _post(api_for(staff["outsider"]), url, {"answers": PRESUMED}).status_code == 404
    assert api_for(staff["outsider"]).get(f"{url}/{screening.pk}").status_code == 404
    assert _post(api_for(staff["analyst"]), url, {"answers": PRESUMED}).status_code == 404
    assert _post(Client(), url, {"answers": PRESUMED}).status_code == 401
    assert Screening.objects.count() == 1
    other = make_case(staff["outsider"])
    # A screening of this case is not found under another case's code.
    assert api_for(worker).get(f"/api/v1/cases/{other.code}/screenings/{screening.pk}").status_code == 404


def test_idempotent_create(staff: dict[str, Any], api_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    client = api_for(worker)
    url = f"/api/v1/cases/{case.code}/screenings"
    first = _post(client, url, {"answers": PRESUMED}, HTTP_IDEMPOTENCY_KEY="screen-1")
    again = _post(client, url, {"answers": PRESUMED}, HTTP_IDEMPOTENCY_KEY="screen-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Screening.objects.count() == 1
    other = _post(client, url, {"answers": {}}, HTTP_IDEMPOTENCY_KEY="screen-1")
    assert other.status_code == 409


def test_identifications(staff: dict[str, Any], api_for: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    client = api_for(worker)
    url = f"/api/v1/cases/{case.code}/identifications"
    today = timezone.localdate()
    body = {
        "authority": "prosecutor",
        "authority_name": "Parquet de Tanger",
        "decided_on": today.isoformat(),
        "decision": "identified",
        "reference": "PR-7",
    }
    created = _post(client, url, body, HTTP_IDEMPOTENCY_KEY="identification-1")
    assert created.status_code == 201, created.content
    assert created.json()["reference"] == "PR-7"
    future = _post(client, url, {**body, "decided_on": (today + timezone.timedelta(days=3)).isoformat()})
    assert future.status_code == 400
    assert _post(client, url, {**body, "decision": "perhaps"}).status_code == 422
    assert _post(client, url, {**body, "decided_on": "not a date"}).status_code == 422
    assert FormalIdentification.objects.count() == 1
    listing = client.get(url)
    assert listing.status_code == 200
    assert [item["decision"] for item in listing.json()["items"]] == ["identified"]
    assert _post(api_for(staff["outsider"]), url, body).status_code == 404


def test_tokens_need_their_scopes(staff: dict[str, Any], org: Any, issue_token: Any) -> None:
    worker = staff["caseworker"]
    case = make_case(worker)
    url = f"/api/v1/cases/{case.code}/screenings"
    _reader, read_secret = issue_token(org, scopes=["cases:read"], acting_user=worker)
    _writer, write_secret = issue_token(org, scopes=["cases:read", "cases:write"], acting_user=worker)
    client = Client()
    assert client.get(url, **bearer(read_secret)).status_code == 200
    refused = client.post(url, {"answers": PRESUMED}, content_type="application/json", **bearer(read_secret))
    assert refused.status_code == 403
    allowed = client.post(url, {"answers": PRESUMED}, content_type="application/json", **bearer(write_secret))
    assert allowed.status_code == 201
