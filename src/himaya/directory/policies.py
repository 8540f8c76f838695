"""Who may do what in the directory (rules predicates).

The directory holds no victim data: every signed-in staff member reads it at the "network" level. Directory
editors (and administrators) edit and verify every entry; an organisation's own members propose changes to its
services, which an editor reviews; they record the capacity of their own shelters. Analysts read the gap
analysis. Anonymous visitors see only the public level, through the public pages and API.
"""

from __future__ import annotations

from typing import Any

import rules

from himaya.accounts.policies import (
    is_analyst,
    is_directory_editor,
    is_staff_member,
    is_supervisor,
    is_system_admin,
    same_organisation,
)
from himaya.accounts.roles import Role


@rules.predicate
def is_member_of_service_organisation(user: Any, obj: Any) -> bool:
    """``obj`` is a service, a location or an organisation; the user belongs to its organisation."""
    return same_organisation(user, obj)


@rules.predicate
def works_in_directory_organisation(user: Any) -> bool:
    return is_staff_member(user) and not user.has_role(Role.SYSTEM_ADMIN)


is_editor = is_directory_editor | is_system_admin

rules.add_perm("directory.view_directory", is_staff_member)
rules.add_perm("directory.add_service", is_editor)
rules.add_perm("directory.change_service", is_editor)
rules.add_perm("directory.verify_service", is_directory_editor)
rules.add_perm("directory.review_proposal", is_directory_editor)
# obj: the service. Members of the service's organisation propose changes to it.
rules.add_perm(
    "directory.propose_change", works_in_directory_organisation & is_member_of_service_organisation
)
# obj: the service. Capacity: the organisation's members, or an editor.
rules.add_perm("directory.record_capacity", is_directory_editor | is_member_of_service_organisation)
rules.add_perm("directory.import", is_editor)
rules.add_perm("directory.export", is_staff_member)
rules.add_perm("directory.view_gaps", is_analyst | is_directory_editor | is_supervisor)
# Restricted fields of an entry (confidential addresses…): its organisation and the editors.
rules.add_perm("directory.view_restricted", is_editor | is_member_of_service_organisation)
