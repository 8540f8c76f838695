"""What the plans API (/api/v1/cases/{code}/plans…, /conferences, /me/plan-actions) accepts and returns.
Free text takes no ``maxLength`` here: the services check it (400 with a translated message)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from himaya.api.schemas import NO_NUL
from himaya.assessments.choices import ActionStatus, PlanKind, PlanNeed

DueState = Literal["overdue", "today", "soon", "later", "none"]


class PlanActionOut(Schema):
    id: int
    plan_kind: PlanKind
    need: PlanNeed
    description: str
    owner_id: int | None
    due_on: date | None
    due_state: DueState = Field(
        description="Against today: overdue, today, soon (within 7 days), later, none."
    )
    status: ActionStatus
    completed_at: datetime | None
    created_at: datetime
    version: int


class PlanOut(Schema):
    kind: PlanKind
    started: bool = Field(description="False: no action recorded yet (the plan does not exist yet).")
    version: int | None
    updated_at: datetime | None
    actions: list[PlanActionOut]


class PlanActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    need: PlanNeed
    description: str = Field(pattern=NO_NUL, description="What will be done. At most 2000 characters.")
    owner_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="An active member of the case's organisation with a case role."
    )
    due_on: date | None = Field(None, description="Not in the past, within the next two years.")


class PlanActionPatchIn(Schema):
    """Only the fields sent change. "done" sets the completion time; leaving "done" clears it."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version read; a stale one answers 409.")
    need: PlanNeed | None = None
    description: str | None = Field(None, pattern=NO_NUL)
    owner_id: int | None = Field(None, ge=1, le=2**63 - 1, description="null: nobody.")
    due_on: date | None = Field(
        None, description="A new date: not in the past, within two years; null clears."
    )
    status: ActionStatus | None = None


class MyPlanActionOut(Schema):
    """A row of "my plan actions": codes, no description."""

    id: int
    case_code: str
    plan_kind: PlanKind
    need: PlanNeed
    due_on: date | None
    due_state: DueState
    status: ActionStatus
    version: int


class ConferenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    held_on: date = Field(description="Not in the future.")
    participants: list[int] = Field(
        min_length=1, max_length=50, description="Ids of the organisations present (at least one)."
    )
    decisions: str = Field("", pattern=NO_NUL, description="At most 20000 characters.")


class ConferenceOut(Schema):
    id: int
    held_on: date
    participants: list[int]
    decisions: str
    created_at: datetime
    created_by_id: int | None


class ActionFilters(Schema):
    state: Literal["", "overdue", "today", "soon", "later", "none", "all"] = Field(
        "", description='Empty: overdue or due within 7 days; "all": every open action.'
    )
