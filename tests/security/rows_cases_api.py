"""Permission matrix rows: the cases API (/api/v1/cases…, /api/v1/survivors…), session authentication.

World objects: ``own_case`` / ``other_case`` and their survivors; incidents and consents are recorded on first use
(rows_cases_records). The case roles of the case's organisation may use every route; another organisation's
case or survivor answers 404 (never confirmed); roles without case work get 403 on the lists and 404 on an
object. Anonymous callers get 401.

Ninja validates a request body before the view checks access, and the matrix sends no body: the routes that
create (POST) or change (PATCH) share their URL with a read and are checked here with GET on that URL;
tests/api/test_cases_api.py sends each write with a valid body as every refused role. Tokens (scopes, acting user)
are covered in tests/api.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES
from tests.security.matrix import NOBODY, Row
from tests.security.rows_cases_records import _consent, _incident

URL = Callable[[dict[str, Any], str], str]


def case(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code)


def survivor(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].survivor.code)


def incident(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code, _incident(world, side).pk)


def consent(template: str) -> URL:
    return lambda world, side: template.format(world[f"{side}_case"].code, _consent(world, side).pk)


def _list(url: URL) -> Row:
    return Row(url=url, own=CASE_ROLES, anonymous={401}, api=True)


def _object(url: URL, method: str = "GET") -> Row:
    return Row(url=url, method=method, own=CASE_ROLES, other=NOBODY, anonymous={401}, api=True)


def _fixed(path: str) -> URL:
    return lambda world, side: path


ROWS: dict[str, Row] = {
    "api:case_list": _list(_fixed("/api/v1/cases")),
    "api:case_create": _list(_fixed("/api/v1/cases")),  # same URL: GET (see above)
    "api:case_detail": _object(case("/api/v1/cases/{}")),
    "api:case_update": _object(case("/api/v1/cases/{}")),  # same URL: GET
    # The search answers 403 to roles without case work; with a code it finds only visible survivors.
    "api:survivor_list": _list(survivor("/api/v1/survivors?code={}")),
    "api:survivor_detail": _object(survivor("/api/v1/survivors/{}")),
    "api:survivor_update": _object(survivor("/api/v1/survivors/{}")),  # same URL: GET
    "api:incident_list": _object(case("/api/v1/cases/{}/incidents")),
    "api:incident_create": _object(case("/api/v1/cases/{}/incidents")),  # same URL: GET
    "api:incident_detail": _object(incident("/api/v1/cases/{}/incidents/{}")),
    "api:consent_list": _object(case("/api/v1/cases/{}/consents")),
    "api:consent_create": _object(case("/api/v1/cases/{}/consents")),  # same URL: GET
    # A withdrawal takes an optional body: POST itself (rolled back after each request).
    "api:consent_withdraw": _object(consent("/api/v1/cases/{}/consents/{}/withdraw"), method="POST"),
    "api:note_list": _object(case("/api/v1/cases/{}/notes")),
    "api:note_create": _object(case("/api/v1/cases/{}/notes")),  # same URL: GET
}
