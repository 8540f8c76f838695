"""Reading closure requests: one case's requests (its closure history), one request, the supervisor's queue of
requests awaiting approval; and the timeline's account of the lifecycle and assessment lines.

Every read starts from ``ClosureRequest.objects.visible_to(user)``; the explanation and the supervisor's comment
are free text (encrypted), and reading them is audited by field name."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.models import Case, CaseEvent, ClosureRequest, EventKind
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

# What a closure page shows of a request (audited by name).
CLOSURE_FIELDS_SHOWN = (
    "closure.reason",
    "closure.explanation",
    "closure.checklist",
    "closure.status",
    "closure.created_by",
    "closure.decided_by",
    "closure.decision_comment",
)
# The queue shows no free text.
QUEUE_FIELDS_SHOWN = ("closure.reason", "closure.created_at", "closure.created_by", "case.code")


def closures_of(*, viewer: User, case: Case) -> list[ClosureRequest]:
    """Every closure request of ``case``, newest first (a case closed, reopened and closed again has several)."""
    require(viewer, "cases.view_case", case)
    return list(
        ClosureRequest.objects.visible_to(viewer)
        .filter(case=case)
        .select_related("created_by", "decided_by")
        .order_by("-created_at", "-id")
    )


def pending_of(*, viewer: User, case: Case) -> ClosureRequest | None:
    """The request of ``case`` awaiting approval, if any."""
    require(viewer, "cases.view_case", case)
    return (
        ClosureRequest.objects.visible_to(viewer)
        .filter(case=case, status=choices.ClosureStatus.REQUESTED)
        .select_related("created_by")
        .first()
    )


def closure_get(*, viewer: User, case: Case, pk: int) -> ClosureRequest:
    """Request ``pk`` of ``case``, if ``viewer`` may see the case; 404 otherwise."""
    found = (
        ClosureRequest.objects.visible_to(viewer)
        .filter(case=case, pk=pk)
        .select_related("case", "created_by", "decided_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def record_closure_read(*, viewer: User, case: Case, fields: tuple[str, ...] = CLOSURE_FIELDS_SHOWN) -> None:
    audit.record(AuditAction.READ, actor=viewer, target=case, fields=list(fields), detail={"view": "closure"})


def pending_closures(*, viewer: User) -> QuerySet[ClosureRequest]:
    """The supervisor's queue: her organisation's requests awaiting approval, oldest first."""
    require(viewer, "cases.view_pending_closures")
    return (
        ClosureRequest.objects.visible_to(viewer)
        .filter(status=choices.ClosureStatus.REQUESTED)
        .select_related("case", "created_by")
        .defer("explanation", "decision_comment")
        .order_by("created_at", "id")
    )


# The timeline --------------------------------------------------------------------------------------------------


def _label(choices_class: Any, value: Any) -> str:
    return str(dict(choices_class.choices).get(value, value or "—"))


def _field_label(model: str, field: str, value: Any) -> str:
    """The label of a code of another app's model field (assessments build on cases: no import of theirs)."""
    try:
        model_field = apps.get_model(model)._meta.get_field(field)
    except (LookupError, FieldDoesNotExist):
        return str(value)
    return str(dict(getattr(model_field, "choices", None) or {}).get(value, value))


def _risk(detail: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    level, previous = detail.get("level"), detail.get("previous_level")
    if level and previous and previous not in (level, choices.RiskLevel.NOT_ASSESSED):
        parts.append(f"{_label(choices.RiskLevel, previous)} → {_label(choices.RiskLevel, level)}")
    elif level:
        parts.append(_label(choices.RiskLevel, level))
    if detail.get("score") is not None:
        parts.append(_("score %(score)s") % {"score": detail["score"]})
    if detail.get("escalated"):
        parts.append(_("raised one level: repeat incidents within 12 months"))
    if detail.get("judgement") == "raised":
        parts.append(_("raised by professional judgement"))
    elif detail.get("judgement") == "lowered":
        parts.append(_("lowered by professional judgement"))
    if detail.get("supervisors") is not None:
        parts.append(_("supervisors alerted: %(count)s") % {"count": detail["supervisors"]})
    return parts


_PLAN_CHANGES = {
    "created": gettext_lazy("plan started"),
    "action_added": gettext_lazy("action added"),
    "action_updated": gettext_lazy("action updated"),
}


def _plan(detail: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    kind = detail.get("plan") or detail.get("plan_kind")
    if kind:
        parts.append(_field_label("assessments.Plan", "kind", kind))
    if detail.get("change") in _PLAN_CHANGES:
        parts.append(str(_PLAN_CHANGES[detail["change"]]))
    if detail.get("need"):
        parts.append(_field_label("assessments.PlanAction", "need", detail["need"]))
    if detail.get("status"):
        parts.append(_field_label("assessments.PlanAction", "status", detail["status"]))
    return parts


_ANONYMISED_REASONS = {
    "retention": gettext_lazy("end of the retention period"),
    "erasure_request": gettext_lazy("erasure request"),
}


def describe_event(event: CaseEvent) -> str:
    """A short, translated account of the lifecycle and assessment lines, from their ``detail`` (codes and
    counts only; another app's code is named by its model field's choices, so cases imports none of them)."""
    detail = event.detail or {}
    kind = event.kind
    parts: list[str] = []
    if kind in (EventKind.CLOSURE_REQUESTED, EventKind.CLOSURE_APPROVED) and detail.get("reason"):
        parts.append(_label(choices.ClosureReason, detail["reason"]))
    elif kind == EventKind.REOPENED:
        if detail.get("closed_at"):
            parts.append(_("closed on %(date)s") % {"date": str(detail["closed_at"])[:10]})
        if detail.get("closed_reason"):
            parts.append(_label(choices.ClosureReason, detail["closed_reason"]))
    elif kind == EventKind.LEGAL_HOLD:
        parts.append(_("hold set") if detail.get("on") else _("hold lifted"))
    elif kind == EventKind.SCREENING_RECORDED:
        if detail.get("outcome"):
            parts.append(_field_label("assessments.Screening", "outcome", detail["outcome"]))
        if detail.get("stage_moved"):
            parts.append(_("moved to the identification stage"))
    elif kind == EventKind.IDENTIFICATION_RECORDED:
        if detail.get("decision"):
            parts.append(_field_label("assessments.FormalIdentification", "decision", detail["decision"]))
        if detail.get("authority"):
            parts.append(_field_label("assessments.FormalIdentification", "authority", detail["authority"]))
    elif kind in (EventKind.RISK_ASSESSED, EventKind.RISK_ALERT):
        parts.extend(_risk(detail))
    elif kind == EventKind.PLAN_UPDATED:
        parts.extend(_plan(detail))
    elif kind == EventKind.CASE_CONFERENCE:
        if detail.get("held_on"):
            parts.append(_("held on %(date)s") % {"date": str(detail["held_on"])[:10]})
        if detail.get("organisations") is not None:
            parts.append(_("organisations: %(count)s") % {"count": detail["organisations"]})
    elif kind == EventKind.ANONYMISED and detail.get("reason") in _ANONYMISED_REASONS:
        parts.append(str(_ANONYMISED_REASONS[detail["reason"]]))
    return " · ".join(parts)
