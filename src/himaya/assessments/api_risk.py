"""API routes of the risk area (registered by himaya.assessments.api): a case's danger assessments and the current
question list. Same rules, errors and audit as the cases API (himaya.cases.api), whose helpers are reused."""

# No "from __future__ import annotations": @paginate wraps the views and ninja reads their annotations as objects.

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from himaya.api.models import Scope
from himaya.api.schemas import ApiPagination
from himaya.assessments import toolkits
from himaya.assessments.choices import Answer
from himaya.assessments.models import RiskAssessment
from himaya.assessments.queries import risk as queries
from himaya.assessments.schemas_risk import (
    RiskAssessmentIn,
    RiskAssessmentOut,
    RiskAssessmentSummaryOut,
    RiskQuestionsOut,
)
from himaya.assessments.services import risk as services
from himaya.cases.api import (
    CREATE_ERRORS,
    ERRORS,
    IdempotencyKey,
    RecordId,
    _Rows,
    _viewer,
    created_response,
)
from himaya.cases.queries import cases as case_queries
from himaya.cases.schemas import CaseCode

router = Router(tags=["assessments"])


class QuestionFilters(Schema):
    version: str = Field("", max_length=16, description="A version of the list (default: the current one).")


def _summary(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "tool_version": assessment.tool_version,
        "score": assessment.score,
        "computed_level": assessment.computed_level,
        "escalated": assessment.escalated,
        "level": assessment.level,
        "assessed_at": assessment.assessed_at,
        "created_by_id": assessment.created_by_id,
        **queries.summary(assessment),
    }


def _detail(assessment: RiskAssessment) -> dict[str, Any]:
    previous = queries.previous_of(assessment)
    return {
        **_summary(assessment),
        "answers": dict(assessment.answers),
        "judgement_reason": assessment.judgement_reason,
        "previous_id": previous.pk if previous else None,
        "requirements": [r.code for r in queries.risk_requirements(assessment.case)],
    }


@router.get(
    "/cases/{code}/risk-assessments",
    response={200: list[RiskAssessmentSummaryOut], **ERRORS},
    summary="A case's danger assessments",
    description="Every assessment, newest first, without answers nor reasons (read one for them). Scope "
    "cases:read.",
)
@paginate(ApiPagination)
def risk_assessment_list(request: HttpRequest, code: CaseCode) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_read(viewer=viewer, code=code, fields=queries.HISTORY_FIELDS_SHOWN, view="api")
    return _Rows(queries.assessments_of(viewer, case), _summary)


@router.post(
    "/cases/{code}/risk-assessments",
    response={201: RiskAssessmentOut, **CREATE_ERRORS},
    summary="Record a danger assessment",
    description="With the current question list. The level comes from the number of yes answers and the list's "
    "thresholds, raised one step for repeat incidents within 12 months; another `level` needs a `reason`. Sets "
    "the case's risk level; a high risk alerts the organisation's supervisors. Scope cases:write. Optional "
    "Idempotency-Key.",
)
def risk_assessment_create(
    request: HttpRequest,
    response: HttpResponse,
    code: CaseCode,
    payload: RiskAssessmentIn,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    viewer = _viewer(request, Scope.CASES_WRITE)
    case = case_queries.case_get(viewer=viewer, code=code)

    def create() -> RiskAssessment:
        return services.risk_assess(
            actor=viewer,
            case=case,
            answers={name: Answer(value).value for name, value in payload.answers.items()},
            level=payload.level.value if payload.level else None,
            reason=payload.reason,
            assessed_at=payload.assessed_at,
        )

    def read(object_type: str, pk: int) -> Any:
        if object_type != RiskAssessment._meta.label_lower:
            raise Http404
        return _detail(queries.assessment_get(viewer, case, pk))

    return created_response(request, response, key=idempotency_key, create=create, read=read)


@router.get(
    "/cases/{code}/risk-assessments/{assessment_id}",
    response={200: RiskAssessmentOut, **ERRORS},
    summary="One danger assessment",
    description="Its answers, levels and the reason of a professional judgement (the read is audited), the "
    "previous assessment it compares with, and what a high risk still requires. Scope cases:read.",
)
def risk_assessment_detail(request: HttpRequest, code: CaseCode, assessment_id: RecordId) -> Any:
    viewer = _viewer(request, Scope.CASES_READ)
    case = case_queries.case_get(viewer=viewer, code=code)
    return _detail(queries.assessment_get(viewer, case, assessment_id))


@router.get(
    "/risk-questions",
    response={200: RiskQuestionsOut, **ERRORS},
    summary="The danger assessment questions",
    description="The current list (or `version`), in the language of the request, with its thresholds on the "
    "number of yes answers. Scope cases:read.",
)
def risk_question_list(request: HttpRequest, filters: Query[QuestionFilters]) -> Any:
    _viewer(request, Scope.CASES_READ)
    if filters.version and filters.version not in toolkits.versions(services.KIND):
        raise Http404  # only a version file that exists (never a path built from the caller's text)
    if filters.version:
        toolkit = toolkits.get(services.KIND, filters.version)
    else:
        toolkit = toolkits.current(services.KIND)
    return {
        "version": toolkit.version,
        "title": toolkit.title,
        "thresholds": services.thresholds(toolkit),
        "answers": list(Answer.values),
        "questions": [
            {"code": item.code, "group": group.code, "label": item.label}
            for group in toolkit.groups
            for item in group.items
        ],
    }
