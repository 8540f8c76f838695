"""Reading survivors: possible duplicates at intake, search through the blind indexes, one survivor's page.

Every read starts from ``Survivor.objects.visible_to(user)`` / ``Case.objects.visible_to(user)``. Searches are
reads of personal data: they are audited with the *kinds* of criteria used, never the values typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.cases import codes
from himaya.cases.models import Case, Survivor, SurvivorLookup
from himaya.cases.policies import require
from himaya.cases.services.survivors import (
    IDENTIFYING_FIELDS,
    PROFILE_FIELDS,
    document_digest,
    name_digests,
    phone_digest,
)
from himaya.core import audit, crypto
from himaya.core.models import AuditAction

# Why a survivor looks like the one being registered (stable codes; ``reason_label`` translates them).
SAME_NAME_AND_BIRTH_YEAR = "name_birth_year"
SAME_NAME = "name"  # same name, the year of birth missing on one side
SAME_PHONE = "phone"
SAME_ID_NUMBER = "id_number"


def reason_label(reason: str) -> str:
    labels = {
        SAME_NAME_AND_BIRTH_YEAR: _("same name and year of birth"),
        SAME_NAME: _("same name (year of birth not recorded)"),
        SAME_PHONE: _("same telephone"),
        SAME_ID_NUMBER: _("same identity document number"),
    }
    return labels.get(reason, reason)


@dataclass
class PossibleDuplicate:
    """A survivor the user may see who looks like the one being registered, and why (``reasons``: codes)."""

    survivor: Survivor
    reasons: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.survivor.code

    @property
    def reason_labels(self) -> list[str]:
        return [reason_label(reason) for reason in self.reasons]


def _value(values: Mapping[str, Any], name: str) -> str:
    return str(values.get(name) or "")


def value_digests(values: Mapping[str, Any]) -> dict[str, set[str]]:
    """The blind-index digests of submitted survivor values, by lookup kind."""
    names: set[str] = set()
    for script in ("latin", "arabic"):
        names |= name_digests(_value(values, f"given_name_{script}"), _value(values, f"family_name_{script}"))
    phones = {phone_digest(_value(values, name)) for name in ("phone", "other_phone")}
    document = document_digest(_value(values, "id_document_number"))
    return {
        SurvivorLookup.Kind.NAME: names,
        SurvivorLookup.Kind.PHONE: {digest for digest in phones if digest},
        SurvivorLookup.Kind.ID_NUMBER: {document} if document else set(),
    }


def possible_duplicates(
    user: User, values: Mapping[str, Any], *, exclude: Survivor | None = None, limit: int = 10
) -> list[PossibleDuplicate]:
    """Survivors visible to ``user`` with the same normalised name and year of birth, the same telephone or the
    same identity document number as ``values`` (a form's cleaned data). Codes only: nothing is decrypted."""
    digests = value_digests(values)
    condition = Q()
    for kind, kind_digests in digests.items():
        if kind_digests:
            condition |= Q(kind=kind, digest__in=sorted(kind_digests))
    if not condition:
        return []
    visible = Survivor.objects.visible_to(user)
    if exclude is not None:
        visible = visible.exclude(pk=exclude.pk)
    rows = (
        SurvivorLookup.objects.filter(
            condition, organisation_id=user.organisation_id, survivor__in=visible.values("pk")
        )
        .values_list("survivor_id", "kind")
        .distinct()
    )
    kinds_by_survivor: dict[int, set[str]] = {}
    for survivor_id, kind in rows:
        kinds_by_survivor.setdefault(survivor_id, set()).add(kind)
    if not kinds_by_survivor:
        return []
    birth_year = values.get("birth_year")
    found: list[PossibleDuplicate] = []
    survivors = Survivor.objects.filter(pk__in=kinds_by_survivor).only(
        "pk", "code", "birth_year", "created_at"
    )
    for survivor in survivors.order_by("-created_at", "-pk"):
        kinds = kinds_by_survivor[survivor.pk]
        reasons: list[str] = []
        if SurvivorLookup.Kind.NAME in kinds:
            if birth_year in (None, "") or survivor.birth_year is None:
                reasons.append(SAME_NAME)
            elif int(birth_year) == survivor.birth_year:
                reasons.append(SAME_NAME_AND_BIRTH_YEAR)
        if SurvivorLookup.Kind.PHONE in kinds:
            reasons.append(SAME_PHONE)
        if SurvivorLookup.Kind.ID_NUMBER in kinds:
            reasons.append(SAME_ID_NUMBER)
        if reasons:
            found.append(PossibleDuplicate(survivor=survivor, reasons=reasons))
    # The strongest signals first: an identity document, then a telephone, then a name.
    strength = {SAME_ID_NUMBER: 0, SAME_PHONE: 1, SAME_NAME_AND_BIRTH_YEAR: 2, SAME_NAME: 3}
    found.sort(key=lambda duplicate: min(strength[reason] for reason in duplicate.reasons))
    return found[:limit]


# Search --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCriteria:
    """What a search asks; empty strings and None mean "any". Values are never logged, only their kinds."""

    name: str = ""
    phone: str = ""
    id_number: str = ""
    code: str = ""
    status: str = ""
    stage: str = ""
    entry_point: str = ""
    opened_from: date | None = None
    opened_to: date | None = None

    def kinds(self) -> list[str]:
        return [name for name in self.__dataclass_fields__ if getattr(self, name) not in ("", None)]


def _lookup(user: User, kind: str, digests: set[str]) -> QuerySet[SurvivorLookup, Any]:
    """The survivors ``user``'s organisation may find under these digests (its own lookup rows only)."""
    return SurvivorLookup.objects.filter(
        organisation_id=user.organisation_id, kind=kind, digest__in=sorted(digests)
    ).values("survivor_id")


def case_search(user: User, criteria: SearchCriteria) -> QuerySet[Case]:
    """Cases visible to ``user`` matching every criterion given (survivor criteria through the blind indexes).

    No criterion: no result. A value that cannot match (not a telephone number, not a code) gives no result.
    The search is audited as a read of survivors, with the kinds of criteria used."""
    require(user, "cases.search_survivors")
    kinds = criteria.kinds()
    # Results show codes: her encrypted columns are not loaded (nor decrypted, 9 per row).
    secrets = [f"survivor__{name}" for name in IDENTIFYING_FIELDS]
    cases = (
        Case.objects.visible_to(user).select_related("survivor").defer(*secrets).order_by("-opened_at", "-pk")
    )
    if not kinds:
        return cases.none()
    audit.record(
        AuditAction.READ,
        actor=user,
        object_type="cases.survivor",
        object_organisation_id=user.organisation_id,
        detail={"search": kinds},
    )
    if criteria.name:
        name = crypto.normalise_text(criteria.name)
        if not name:
            return cases.none()
        digests = name_digests(name, "")
        cases = cases.filter(survivor_id__in=_lookup(user, SurvivorLookup.Kind.NAME, digests))
    if criteria.phone:
        digest = phone_digest(criteria.phone)
        if not digest:
            return cases.none()
        cases = cases.filter(survivor_id__in=_lookup(user, SurvivorLookup.Kind.PHONE, {digest}))
    if criteria.id_number:
        digest = document_digest(criteria.id_number)
        if not digest:
            return cases.none()
        cases = cases.filter(survivor_id__in=_lookup(user, SurvivorLookup.Kind.ID_NUMBER, {digest}))
    if criteria.code:
        code = codes.complete(criteria.code)
        if code.startswith(f"{codes.SURVIVOR_PREFIX}-"):
            cases = cases.filter(survivor__code=code)
        elif code.startswith(f"{codes.CASE_PREFIX}-"):
            cases = cases.filter(code=code)
        else:
            return cases.none()
    if criteria.status:
        cases = cases.filter(status=criteria.status)
    if criteria.stage:
        cases = cases.filter(stage=criteria.stage)
    if criteria.entry_point:
        cases = cases.filter(entry_point=criteria.entry_point)
    if criteria.opened_from:
        cases = cases.filter(opened_at__gte=_day_start(criteria.opened_from))
    if criteria.opened_to:
        cases = cases.filter(opened_at__lt=_day_start(criteria.opened_to + timedelta(days=1)))
    return cases


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# One survivor --------------------------------------------------------------------------------------------------


def survivor_get(user: User, code: str) -> Survivor:
    """The survivor with ``code`` if ``user`` may see her; 404 otherwise (nothing confirms she exists)."""
    try:
        survivor = Survivor.objects.visible_to(user).select_related("residence_province").get(code=code)
    except Survivor.DoesNotExist as exc:
        raise Http404 from exc
    require(user, "cases.view_survivor", survivor)
    return survivor


def survivor_profile_read(user: User, survivor: Survivor) -> None:
    """Audit the reading of her page: the profile fields shown in clear (identifying ones stay masked)."""
    audit.record(AuditAction.READ, actor=user, target=survivor, fields=PROFILE_FIELDS)


def survivor_identity_reveal(user: User, survivor: Survivor, *, purpose: str = "reveal") -> dict[str, str]:
    """Her identifying values, for one response; audited with the names of the fields revealed and why
    (``reveal``: the reveal button; ``edit``: the edit form, which shows them)."""
    require(user, "cases.reveal_identity", survivor)
    revealed = {name: getattr(survivor, name) for name in IDENTIFYING_FIELDS if getattr(survivor, name)}
    audit.record(
        AuditAction.READ,
        actor=user,
        target=survivor,
        fields=list(revealed),
        detail={"reveal": purpose},
    )
    return revealed


def survivor_cases(user: User, survivor: Survivor) -> QuerySet[Case]:
    """Her cases that ``user`` may see, newest first."""
    return Case.objects.visible_to(user).filter(survivor=survivor).order_by("-opened_at", "-pk")
