"""Reading retention policies and erasure requests, each from its scope (404 outside it)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.cases.models import Survivor
from himaya.core import audit
from himaya.core.models import AuditAction
from himaya.retention.models import ErasureRequest, ErasureStatus, RetentionPolicy
from himaya.retention.policies import require


def policy_list(*, viewer: User) -> QuerySet[RetentionPolicy]:
    require(viewer, "retention.manage_policies")
    return RetentionPolicy.objects.select_related("updated_by").order_by("record_type")


def erasure_scope(viewer: User) -> QuerySet[ErasureRequest]:
    """Requests recorded in the viewer's organisation for survivors she may see (supervisors only)."""
    if not viewer.has_perm("retention.view_erasure_queue"):
        return ErasureRequest.objects.none()
    return ErasureRequest.objects.filter(
        requested_by__organisation_id=viewer.organisation_id,
        survivor__in=Survivor.objects.visible_to(viewer).values("pk"),
    )


def erasure_queue(*, viewer: User) -> QuerySet[ErasureRequest]:
    """The requests awaiting the viewer's decision, oldest first (codes and dates only: not audited)."""
    require(viewer, "retention.view_erasure_queue")
    return (
        erasure_scope(viewer)
        .filter(status=ErasureStatus.REQUESTED)
        .select_related("survivor", "requested_by")
        .defer("reason", "decision_comment")
        .order_by("requested_at", "id")
    )


def erasure_get(*, viewer: User, pk: int) -> ErasureRequest:
    """One request, with her words (audited read of ``reason`` and ``decision_comment``); 404 outside the scope."""
    request = (
        erasure_scope(viewer).select_related("survivor", "requested_by", "decided_by").filter(pk=pk).first()
    )
    if request is None:
        raise Http404
    require(viewer, "retention.view_erasure_queue")
    audit.record(
        AuditAction.READ,
        actor=viewer,
        target=request,
        object_organisation_id=viewer.organisation_id,
        fields=["reason", "decision_comment"],
    )
    return request
