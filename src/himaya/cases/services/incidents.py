"""Recording and correcting incidents: every classification of domain.md, the GBVIMS type and the reporting
delay computed here (never typed), perpetrators, and the intake's "first incident" step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.models import Case, EventKind, Incident, Perpetrator
from himaya.cases.policies import require
from himaya.cases.services.cases import intake_set_step
from himaya.cases.services.common import check_codes, check_text, event_add, save_versioned
from himaya.core import audit
from himaya.core.errors import BusinessRuleError
from himaya.core.models import AuditAction, Province

# The GBVIMS classification questions, in the order of the rule: the first "yes" gives the type.
GBV_RULE: tuple[tuple[str, str], ...] = (
    ("involved_penetration", choices.GbvType.RAPE),
    ("involved_sexual_contact", choices.GbvType.SEXUAL_ASSAULT),
    ("involved_physical_assault", choices.GbvType.PHYSICAL_ASSAULT),
    ("involved_forced_marriage", choices.GbvType.FORCED_MARRIAGE),
    ("involved_denial_of_resources", choices.GbvType.DENIAL_OF_RESOURCES),
    ("involved_psychological_abuse", choices.GbvType.PSYCHOLOGICAL_ABUSE),
)
QUESTION_FIELDS = tuple(name for name, _type in GBV_RULE)
MULTI_FIELDS: dict[str, type[TextChoices]] = {
    "law_forms": choices.LawForm,
    "tech_forms": choices.TechForm,
    "platforms": choices.Platform,
    "trafficking_forms": choices.TraffickingForm,
}
SINGLE_FIELDS: dict[str, type[TextChoices]] = {
    "place_type": choices.PlaceType,
    "reported_to_police_before": choices.YesNoUnknown,
}
DATE_FIELDS = ("occurred_on", "occurred_until", "reported_on")
EDITABLE_FIELDS = (
    *DATE_FIELDS,
    "date_is_approximate",
    "province",
    *SINGLE_FIELDS,
    *MULTI_FIELDS,
    *QUESTION_FIELDS,
    "perpetrator_count",
    "description",
)
COMPUTED_FIELDS = ("gbv_type", "reporting_delay")
MAX_PERPETRATORS = 50
DESCRIPTION_MAX = 20_000


def gbv_type_for(answers: Mapping[str, Any]) -> str:
    """The GBVIMS core type: the first question of GBV_RULE answered yes; none: not gender-based violence."""
    for name, gbv_type in GBV_RULE:
        if answers.get(name):
            return str(gbv_type)
    return str(choices.GbvType.NON_GBV)


def reporting_delay_for(
    *, occurred_on: date | None, occurred_until: date | None, reported_on: date | None
) -> str:
    """Days from the incident (or the end of the period) to the report to us, in the GBVIMS buckets."""
    end = occurred_until or occurred_on
    if end is None or reported_on is None or reported_on < end:
        return str(choices.ReportingDelay.UNKNOWN)
    days = (reported_on - end).days
    if days <= 3:
        return str(choices.ReportingDelay.DAYS_0_3)
    if days <= 5:
        return str(choices.ReportingDelay.DAYS_4_5)
    if days <= 14:
        return str(choices.ReportingDelay.DAYS_6_14)
    if days <= 30:
        return str(choices.ReportingDelay.DAYS_15_30)
    return str(choices.ReportingDelay.OVER_MONTH)


def _label(name: str) -> str:
    return str(getattr(Incident._meta.get_field(name), "verbose_name", name))


def _check_dates(cleaned: dict[str, Any], case: Case) -> None:
    today = timezone.localdate()
    start, end, reported = (
        cleaned.get("occurred_on"),
        cleaned.get("occurred_until"),
        cleaned.get("reported_on"),
    )
    for name in DATE_FIELDS:
        value = cleaned.get(name)
        if value is not None and not isinstance(value, date):
            raise BusinessRuleError(_("%(field)s is not a date.") % {"field": _label(name)})
    if reported is None:
        raise BusinessRuleError(_("Give the date the incident was reported to you."))
    if (start is not None and start > today) or (end is not None and end > today):
        raise BusinessRuleError(_("The incident cannot be in the future."))
    if reported > today:
        raise BusinessRuleError(_("The date of the report cannot be in the future."))
    if end is not None and start is None:
        raise BusinessRuleError(_("Give the start of the period as well as its end."))
    if start is not None and end is not None and end < start:
        raise BusinessRuleError(_("The end of the period cannot come before its start."))
    if (end or start) is not None and reported < (end or start):
        raise BusinessRuleError(
            _("The report cannot come before the incident (or before the end of the period).")
        )
    birth_year = case.survivor.birth_year
    if start is not None and birth_year is not None and start.year < birth_year:
        raise BusinessRuleError(
            _("The incident cannot come before her year of birth (%(year)d).") % {"year": birth_year}
        )


def _check_count(value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise BusinessRuleError(_("The number of perpetrators must be a whole number.")) from None
    if not 1 <= count <= MAX_PERPETRATORS:
        raise BusinessRuleError(
            _("The number of perpetrators must lie between 1 and %(max)d.") % {"max": MAX_PERPETRATORS}
        )
    return count


def clean_values(values: Mapping[str, Any], *, case: Case) -> dict[str, Any]:
    """Check what a form or the API submits for an incident and add the computed classifications.

    Raises BusinessRuleError with a clear message; fields not submitted take the model's defaults."""
    defaults = Incident()
    cleaned: dict[str, Any] = {
        name: values[name] if name in values else getattr(defaults, name) for name in EDITABLE_FIELDS
    }
    for name, choice in MULTI_FIELDS.items():
        value = cleaned[name]
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise BusinessRuleError(_("%(field)s must be a list of codes.") % {"field": _label(name)})
        cleaned[name] = check_codes([str(code) for code in value], choice.values, label=_label(name))
    for name, choice in SINGLE_FIELDS.items():
        cleaned[name] = (check_codes([str(cleaned[name])], choice.values, label=_label(name)) or [""])[0]
    for name in (*QUESTION_FIELDS, "date_is_approximate"):
        cleaned[name] = bool(cleaned[name])
    if cleaned["province"] is not None and not isinstance(cleaned["province"], Province):
        raise BusinessRuleError(_("Unknown province."))
    cleaned["perpetrator_count"] = _check_count(cleaned["perpetrator_count"])
    cleaned["description"] = check_text(
        str(cleaned["description"] or ""), label=_label("description"), max_length=DESCRIPTION_MAX
    )
    _check_dates(cleaned, case)
    cleaned["gbv_type"] = gbv_type_for(cleaned)
    cleaned["reporting_delay"] = reporting_delay_for(
        occurred_on=cleaned["occurred_on"],
        occurred_until=cleaned["occurred_until"],
        reported_on=cleaned["reported_on"],
    )
    return cleaned


def clean_perpetrators(rows: Sequence[Mapping[str, Any]], *, count: int) -> list[dict[str, str]]:
    """Each perpetrator described: relationship (required), sex, age group; never more than ``count`` of them."""
    if len(rows) > count:
        raise BusinessRuleError(
            _("You described %(described)d perpetrators but the incident counts %(count)d.")
            % {"described": len(rows), "count": count}
        )
    label = str(_("perpetrator"))
    cleaned = []
    for row in rows:
        relationship = str(row.get("relationship") or "")
        if not relationship:
            raise BusinessRuleError(_("Give the relationship of each perpetrator to her."))
        cleaned.append(
            {
                "relationship": check_codes([relationship], choices.Relationship.values, label=label)[0],
                "sex": check_codes(
                    [str(row.get("sex") or choices.Sex.MALE)], choices.Sex.values, label=label
                )[0],
                "age_group": check_codes(
                    [str(row.get("age_group") or choices.PerpetratorAgeGroup.UNKNOWN)],
                    choices.PerpetratorAgeGroup.values,
                    label=label,
                )[0],
            }
        )
    return cleaned


def _perpetrator_rows(incident: Incident) -> list[dict[str, str]]:
    return [
        {"relationship": p.relationship, "sex": p.sex, "age_group": p.age_group}
        for p in incident.perpetrators.order_by("id")
    ]


def _replace_perpetrators(incident: Incident, rows: list[dict[str, str]]) -> None:
    incident.perpetrators.all().delete()
    Perpetrator.objects.bulk_create(Perpetrator(incident=incident, **row) for row in rows)


def _detail(incident: Incident) -> dict[str, Any]:
    """Codes only (never the description): what the timeline says of an incident."""
    return {
        "gbv_type": incident.gbv_type,
        "law_forms": list(incident.law_forms),
        "tech_forms": list(incident.tech_forms),
        "trafficking_forms": list(incident.trafficking_forms),
        "reporting_delay": incident.reporting_delay,
    }


@transaction.atomic
def incident_create(
    *, actor: User, case: Case, values: Mapping[str, Any], perpetrators: Sequence[Mapping[str, Any]] = ()
) -> Incident:
    """Record an incident of ``case``; the GBVIMS type and the reporting delay are computed."""
    require(actor, "cases.add_incident", case)
    cleaned = clean_values(values, case=case)
    rows = clean_perpetrators(perpetrators, count=cleaned["perpetrator_count"])
    incident = Incident(case=case, created_by=actor, **cleaned)
    incident.full_clean()
    incident.save()
    _replace_perpetrators(incident, rows)
    event_add(
        case=case, kind=EventKind.INCIDENT_ADDED, actor=actor, target=incident, detail=_detail(incident)
    )
    fields = sorted(name for name in values if name in EDITABLE_FIELDS)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        target=incident,
        fields=[*fields, *COMPUTED_FIELDS, *(["perpetrators"] if rows else [])],
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    actor: User,
    incident: Incident,
    values: Mapping[str, Any],
    perpetrators: Sequence[Mapping[str, Any]] | None = None,
    expected_version: int | None,
) -> list[str]:
    """Correct an incident; returns the names of what changed. A stale save raises RecordConflict, nothing saved.

    ``perpetrators`` None keeps them as they are (beyond the count they are refused)."""
    case = incident.case
    require(actor, "cases.add_incident", case)
    cleaned = clean_values({**_current_values(incident), **values}, case=case)
    current_rows = _perpetrator_rows(incident)
    rows = clean_perpetrators(
        current_rows if perpetrators is None else perpetrators, count=cleaned["perpetrator_count"]
    )
    changed = save_versioned(incident, expected_version=expected_version, values=cleaned)
    if rows != current_rows:
        _replace_perpetrators(incident, rows)
        if not changed:  # only the perpetrators changed: the record still moves to a new version
            Incident.objects.filter(pk=incident.pk).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
            incident.version += 1
        changed.append("perpetrators")
    if changed:
        event_add(
            case=case,
            kind=EventKind.INCIDENT_UPDATED,
            actor=actor,
            target=incident,
            detail={**_detail(incident), "fields": changed},
        )
        audit.record(AuditAction.UPDATE, actor=actor, target=incident, fields=changed)
    return changed


def _current_values(incident: Incident) -> dict[str, Any]:
    return {name: getattr(incident, name) for name in EDITABLE_FIELDS}


@transaction.atomic
def intake_incident_record(
    *, actor: User, case: Case, values: Mapping[str, Any], perpetrators: Sequence[Mapping[str, Any]] = ()
) -> Incident:
    """Intake step 3: the first incident, then the intake moves on to the immediate needs."""
    incident = incident_create(actor=actor, case=case, values=values, perpetrators=perpetrators)
    intake_set_step(actor=actor, case=case, step=choices.IntakeStep.NEEDS)
    return incident


@transaction.atomic
def intake_incident_skip(*, actor: User, case: Case) -> None:
    """Intake step 3 left for later: the intake moves on to the immediate needs."""
    require(actor, "cases.add_incident", case)
    intake_set_step(actor=actor, case=case, step=choices.IntakeStep.NEEDS)
