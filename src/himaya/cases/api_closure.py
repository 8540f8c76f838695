"""The closure API (added to himaya.cases.api's router): closure requests of a case, the supervisor's decision,
reopening a closed case.

Same callers, scopes and errors as the cases API (its helpers are reused): reads need "cases:read", writes
"cases:write". A refused closure answers 400 with every blocker: {"detail": ..., "blockers": [...]}. A request
that is not awaiting a decision any more answers 400. The decision and reopening bodies are read after the
access checks, so a caller without the right gets 403/404 whatever she sends.
"""

# No "from __future__ import annotations": ninja reads the views' annotations as objects.

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from himaya.api import services as api_services
from himaya.api.models import Scope
from himaya.api.schemas import NO_NUL, ErrorOut
from himaya.cases import choices
from himaya.cases.api import ERRORS, IdempotencyKey, RecordId, _caller_key, _case_of, _plain, _viewer
from himaya.cases.models import ClosureRequest
from himaya.cases.queries import cases as case_queries
from himaya.cases.queries import closure as closure_queries
from himaya.cases.schemas import CaseCode
from himaya.cases.services import closure as services
from himaya.core.errors import BusinessRuleError

router = Router(tags=["closure"])


class ClosureRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: choices.ClosureReason
    explanation: str = Field(
        "", pattern=NO_NUL, description="Required for the reason `other`. At most 2000 characters."
    )
    checklist: list[str] = Field(
        default_factory=list,
        description="The ticked items; all are required: "
        + ", ".join(f"`{code}`" for code in services.CHECKLIST_CODES)
        + ".",
    )


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", pattern=NO_NUL, description="Required to reject. At most 2000 characters.")


class ReopenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", pattern=NO_NUL, description="Required (kept as a note). At most 2000 characters.")


class ClosureOut(Schema):
    id: int
    case_code: str
    reason: str
    explanation: str
    checklist: dict[str, bool]
    status: str
    created_at: datetime
    created_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_comment: str


class CaseStateOut(Schema):
    code: str
    status: str
    stage: str
    closed_at: datetime | None
    legal_hold: bool
    version: int


class BlockedOut(Schema):
    detail: str
    blockers: list[str] = []


WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: BlockedOut, 409: ErrorOut}


def _closure_out(closure: ClosureRequest) -> dict[str, Any]:
    return {
        "id": closure.pk,
        "case_code": closure.case.code,
        "reason": closure.reason,
        "explanation": closure.explanation,
        "checklist": dict(closure.checklist),
        "status": closure.status,
        "created_at": closure.created_at,
        "created_by_id": closure.created_by_id,
        "decided_by_id": closure.decided_by_id,
        "decided_at": closure.decided_at,
        "decision_comment": closure.decision_comment,
    }


def _state_out(case: Any) -> dict[str, Any]:
    case.refresh_from_db(fields=["status", "stage", "closed_at", "legal_hold", "version"])
    return {
        "code": case.code,
        "status": case.status,
        "stage": case.stage,
        "closed_at": case.closed_at,
        "legal_hold": case.legal_hold,
        "version": case.version,
    }


def _blocked(error: services.ClosureBlocked) -> Status[Any]:
    return Status(400, {"detail": error.message, "blockers": error.blockers})


def _body(request: HttpRequest, schema: type[BaseModel]) -> Any:
    """The optional JSON body, read after the access checks (no body: the schema's defaults)."""
    if not request.body.strip() or not (request.content_type or "").endswith("json"):
        return schema()
    try:
        return schema.model_validate_json(request.body)
    except PydanticValidationError as error:
        errors = [{"type": e["type"], "loc": ["body", *e["loc"]], "msg": e["msg"]} for e in error.errors()]
        raise NinjaValidationError(errors) from None


def _body_doc(schema: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


@router.get(
    "/cases/{code}/closure-requests",
    response={200: list[ClosureOut], **ERRORS},
    summary="A case's closure requests",
    description="Newest first: the closure history of the case (a case closed, reopened and closed again has "
    "several). The read of the explanations and comments is audited. Scope cases:read.",
)
def closure_request_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(
        viewer=viewer, code=code, fields=closure_queries.CLOSURE_FIELDS_SHOWN, view="api"
    )
    return [_closure_out(item) for item in closure_queries.closures_of(viewer=viewer, case=case)]


@router.post(
    "/cases/{code}/closure-requests",
    response={201: ClosureOut, **WRITE_ERRORS},
    summary="Ask to close a case",
    description="A reason, an explanation for `other`, every checklist item ticked; the intake finished, no "
    "request already awaiting approval, and nothing else blocking (referrals, assessments). A refusal answers "
    "400 with the list of blockers. The case then awaits a supervisor's approval. Scope cases:write. Optional "
    "Idempotency-Key.",
)
def closure_request_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: ClosureRequestIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> ClosureRequest:
        return services.closure_request(
            actor=viewer,
            case=case,
            reason=_plain(payload.reason),
            explanation=payload.explanation,
            checklist=payload.checklist,
        )

    try:
        created = api_services.idempotent_create(
            caller=_caller_key(request),
            key=idempotency_key,
            method=str(request.method),
            path=request.path,
            body=request.body,
            create=create,
        )
    except services.ClosureBlocked as error:
        return _blocked(error)
    except api_services.IdempotencyMismatch:
        return Status(
            409, {"detail": _("This Idempotency-Key was already used for another request; use a new key.")}
        )
    if created.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201, _closure_out(closure_queries.closure_get(viewer=viewer, case=case, pk=created.object_id))
    )


def _decision_target(request: HttpRequest, code: str, closure_id: int) -> tuple[Any, ClosureRequest]:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    closure = closure_queries.closure_get(viewer=viewer, case=case, pk=closure_id)
    if not viewer.has_perm("cases.decide_closure", case):
        raise PermissionDenied
    return viewer, closure


@router.post(
    "/cases/{code}/closure-requests/{closure_id}/approve",
    response={200: CaseStateOut, **WRITE_ERRORS},
    summary="Approve a closure",
    description="A supervisor of the case's organisation (never a caseworker): the case is closed (stage "
    "closure). The blockers are checked again (400 with their list). Optional body: `comment`. Scope "
    "cases:write.",
    openapi_extra=_body_doc(DecisionIn),
)
def closure_approve(request: HttpRequest, code: CaseCode, closure_id: RecordId) -> Any:
    viewer, closure = _decision_target(request, code, closure_id)
    body = _body(request, DecisionIn)
    try:
        case = services.closure_approve(actor=viewer, request=closure, comment=body.comment)
    except services.ClosureBlocked as error:
        return _blocked(error)
    return _state_out(case)


@router.post(
    "/cases/{code}/closure-requests/{closure_id}/reject",
    response={200: ClosureOut, **WRITE_ERRORS},
    summary="Reject a closure",
    description="A supervisor of the case's organisation, with a `comment` (required, 400 without): the case is "
    "open again. Scope cases:write.",
    openapi_extra=_body_doc(DecisionIn),
)
def closure_reject(request: HttpRequest, code: CaseCode, closure_id: RecordId) -> Any:
    viewer, closure = _decision_target(request, code, closure_id)
    body = _body(request, DecisionIn)
    return _closure_out(services.closure_reject(actor=viewer, request=closure, comment=body.comment))


@router.post(
    "/cases/{code}/reopen",
    response={200: CaseStateOut, **WRITE_ERRORS},
    summary="Reopen a closed case",
    description="A supervisor of the case's organisation, with a `reason` (required): the case is open again, at "
    "the follow-up stage; its closure stays in its history. A case that is not closed answers 403. Scope "
    "cases:write.",
    openapi_extra=_body_doc(ReopenIn),
)
def case_reopen(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    if not viewer.has_perm("cases.reopen_case", case):
        raise PermissionDenied
    body = _body(request, ReopenIn)
    if not body.reason.strip():
        raise BusinessRuleError(_("Say why the case is reopened: the reason is required."))
    return _state_out(services.case_reopen(actor=viewer, case=case, reason=body.reason))
