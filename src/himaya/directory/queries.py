"""Reads of the directory for staff pages, scoped by the access policy and the visibility rules.

The directory holds no victim data: every active staff member reads it at the network level; the entry's own
organisation and the directory editors read it at the restricted level. What each audience sees of a field or
a location is decided by ``himaya.directory.visibility`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from himaya.accounts.models import User
from himaya.accounts.policies import require
from himaya.directory.models import (
    CapacityRecord,
    ChangeProposal,
    Location,
    MigrationStatus,
    Phone,
    Schedule,
    Service,
    ServiceHistory,
    ServiceStatus,
    Sex,
    TaxonomyTerm,
    VerificationMethod,
    ViolenceForm,
)
from himaya.directory.services import VERSION_KEY, field_label, jsonable, proposal_conflicts
from himaya.directory.visibility import (
    CONFIGURABLE_FIELD_LABELS,
    CONFIGURABLE_FIELDS,
    Audience,
    audience_for,
    field_level,
    field_visible,
    location_view,
    visible_phones,
)

# Needs whose services show a capacity panel (shelters and reception centres).
CAPACITY_NEEDS = frozenset({"emergency_shelter", "long_term_shelter", "trafficking_reception"})
SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "organisation": ("organisation__name", "name"),
    "updated": ("-updated_at",),
    "due": (F("verification_due").asc(nulls_first=True), "name"),
}
VERIFICATION_STATES = ("verified", "stale", "never")


def _services() -> QuerySet[Service]:
    return Service.objects.select_related("organisation", "verified_by").prefetch_related(
        Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy"))
    )


def service_list(
    *,
    viewer: User,
    q: str = "",
    need: str = "",
    province: str = "",
    status: str = "",
    organisation: int | None = None,
    verification: str = "",
    sort: str = "name",
    today: date | None = None,
) -> QuerySet[Service]:
    require(viewer, "directory.view_directory")
    today = today or timezone.localdate()
    queryset = _services()
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(name_ar__icontains=q)
            | Q(name_en__icontains=q)
            | Q(alternate_name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(organisation__acronym__icontains=q)
        )
    if need:
        queryset = queryset.filter(pk__in=Service.objects.filter(terms__code=need).values("pk"))
    if province:
        queryset = queryset.filter(
            pk__in=Service.objects.filter(
                Q(locations__province__code=province) | Q(organisation__province__code=province)
            ).values("pk")
        )
    if status in ServiceStatus.values:
        queryset = queryset.filter(status=status)
    if organisation:
        queryset = queryset.filter(organisation_id=organisation)
    if verification == "verified":
        queryset = queryset.filter(verified_at__isnull=False).exclude(verification_due__lt=today)
    elif verification == "stale":
        queryset = queryset.filter(Q(verified_at__isnull=True) | Q(verification_due__lt=today))
    elif verification == "never":
        queryset = queryset.filter(verified_at__isnull=True)
    return queryset.order_by(*SORTS.get(sort, SORTS["name"]), "pk")


def service_get(*, viewer: User, pk: Any) -> Service:
    require(viewer, "directory.view_directory")
    try:
        return (
            _services()
            .prefetch_related(
                Prefetch("locations", queryset=Location.objects.select_related("city", "province", "region")),
                Prefetch("schedules", queryset=Schedule.objects.filter(location__isnull=True)),
                Prefetch("phones", queryset=Phone.objects.all()),
                "languages",
            )
            .get(pk=pk)
        )
    except (Service.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def shows_capacity(service: Service) -> bool:
    return any(term.code in CAPACITY_NEEDS for term in service.terms.all())


@dataclass(frozen=True)
class CapacityView:
    places: int | None
    vacancies: int | None
    as_of: datetime | None
    fresh: bool

    @property
    def known(self) -> bool:
        return self.fresh and self.places is not None


def latest_capacity(*, viewer: User, service: Service, now: datetime | None = None) -> CapacityView:
    """The latest capacity, or "unknown" when there is none or it is older than 48 hours."""
    require(viewer, "directory.view_directory")
    record = CapacityRecord.objects.filter(service=service).order_by("-as_of", "-id").first()
    if record is None:
        return CapacityView(None, None, None, False)
    fresh = record.is_fresh(now)
    return CapacityView(
        record.places if fresh else None, record.vacancies if fresh else None, record.as_of, fresh
    )


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    value: Any
    level: str
    visible: bool


def service_view(*, viewer: User, service: Service) -> dict[str, Any]:
    """What ``viewer`` may see of ``service``: the audience, the fields, the locations, the phones."""
    audience = audience_for(viewer, service)
    fields = []
    for name in CONFIGURABLE_FIELDS:
        visible = field_visible(service, name, audience)
        fields.append(
            FieldRow(
                name=name,
                label=str(CONFIGURABLE_FIELD_LABELS[name]),
                value=getattr(service, name) if visible else "",
                level=Audience(field_level(service, name)).name.lower(),
                visible=visible,
            )
        )
    return {
        "audience": audience,
        "restricted": audience >= Audience.RESTRICTED,
        "fields": fields,
        "locations": [location_view(location, audience) for location in service.locations.all()],
        "phones": visible_phones(service.phones.all(), audience),
    }


def stale_services(*, viewer: User, today: date | None = None) -> QuerySet[Service]:
    """Entries to verify: never verified, or past their due date; the longest overdue first."""
    require(viewer, "directory.verify_service")
    today = today or timezone.localdate()
    return (
        _services()
        .exclude(status__in=[ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE])
        .filter(Q(verified_at__isnull=True) | Q(verification_due__lt=today))
        .order_by(F("verification_due").asc(nulls_first=True), "name", "pk")  # never verified first
    )


def stale_count(*, viewer: User, today: date | None = None) -> int:
    return stale_services(viewer=viewer, today=today).count()


def proposal_queue(*, viewer: User) -> QuerySet[ChangeProposal]:
    require(viewer, "directory.review_proposal")
    return (
        ChangeProposal.objects.filter(status=ChangeProposal.Status.PENDING)
        .select_related("service__organisation", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def may_see_proposal(viewer: User, proposal: ChangeProposal) -> bool:
    return viewer.has_perm("directory.review_proposal", proposal.service) or viewer.has_perm(
        "directory.propose_change", proposal.service
    )


def proposal_get(*, viewer: User, pk: int) -> ChangeProposal:
    """One proposal, for the editors and the members of the service's organisation (404 for anyone else)."""
    require(viewer, "directory.view_directory")
    try:
        proposal = ChangeProposal.objects.select_related(
            "service__organisation", "proposed_by", "reviewed_by"
        ).get(pk=pk)
    except ChangeProposal.DoesNotExist as exc:
        raise Http404 from exc
    if not may_see_proposal(viewer, proposal):
        raise Http404
    return proposal


CODE_LABELS: dict[str, dict[str, Any]] = {
    "eligible_sexes": dict(Sex.choices),
    "eligible_migration_statuses": dict(MigrationStatus.choices),
    "eligible_violence_forms": dict(ViolenceForm.choices),
    "status": dict(ServiceStatus.choices),
    "verification_method": dict(VerificationMethod.choices),
}
MOMENT_FIELDS = ("verified_at",)
DATE_FIELDS = ("verification_due", "alert_until")


def display_value(name: str, value: Any) -> str:
    """A stored value of field ``name`` as people read it: labels for codes, local dates for instants."""
    labels = CODE_LABELS.get(name)
    if labels is not None:
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(item, item)) for item in items if item not in (None, ""))
    if name in MOMENT_FIELDS and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if name in DATE_FIELDS and isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return date_format(day, "SHORT_DATE_FORMAT")
    return as_text(value)


def as_text(value: Any) -> str:
    """A stored value as text for diffs and history (lists joined; nothing as an empty string)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {as_text(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True)
class DiffRow:
    name: str
    label: str
    old: Any
    new: Any
    current: Any
    changed_since: bool

    @property
    def old_text(self) -> str:
        return display_value(self.name, self.old)

    @property
    def new_text(self) -> str:
        return display_value(self.name, self.new)

    @property
    def current_text(self) -> str:
        return display_value(self.name, self.current)


def proposal_diff(proposal: ChangeProposal) -> list[DiffRow]:
    """Side by side: the value when proposed, the proposed value, and the current value if it moved since."""
    conflicts = proposal_conflicts(proposal, proposal.service)
    rows = []
    for name, new in proposal.changes.items():
        current = jsonable(getattr(proposal.service, name))
        rows.append(
            DiffRow(
                name=name,
                label=field_label(name),
                old=proposal.base.get(name),
                new=new,
                current=current,
                changed_since=name in conflicts,
            )
        )
    return rows


def diff_preview(service: Service, changes: dict[str, Any]) -> list[DiffRow]:
    """The rows a proposal would have (for the preview before submitting)."""
    return [
        DiffRow(
            name=name,
            label=field_label(name),
            old=jsonable(getattr(service, name)),
            new=value,
            current=None,
            changed_since=False,
        )
        for name, value in changes.items()
    ]


def service_proposals(*, viewer: User, service: Service) -> QuerySet[ChangeProposal]:
    """Proposals on one service: editors and the service's organisation see them; others see none."""
    queryset = ChangeProposal.objects.filter(service=service).select_related("proposed_by", "reviewed_by")
    if viewer.has_perm("directory.review_proposal", service) or viewer.has_perm(
        "directory.propose_change", service
    ):
        return queryset.order_by("-proposed_at", "-pk")
    return queryset.none()


def my_services(*, viewer: User) -> QuerySet[Service]:
    require(viewer, "directory.view_directory")
    return _services().filter(organisation_id=viewer.organisation_id).order_by("name", "pk")


def my_proposals(*, viewer: User, pending_only: bool = False) -> QuerySet[ChangeProposal]:
    """Proposals on the services of the viewer's organisation."""
    require(viewer, "directory.view_directory")
    queryset = ChangeProposal.objects.filter(service__organisation_id=viewer.organisation_id).select_related(
        "service", "proposed_by", "reviewed_by"
    )
    if pending_only:
        queryset = queryset.filter(status=ChangeProposal.Status.PENDING)
    return queryset.order_by("-proposed_at", "-pk")


def capacity_to_update(*, viewer: User, now: datetime | None = None) -> list[Service]:
    """Shelters and reception centres of the viewer's organisation whose capacity is unknown (none or > 48 h)."""
    require(viewer, "directory.view_directory")
    services = (
        my_services(viewer=viewer)
        .exclude(status__in=[ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE])
        .filter(pk__in=Service.objects.filter(terms__code__in=CAPACITY_NEEDS).values("pk"))
    )
    return [s for s in services if not latest_capacity(viewer=viewer, service=s, now=now).fresh]


@dataclass(frozen=True)
class HistoryEntry:
    entry: ServiceHistory
    changes: list[tuple[str, str, str]]


def service_history(*, viewer: User, service: Service, limit: int = 100) -> list[HistoryEntry]:
    """What changed, when, by whom. Values of fields the viewer may not see are hidden."""
    require(viewer, "directory.view_directory")
    audience = audience_for(viewer, service)
    entries = []
    for entry in service.history.select_related("by").order_by("-at", "-id")[:limit]:
        rows = []
        for name, pair in (entry.changes or {}).items():
            if name == VERSION_KEY:
                continue
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            hidden = (name in CONFIGURABLE_FIELDS and not field_visible(service, name, audience)) or (
                name.startswith("location.") and audience < Audience.RESTRICTED
            )
            if hidden:
                rows.append((field_label(name), "…", "…"))
            else:
                rows.append((field_label(name), display_value(name, old), display_value(name, new)))
        entries.append(HistoryEntry(entry=entry, changes=rows))
    return entries
