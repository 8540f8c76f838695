"""What the API accepts and returns. Every constraint on input is declared here, so it appears in OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic.json_schema import SkipJsonSchema

from himaya.accounts.models import OrganisationKind, RoleAssignment, User

# Databases refuse NUL characters in text (PostgreSQL raises): say so in the schema instead of failing.
NO_NUL = r"^[^\x00]*$"
# Identifiers are 64-bit integers; a larger number cannot name anything (and SQLite would overflow).
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class ApiPagination(LimitOffsetPagination):
    """Limit/offset pagination with bounded values: out-of-range input is a 422, never a server error."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="How many items to return.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class OrganisationFilters(Schema):
    q: str = Field(
        "", max_length=100, pattern=NO_NUL, description="Part of the name, Arabic name or acronym."
    )
    kind: OrganisationKind | SkipJsonSchema[None] = Field(
        None, description="Only organisations of this kind."
    )


class UserFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL, description="Part of the full name or e-mail address.")


class TerritoryOut(Schema):
    code: str
    name_fr: str
    name_ar: str


class OrganisationOut(Schema):
    id: int
    name: str
    name_ar: str
    acronym: str
    kind: str
    sector: str
    region: TerritoryOut | None
    province: TerritoryOut | None
    parent_id: int | None
    email: str
    phone: str
    website: str
    is_active: bool


class RoleOut(Schema):
    role: str
    region_code: str | None = None
    province_code: str | None = None

    @staticmethod
    def resolve_region_code(obj: RoleAssignment) -> str | None:
        return obj.region.code if obj.region is not None else None

    @staticmethod
    def resolve_province_code(obj: RoleAssignment) -> str | None:
        return obj.province.code if obj.province is not None else None


class UserOut(Schema):
    id: int
    full_name: str
    email: str
    job_title: str
    organisation_id: int
    is_active: bool
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj: User) -> list[RoleAssignment]:
        # Served from the prefetch of the queries (role_assignments with region and province): no N+1.
        return list(obj.role_assignments.all())


class MeOut(Schema):
    kind: Literal["user", "token"]
    user: UserOut | None = None
    organisation_id: int
    scopes: list[str] = []


class ApiRoot(Schema):
    name: str
    version: str
    openapi: str
    resources: dict[str, str]
    now: datetime


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]
