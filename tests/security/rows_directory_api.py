"""Permission matrix rows: directory read API (HSDS shape).

World objects: ``own_service`` / ``other_service`` (a service with one location of ``own_org`` / ``other_org``).
The API is public: anonymous callers get 200 (public level), every role too (network level, restricted for the
own organisation's entries; tests/directory/test_api.py checks what each level shows). A partner system's token
needs the scope "directory:read" (403 without it; tests/directory/test_api.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.directory.models import Taxonomy, TaxonomyTerm
from tests.security.matrix import ALL, Row, fixed

URL = Callable[[dict[str, Any], str], str]


def _service(world: dict[str, Any], side: str) -> str:
    return f"/api/v1/services/{world[f'{side}_service'].pk}"


def _link(world: dict[str, Any], side: str) -> str:
    return f"/api/v1/service_at_locations/{world[f'{side}_service'].service_at_locations.get().pk}"


def _organization(world: dict[str, Any], side: str) -> str:
    return f"/api/v1/organizations/{world[f'{side}_org'].hsds_id}"


def _taxonomy(world: dict[str, Any], side: str) -> str:
    return f"/api/v1/taxonomies/{Taxonomy.objects.get(code='himaya-needs').pk}"


def _term(world: dict[str, Any], side: str) -> str:
    return f"/api/v1/taxonomy_terms/{TaxonomyTerm.objects.get(code='reception').pk}"


def _public(url: URL, *, per_object: bool = False) -> Row:
    return Row(url=url, own=ALL, other=ALL if per_object else None, anonymous={200}, api=True)


ROWS: dict[str, Row] = {
    "api:hsds_service_list": _public(fixed("/api/v1/services")),
    "api:hsds_service_detail": _public(_service, per_object=True),
    "api:hsds_service_at_location_list": _public(fixed("/api/v1/service_at_locations")),
    "api:hsds_service_at_location_detail": _public(_link, per_object=True),
    "api:hsds_organization_list": _public(fixed("/api/v1/organizations")),
    "api:hsds_organization_detail": _public(_organization, per_object=True),
    "api:hsds_taxonomy_list": _public(fixed("/api/v1/taxonomies")),
    "api:hsds_taxonomy_detail": _public(_taxonomy),
    "api:hsds_taxonomy_term_list": _public(fixed("/api/v1/taxonomy_terms")),
    "api:hsds_taxonomy_term_detail": _public(_term),
}
