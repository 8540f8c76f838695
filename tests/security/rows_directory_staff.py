"""Permission matrix rows: staff pages of the directory.

World objects: ``own_service`` / ``other_service`` (a service with one location of ``own_org`` / ``other_org``).
Proposals are created on first use: on the own side by the caseworker of ``users`` (so that only she may
withdraw it), on the other side by ``other_user``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from himaya.accounts.roles import Role
from himaya.directory.models import ChangeProposal, Phone
from tests.security.matrix import ALL, NOBODY, Row, fixed, obj

EDITORS = frozenset({Role.DIRECTORY_EDITOR, Role.SYSTEM_ADMIN})  # directory.policies.is_editor
DIRECTORY_EDITOR = frozenset({Role.DIRECTORY_EDITOR})
# directory.propose_change: the service's organisation's members, the system administrator excepted.
MEMBERS = ALL - {Role.SYSTEM_ADMIN}


def _proposal(world: dict[str, Any], side: str) -> ChangeProposal:
    key = f"{side}_directory_proposal"
    if key not in world:
        service = world[f"{side}_service"]
        proposer = world["users"][Role.CASEWORKER] if side == "own" else world["other_user"]
        world[key] = ChangeProposal.objects.create(
            service=service,
            proposed_by=proposer,
            base_version=service.version,
            base={"description": service.description},
            changes={"description": "Accueil du lundi au vendredi."},
        )
    return world[key]


def proposal(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(_proposal(world, side).pk)


def location(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(world[f"{side}_service"].locations.first().pk)


SERVICE = "/fr/directory/{}/"

ROWS: dict[str, Row] = {
    # Reading: every staff role, any organisation.
    "directory:service_list": Row(url=fixed("/fr/directory/"), own=ALL),
    "directory:my_organisation": Row(url=fixed("/fr/directory/mine/"), own=ALL),
    "directory:service_detail": Row(url=obj(SERVICE, "service"), own=ALL, other=ALL),
    # Editing: the directory editors (and the system administrator, as directory.policies.is_editor says).
    "directory:service_create": Row(url=fixed("/fr/directory/new/"), own=EDITORS),
    "directory:service_edit": Row(url=obj(SERVICE + "edit/", "service"), own=EDITORS, other=EDITORS),
    "directory:service_status": Row(url=obj(SERVICE + "status/", "service"), own=EDITORS, other=EDITORS),
    "directory:service_alert": Row(url=obj(SERVICE + "alert/", "service"), own=EDITORS, other=EDITORS),
    "directory:service_hours": Row(url=obj(SERVICE + "hours/", "service"), own=EDITORS, other=EDITORS),
    "directory:service_areas": Row(url=obj(SERVICE + "areas/", "service"), own=EDITORS, other=EDITORS),
    "directory:location_create": Row(
        url=obj(SERVICE + "locations/new/", "service"), own=EDITORS, other=EDITORS
    ),
    "directory:location_edit": Row(
        url=location("/fr/directory/locations/{}/edit/"), own=EDITORS, other=EDITORS
    ),
    # Verification and review: directory editors only.
    "directory:stale_list": Row(url=fixed("/fr/directory/stale/"), own=DIRECTORY_EDITOR),
    "directory:service_verify": Row(
        url=obj(SERVICE + "verify/", "service"), own=DIRECTORY_EDITOR, other=DIRECTORY_EDITOR
    ),
    "directory:proposal_queue": Row(url=fixed("/fr/directory/proposals/"), own=DIRECTORY_EDITOR),
    "directory:proposal_approve": Row(
        url=proposal("/fr/directory/proposals/{}/approve/"),
        method="POST",
        own=DIRECTORY_EDITOR,
        other=DIRECTORY_EDITOR,
    ),
    "directory:proposal_reject": Row(
        url=proposal("/fr/directory/proposals/{}/reject/"),
        method="POST",
        own=DIRECTORY_EDITOR,
        other=DIRECTORY_EDITOR,
    ),
    # Proposals: the service's own organisation (not another one); editors read them to review.
    "directory:proposal_create": Row(url=obj(SERVICE + "propose/", "service"), own=MEMBERS, other=NOBODY),
    "directory:proposal_detail": Row(
        url=proposal("/fr/directory/proposals/{}/"), own=MEMBERS, other=DIRECTORY_EDITOR
    ),
    "directory:proposal_withdraw": Row(
        url=proposal("/fr/directory/proposals/{}/withdraw/"),
        method="POST",
        own=frozenset({Role.CASEWORKER}),
        other=NOBODY,
    ),
    # Capacity: the service's organisation's members, or a directory editor.
    "directory:service_capacity": Row(
        url=obj(SERVICE + "capacity/", "service"), own=ALL, other=DIRECTORY_EDITOR
    ),
}

# Import, export and the partners' template (transfer_views): no object, so only ``own`` applies.
ROWS.update(
    {
        "directory:transfer_import": Row(url=fixed("/fr/directory/transfer/import/"), own=EDITORS),
        "directory:transfer_import_check": Row(
            url=fixed("/fr/directory/transfer/import/check/"), method="POST", own=EDITORS
        ),
        "directory:transfer_import_confirm": Row(
            url=fixed("/fr/directory/transfer/import/confirm/"), method="POST", own=EDITORS
        ),
        "directory:transfer_import_discard": Row(
            url=fixed("/fr/directory/transfer/import/discard/"), method="POST", own=EDITORS
        ),
        "directory:transfer_export": Row(url=fixed("/fr/directory/transfer/export/"), own=ALL),
        "directory:transfer_export_download": Row(
            url=fixed("/fr/directory/transfer/export/download/"), method="POST", own=ALL
        ),
        "directory:transfer_template_xlsx": Row(url=fixed("/fr/directory/transfer/template.xlsx"), own=ALL),
        "directory:transfer_template_csv": Row(url=fixed("/fr/directory/transfer/template.csv"), own=ALL),
    }
)


# Telephones of a service: the directory editors (directory.change_service). The telephone is created on first
# use; the removal row checks the confirmation page (GET), tests/directory/test_phones.py the removal itself.
def _phone(world: dict[str, Any], side: str) -> Phone:
    key = f"{side}_directory_phone"
    if key not in world:
        world[key] = Phone.objects.create(service=world[f"{side}_service"], number="0522 40 40 40")
    return world[key]


def phone(template: str) -> Callable[[dict[str, Any], str], str]:
    return lambda world, side: template.format(_phone(world, side).pk)


ROWS.update(
    {
        "directory:phone_add": Row(url=obj(SERVICE + "phones/new/", "service"), own=EDITORS, other=EDITORS),
        "directory:phone_edit": Row(url=phone("/fr/directory/phones/{}/edit/"), own=EDITORS, other=EDITORS),
        "directory:phone_remove": Row(
            url=phone("/fr/directory/phones/{}/remove/"), own=EDITORS, other=EDITORS
        ),
    }
)
