"""What the danger assessment API accepts and returns (/api/v1/cases/{code}/risk-assessments, /risk-questions).

Answers are question codes of the list version the assessment was made with, each "yes", "no" or "unknown" (not
known); a question not sent counts as "unknown". The reason of a professional judgement is free text checked by
the service (at most 5000 characters, no text-direction override characters).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from himaya.api.schemas import NO_NUL
from himaya.assessments.choices import Answer


class AssessedLevel(StrEnum):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class RiskAssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Answer] = Field(
        description="Question code (GET /risk-questions) -> yes | no | unknown. Questions not sent count as unknown."
    )
    level: AssessedLevel | None = Field(
        None,
        description="Professional judgement: a level other than the one the answers give (null: as computed). "
        "Another level needs `reason`; lowering without one is refused (400).",
    )
    reason: str = Field(
        "",
        pattern=NO_NUL,
        description="Why the level differs from the computed one. At most 5000 characters.",
    )
    assessed_at: datetime | None = Field(
        None, description="When it was assessed (default: now; not in the future)."
    )


class RiskAssessmentSummaryOut(Schema):
    id: int
    tool_version: str
    score: int = Field(description='Number of "yes" answers.')
    computed_level: str = Field(description="The level from the score and the list's thresholds.")
    escalated: bool = Field(description="Raised one step for repeat incidents within 12 months.")
    automatic_level: str = Field(description="The computed level after the escalation.")
    level: str = Field(description="The level retained (with the professional judgement, if any).")
    judgement: Literal["", "raised", "lowered"]
    assessed_at: datetime
    created_by_id: int | None


class RiskAssessmentOut(RiskAssessmentSummaryOut):
    answers: dict[str, str]
    judgement_reason: str
    previous_id: int | None = Field(description="The assessment this one follows (its comparison).")
    requirements: list[str] = Field(
        description='What the case still lacks while at high risk: "safety_plan", "case_conference".'
    )


class RiskQuestionOut(Schema):
    code: str
    group: str
    label: str


class RiskQuestionsOut(Schema):
    version: str
    title: str
    thresholds: dict[str, int]
    answers: list[str]
    questions: list[RiskQuestionOut]
