"""Who may see and do what with survivors and cases: the scopes and the rules predicates.

Need to know, enforced here and checked in services:
- a case is visible to the members of its organisation who hold a case role (the system administrator never,
  analysts and directory editors never); referrals (a later feature) add the recipient organisation, limited
  to the shared fields, while the referral is open;
- a survivor is visible when one of her cases is;
- supervisors see their organisation's queue and assign caseworkers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from himaya.accounts.policies import is_supervisor, require, works_on_cases

__all__ = ["case_scope", "require", "survivor_scope"]

if TYPE_CHECKING:
    from himaya.cases.models import CaseQuerySet, SurvivorQuerySet


def case_scope(queryset: CaseQuerySet, user: Any) -> CaseQuerySet:
    if not works_on_cases(user) or not user.organisation_id:
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


def survivor_scope(queryset: SurvivorQuerySet, user: Any) -> SurvivorQuerySet:
    from himaya.cases.models import Case

    if not works_on_cases(user):
        return queryset.none()
    return queryset.filter(pk__in=case_scope(Case.objects.all(), user).values("survivor_id"))


def _case_of(obj: Any) -> Any:
    """The case an object belongs to (a case, an incident, a consent, a note, a document…)."""
    return obj if hasattr(obj, "survivor_id") and hasattr(obj, "entry_point") else getattr(obj, "case", None)


@rules.predicate
def works_on_the_case(user: Any, obj: Any) -> bool:
    case = _case_of(obj)
    return bool(works_on_cases(user) and case is not None and case.organisation_id == user.organisation_id)


@rules.predicate
def case_is_open(user: Any, obj: Any) -> bool:
    case = _case_of(obj)
    return case is not None and case.is_open


@rules.predicate
def works_with_the_survivor(user: Any, obj: Any) -> bool:
    """``obj`` is a survivor: the user works on one of her cases."""
    from himaya.cases.models import Survivor

    return bool(
        works_on_cases(user)
        and obj is not None
        and Survivor.objects.visible_to(user).filter(pk=obj.pk).exists()
    )


supervises_the_case = is_supervisor & works_on_the_case

# The case lifecycle (domain.md, "Case lifecycle"): from each stage, the stages a case may be moved to. Going back
# to assessment is always possible (new facts); "closure" is reached only through an approved closure request
# and left only by reopening the case (which returns it to follow-up).
STAGE_MOVES: dict[str, tuple[str, ...]] = {
    "reception": ("assessment", "identification"),
    "assessment": ("identification", "plan"),
    "identification": ("assessment", "plan"),
    "plan": ("assessment", "protection"),
    "protection": ("assessment", "plan", "judicial", "return", "follow_up"),
    "judicial": ("assessment", "protection", "return", "follow_up"),
    "return": ("assessment", "protection", "follow_up"),
    "follow_up": ("assessment", "plan", "protection", "judicial", "return"),
    "closure": (),
}


def stage_moves(stage: str) -> tuple[str, ...]:
    """The stages a case at ``stage`` may be moved to by hand."""
    return STAGE_MOVES.get(stage, ())


rules.add_perm("cases.add_case", works_on_cases)
rules.add_perm("cases.view_case", works_on_the_case)
rules.add_perm("cases.change_case", works_on_the_case & case_is_open)
rules.add_perm("cases.assign_case", supervises_the_case)
rules.add_perm("cases.view_organisation_queue", is_supervisor & works_on_cases)
rules.add_perm("cases.view_survivor", works_with_the_survivor)
rules.add_perm("cases.change_survivor", works_with_the_survivor)
rules.add_perm("cases.reveal_identity", works_with_the_survivor)
rules.add_perm("cases.search_survivors", works_on_cases)
# obj: the case.
rules.add_perm("cases.add_incident", works_on_the_case & case_is_open)
rules.add_perm("cases.manage_consent", works_on_the_case & case_is_open)
rules.add_perm("cases.add_note", works_on_the_case & case_is_open)
rules.add_perm("cases.add_document", works_on_the_case & case_is_open)
rules.add_perm("cases.view_document", works_on_the_case)


@rules.predicate
def case_is_closed(user: Any, obj: Any) -> bool:
    case = _case_of(obj)
    return case is not None and not case.is_open


# Closing a case (services/closure.py). obj: the case (for decide_closure: the case of the request). Whoever works
# on the case asks; only a supervisor of its organisation decides (a caseworker never, even on her own request),
# reopens a closed case or sets a legal hold.
rules.add_perm("cases.request_closure", works_on_the_case & case_is_open)
rules.add_perm("cases.decide_closure", supervises_the_case)
rules.add_perm("cases.reopen_case", supervises_the_case & case_is_closed)
rules.add_perm("cases.set_legal_hold", supervises_the_case)
rules.add_perm("cases.view_pending_closures", is_supervisor & works_on_cases)


@rules.predicate
def added_the_record(user: Any, obj: Any) -> bool:
    """``obj`` (a note, a document…) was added by the user."""
    return obj is not None and getattr(obj, "created_by_id", None) == getattr(user, "pk", None)


# obj: the document. Its uploader, or a supervisor of the case's organisation, while the case is open.
rules.add_perm("cases.remove_document", works_on_the_case & case_is_open & (is_supervisor | added_the_record))
