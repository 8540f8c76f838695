"""Forms of an incident and its perpetrators. The rules (dates, codes, counts) live in services/incidents.py;
the GBVIMS type and the reporting delay are computed there, never typed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.cases import choices
from himaya.cases.models import Incident
from himaya.cases.services.incidents import MAX_PERPETRATORS, QUESTION_FIELDS
from himaya.core.forms import StyledFormMixin
from himaya.core.models import Province

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MULTI_FIELDS = ("law_forms", "tech_forms", "platforms", "trafficking_forms")
VALUE_FIELDS = (
    "occurred_on",
    "occurred_until",
    "date_is_approximate",
    "reported_on",
    "province",
    "place_type",
    *MULTI_FIELDS,
    *QUESTION_FIELDS,
    "perpetrator_count",
    "reported_to_police_before",
    "description",
)


def _label(name: str) -> Any:
    return getattr(Incident._meta.get_field(name), "verbose_name", name)


def _multi(name: str, choice: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_label(name), choices=choice.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class IncidentForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    occurred_on = forms.DateField(label=_label("occurred_on"), required=False, widget=DATE_INPUT)
    occurred_until = forms.DateField(
        label=_label("occurred_until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Only for violence that went on over a period; leave empty for a single incident."),
    )
    date_is_approximate = forms.BooleanField(label=_label("date_is_approximate"), required=False)
    reported_on = forms.DateField(label=_label("reported_on"), widget=DATE_INPUT)
    province = forms.ModelChoiceField(
        label=_label("province"), queryset=Province.objects.none(), required=False
    )
    place_type = forms.ChoiceField(label=_label("place_type"), choices=choices.PlaceType.choices)
    law_forms = _multi("law_forms", choices.LawForm)
    involved_penetration = forms.BooleanField(label=_label("involved_penetration"), required=False)
    involved_sexual_contact = forms.BooleanField(label=_label("involved_sexual_contact"), required=False)
    involved_physical_assault = forms.BooleanField(label=_label("involved_physical_assault"), required=False)
    involved_forced_marriage = forms.BooleanField(label=_label("involved_forced_marriage"), required=False)
    involved_denial_of_resources = forms.BooleanField(
        label=_label("involved_denial_of_resources"), required=False
    )
    involved_psychological_abuse = forms.BooleanField(
        label=_label("involved_psychological_abuse"), required=False
    )
    tech_forms = _multi("tech_forms", choices.TechForm)
    platforms = _multi("platforms", choices.Platform)
    trafficking_forms = _multi("trafficking_forms", choices.TraffickingForm)
    perpetrator_count = forms.IntegerField(label=_label("perpetrator_count"), initial=1)
    reported_to_police_before = forms.ChoiceField(
        label=_label("reported_to_police_before"), choices=choices.YesNoUnknown.choices
    )
    description = forms.CharField(
        label=_label("description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Encrypted; only the people working on the case can read it."),
    )

    # Sections of the page (the template lays the fields out by these).
    WHEN_WHERE = (
        "occurred_on",
        "occurred_until",
        "date_is_approximate",
        "reported_on",
        "province",
        "place_type",
    )
    CLASSIFICATION = ("law_forms", *QUESTION_FIELDS)
    TECHNOLOGY = ("tech_forms", "platforms")
    TRAFFICKING = ("trafficking_forms",)
    OTHER = ("perpetrator_count", "reported_to_police_before", "description")

    def __init__(self, *args: Any, incident: Incident | None = None, **kwargs: Any) -> None:
        if incident is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"] = {
                **{name: getattr(incident, name) for name in VALUE_FIELDS},
                "version": incident.version,
                **kwargs["initial"],
            }
        else:
            kwargs.setdefault("initial", {"reported_on": timezone.localdate(), "perpetrator_count": 1})
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = Province.objects.order_by("name_fr")

    def section(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def when_where(self) -> list[forms.BoundField]:
        return self.section(self.WHEN_WHERE)

    @property
    def classification(self) -> list[forms.BoundField]:
        return self.section(self.CLASSIFICATION)

    @property
    def technology(self) -> list[forms.BoundField]:
        return self.section(self.TECHNOLOGY)

    @property
    def trafficking(self) -> list[forms.BoundField]:
        return self.section(self.TRAFFICKING)

    @property
    def other(self) -> list[forms.BoundField]:
        return self.section(self.OTHER)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in VALUE_FIELDS}


class PerpetratorForm(StyledFormMixin, forms.Form):
    """One perpetrator; a row left without a relationship is ignored."""

    relationship = forms.ChoiceField(
        label=_("relationship to her"),
        choices=[("", "—"), *choices.Relationship.choices],
        required=False,
    )
    sex = forms.ChoiceField(label=_("sex"), choices=choices.Sex.choices, initial=choices.Sex.MALE)
    age_group = forms.ChoiceField(
        label=_("age group"),
        choices=choices.PerpetratorAgeGroup.choices,
        initial=choices.PerpetratorAgeGroup.UNKNOWN,
    )


BasePerpetratorFormSet = forms.formset_factory(
    PerpetratorForm, extra=0, max_num=MAX_PERPETRATORS, validate_max=True, absolute_max=MAX_PERPETRATORS
)
EXTRA_ROWS = 2


def perpetrator_formset(data: Any = None, *, rows: list[dict[str, str]] | None = None) -> Any:
    """The perpetrators' rows: those recorded, then EXTRA_ROWS empty ones (at least one row in all)."""
    initial = list(rows or [])
    blank = {"sex": choices.Sex.MALE, "age_group": choices.PerpetratorAgeGroup.UNKNOWN}
    initial += [dict(blank) for _row in range(EXTRA_ROWS if initial else EXTRA_ROWS + 1)]
    return BasePerpetratorFormSet(data, initial=initial, prefix="perpetrators")


def perpetrator_rows(formset: Any) -> list[dict[str, str]]:
    """The described perpetrators of a valid formset (rows without a relationship left out)."""
    return [
        {name: form.cleaned_data[name] for name in ("relationship", "sex", "age_group")}
        for form in formset.forms
        if form.cleaned_data.get("relationship")
    ]
