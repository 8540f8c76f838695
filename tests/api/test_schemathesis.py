"""Schemathesis drives every operation of the OpenAPI document against the in-process WSGI application.

For each operation it generates valid and invalid inputs and checks that none gives a server error and that
every response (status code, content type, headers, body) conforms to the document — anonymously, and with a
bearer token holding every scope, whose acting user is a caseworker with a case (an incident, a consent, a
note): the case operations are then fuzzed with known codes and ids, so that their detail routes answer 200 too.

(schemathesis.pytest.from_fixture cannot be used: its lazy loader writes ``Item._nodeid``, which pytest 9 no
longer has; so each operation is a parametrized test driving the operation's own hypothesis strategies.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from himaya.api.api import api
from himaya.cases.services import consents as consent_services
from himaya.cases.services import incidents as incident_services
from himaya.cases.services import notes as note_services
from himaya.config.wsgi import application
from tests.api.conftest import ALL_SCOPES
from tests.cases.factories import make_case
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

OPENAPI = "/api/v1/openapi.json"
OPERATIONS = sorted(
    f"{method.upper()} {path}"
    for path, methods in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items()
    for method in methods
)
# The case operations answer every anonymous call 401 before reading the body, and their bodies are large to
# generate: fewer examples keep the file's runtime reasonable (about two minutes on an idle machine).
CASE_PATHS = ("/api/v1/cases", "/api/v1/survivors")
CASE_EXAMPLES = {"anonymous": 10, "token": 30}
FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """The WSGI handler closes "old" database connections around each request. Django's test client turns that
    off so the test's transaction survives; do the same, since schemathesis calls the real WSGI handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_in_test_transaction: None) -> schemathesis.BaseSchema:
    # Something for the generated ids and searches to find: two organisations with users of several roles.
    for name in ("Cellule Tanger", "Association Rabat"):
        organisation = make_organisation(name=name)
        make_user("supervisor", organisation=organisation)
        make_user("caseworker", "territorial_analyst", organisation=organisation)
    return schemathesis.openapi.from_wsgi(OPENAPI, application)


def bearer(secret: str) -> type:
    """An auth provider: schemathesis then knows the credentials are real, and its ``ignored_auth`` check
    replays each successful request without them and with forged ones, expecting 401/403."""

    class Bearer:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return secret

        def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    return Bearer


def fuzz(
    api_schema: schemathesis.BaseSchema,
    label: str,
    known_ids: dict[str, int | str] | None = None,
    case_examples: int | None = None,
) -> None:
    """Valid and invalid inputs for one operation; with ``known_ids`` also valid inputs naming existing objects
    (generated ids alone would almost never find one, leaving the 200 answers of detail operations untested).
    ``known_ids`` names path parameters; "survivor_code" is the ``code`` of the /survivors/ paths."""
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    auth = api_schema.auth if api_schema.auth.is_defined else None
    cases = operation.as_strategy(GenerationMode.POSITIVE, auth_storage=auth) | operation.as_strategy(
        GenerationMode.NEGATIVE, auth_storage=auth
    )
    known = dict(known_ids or {})
    if path.startswith("/api/v1/survivors/") and "survivor_code" in known:
        known["code"] = known["survivor_code"]
    existing = {name: value for name, value in known.items() if "{" + name + "}" in path}
    if existing:
        cases |= operation.as_strategy(GenerationMode.POSITIVE, auth_storage=auth, path_parameters=existing)

    fuzzing = FUZZ
    if case_examples is not None and path.startswith(CASE_PATHS):
        fuzzing = settings(FUZZ, max_examples=case_examples)

    @fuzzing
    @given(case=cases)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate()

    check()


def test_it_serves_the_operations_under_test(api_schema):
    served = sorted(
        f"{result.ok().method.upper()} {result.ok().path}" for result in api_schema.get_all_operations()
    )
    assert served == OPERATIONS
    assert {"GET /api/v1/users", "GET /api/v1/organisations/{organisation_id}"} <= set(served)


@pytest.mark.parametrize("label", OPERATIONS)
def test_it_conforms_anonymously(api_schema, label):
    fuzz(api_schema, label, case_examples=CASE_EXAMPLES["anonymous"])


@pytest.mark.parametrize("label", OPERATIONS)
def test_it_conforms_with_a_token_holding_every_scope(api_schema, issue_token, label):
    organisation = make_organisation(name="Partenaire")
    colleague = make_user("caseworker", organisation=organisation)
    case = make_case(colleague)
    incident = incident_services.incident_create(
        actor=colleague, case=case, values={"involved_physical_assault": True}
    )
    consent = consent_services.consent_give(actor=colleague, case=case, purpose="services", method="verbal")
    note_services.note_add(actor=colleague, case=case, body="First call.")
    _, secret = issue_token(organisation, scopes=ALL_SCOPES, acting_user=colleague)
    api_schema.auth()(bearer(secret))
    known: dict[str, int | str] = {
        "organisation_id": organisation.pk,
        "user_id": colleague.pk,
        "code": case.code,
        "survivor_code": case.survivor.code,
        "incident_id": incident.pk,
        "consent_id": consent.pk,
    }
    fuzz(api_schema, label, known_ids=known, case_examples=CASE_EXAMPLES["token"])
