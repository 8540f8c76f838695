"""What the cases API (/api/v1/cases, /api/v1/survivors) accepts and returns.

Lists carry pseudonymous codes, never names. Free-text fields take no ``maxLength`` here: the services check
their length (and refuse text-direction override characters) with one translated message, answered as 400; the
limit is given in each field's description. Every other constraint is declared, so it appears in OpenAPI.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from ninja import Field, Path, Schema
from pydantic import ConfigDict, field_validator

from himaya.api.schemas import NO_NUL
from himaya.cases import choices
from himaya.cases.codes import ALPHABET
from himaya.cases.data.countries import COUNTRIES
from himaya.directory.data.taxonomy import LANGUAGES

_BODY = f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}*~$=U]"
CASE_CODE = f"^D-{_BODY}$"
SURVIVOR_CODE = f"^S-{_BODY}$"
# A key sent by the caller: visible ASCII characters only (no spaces, which proxies may fold).
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,100}$"
PROVINCE_CODE = r"^[0-9]{2}\.[0-9]{3}$"

CaseCode = Annotated[str, Path(pattern=CASE_CODE, description="The case code (D-XXXX-XXXX-C).")]
SurvivorCode = Annotated[str, Path(pattern=SURVIVOR_CODE, description="Her code (S-XXXX-XXXX-C).")]
CountryCode = StrEnum("CountryCode", {code: code for code in COUNTRIES})  # type: ignore[misc]
LanguageCode = StrEnum("LanguageCode", {code: code for code in LANGUAGES})  # type: ignore[misc]


def _text(description: str, limit: int) -> Any:
    return Field("", pattern=NO_NUL, description=f"{description} At most {limit} characters.")


# Cases ---------------------------------------------------------------------------------------------------------


class CaseFilters(Schema):
    status: choices.CaseStatus | Literal["any", ""] = Field(
        "", description='Only cases with this status; "" (default): every case not closed; "any": every case.'
    )
    stage: choices.Stage | Literal[""] = Field("", description="Only cases at this stage.")
    assigned_to_me: bool = Field(
        False, description="Only the cases assigned to the caller (the acting user)."
    )
    q: str = Field(
        "", max_length=20, pattern=NO_NUL, description="A case code (D-…) or a survivor code (S-…), exactly."
    )


class CaseSummaryOut(Schema):
    """A row of the case list: codes and case fields, never her name."""

    code: str
    survivor_code: str
    status: str
    stage: str
    priority: str
    risk_level: str
    entry_point: str
    intake_step: str
    opened_at: datetime
    follow_up_due: date | None
    updated_at: datetime


class CaseOut(CaseSummaryOut):
    organisation_id: int
    immediate_needs: list[str]
    closed_at: datetime | None
    caseworker_ids: list[int]
    version: int = Field(description="Send it back in PATCH: a stale version answers 409.")


class SurvivorIn(Schema):
    """Her details. At least one name (Latin or Arabic script) is required."""

    model_config = ConfigDict(extra="forbid")

    given_name_latin: str = _text("First name in Latin script; no markup, no text-direction characters.", 120)
    family_name_latin: str = _text("Family name in Latin script.", 120)
    given_name_arabic: str = _text("First name in Arabic script.", 120)
    family_name_arabic: str = _text("Family name in Arabic script.", 120)
    id_document_type: choices.IdDocumentType | Literal[""] = ""
    id_document_number: str = _text("Number of her identity document.", 200)
    phone: str = _text("A telephone number (0612345678, +221 77 123 45 67).", 200)
    other_phone: str = _text("Another telephone number.", 200)
    address: str = _text("Her address.", 200)
    identity_notes: str = _text("Notes on her identity.", 20_000)
    sex: choices.Sex = choices.Sex.FEMALE
    birth_year: int | None = Field(None, ge=1800, le=2200, description="Within the last 110 years.")
    birth_year_estimated: bool = False
    nationality: CountryCode | Literal[""] = Field("", description="ISO 3166-1 alpha-2 country code.")
    migration_status: choices.MigrationStatus = choices.MigrationStatus.UNKNOWN
    marital_status: choices.MaritalStatus = choices.MaritalStatus.UNKNOWN
    children_count: int | None = Field(None, ge=0, le=30)
    disability: choices.Disability = choices.Disability.UNKNOWN
    education: choices.Education = choices.Education.UNKNOWN
    occupation: choices.Occupation = choices.Occupation.UNKNOWN
    languages: list[LanguageCode] = Field(default_factory=list, max_length=20)
    residence_province: str | None = Field(
        None, pattern=PROVINCE_CODE, description="The code of her province of residence (01.511)."
    )
    safe_to_contact: choices.YesNoUnknown = choices.YesNoUnknown.UNKNOWN
    safe_contact_method: choices.ContactMethod | Literal[""] = ""
    safe_contact_instructions: str = _text("When and how it is safe to contact her.", 200)


class SurvivorPatchIn(SurvivorIn):
    """Only the fields sent change; ``version`` is the version read (GET /survivors/{code})."""

    version: int = Field(ge=1, le=2**31 - 1, description="The version read; a stale one answers 409.")


class CaseForNewSurvivorIn(Schema):
    """Open a case for a person not registered yet (the intake's first step)."""

    model_config = ConfigDict(extra="forbid")

    survivor: SurvivorIn
    entry_point: choices.EntryPoint
    priority: choices.Priority = choices.Priority.NORMAL


class CaseForKnownSurvivorIn(Schema):
    """Open a new case for a survivor already known to the caller's organisation."""

    model_config = ConfigDict(extra="forbid")

    survivor_code: str = Field(pattern=SURVIVOR_CODE, description="Her code (S-…).")
    entry_point: choices.EntryPoint
    priority: choices.Priority = choices.Priority.NORMAL


class CasePatchIn(Schema):
    """Only the fields sent change. Closing a case has its own procedure (status "closed" answers 400)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version read; a stale one answers 409.")
    priority: choices.Priority | None = None
    follow_up_due: date | None = Field(None, description="Within the next two years; null clears it.")
    stage: choices.Stage | None = None
    status: choices.CaseStatus | None = Field(
        None, description='"closed" answers 400: a case is closed through its closure procedure.'
    )


class ChangeOut(Schema):
    field: str
    label: str
    current: Any = Field(description="The value saved meanwhile by someone else.")


class ConflictOut(Schema):
    """Someone else saved the record since the version sent: nothing was saved."""

    detail: str
    changes: list[ChangeOut]


# Survivors -----------------------------------------------------------------------------------------------------


class SurvivorFilters(Schema):
    """Exact search (through keyed blind indexes, as the web search): at least one criterion, else no result."""

    name: str = Field(
        "", max_length=250, pattern=NO_NUL, description="Her full name, exactly (either order)."
    )
    phone: str = Field("", max_length=50, pattern=NO_NUL, description="A telephone number.")
    id_number: str = Field("", max_length=50, pattern=NO_NUL, description="An identity document number.")
    code: str = Field("", max_length=20, pattern=NO_NUL, description="Her code (S-…) or a case code (D-…).")


class SurvivorSummaryOut(Schema):
    code: str
    birth_year: int | None
    case_codes: list[str] = Field(description="Her cases the caller may see.")


class SurvivorOut(Schema):
    """Her profile and her identifying values (reading them is audited as a reveal)."""

    code: str
    version: int
    given_name_latin: str
    family_name_latin: str
    given_name_arabic: str
    family_name_arabic: str
    id_document_type: str
    id_document_number: str
    phone: str
    other_phone: str
    address: str
    identity_notes: str
    sex: str
    birth_year: int | None
    birth_year_estimated: bool
    nationality: str
    migration_status: str
    marital_status: str
    children_count: int | None
    disability: str
    education: str
    occupation: str
    languages: list[str]
    residence_province: str | None
    safe_to_contact: str
    safe_contact_method: str
    safe_contact_instructions: str
    case_codes: list[str]


# Incidents -----------------------------------------------------------------------------------------------------


class PerpetratorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    relationship: choices.Relationship
    sex: choices.Sex = choices.Sex.MALE
    age_group: choices.PerpetratorAgeGroup = choices.PerpetratorAgeGroup.UNKNOWN


class PerpetratorOut(Schema):
    relationship: str
    sex: str
    age_group: str


class IncidentIn(Schema):
    """The GBVIMS type and the reporting delay are computed from the answers, never sent."""

    model_config = ConfigDict(extra="forbid")

    occurred_on: date | None = Field(None, description="Date, or start of the period; not in the future.")
    occurred_until: date | None = Field(None, description="End of the period.")
    date_is_approximate: bool = False
    reported_on: date | None = Field(None, description="When it was reported to you (default: today).")
    province: str | None = Field(None, pattern=PROVINCE_CODE, description="Province code (01.511).")
    place_type: choices.PlaceType = choices.PlaceType.UNKNOWN
    law_forms: list[choices.LawForm] = Field(default_factory=list, max_length=20)
    tech_forms: list[choices.TechForm] = Field(default_factory=list, max_length=20)
    platforms: list[choices.Platform] = Field(default_factory=list, max_length=30)
    trafficking_forms: list[choices.TraffickingForm] = Field(default_factory=list, max_length=20)
    involved_penetration: bool = False
    involved_sexual_contact: bool = False
    involved_physical_assault: bool = False
    involved_forced_marriage: bool = False
    involved_denial_of_resources: bool = False
    involved_psychological_abuse: bool = False
    perpetrator_count: int = Field(1, ge=1, le=50)
    reported_to_police_before: choices.YesNoUnknown = choices.YesNoUnknown.UNKNOWN
    description: str = _text("What happened.", 20_000)
    perpetrators: list[PerpetratorIn] = Field(default_factory=list, max_length=50)


class IncidentSummaryOut(Schema):
    id: int
    occurred_on: date | None
    occurred_until: date | None
    date_is_approximate: bool
    reported_on: date
    province: str | None
    place_type: str
    law_forms: list[str]
    tech_forms: list[str]
    platforms: list[str]
    trafficking_forms: list[str]
    involved_penetration: bool
    involved_sexual_contact: bool
    involved_physical_assault: bool
    involved_forced_marriage: bool
    involved_denial_of_resources: bool
    involved_psychological_abuse: bool
    gbv_type: str
    reporting_delay: str
    perpetrator_count: int
    reported_to_police_before: str
    perpetrators: list[PerpetratorOut]
    created_at: datetime
    version: int


class IncidentOut(IncidentSummaryOut):
    description: str


# Consents ------------------------------------------------------------------------------------------------------


class ConsentIn(Schema):
    """A child's consent comes from a guardian or a best-interest decision; a consent to share names the
    organisation (``recipient_id``) and what may be shared (the case code and needs always are)."""

    model_config = ConfigDict(extra="forbid")

    purpose: choices.ConsentPurpose
    method: choices.ConsentMethod
    given_by: choices.ConsentGiver = choices.ConsentGiver.SURVIVOR
    guardian_name: str = _text("Name of the parent or guardian (given_by guardian).", 200)
    best_interest_reason: str = _text("Reason of the best-interest decision (given_by best_interest).", 2_000)
    recipient_id: int | None = Field(None, ge=1, le=2**63 - 1, description="The organisation (sharing only).")
    shared_information: list[choices.SharedInformation] = Field(default_factory=list, max_length=20)
    given_at: datetime | None = Field(
        None,
        description="When she consented (default: now); not in the future. Without an offset: local time.",
    )
    expires_on: date | None = Field(None, description="Until when; not already passed.")

    @field_validator("given_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """In UTC (PostgreSQL refuses offsets beyond 15:59); a time without offset is local time."""
        if value is None:
            return None
        from django.utils import timezone

        try:
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return value.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise ValueError("date and time out of range") from error


class ConsentWithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = _text("Note on the withdrawal.", 2_000)


class ConsentOut(Schema):
    id: int
    purpose: str
    method: str
    given_by: str
    recipient_id: int | None
    shared_information: list[str]
    given_at: datetime
    expires_on: date | None
    withdrawn_at: datetime | None
    in_force: bool


# Notes ---------------------------------------------------------------------------------------------------------


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(
        pattern=NO_NUL, description="The note (notes are never edited). At most 20000 characters."
    )


class NoteOut(Schema):
    id: int
    body: str
    created_at: datetime
    created_by_id: int | None


IDEMPOTENCY_KEY_DOC = (
    "Optional: the same key with the same request replays the first answer (201 with the header "
    "Idempotent-Replayed: true) and creates nothing; with another request it answers 409. Kept 24 hours."
)
