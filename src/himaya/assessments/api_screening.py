"""API routes of the screening area (registered by himaya.assessments.api): a case's screenings and formal
identifications, and the current indicator list.

Same rules as the cases API (himaya.cases.api): a signed-in staff member acts with her own rights, a token needs
cases:read / cases:write and acts as its acting user; 404 for a case outside the caller's scope; 400 for a rule of
the field (an unknown indicator code, her age not known…), 422 for invalid input; creates take an optional
Idempotency-Key. Reads are audited with the names of the fields shown.
"""

# No "from __future__ import annotations": @paginate wraps the views and ninja reads their annotations as objects.

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from himaya.accounts.policies import require
from himaya.api.models import Scope
from himaya.api.schemas import ApiPagination, ErrorOut
from himaya.assessments.choices import ScreeningOutcome
from himaya.assessments.models import FormalIdentification, Screening
from himaya.assessments.queries import screening as queries
from himaya.assessments.schemas_screening import (
    IdentificationIn,
    IdentificationOut,
    IndicatorListOut,
    ScreeningIn,
    ScreeningOut,
    ScreeningSummaryOut,
)
from himaya.assessments.services import screening as services
from himaya.cases.api import (
    CREATE_ERRORS,
    ERRORS,
    IdempotencyKey,
    RecordId,
    _case_of,
    _plain,
    _Rows,
    _viewer,
    created_response,
)
from himaya.cases.queries import cases as case_queries
from himaya.cases.schemas import CaseCode

router = Router(tags=["assessments"])


# ----------------------------------------------------------------------------------------------- representations


def _summary(screening: Screening) -> dict[str, Any]:
    return {name: getattr(screening, name) for name in ScreeningSummaryOut.model_fields}


def _screening_out(screening: Screening) -> dict[str, Any]:
    decision = services.decision_of(screening)
    presumed = decision.outcome == ScreeningOutcome.PRESUMED
    return {
        **_summary(screening),
        "answers": dict(screening.answers),
        "notes": services.notes_of(screening),
        "detail": [
            {
                "code": code,
                "answer": answer,
                "required": code in decision.required,
                "reasons": decision.reasons.get(code, []),
            }
            for code, answer in decision.elements.items()
        ],
        "missing": dict(decision.missing),
        "rights": [str(text) for text in queries.PRESUMED_RIGHTS] if presumed else [],
        "case_stage": screening.case.stage,
    }


def _identification_out(identification: FormalIdentification) -> dict[str, Any]:
    return {name: getattr(identification, name) for name in IdentificationOut.model_fields}


# ---------------------------------------------------------------------------------------------------- screenings


@router.get(
    "/screening-indicators",
    response={200: IndicatorListOut, 401: ErrorOut, 403: ErrorOut},
    summary="The trafficking indicator list",
    description="The current list (its version, the three elements act / means / purpose and their indicators) "
    "with labels in the request language. Scope cases:read.",
)
def screening_indicators(request: HttpRequest) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    require(viewer, "cases.access_case_data")
    return queries.indicator_list()


@router.get(
    "/cases/{code}/screenings",
    response={200: list[ScreeningSummaryOut], **ERRORS},
    summary="A case's screenings",
    description="The history, newest first: outcome and elements, without the answers and notes (read one "
    "screening for them). Scope cases:read.",
)
@paginate(ApiPagination)
def screening_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=queries.SCREENING_LIST_FIELDS, view="api")
    return _Rows(queries.screenings_of(viewer=viewer, case=case), _summary)


@router.post(
    "/cases/{code}/screenings",
    response={201: ScreeningOut, **CREATE_ERRORS},
    summary="Record a screening",
    description="Answers to the current indicator list; the elements and the outcome follow the rule (adult: "
    "act, means and purpose; child: act and purpose). A presumed victim moves the case to the stage "
    "identification when its stage allows it, and her organisation's supervisors are notified. An unknown "
    "indicator code, or a missing age_basis when her year of birth is not recorded, answers 400. Scope "
    "cases:write. Optional Idempotency-Key.",
)
def screening_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: ScreeningIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> Screening:
        return services.screening_record(
            actor=viewer,
            case=case,
            answers={name: _plain(value) for name, value in payload.answers.items()},
            notes=payload.notes,
            age_basis=payload.age_basis,
            screened_at=payload.screened_at,
        )

    return created_response(
        request,
        response,
        key=idempotency_key,
        create=create,
        read=lambda _type, pk: _screening_out(queries.screening_get(viewer=viewer, case=case, pk=pk)),
    )


@router.get(
    "/cases/{code}/screenings/{screening_id}",
    response={200: ScreeningOut, **ERRORS},
    summary="One screening",
    description="With the answers, the notes, the reasons, what is missing and, for a presumed victim, the "
    "rights that follow (the read is audited). Scope cases:read.",
)
def screening_detail(request: HttpRequest, code: CaseCode, screening_id: RecordId) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = _case_of(viewer, code)
    return _screening_out(queries.screening_get(viewer=viewer, case=case, pk=screening_id))


# ----------------------------------------------------------------------------------------------- identifications


@router.get(
    "/cases/{code}/identifications",
    response={200: list[IdentificationOut], **ERRORS},
    summary="A case's formal identifications",
    description="The competent authority's decisions, newest first, with their file references (the read is "
    "audited). Scope cases:read.",
)
@paginate(ApiPagination)
def identification_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(
        viewer=viewer, code=code, fields=queries.IDENTIFICATION_FIELDS_SHOWN, view="api"
    )
    return _Rows(queries.identifications_of(viewer=viewer, case=case), _identification_out)


@router.post(
    "/cases/{code}/identifications",
    response={201: IdentificationOut, **CREATE_ERRORS},
    summary="Record a formal identification",
    description="Authority, date (not in the future, nor more than a year before the case was opened), decision, "
    "reference. Scope cases:write. Optional Idempotency-Key.",
)
def identification_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: IdentificationIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = _case_of(viewer, code)

    def create() -> FormalIdentification:
        return services.identification_record(
            actor=viewer,
            case=case,
            authority=_plain(payload.authority),
            authority_name=payload.authority_name,
            decided_on=payload.decided_on,
            decision=_plain(payload.decision),
            reference=payload.reference,
        )

    def represent(pk: int) -> dict[str, Any]:
        found = queries.identifications_of(viewer=viewer, case=case).filter(pk=pk).first()
        if found is None:
            raise Http404
        return _identification_out(found)

    return created_response(
        request, response, key=idempotency_key, create=create, read=lambda _type, pk: represent(pk)
    )
