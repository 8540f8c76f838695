"""The cases API (mounted under /api/v1/): cases, survivors, incidents, consents and notes, addressed by code.

Who may do what is exactly the web's: a signed-in staff member (session) acts with her own rights; a partner
system's bearer token needs the scope "cases:read" (reads) or "cases:write" (writes) and then acts as its
*acting user* (ApiToken.acting_user), never with more rights than that person: when the acting user is
deactivated or no longer holds a case role, every operation answers 403. Each token call is recorded in the
audit trail against the token, beside the events the queries and services record for the acting user.

Reads go through ``himaya.cases.queries`` (scoped by the viewer, audited as the pages are), writes through
``himaya.cases.services`` only. Errors: 400 {detail} for a rule of the field (translated message), 401, 403,
404 (unknown code or outside the caller's scope, never confirmed), 409 (stale version: {detail, changes}; reused
idempotency key: {detail}), 422 (invalid input, field by field). Creates take an optional ``Idempotency-Key``
header (docs/api-cases.md).
"""

# No "from __future__ import annotations": @paginate wraps the views and ninja reads their annotations as objects.

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import SkipJsonSchema

from himaya.accounts.models import Organisation, User
from himaya.api import services as api_services
from himaya.api.models import ApiToken, Scope
from himaya.api.schemas import ApiPagination, ErrorOut, ValidationErrorOut
from himaya.cases.models import Case, Consent, Incident, Note, Survivor
from himaya.cases.queries import api as api_queries
from himaya.cases.queries import cases as case_queries
from himaya.cases.queries import consents as consent_queries
from himaya.cases.queries import incidents as incident_queries
from himaya.cases.queries import notes as note_queries
from himaya.cases.queries import survivors as survivor_queries
from himaya.cases.schemas import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEY_DOC,
    CaseCode,
    CaseFilters,
    CaseForKnownSurvivorIn,
    CaseForNewSurvivorIn,
    CaseOut,
    CasePatchIn,
    CaseSummaryOut,
    ConflictOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawIn,
    IncidentIn,
    IncidentOut,
    IncidentSummaryOut,
    NoteIn,
    NoteOut,
    SurvivorCode,
    SurvivorFilters,
    SurvivorOut,
    SurvivorPatchIn,
    SurvivorSummaryOut,
)
from himaya.cases.services import cases as case_services
from himaya.cases.services import consents as consent_services
from himaya.cases.services import incidents as incident_services
from himaya.cases.services import notes as note_services
from himaya.cases.services import survivors as survivor_services
from himaya.cases.services.common import RecordConflict
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, Province

router = Router(tags=["cases"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
LIST_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}
CREATE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut, 409: ErrorOut}
UPDATE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut, 409: ConflictOut}
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
IdempotencyKey = Annotated[
    str | SkipJsonSchema[None],
    Header(None, alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY, description=IDEMPOTENCY_KEY_DOC),
]

# What the API shows when it reads a case, its incidents or its consents: the audit names these fields with the
# names the case page uses (queries' *_FIELDS_SHOWN), adjusted to what the API's bodies hold.
CASE_FIELDS = (
    *(name for name in case_queries.CASE_FIELDS_SHOWN if name != "case.events"),
    "case.immediate_needs",
)
INCIDENT_FIELDS_SHOWN = (
    *incident_queries.INCIDENT_FIELDS_SHOWN,
    "incident.date_is_approximate",
    "incident.involved",
    "incident.reported_to_police_before",
)
CONSENT_FIELDS_SHOWN = tuple(
    name for name in consent_queries.CONSENT_FIELDS_SHOWN if name != "consent.created_by"
)


# ------------------------------------------------------------------------------------------------ the caller


def _viewer(request: HttpRequest, scope: Scope) -> User:
    """The person the request acts as: the signed-in staff member, or the token's acting user (for a token with
    ``scope`` whose acting user still works on cases in the token's organisation; 403 otherwise)."""
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, User):
        return caller
    assert isinstance(caller, ApiToken)
    if scope.value not in caller.scopes:
        raise HttpError(403, _("This token lacks the scope %(scope)s.") % {"scope": scope.value})
    user = caller.acting_user
    if user is None or not api_services.acting_user_eligible(user, caller.organisation_id):
        raise HttpError(
            403,
            _(
                "This token's acting user no longer works on cases in its organisation: the token cannot "
                "reach cases until a supervisor issues a new one."
            ),
        )
    # Attributable: the token, the person it acts as, what it asked (codes in the path, never a payload).
    audit.record(
        AuditAction.UPDATE if request.method in ("POST", "PATCH") else AuditAction.READ,
        actor=user,
        target=caller,
        detail={"api_token": caller.pk, "method": request.method, "path": request.path[:200]},
    )
    return user


def _caller_key(request: HttpRequest) -> str:
    caller = request.auth  # type: ignore[attr-defined]
    return f"token:{caller.pk}" if isinstance(caller, ApiToken) else f"user:{caller.pk}"


def created_response(
    request: HttpRequest,
    response: HttpResponse,
    *,
    key: str | None,
    create: Callable[[], models.Model],
    read: Callable[[str, int], Any],
) -> Status[Any]:
    """Run an idempotent create and answer 201 with ``read(object_type, pk)`` of what it made (a replay: the
    object created the first time, with the header Idempotent-Replayed: true; the key reused for another
    request: 409). Every area's creates go through it, each reading the object with its own scoped query."""
    try:
        created = api_services.idempotent_create(
            caller=_caller_key(request),
            key=key,
            method=str(request.method),
            path=request.path,
            body=request.body,
            create=create,
        )
    except api_services.IdempotencyMismatch:
        return Status(
            409, {"detail": _("This Idempotency-Key was already used for another request; use a new key.")}
        )
    if created.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, read(created.object_type, created.object_id))


def _created(
    request: HttpRequest,
    response: HttpResponse,
    *,
    viewer: User,
    key: str | None,
    create: Callable[[], models.Model],
    represent: Callable[[Any], Any],
) -> Status[Any]:
    """``created_response`` for the case records (cases, incidents, consents, notes)."""
    return created_response(
        request,
        response,
        key=key,
        create=create,
        read=lambda object_type, pk: represent(
            api_queries.created_object(viewer=viewer, object_type=object_type, pk=pk)
        ),
    )


def _plain(value: Any) -> Any:
    """An enum member as its value (the services compare and store plain strings)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if hasattr(value, "value") else value


def _province(code: str | None) -> Province | None:
    if not code:
        return None
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise BusinessRuleError(_("Unknown province."))
    return province


def _conflict(error: RecordConflict, model: type[models.Model]) -> Status[Any]:
    changes = [
        {
            "field": name,
            "label": str(getattr(model._meta.get_field(name), "verbose_name", name)),
            "current": value.code if isinstance(value, Province) else value,
        }
        for name, value in error.current.items()
    ]
    return Status(409, {"detail": str(error.message), "changes": changes})


# ----------------------------------------------------------------------------------------------- representations


def _case_summary(case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "survivor_code": case.survivor.code,
        "status": case.status,
        "stage": case.stage,
        "priority": case.priority,
        "risk_level": case.risk_level,
        "entry_point": case.entry_point,
        "intake_step": case.intake_step,
        "opened_at": case.opened_at,
        "follow_up_due": case.follow_up_due,
        "updated_at": case.updated_at,
    }


def _case_out(viewer: User, case: Case) -> dict[str, Any]:
    fresh = api_queries.case_detail_get(viewer=viewer, code=case.code)
    return {
        **_case_summary(fresh),
        "organisation_id": fresh.organisation_id,
        "immediate_needs": list(fresh.immediate_needs),
        "closed_at": fresh.closed_at,
        "caseworker_ids": sorted(user.pk for user in fresh.caseworkers.all()),
        "version": fresh.version,
    }


def _survivor_out(viewer: User, survivor: Survivor, revealed: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(survivor, name) for name in survivor_services.PROFILE_FIELDS}
    out.update({name: revealed.get(name, "") for name in survivor_services.IDENTIFYING_FIELDS})
    out["residence_province"] = survivor.residence_province.code if survivor.residence_province else None
    out["languages"] = list(survivor.languages or [])
    out.update(
        code=survivor.code,
        version=survivor.version,
        case_codes=api_queries.survivor_case_codes(viewer=viewer, survivor=survivor),
    )
    return out


def _survivor_summary(survivor: Survivor) -> dict[str, Any]:
    return {
        "code": survivor.code,
        "birth_year": survivor.birth_year,
        "case_codes": [case.code for case in survivor.visible_cases],  # type: ignore[attr-defined]
    }


def _incident_summary(incident: Incident) -> dict[str, Any]:
    names = [name for name in IncidentSummaryOut.model_fields if name not in ("province", "perpetrators")]
    out = {name: getattr(incident, name) for name in names}
    out["province"] = incident.province.code if incident.province else None
    out["perpetrators"] = [
        {"relationship": p.relationship, "sex": p.sex, "age_group": p.age_group}
        for p in incident.perpetrators.all()
    ]
    return out


def _incident_out(incident: Incident) -> dict[str, Any]:
    return {**_incident_summary(incident), "description": incident.description}


def _consent_out(consent: Consent) -> dict[str, Any]:
    names = [name for name in ConsentOut.model_fields if name != "in_force"]
    return {**{name: getattr(consent, name) for name in names}, "in_force": consent.is_active()}


def _note_out(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "body": note.body,
        "created_at": note.created_at,
        "created_by_id": note.created_by_id,
    }


class _Rows:
    """A queryset the paginator slices; only the rows of the page are turned into their representation."""

    def __init__(self, queryset: Any, represent: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.represent = represent

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.represent(row) for row in self.queryset[key]]


# ------------------------------------------------------------------------------------------------------ inputs


def _survivor_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Submitted survivor fields as the service takes them (plain values, the province as an object)."""
    values = {name: _plain(value) for name, value in data.items() if name != "version"}
    if "residence_province" in values:
        values["residence_province"] = _province(values["residence_province"])
    return values


def _case_of(viewer: User, code: str) -> Case:
    return case_queries.case_get(viewer=viewer, code=code)


# --------------------------------------------------------------------------------------------------------- cases


@router.get(
    "/cases",
    response={200: list[CaseSummaryOut], **LIST_ERRORS},
    summary="List cases",
    description="The cases the caller may see (her organisation's, for a case role), newest first; by default "
    "those not closed. Rows carry codes, never names. Scope cases:read for tokens.",
)
@paginate(ApiPagination)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    cases = api_queries.case_list(
        viewer=viewer,
        status=_plain(filters.status),
        stage=_plain(filters.stage),
        assigned_to_me=filters.assigned_to_me,
        code=filters.q,
    )
    return _Rows(cases, _case_summary)


@router.post(
    "/cases",
    response={201: CaseOut, **CREATE_ERRORS},
    summary="Open a case",
    description="Open a case of the caller's organisation, assigned to the caller: for a new survivor (her "
    "details in `survivor`) or for a survivor already known (`survivor_code`), as the intake's first step. "
    "Scope cases:write. Optional Idempotency-Key.",
)
def case_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: CaseForNewSurvivorIn | CaseForKnownSurvivorIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case_values = {"entry_point": _plain(payload.entry_point), "priority": _plain(payload.priority)}

    def create() -> Case:
        if isinstance(payload, CaseForKnownSurvivorIn):
            survivor = survivor_queries.survivor_get(viewer, payload.survivor_code)
            return case_services.intake_existing(actor=viewer, survivor=survivor, case_values=case_values)
        values = _survivor_values(payload.survivor.dict())
        return case_services.intake_start(actor=viewer, survivor_values=values, case_values=case_values)

    return _created(
        request, response, viewer=viewer, key=idempotency_key, create=create,
        represent=lambda case: _case_out(viewer, case),
    )  # fmt: skip


@router.get(
    "/cases/{code}",
    response={200: CaseOut, **ERRORS},
    summary="One case",
    description="The case (404 when unknown or outside the caller's scope). The read is audited. Scope "
    "cases:read.",
)
def case_detail(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=CASE_FIELDS, view="api")
    return _case_out(viewer, case)


@router.patch(
    "/cases/{code}",
    response={200: CaseOut, **UPDATE_ERRORS},
    summary="Change a case",
    description="Priority, next follow-up, stage, status (not closed: closing has its own procedure). Send the "
    "`version` read: a stale one answers 409 with the values saved meanwhile, and nothing is saved. Scope "
    "cases:write.",
)
def case_update(request: HttpRequest, code: CaseCode, payload: CasePatchIn) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    values = {
        name: _plain(value) for name, value in payload.dict(exclude_unset=True).items() if name != "version"
    }
    try:
        case_services.case_update(actor=viewer, case=case, values=values, expected_version=payload.version)
    except RecordConflict as error:
        return _conflict(error, Case)
    return _case_out(viewer, case)


# ----------------------------------------------------------------------------------------------------- survivors


@router.get(
    "/survivors",
    response={200: list[SurvivorSummaryOut], **LIST_ERRORS},
    summary="Search survivors",
    description="Exact search by full name, telephone, identity document number or code, through the keyed "
    "blind indexes (as the web search); no criterion, no result. The search is audited with the kinds of "
    "criteria used, never their values. Results carry codes, never names. Scope cases:read.",
)
@paginate(ApiPagination)
def survivor_list(request: HttpRequest, filters: Query[SurvivorFilters]) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    criteria = survivor_queries.SearchCriteria(
        name=filters.name, phone=filters.phone, id_number=filters.id_number, code=filters.code
    )
    cases = survivor_queries.case_search(viewer, criteria)
    return _Rows(api_queries.survivors_found(viewer=viewer, cases=cases), _survivor_summary)


@router.get(
    "/survivors/{code}",
    response={200: SurvivorOut, **ERRORS},
    summary="One survivor, identity revealed",
    description="Her profile and her identifying values: the read is audited as the web's reveal (the names of "
    "the fields shown). 404 when unknown or outside the caller's scope. Scope cases:read.",
)
def survivor_detail(request: HttpRequest, code: SurvivorCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    survivor = survivor_queries.survivor_get(viewer, code)
    survivor_queries.survivor_profile_read(viewer, survivor)
    revealed = survivor_queries.survivor_identity_reveal(viewer, survivor, purpose="api")
    return _survivor_out(viewer, survivor, revealed)


@router.patch(
    "/survivors/{code}",
    response={200: SurvivorOut, **UPDATE_ERRORS},
    summary="Change her details",
    description="Only the fields sent change. Send the `version` read: a stale one answers 409 with the values "
    "saved meanwhile (a reveal, audited), and nothing is saved. Scope cases:write.",
)
def survivor_update(request: HttpRequest, code: SurvivorCode, payload: SurvivorPatchIn) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    survivor = survivor_queries.survivor_get(viewer, code)
    values = _survivor_values(payload.dict(exclude_unset=True))
    try:
        survivor_services.survivor_update(
            actor=viewer, survivor=survivor, values=values, expected_version=payload.version
        )
    except RecordConflict as error:
        shown = sorted(set(error.current) & set(survivor_services.IDENTIFYING_FIELDS))
        if shown:
            audit.record(
                AuditAction.READ, actor=viewer, target=survivor, fields=shown, detail={"reveal": "conflict"}
            )
        return _conflict(error, Survivor)
    fresh = survivor_queries.survivor_get(viewer, code)
    revealed = survivor_queries.survivor_identity_reveal(viewer, fresh, purpose="edit")
    return _survivor_out(viewer, fresh, revealed)


# ----------------------------------------------------------------------------------------------------- incidents


@router.get(
    "/cases/{code}/incidents",
    response={200: list[IncidentSummaryOut], **ERRORS},
    summary="A case's incidents",
    description="Newest report first, without the descriptions (read one incident for it). Scope cases:read.",
)
@paginate(ApiPagination)
def incident_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=INCIDENT_FIELDS_SHOWN, view="api")
    return _Rows(incident_queries.incidents_of(viewer=viewer, case=case), _incident_summary)


@router.post(
    "/cases/{code}/incidents",
    response={201: IncidentOut, **CREATE_ERRORS},
    summary="Record an incident",
    description="The GBVIMS type and the reporting delay are computed. Dates may not lie in the future. Scope "
    "cases:write. Optional Idempotency-Key.",
)
def incident_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: IncidentIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    data = payload.dict(exclude_unset=True)
    perpetrators = [{k: _plain(v) for k, v in row.items()} for row in data.pop("perpetrators", [])]
    values = {name: _plain(value) for name, value in data.items()}
    if "province" in values:
        values["province"] = _province(values["province"])
    if values.get("reported_on", "") is None:
        del values["reported_on"]

    def create() -> Incident:
        return incident_services.incident_create(
            actor=viewer, case=case, values=values, perpetrators=perpetrators
        )

    return _created(
        request, response, viewer=viewer, key=idempotency_key, create=create,
        represent=lambda incident: _incident_out(
            incident_queries.incident_get(viewer=viewer, case=incident.case, pk=incident.pk)
        ),
    )  # fmt: skip


@router.get(
    "/cases/{code}/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    summary="One incident",
    description="With its description (the read is audited). Scope cases:read.",
)
def incident_detail(request: HttpRequest, code: CaseCode, incident_id: RecordId) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _case_of(viewer, code)
    return _incident_out(incident_queries.incident_get(viewer=viewer, case=case, pk=incident_id))


# ------------------------------------------------------------------------------------------------------ consents


@router.get(
    "/cases/{code}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="A case's consents",
    description="Every consent, in force or not, newest first. Scope cases:read.",
)
@paginate(ApiPagination)
def consent_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=CONSENT_FIELDS_SHOWN, view="api")
    return _Rows(consent_queries.consents_of(viewer=viewer, case=case), _consent_out)


@router.post(
    "/cases/{code}/consents",
    response={201: ConsentOut, **CREATE_ERRORS},
    summary="Record a consent",
    description="One purpose; for sharing, one named organisation and the information covered. A child's "
    "consent comes from a guardian or a best-interest decision. Refusals answer 400 with the reason. Scope "
    "cases:write. Optional Idempotency-Key.",
)
def consent_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: ConsentIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    recipient = None
    if payload.recipient_id is not None:
        recipient = Organisation.objects.filter(pk=payload.recipient_id).first()
        if recipient is None:
            raise BusinessRuleError(_("Unknown organisation."))

    def create() -> Consent:
        return consent_services.consent_give(
            actor=viewer,
            case=case,
            purpose=_plain(payload.purpose),
            method=_plain(payload.method),
            given_by=_plain(payload.given_by),
            guardian_name=payload.guardian_name,
            best_interest_reason=payload.best_interest_reason,
            recipient=recipient,
            shared_information=_plain(payload.shared_information),
            given_at=payload.given_at,
            expires_on=payload.expires_on,
        )

    return _created(
        request, response, viewer=viewer, key=idempotency_key, create=create, represent=_consent_out
    )


def _withdraw_body(request: HttpRequest) -> ConsentWithdrawIn:
    """The optional JSON body of a withdrawal, read after the access checks (a request without a body, or with
    an empty one, withdraws without a note)."""
    if not request.body.strip() or not (request.content_type or "").endswith("json"):
        return ConsentWithdrawIn()
    try:
        return ConsentWithdrawIn.model_validate_json(request.body)
    except PydanticValidationError as error:
        errors = [{"type": e["type"], "loc": ["body", *e["loc"]], "msg": e["msg"]} for e in error.errors()]
        raise NinjaValidationError(errors) from None


@router.post(
    "/cases/{code}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS, 400: ErrorOut},
    summary="Withdraw a consent",
    description="It stops covering anything at once (honoured on a closed case too). A consent already "
    "withdrawn answers 400. The body is optional (`note`). Scope cases:write.",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": ConsentWithdrawIn.model_json_schema()}},
        }
    },
)
def consent_withdraw(request: HttpRequest, code: CaseCode, consent_id: RecordId) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)
    consent = consent_queries.consent_get(viewer=viewer, case=case, pk=consent_id)
    note = _withdraw_body(request).note
    return _consent_out(consent_services.consent_withdraw(actor=viewer, consent=consent, note=note))


# --------------------------------------------------------------------------------------------------------- notes


@router.get(
    "/cases/{code}/notes",
    response={200: list[NoteOut], **ERRORS},
    summary="A case's notes",
    description="Newest first (the read of their text is audited). Scope cases:read.",
)
@paginate(ApiPagination)
def note_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=note_queries.NOTE_FIELDS_SHOWN, view="api")
    return _Rows(note_queries.case_notes(viewer=viewer, case=case), _note_out)


@router.post(
    "/cases/{code}/notes",
    response={201: NoteOut, **CREATE_ERRORS},
    summary="Add a note",
    description="To an open case the caller works on; notes are never edited (a correction is a new note). "
    "Scope cases:write. Optional Idempotency-Key.",
)
def note_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: NoteIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> Note:
        return note_services.note_add(actor=viewer, case=case, body=payload.body)

    return _created(request, response, viewer=viewer, key=idempotency_key, create=create, represent=_note_out)


# The closure procedure's routes (cases/api_closure.py reuses the helpers above).
from himaya.cases.api_closure import router as closure_router  # noqa: E402

router.add_router("/", closure_router)
