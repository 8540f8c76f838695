"""Reading cases: one case (scoped, 404 outside the scope, audited page reads), its timeline, the work queues
with their computed reminders, and the counts of the home cards.

Every read starts from ``Case.objects.visible_to(user)``. Lists load codes and case fields only (never the
survivor's encrypted columns): a queue page costs a constant number of queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case as When_
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.accounts.policies import require
from himaya.cases import choices
from himaya.cases.models import Case, CaseEvent, Consent, EventKind
from himaya.core import audit
from himaya.core.models import AuditAction
from himaya.directory.models import TaxonomyTerm

NEEDS_TAXONOMY = "himaya-needs"
CONSENT_WARNING_DAYS = 14

# Columns a queue row needs: the survivor's code, never her encrypted columns.
QUEUE_COLUMNS = (
    "code",
    "organisation_id",
    "survivor_id",
    "survivor__code",
    "entry_point",
    "status",
    "stage",
    "priority",
    "risk_level",
    "intake_step",
    "opened_at",
    "follow_up_due",
    "updated_at",
)
_PRIORITY_RANK = When_(
    When(priority=choices.Priority.URGENT, then=Value(0)),
    When(priority=choices.Priority.HIGH, then=Value(1)),
    When(priority=choices.Priority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SORTS: dict[str, tuple[Any, ...]] = {
    "-opened": ("-opened_at", "-pk"),
    "opened": ("opened_at", "pk"),
    "follow_up": (F("follow_up_due").asc(nulls_last=True), "-opened_at", "-pk"),
    "priority": ("priority_rank", "-opened_at", "-pk"),
    "-updated": ("-updated_at", "-pk"),
    "code": ("code",),
}
STATUS_ACTIVE, STATUS_ANY = "", "any"
FOLLOW_UP_STATES = ("overdue", "today", "week", "none")
REMINDERS = ("follow_up", "consent", "intake")


@dataclass
class QueueFilters:
    """What a queue page asks for; unknown values were dropped by the form (queues never answer 400)."""

    status: str = STATUS_ACTIVE
    stage: str = ""
    priority: str = ""
    risk_level: str = ""
    entry_point: str = ""
    follow_up: str = ""
    reminder: str = ""
    sort: str = "-opened"

    def is_filtered(self) -> bool:
        return any(
            (
                self.status,
                self.stage,
                self.priority,
                self.risk_level,
                self.entry_point,
                self.follow_up,
                self.reminder,
            )
        )


def today() -> date:
    return timezone.localdate()


def need_terms() -> list[TaxonomyTerm]:
    """The directory's needs, in their order (the vocabulary of a case's immediate needs)."""
    return list(TaxonomyTerm.objects.filter(taxonomy__code=NEEDS_TAXONOMY).order_by("position", "code"))


def need_labels(codes: list[str]) -> list[str]:
    labels = {term.code: term.label for term in need_terms()}
    return [labels.get(code, code) for code in codes]


# One case ----------------------------------------------------------------------------------------------------


def case_get(*, viewer: User, code: str) -> Case:
    """The case ``code`` if ``viewer`` may see it, else 404 (another organisation's case is never confirmed).

    Not audited (the page views that show it are); her encrypted columns load only when read."""
    queryset = Case.objects.visible_to(viewer).select_related("survivor", "organisation")
    case = queryset.defer(*_survivor_secrets()).filter(code=code).first()
    if case is None:
        raise Http404
    return case


def _survivor_secrets() -> list[str]:
    from himaya.cases.services.survivors import IDENTIFYING_FIELDS

    return [f"survivor__{name}" for name in IDENTIFYING_FIELDS]


# What the case page's summary shows (its sections add their own names: see views/cases.py SECTIONS).
CASE_FIELDS_SHOWN = (
    "case.code",
    "case.status",
    "case.stage",
    "case.priority",
    "case.risk_level",
    "case.entry_point",
    "case.intake_step",
    "case.opened_at",
    "case.closed_at",
    "case.follow_up_due",
    "case.caseworkers",
    "case.events",
    "case.legal_hold",
    "case.legal_hold_reason",
    "closure.reason",
    "closure.status",
    "survivor.code",
)


def case_read(*, viewer: User, code: str, fields: Iterable[str], view: str = "case_page") -> Case:
    """A read of case ``code`` that shows ``fields`` (names only): scoped, permission-checked and audited as one
    READ event naming them; ``view`` says where ("case_page", "api")."""
    case = case_get(viewer=viewer, code=code)
    require(viewer, "cases.view_case", case)
    audit.record(AuditAction.READ, actor=viewer, target=case, fields=list(fields), detail={"view": view})
    return case


def record_case_read(*, viewer: User, case: Case, fields: Iterable[str]) -> None:
    """A page showed ``fields`` of ``case`` (names only) to ``viewer``."""
    audit.record(AuditAction.READ, actor=viewer, target=case, fields=fields)


def consents_expiring(*, day: date | None = None) -> QuerySet[Consent]:
    """Active consents (not withdrawn) that end within CONSENT_WARNING_DAYS of ``day``."""
    day = day or today()
    return Consent.objects.filter(
        withdrawn_at__isnull=True,
        expires_on__gte=day,
        expires_on__lte=day + timedelta(days=CONSENT_WARNING_DAYS),
    )


@dataclass
class Reminder:
    kind: str  # "follow_up_overdue", "follow_up_today", "consent_expiring", "intake"
    tone: str  # Bootstrap colour


def reminders_of(
    case: Case, *, day: date | None = None, consent_expiring: bool | None = None
) -> list[Reminder]:
    """The reminders computed for one case (queue rows carry ``consent_expiring`` as an annotation)."""
    day = day or today()
    found: list[Reminder] = []
    if case.status == choices.CaseStatus.CLOSED:
        return found
    if case.follow_up_due is not None:
        if case.follow_up_due < day:
            found.append(Reminder("follow_up_overdue", "danger"))
        elif case.follow_up_due == day:
            found.append(Reminder("follow_up_today", "warning"))
    if consent_expiring is None:
        consent_expiring = consents_expiring(day=day).filter(case=case).exists()
    if consent_expiring:
        found.append(Reminder("consent_expiring", "warning"))
    if case.intake_step != choices.IntakeStep.DONE:
        found.append(Reminder("intake", "info"))
    return found


@dataclass
class TimelineEntry:
    event: CaseEvent
    url: str = ""
    summary: str = ""


def _label(choices_class: Any, value: Any) -> str:
    return str(dict(choices_class.choices).get(value, value or "—"))


def _describe(event: CaseEvent, needs: dict[str, str]) -> str:
    """A short, translated account of a timeline line from its ``detail`` (codes and counts only)."""
    detail = event.detail or {}
    kind = event.kind
    if kind in (EventKind.STAGE_CHANGED, EventKind.STATUS_CHANGED):
        labels = choices.Stage if kind == EventKind.STAGE_CHANGED else choices.CaseStatus
        return f"{_label(labels, detail.get('from'))} → {_label(labels, detail.get('to'))}"
    if kind == EventKind.CASE_OPENED:
        return _label(choices.EntryPoint, detail.get("entry_point"))
    if kind == EventKind.ASSIGNED:
        return _("%(added)d added, %(removed)d removed") % {
            "added": len(detail.get("added", [])),
            "removed": len(detail.get("removed", [])),
        }
    if kind == EventKind.INTAKE_COMPLETED:
        return ", ".join(needs.get(code, code) for code in detail.get("needs", []))
    if kind == EventKind.CASE_UPDATED:
        parts = []
        for name in detail.get("fields", []):
            try:
                label = str(getattr(Case._meta.get_field(name), "verbose_name", name))
            except FieldDoesNotExist:  # a field removed since: show its name
                label = name
            if name == "priority" and detail.get("priority"):
                label += f": {_label(choices.Priority, detail['priority'])}"
            elif name == "follow_up_due" and "follow_up_due" in detail:
                label += f": {detail['follow_up_due'] or '—'}"
            parts.append(label)
        return ", ".join(parts)
    from himaya.cases.queries.closure import describe_event  # the lifecycle and assessment lines

    return describe_event(event)


_SECTION_OF = {
    "incident": "incidents",
    "consent": "consents",
    "note": "notes",
    "contactlog": "contacts",
    "document": "documents",
}


def _record_url(case: Case, event: CaseEvent) -> str:
    """Where the record of a timeline line lives: its own page when its area names one
    (``cases:<type>_detail`` with the case code and the record id), else its section of the case page."""
    if not event.object_type or event.object_id is None:
        return ""
    try:
        return reverse(f"cases:{event.object_type}_detail", kwargs={"code": case.code, "pk": event.object_id})
    except NoReverseMatch:
        section = _SECTION_OF.get(event.object_type)
        if section is None:
            return ""
        return reverse("cases:case_detail", kwargs={"code": case.code}) + f"#{section}"


def timeline(*, viewer: User, case: Case, limit: int = 200) -> list[TimelineEntry]:
    """The case timeline, newest first (who, when, what), each line with a link to its record if any."""
    require(viewer, "cases.view_case", case)
    events = list(
        CaseEvent.objects.filter(case=case).select_related("created_by").order_by("-at", "-id")[:limit]
    )
    needs = (
        {term.code: term.label for term in need_terms()}
        if any(event.kind == EventKind.INTAKE_COMPLETED for event in events)
        else {}
    )
    return [
        TimelineEntry(event=event, url=_record_url(case, event), summary=_describe(event, needs))
        for event in events
    ]


def caseworkers_of(case: Case) -> list[User]:
    return list(case.caseworkers.order_by("full_name", "email"))


def assignable_users(*, viewer: User, case: Case) -> QuerySet[User]:
    """Who the supervisor may assign: active members of the case's organisation holding a case role."""
    from himaya.accounts.roles import CASE_ROLES, Role

    require(viewer, "cases.assign_case", case)
    return (
        User.objects.filter(
            organisation_id=case.organisation_id, is_active=True, role_assignments__role__in=CASE_ROLES
        )
        .exclude(role_assignments__role=Role.SYSTEM_ADMIN)
        .distinct()
        .order_by("full_name", "email")
    )


# Queues -------------------------------------------------------------------------------------------------------


def _queue(queryset: QuerySet[Case], filters: QueueFilters, *, day: date) -> QuerySet[Case]:
    if filters.status == STATUS_ACTIVE:
        queryset = queryset.exclude(status=choices.CaseStatus.CLOSED)
    elif filters.status != STATUS_ANY:
        queryset = queryset.filter(status=filters.status)
    for name in ("stage", "priority", "risk_level", "entry_point"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{name: value})
    if filters.follow_up == "overdue":
        queryset = queryset.filter(follow_up_due__lt=day)
    elif filters.follow_up == "today":
        queryset = queryset.filter(follow_up_due=day)
    elif filters.follow_up == "week":
        queryset = queryset.filter(follow_up_due__gte=day, follow_up_due__lte=day + timedelta(days=7))
    elif filters.follow_up == "none":
        queryset = queryset.filter(follow_up_due__isnull=True)
    expiring = Exists(consents_expiring(day=day).filter(case=OuterRef("pk")))
    queryset = queryset.annotate(consent_expiring=expiring)
    if filters.reminder == "follow_up":
        queryset = queryset.filter(follow_up_due__lte=day)
    elif filters.reminder == "consent":
        queryset = queryset.filter(consent_expiring=True)
    elif filters.reminder == "intake":
        queryset = queryset.exclude(intake_step=choices.IntakeStep.DONE)
    if filters.sort == "priority":
        queryset = queryset.annotate(priority_rank=_PRIORITY_RANK)
    order = SORTS.get(filters.sort, SORTS["-opened"])
    return queryset.select_related("survivor").only(*QUEUE_COLUMNS).order_by(*order)


def my_cases(*, viewer: User, filters: QueueFilters | None = None) -> QuerySet[Case]:
    """The cases assigned to ``viewer`` (open and awaiting closure by default)."""
    require(viewer, "cases.access_case_data")
    return _queue(
        Case.objects.visible_to(viewer).filter(caseworkers=viewer), filters or QueueFilters(), day=today()
    )


def organisation_cases(*, viewer: User, filters: QueueFilters | None = None) -> QuerySet[Case]:
    """Every case of the supervisor's organisation."""
    require(viewer, "cases.view_organisation_queue")
    return _queue(Case.objects.visible_to(viewer), filters or QueueFilters(), day=today())


class OneQueryPage:
    """A queue for ``core.pagination.paginate``: the rows of the requested page and the total number of rows come
    from one query (a window count), so that a queue page costs one query whatever its size. Only when the page
    asked for lies beyond the last one does it count separately (the paginator then shows the last page)."""

    ordered = True

    def __init__(self, queryset: QuerySet[Case], *, page: Any, per_page: int) -> None:
        self.queryset = queryset
        try:
            number = max(int(page), 1)
        except (TypeError, ValueError):
            number = 1
        self.bottom = (number - 1) * per_page
        self.top = self.bottom + per_page
        self._rows: list[Case] | None = None
        self._total = 0

    def _load(self) -> list[Case]:
        if self._rows is None:
            rows: list[Any] = list(
                self.queryset.annotate(queue_total=Window(Count("pk")))[self.bottom : self.top]
            )
            self._rows = rows
            if rows:
                self._total = int(rows[0].queue_total)
            else:
                self._total = self.queryset.count() if self.bottom else 0
            return rows
        return self._rows

    def count(self) -> int:
        self._load()
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: Any) -> Any:
        rows = self._load()
        if isinstance(key, slice) and key.start == self.bottom and rows:
            return rows[: (key.stop or self.top) - self.bottom]
        return list(self.queryset[key]) if isinstance(key, slice) else self.queryset[key]


# The coded fields a queue row shows by their label.
QUEUE_LABELLED_FIELDS = ("status", "stage", "priority", "risk_level", "entry_point")


@dataclass
class QueueRow:
    case: Case
    reminders: list[Reminder] = field(default_factory=list)
    caseworkers: list[User] = field(default_factory=list)
    # QUEUE_LABELLED_FIELDS -> the label in the active language
    labels: dict[str, str] = field(default_factory=dict)


def _model_field(name: str) -> Any:
    return Case._meta.get_field(name)


def _labels_of_choices() -> dict[str, dict[str, str]]:
    """Each labelled field's labels, translated once per page: ``get_FOO_display`` in the template hashes every
    lazy label of the field at each call (a third of the page's time with 25 rows)."""
    return {
        name: {str(value): str(label) for value, label in _model_field(name).flatchoices}
        for name in QUEUE_LABELLED_FIELDS
    }


def queue_rows(cases: Any, *, with_caseworkers: bool = False) -> list[QueueRow]:
    """Rows of one page of a queue; caseworkers come in one extra query for the whole page."""
    day = today()
    page = list(cases)
    choice_labels = _labels_of_choices()
    by_case: dict[int, list[User]] = {}
    if with_caseworkers and page:
        through = Case.caseworkers.through
        links = through.objects.filter(case_id__in=[c.pk for c in page]).select_related("user")
        for link in links.order_by("user__full_name", "user__email"):
            by_case.setdefault(link.case_id, []).append(link.user)
    return [
        QueueRow(
            case=case,
            reminders=reminders_of(case, day=day, consent_expiring=getattr(case, "consent_expiring", False)),
            caseworkers=by_case.get(case.pk, []),
            labels={
                name: choice_labels[name].get(str(value), str(value))
                for name in QUEUE_LABELLED_FIELDS
                for value in [getattr(case, name)]
            },
        )
        for case in page
    ]


@dataclass
class QueueCounts:
    open: int = 0
    follow_up_overdue: int = 0
    follow_up_today: int = 0
    consent_expiring: int = 0
    intake_unfinished: int = 0

    @property
    def reminders(self) -> int:
        return self.follow_up_overdue + self.follow_up_today + self.consent_expiring + self.intake_unfinished


def _counts(queryset: QuerySet[Case]) -> QueueCounts:
    day = today()
    expiring = Exists(consents_expiring(day=day).filter(case=OuterRef("pk")))
    row = (
        queryset.exclude(status=choices.CaseStatus.CLOSED)
        .annotate(consent_soon=expiring)
        .aggregate(
            open=Count("pk"),
            follow_up_overdue=Count("pk", filter=Q(follow_up_due__lt=day)),
            follow_up_today=Count("pk", filter=Q(follow_up_due=day)),
            consent_expiring=Count("pk", filter=Q(consent_soon=True)),
            intake_unfinished=Count("pk", filter=~Q(intake_step=choices.IntakeStep.DONE)),
        )
    )
    return QueueCounts(**{name: int(value or 0) for name, value in row.items()})


def my_counts(*, viewer: User) -> QueueCounts:
    require(viewer, "cases.access_case_data")
    return _counts(Case.objects.visible_to(viewer).filter(caseworkers=viewer))


def organisation_counts(*, viewer: User) -> QueueCounts:
    require(viewer, "cases.view_organisation_queue")
    return _counts(Case.objects.visible_to(viewer))
