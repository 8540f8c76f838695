"""API routes of the plans area (registered by himaya.assessments.api): a case's safety and case plans and their
actions, case conferences, and the caller's own plan actions.

Same rules as the cases API (himaya.cases.api, whose helpers these routes reuse): scope cases:read / cases:write
for tokens, 404 for a case outside the caller's scope, 400 {detail} for a rule of the field, 409 on a stale
version ({detail, changes}) or a reused Idempotency-Key, reads of descriptions and decisions audited.
"""

# No "from __future__ import annotations": @paginate wraps the views and ninja reads their annotations as objects.

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from himaya.accounts.models import User
from himaya.api.models import Scope
from himaya.api.schemas import ApiPagination
from himaya.assessments.choices import PlanKind
from himaya.assessments.models import CaseConference, Plan, PlanAction
from himaya.assessments.queries import plans as queries
from himaya.assessments.schemas_plans import (
    ActionFilters,
    ConferenceIn,
    ConferenceOut,
    MyPlanActionOut,
    PlanActionIn,
    PlanActionOut,
    PlanActionPatchIn,
    PlanOut,
)
from himaya.assessments.services import plans as services
from himaya.cases.api import (
    CREATE_ERRORS,
    ERRORS,
    LIST_ERRORS,
    UPDATE_ERRORS,
    IdempotencyKey,
    RecordId,
    _case_of,
    _conflict,
    _plain,
    _Rows,
    _viewer,
    created_response,
)
from himaya.cases.models import Case
from himaya.cases.queries import cases as case_queries
from himaya.cases.schemas import CaseCode
from himaya.cases.services.common import RecordConflict
from himaya.core.errors import BusinessRuleError

router = Router(tags=["assessments"])


# ----------------------------------------------------------------------------------------------- representations


def _action_out(action: PlanAction, kind: str) -> dict[str, Any]:
    return {
        "id": action.pk,
        "plan_kind": kind,
        "need": action.need,
        "description": action.description,
        "owner_id": action.owner_id,
        "due_on": action.due_on,
        "due_state": queries.due_state(action),
        "status": action.status,
        "completed_at": action.completed_at,
        "created_at": action.created_at,
        "version": action.version,
    }


def _plan_out(kind: str, plan: Plan | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "started": plan is not None,
        "version": plan.version if plan else None,
        "updated_at": plan.updated_at if plan else None,
        "actions": [_action_out(action, kind) for action in plan.actions.all()] if plan else [],
    }


def _my_action_out(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "case_code": action.plan.case.code,
        "plan_kind": action.plan.kind,
        "need": action.need,
        "due_on": action.due_on,
        "due_state": queries.due_state(action),
        "status": action.status,
        "version": action.version,
    }


def _conference_out(conference: CaseConference) -> dict[str, Any]:
    return {
        "id": conference.pk,
        "held_on": conference.held_on,
        "participants": list(conference.participants),
        "decisions": conference.decisions,
        "created_at": conference.created_at,
        "created_by_id": conference.created_by_id,
    }


def _owner(owner_id: int | None) -> User | None:
    """The person named responsible; an id the caller may not use gets the service's refusal, never a hint."""
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        raise BusinessRuleError(
            _("The person responsible must be an active member of the case's organisation with a case role.")
        )
    return owner


def _read_case(viewer: User, code: str, fields: tuple[str, ...]) -> Case:
    return case_queries.case_read(viewer=viewer, code=code, fields=fields, view="api")


# ------------------------------------------------------------------------------------------------------- plans


@router.get(
    "/cases/{code}/plans",
    response={200: list[PlanOut], **ERRORS},
    summary="A case's plans",
    description="The safety plan and the case plan, each with its actions (started: false when it has none "
    "yet). The read is audited. Scope cases:read.",
)
def plan_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _read_case(viewer, code, queries.PLAN_FIELDS_SHOWN)
    return [_plan_out(kind, plan) for kind, plan in queries.plans_of(viewer=viewer, case=case).items()]


@router.get(
    "/cases/{code}/plans/{kind}",
    response={200: PlanOut, **ERRORS},
    summary="One plan of a case",
    description="The safety plan (`safety`) or the case plan (`case`) with its actions. Scope cases:read.",
)
def plan_detail(request: HttpRequest, code: CaseCode, kind: PlanKind) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _read_case(viewer, code, queries.PLAN_FIELDS_SHOWN)
    return _plan_out(kind.value, queries.plan_of(viewer=viewer, case=case, kind=kind.value))


@router.get(
    "/cases/{code}/plans/{kind}/actions",
    response={200: list[PlanActionOut], **ERRORS},
    summary="The actions of one plan",
    description="By need, then due date. Scope cases:read.",
)
def plan_action_list(request: HttpRequest, code: CaseCode, kind: PlanKind) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _read_case(viewer, code, queries.PLAN_FIELDS_SHOWN)
    plan = queries.plan_of(viewer=viewer, case=case, kind=kind.value)
    return [_action_out(action, kind.value) for action in plan.actions.all()] if plan else []


@router.post(
    "/cases/{code}/plans/{kind}/actions",
    response={201: PlanActionOut, **CREATE_ERRORS},
    summary="Add an action to a plan",
    description="The plan is created with its first action. The person responsible must work on cases in the "
    "case's organisation; the due date may not lie in the past nor beyond two years. Scope cases:write. "
    "Optional Idempotency-Key.",
)
def plan_action_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    kind: PlanKind,
    payload: PlanActionIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> PlanAction:
        return services.plan_action_add(
            actor=viewer,
            case=case,
            kind=kind.value,
            need=_plain(payload.need),
            description=payload.description,
            owner=_owner(payload.owner_id),
            due_on=payload.due_on,
        )

    def find(pk: int) -> dict[str, Any]:
        action = queries.action_get(viewer=viewer, case=case, pk=pk)
        return _action_out(action, action.plan.kind)

    return created_response(
        request, response, key=idempotency_key, create=create, read=lambda _type, pk: find(pk)
    )


@router.get(
    "/cases/{code}/plans/actions/{action_id}",
    response={200: PlanActionOut, **ERRORS},
    summary="One plan action",
    description="With its description (the read is audited). Scope cases:read.",
)
def plan_action_detail(request: HttpRequest, code: CaseCode, action_id: RecordId) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _case_of(viewer, code)
    action = queries.action_get(viewer=viewer, case=case, pk=action_id)
    return _action_out(action, action.plan.kind)


@router.patch(
    "/cases/{code}/plans/actions/{action_id}",
    response={200: PlanActionOut, **UPDATE_ERRORS},
    summary="Change a plan action",
    description="Need, description, person responsible, due date, status. Send the `version` read: a stale one "
    "answers 409 with the values saved meanwhile, and nothing is saved. Scope cases:write.",
)
def plan_action_update(
    request: HttpRequest, code: CaseCode, action_id: RecordId, payload: PlanActionPatchIn
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    action = queries.action_get(viewer=viewer, case=case, pk=action_id)
    sent = payload.dict(exclude_unset=True)
    values = {name: _plain(value) for name, value in sent.items() if name not in ("version", "owner_id")}
    if "owner_id" in sent:
        values["owner"] = _owner(sent["owner_id"])
    try:
        services.action_update(actor=viewer, action=action, values=values, expected_version=payload.version)
    except RecordConflict as error:
        if "owner" in error.current:
            owner = error.current.pop("owner")
            error.current["owner"] = owner.pk if owner is not None else None
        return _conflict(error, PlanAction)
    return _action_out(action, action.plan.kind)


# ------------------------------------------------------------------------------------------------- conferences


@router.get(
    "/cases/{code}/conferences",
    response={200: list[ConferenceOut], **ERRORS},
    summary="A case's conferences",
    description="Most recent first, with their decisions (the read is audited). Scope cases:read.",
)
@paginate(ApiPagination)
def conference_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _read_case(viewer, code, queries.CONFERENCE_FIELDS_SHOWN)
    return _Rows(queries.conferences_of(viewer=viewer, case=case), _conference_out)


@router.post(
    "/cases/{code}/conferences",
    response={201: ConferenceOut, **CREATE_ERRORS},
    summary="Record a case conference",
    description="When (not in the future), the organisations present (ids), the decisions. Scope cases:write. "
    "Optional Idempotency-Key.",
)
def conference_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: ConferenceIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> CaseConference:
        return services.conference_record(
            actor=viewer,
            case=case,
            held_on=payload.held_on,
            participants=payload.participants,
            decisions=payload.decisions,
        )

    def find(pk: int) -> dict[str, Any]:
        conference = queries.conferences_of(viewer=viewer, case=case).filter(pk=pk).first()
        if conference is None:
            raise Http404
        return _conference_out(conference)

    return created_response(
        request, response, key=idempotency_key, create=create, read=lambda _type, pk: find(pk)
    )


# ------------------------------------------------------------------------------------------------------ my work


@router.get(
    "/me/plan-actions",
    response={200: list[MyPlanActionOut], **LIST_ERRORS},
    summary="My plan actions",
    description="The open actions the caller is responsible for, on the cases she may see: by default overdue "
    "or due within 7 days, earliest first. Codes only, no description. Scope cases:read.",
)
@paginate(ApiPagination)
def my_plan_actions(request: HttpRequest, filters: Query[ActionFilters]) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    return _Rows(queries.my_actions(user=viewer, state=filters.state), _my_action_out)
