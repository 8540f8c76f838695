"""Reads the cases API needs beyond the pages' queries: the case list with its filters, the survivors a search
found, and an object by primary key (an idempotent replay). Every read starts from ``visible_to(viewer)``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.cases import choices, codes
from himaya.cases.models import Case, Consent, Incident, Note, Survivor
from himaya.cases.policies import require
from himaya.cases.queries.cases import QUEUE_COLUMNS

STATUS_ANY = "any"


def case_list(
    *, viewer: User, status: str = "", stage: str = "", assigned_to_me: bool = False, code: str = ""
) -> QuerySet[Case]:
    """The cases ``viewer`` may see, newest first: by default those not closed; codes only (no survivor column).

    ``code``: a case code or a survivor code, exactly (Crockford's readings folded)."""
    require(viewer, "cases.access_case_data")
    cases = Case.objects.visible_to(viewer)
    if status == "":
        cases = cases.exclude(status=choices.CaseStatus.CLOSED)
    elif status != STATUS_ANY:
        cases = cases.filter(status=status)
    if stage:
        cases = cases.filter(stage=stage)
    if assigned_to_me:
        cases = cases.filter(caseworkers=viewer)
    if code:
        wanted = codes.normalise_code(code)
        if wanted.startswith(f"{codes.SURVIVOR_PREFIX}-"):
            cases = cases.filter(survivor__code=wanted)
        else:
            cases = cases.filter(code=wanted)
    return cases.select_related("survivor").only(*QUEUE_COLUMNS).order_by("-opened_at", "-pk")


def case_detail_get(*, viewer: User, code: str) -> Case:
    """One case with its caseworkers' ids (no survivor column); 404 outside the viewer's scope."""
    case = (
        Case.objects.visible_to(viewer)
        .select_related("survivor")
        .only(*QUEUE_COLUMNS, "immediate_needs", "closed_at", "version")
        .prefetch_related("caseworkers")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404
    return case


def survivors_found(*, viewer: User, cases: QuerySet[Case]) -> QuerySet[Survivor]:
    """The survivors of the cases a search found, each with her cases visible to ``viewer``; no encrypted
    column is loaded."""
    visible = Case.objects.visible_to(viewer).only("code", "survivor_id").order_by("-opened_at", "-pk")
    return (
        Survivor.objects.visible_to(viewer)
        .filter(pk__in=cases.values("survivor_id"))
        .only("code", "birth_year", "created_at")
        .prefetch_related(Prefetch("cases", queryset=visible, to_attr="visible_cases"))
        .order_by("-created_at", "-pk")
    )


def survivor_case_codes(*, viewer: User, survivor: Survivor) -> list[str]:
    return list(
        Case.objects.visible_to(viewer)
        .filter(survivor=survivor)
        .order_by("-opened_at", "-pk")
        .values_list("code", flat=True)
    )


def created_object(*, viewer: User, object_type: str, pk: int) -> Case | Incident | Consent | Note:
    """What an earlier create made (an idempotent replay), if ``viewer`` may still see it; 404 otherwise."""
    models: dict[str, type[Case] | type[Incident] | type[Consent] | type[Note]] = {
        "cases.case": Case,
        "cases.incident": Incident,
        "cases.consent": Consent,
        "cases.note": Note,
    }
    model = models.get(object_type)
    found = model.objects.visible_to(viewer).filter(pk=pk).first() if model is not None else None
    if found is None:
        raise Http404
    return found
