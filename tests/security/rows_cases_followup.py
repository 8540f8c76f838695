"""Permission matrix rows: case management (followup): notes, contact log, documents.

World objects: ``own_case`` / ``other_case`` (an open case of ``own_org`` / ``other_org``, opened by the caseworker of
``users`` / by ``other_user``; ``case.survivor`` is her survivor). URLs address cases and survivors by code.
A document is added on first use: on the own side by the caseworker of ``users`` (so that she, as its uploader,
and the supervisor may remove it), on the other side by ``other_user``. The pages that add (notes, contacts,
documents) and the removal are checked by their GET form; tests/cases/test_*_views.py check the POSTs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import CASE_ROLES, Role
from himaya.cases.models import Document
from himaya.cases.services import documents as document_services
from tests.security.matrix import NOBODY, Row

CASE_WORK = frozenset(CASE_ROLES)
UPLOADER_OR_SUPERVISOR = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


def _document(world: dict[str, Any], side: str) -> Document:
    key = f"{side}_case_document"
    if key not in world:
        actor = world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]
        world[key] = document_services.document_add(
            actor=actor,
            case=world[f"{side}_case"],
            kind="complaint",
            title="Plainte",
            file_name="plainte.txt",
            data=b"Plainte deposee le 3 mars.\n",
        )
    return world[key]


def case_page(suffix: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: f"/fr/cases/{world[f'{side}_case'].code}/{suffix}"


def document(suffix: str) -> Callable[[dict[str, Any], str], str]:
    def build(world: dict[str, Any], side: str) -> str:
        item = _document(world, side)
        return f"/fr/cases/{world[f'{side}_case'].code}/documents/{item.pk}/{suffix}"

    return build


ROWS: dict[str, Row] = {
    "cases:case_notes": Row(url=case_page("notes/"), own=CASE_WORK, other=NOBODY),
    "cases:case_contacts": Row(url=case_page("contacts/"), own=CASE_WORK, other=NOBODY),
    "cases:case_documents": Row(url=case_page("documents/"), own=CASE_WORK, other=NOBODY),
    "cases:document_download": Row(url=document("download/"), own=CASE_WORK, other=NOBODY),
    "cases:document_remove": Row(url=document("remove/"), own=UPLOADER_OR_SUPERVISOR, other=NOBODY),
}
