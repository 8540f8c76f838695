"""Reading incidents: those of one case (scoped by ``visible_to``), one incident for editing (404 outside the
case or the scope; reading its description is audited), and labels for the codes they hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.models import Case, Incident, Perpetrator
from himaya.cases.policies import require
from himaya.core import audit
from himaya.core.models import AuditAction

# The names the case page records in its READ audit when it lists the incidents (cases/records/_incidents.html).
INCIDENT_FIELDS_SHOWN = (
    "incident.occurred_on",
    "incident.occurred_until",
    "incident.reported_on",
    "incident.province",
    "incident.place_type",
    "incident.gbv_type",
    "incident.law_forms",
    "incident.tech_forms",
    "incident.platforms",
    "incident.trafficking_forms",
    "incident.reporting_delay",
    "incident.perpetrators",
)

_CODE_LISTS: dict[str, Any] = {
    "law_forms": choices.LawForm,
    "tech_forms": choices.TechForm,
    "platforms": choices.Platform,
    "trafficking_forms": choices.TraffickingForm,
}


def incidents_of(*, viewer: User, case: Case) -> QuerySet[Incident]:
    """The incidents of ``case`` that ``viewer`` may see, with their perpetrators (two queries)."""
    return (
        Incident.objects.visible_to(viewer)
        .filter(case=case)
        .defer("description")
        .select_related("province")
        .prefetch_related(Prefetch("perpetrators", queryset=Perpetrator.objects.order_by("id")))
        .order_by("-reported_on", "-id")
    )


def incident_get(*, viewer: User, case: Case, pk: int) -> Incident:
    """Incident ``pk`` of ``case`` for editing; 404 when it is not one of this case's or not visible. The
    read of its description is audited."""
    incident = (
        Incident.objects.visible_to(viewer)
        .filter(case=case, pk=pk)
        .select_related("case", "province")
        .first()
    )
    if incident is None:
        raise Http404
    require(viewer, "cases.view_case", case)
    audit.record(AuditAction.READ, actor=viewer, target=incident, fields=["description"])
    return incident


def code_labels(name: str, codes: Iterable[str]) -> list[str]:
    """The translated labels of the codes of a multi-select field (unknown codes shown as they are)."""
    labels = dict(_CODE_LISTS[name].choices)
    return [str(labels.get(code, code)) for code in codes]


def display_value(name: str, value: Any) -> str:
    """A field's current value as a user reads it (conflict messages)."""
    if value is None or value == "":
        return "—"
    if name in _CODE_LISTS:
        return ", ".join(code_labels(name, value)) or "—"
    field = Incident._meta.get_field(name)
    field_choices = dict(getattr(field, "choices", None) or [])
    if field_choices:
        return str(field_choices.get(value, value))
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return str(_("yes") if value else _("no"))
    return str(value)
