"""What the screening API accepts and returns (/api/v1/cases/{code}/screenings, …/identifications,
/api/v1/screening-indicators). Free text takes no ``maxLength`` here: the services check it (400, one translated
message); the limit is given in the description."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from himaya.api.schemas import NO_NUL
from himaya.assessments import choices


class ScreeningIn(Schema):
    """The answers to the current indicator list (GET /screening-indicators); an indicator not sent counts as
    not known. ``age_basis`` is required when her year of birth is not recorded (it decides otherwise)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, choices.Answer] = Field(
        default_factory=dict, max_length=200, description="Indicator code -> yes / no / unknown."
    )
    notes: dict[str, str] = Field(
        default_factory=dict,
        max_length=200,
        description="Indicator code -> note. At most 2000 characters each.",
    )
    age_basis: Literal["presumed_minor", "declared_adult"] | None = Field(
        None, description="Only when her year of birth is not recorded: presumed a minor, or an adult."
    )
    screened_at: datetime | None = Field(None, description="When (default: now); not in the future.")


class ElementOut(Schema):
    code: str
    answer: str = Field(description="yes (indicated) / no (not indicated) / unknown.")
    required: bool
    reasons: list[str] = Field(description="The labels of the indicators answered yes (request language).")


class ScreeningSummaryOut(Schema):
    id: int
    tool_version: str
    outcome: str
    child: bool
    age_basis: str
    elements: dict[str, str]
    screened_at: datetime
    created_at: datetime


class ScreeningOut(ScreeningSummaryOut):
    answers: dict[str, str]
    notes: dict[str, str]
    detail: list[ElementOut]
    missing: dict[str, str] = Field(
        description="Required elements not met: element -> no (not indicated) / unknown (not known)."
    )
    rights: list[str] = Field(description="For a presumed victim: the rights and services that follow.")
    case_stage: str


class IdentificationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    authority: choices.Authority
    authority_name: str = Field(
        "", pattern=NO_NUL, description="Name of the authority. At most 200 characters."
    )
    decided_on: date = Field(
        description="Not in the future, nor more than a year before the case was opened."
    )
    decision: choices.IdentificationDecision
    reference: str = Field(
        "", pattern=NO_NUL, description="File reference (kept encrypted). At most 200 characters."
    )


class IdentificationOut(Schema):
    id: int
    authority: str
    authority_name: str
    decided_on: date
    decision: str
    reference: str
    created_at: datetime


class IndicatorOut(Schema):
    code: str
    label: str


class IndicatorGroupOut(Schema):
    code: str
    label: str
    items: list[IndicatorOut]


class IndicatorListOut(Schema):
    version: str
    title: str
    groups: list[IndicatorGroupOut]
