"""Who may see and change the retention policies and decide erasure requests (rules predicates).

- the retention policies (delays): the system administrator only (a setting, no victim data);
- an erasure request: recorded by anyone who works on one of her cases; decided by a supervisor of the
  organisation that recorded it (who must also see her); the queue of requests: supervisors who work on cases.
"""

from __future__ import annotations

from typing import Any

import rules

from himaya.accounts.policies import is_supervisor, is_system_admin, works_on_cases
from himaya.cases.policies import require, works_with_the_survivor

__all__ = ["require"]


@rules.predicate
def request_of_the_organisation(user: Any, obj: Any) -> bool:
    """``obj`` is an erasure request recorded in the user's organisation, for a survivor the user may see."""
    if obj is None or not works_on_cases(user):
        return False
    requester = obj.requested_by
    if requester is None or requester.organisation_id != user.organisation_id:
        return False
    return bool(works_with_the_survivor(user, obj.survivor))


rules.add_perm("retention.manage_policies", is_system_admin)
rules.add_perm("retention.request_erasure", works_with_the_survivor)  # obj: the survivor
rules.add_perm("retention.view_erasure_queue", is_supervisor & works_on_cases)
rules.add_perm("retention.decide_erasure", is_supervisor & request_of_the_organisation)  # obj: the request
