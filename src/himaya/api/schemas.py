from __future__ import annotations

from datetime import datetime

from ninja import Schema


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


class UserOut(Schema):
    id: int
    full_name: str
    email: str
    job_title: str
    organisation_id: int
    is_active: bool
    roles: list[RoleOut]


class MeOut(Schema):
    kind: str
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
