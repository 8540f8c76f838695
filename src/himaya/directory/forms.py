"""Staff forms of the directory. They parse input; the rules live in services (which raise clear errors)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.core.forms import StyledFormMixin
from himaya.core.models import City, Province, Region
from himaya.directory.data.taxonomy import LANGUAGES
from himaya.directory.models import (
    Location,
    MigrationStatus,
    Phone,
    Service,
    ServiceStatus,
    Sex,
    TaxonomyTerm,
    VerificationMethod,
    ViolenceForm,
    Visibility,
    Weekday,
)
from himaya.directory.services import (
    EDITABLE_FIELDS,
    HTML_OR_FORMULA,
    LIST_FIELDS,
    LOCATION_FIELDS,
    PHONE_FIELDS,
    PHONE_TYPES,
    PROPOSABLE_FIELDS,
    AreaSelection,
    Opening,
    phone_number_error,
)
from himaya.directory.visibility import CONFIGURABLE_FIELD_LABELS, CONFIGURABLE_FIELDS

LIST_CHOICES = {
    "eligible_sexes": Sex.choices,
    "eligible_migration_statuses": MigrationStatus.choices,
    "eligible_violence_forms": ViolenceForm.choices,
}
TEXTAREA_FIELDS = (
    "description",
    "description_ar",
    "description_en",
    "application_process",
    "eligibility_description",
    "fees_description",
    "interpretation_services",
    "accreditations",
    "licenses",
)
RTL_FIELDS = ("name_ar", "description_ar")


def _service_field(name: str) -> forms.Field:
    """A form field for one service field (lists of codes as checkboxes)."""
    if name in LIST_FIELDS:
        return forms.MultipleChoiceField(
            label=Service._meta.get_field(name).verbose_name,  # type: ignore[union-attr]
            choices=LIST_CHOICES[name],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text=_("None ticked: no restriction."),
        )
    extra: dict[str, Any] = {"assume_scheme": "https"} if name == "url" else {}
    field = Service._meta.get_field(name).formfield(**extra)  # type: ignore[union-attr]
    assert field is not None
    if name in TEXTAREA_FIELDS:
        field.widget = forms.Textarea(attrs={"rows": 3})
    if name in RTL_FIELDS:
        field.widget.attrs.update({"dir": "rtl", "lang": "ar"})
    return field


class ServiceFieldsForm(StyledFormMixin, forms.Form):
    """The editable fields of a service, pre-filled from ``service`` when given."""

    field_names: tuple[str, ...] = EDITABLE_FIELDS

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        self.service = service
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for name in self.field_names:
            fields[name] = _service_field(name)
            if service is not None:
                fields[name].initial = getattr(service, name)
        fields.update(self.fields)
        self.fields = fields
        # The fields above are added after StyledFormMixin styled the declared ones: style them too.
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.HiddenInput)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is lower than the minimum age."))
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.field_names}


class ServiceForm(ServiceFieldsForm):
    """Create or edit a service (directory editors): fields, categories and the visibility of fields."""

    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none())
    terms = forms.ModelMultipleChoiceField(
        label=_("categories"),
        queryset=TaxonomyTerm.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        super().__init__(*args, service=service, **kwargs)
        column = {"ar": 1, "en": 2}.get((get_language() or "fr")[:2], 0)
        cast(forms.MultipleChoiceField, self.fields["languages"]).choices = [
            (code, labels[column]) for code, labels in LANGUAGES.items()
        ]
        self.fields["terms"].queryset = TaxonomyTerm.objects.filter(  # type: ignore[attr-defined]
            taxonomy__code__in=["himaya-needs", "himaya-populations"]
        ).select_related("taxonomy")
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
            is_active=True
        ).order_by("name")
        for name, default in CONFIGURABLE_FIELDS.items():
            level = (service.field_visibility or {}).get(name, default) if service else default
            self.fields[f"visibility_{name}"] = forms.ChoiceField(
                label=_("Who sees: %(field)s") % {"field": CONFIGURABLE_FIELD_LABELS[name]},
                choices=Visibility.choices,
                initial=level,
            )
            self.fields[f"visibility_{name}"].widget.attrs["class"] = "form-select"
        if service is not None:
            del self.fields["organisation"]
            self.fields["terms"].initial = list(service.terms.all())
            self.fields["languages"].initial = list(service.languages.values_list("code", flat=True))
            self.fields["version"].initial = service.version

    def visibility(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"visibility_{name}"] for name in CONFIGURABLE_FIELDS}


class ProposalForm(ServiceFieldsForm):
    """What an organisation's member proposes: the current values pre-filled, plus a comment."""

    field_names = PROPOSABLE_FIELDS
    comment = forms.CharField(
        label=_("Comment for the directory editor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the directory's."""
        assert self.service is not None
        changed: dict[str, Any] = {}
        for name in self.field_names:
            value = self.cleaned_data.get(name)
            current = getattr(self.service, name)
            if name in LIST_FIELDS:
                if sorted(value or []) != sorted(current or []):
                    changed[name] = sorted(value or [])
            elif (value if value not in (None, "") else "") != (current if current not in (None, "") else ""):
                changed[name] = value
        return changed


class ArgumentsMixin:
    """``values()``: the cleaned data, its fields named as the arguments of the service that applies it."""

    cleaned_data: dict[str, Any]

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(ArgumentsMixin, StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ServiceStatus.choices)
    note = forms.CharField(label=_("Reason (shown in the history)"), required=False, max_length=500)


class AlertForm(ArgumentsMixin, StyledFormMixin, forms.Form):
    alert = forms.CharField(
        label=_("Alert"),
        required=False,
        max_length=300,
        help_text=_('A short message, e.g. "Closed during the holiday". Leave empty to remove the alert.'),
    )
    alert_until = forms.DateField(
        label=_("Shown until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class VerifyForm(ArgumentsMixin, StyledFormMixin, forms.Form):
    method = forms.ChoiceField(label=_("How was the entry verified?"), choices=VerificationMethod.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    due = forms.DateField(
        label=_("Next verification due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: in 180 days."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due"].initial = timezone.localdate() + timedelta(days=180)


class CapacityForm(ArgumentsMixin, StyledFormMixin, forms.Form):
    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=100_000)
    vacancies = forms.IntegerField(label=_("Vacancies now"), min_value=0, max_value=100_000)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        places, vacancies = data.get("places"), data.get("vacancies")
        if places is not None and vacancies is not None and vacancies > places:
            self.add_error("vacancies", _("There cannot be more vacancies than places."))
        return data


class LocationForm(StyledFormMixin, forms.ModelForm):
    url = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Location
        fields = list(LOCATION_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "transportation": forms.Textarea(attrs={"rows": 2}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }
        help_texts = {
            "is_confidential": _(
                "A shelter's address is confidential: only its organisation and the directory editors see it; "
                "everyone else sees the front-door contact."
            ),
            "latitude": _("In Morocco, between 20.5 and 36.1."),
            "longitude": _("In Morocco, negative: between -17.3 and -0.9."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = Province.objects.select_related(
            "region"
        )
        cast(forms.ModelChoiceField, self.fields["city"]).queryset = City.objects.select_related("province")

    def _post_clean(self) -> None:
        """Model validation happens in the service (one place for the rules)."""

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in LOCATION_FIELDS}


class ScheduleForm(StyledFormMixin, forms.Form):
    """The weekly hours: for each day, opening and closing times (both empty: closed)."""

    def __init__(self, *args: Any, schedules: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_day = {row.weekday: row for row in schedules}
        for code, label in Weekday.choices:
            row = by_day.get(code)
            self.fields[f"{code}_opens"] = forms.TimeField(
                label=_("%(day)s: opens at") % {"day": label},
                required=False,
                initial=row.opens_at if row else None,
                widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
            )
            self.fields[f"{code}_closes"] = forms.TimeField(
                label=_("%(day)s: closes at") % {"day": label},
                required=False,
                initial=row.closes_at if row else None,
                widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _label in Weekday.choices:
            opens, closes = data.get(f"{code}_opens"), data.get(f"{code}_closes")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"{code}_closes" if closes is None else f"{code}_opens",
                    _("Give both times, or neither when the service is closed that day."),
                )
        return data

    def openings(self) -> list[Opening]:
        rows = []
        for code, _label in Weekday.choices:
            opens, closes = self.cleaned_data.get(f"{code}_opens"), self.cleaned_data.get(f"{code}_closes")
            if opens is not None and closes is not None:
                rows.append(Opening(weekday=code, opens_at=opens, closes_at=closes))
        return rows

    def days(self) -> list[tuple[Any, Any, Any]]:
        return [(label, self[f"{code}_opens"], self[f"{code}_closes"]) for code, label in Weekday.choices]


class PhoneForm(StyledFormMixin, forms.Form):
    """A telephone of a service. The number: digits, spaces, + and - only, 6 to 20 digits."""

    number = forms.CharField(label=_("number"), max_length=40)
    extension = forms.IntegerField(label=_("extension"), required=False, min_value=0, max_value=99999)
    type = forms.ChoiceField(label=_("type"), required=False, choices=())
    description = forms.CharField(label=_("description"), required=False, max_length=250)
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    visibility = forms.ChoiceField(
        label=_("Who sees this telephone"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def __init__(self, *args: Any, phone: Phone | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        column = {"ar": 1, "en": 2}.get((get_language() or "fr")[:2], 0)
        cast(forms.MultipleChoiceField, self.fields["languages"]).choices = [
            (code, labels[column]) for code, labels in LANGUAGES.items()
        ]
        cast(forms.ChoiceField, self.fields["type"]).choices = [("", "—"), *PHONE_TYPES.items()]
        self.fields["number"].widget.attrs.update({"dir": "ltr", "inputmode": "tel", "autocomplete": "off"})
        self.fields["visibility"].widget.attrs["class"] = "form-select"
        self.fields["type"].widget.attrs["class"] = "form-select"
        if phone is not None:
            for name in PHONE_FIELDS:
                self.fields[name].initial = getattr(phone, name)

    def clean_number(self) -> str:
        number = " ".join(str(self.cleaned_data.get("number") or "").split())
        error = phone_number_error(number)
        if error:
            raise forms.ValidationError(error)
        return number

    def clean_description(self) -> str:
        description = str(self.cleaned_data.get("description") or "").strip()
        if HTML_OR_FORMULA.search(description):
            raise forms.ValidationError(
                _("The description may not contain < or > nor start with = + - @ (spreadsheet formula).")
            )
        return description

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PHONE_FIELDS}


class AreaForm(StyledFormMixin, forms.Form):
    """The service areas: the whole country, or whole regions and single provinces (by HCP code)."""

    NATIONAL, TERRITORIES = "national", "territories"

    scope = forms.ChoiceField(
        label=_("Who may use this service?"),
        choices=[
            (NATIONAL, _("People from the whole country")),
            (TERRITORIES, _("People from some regions or provinces")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the whole country, or some regions or provinces.")},
    )
    regions = forms.MultipleChoiceField(
        label=_("Whole regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown region code: %(value)s.")},
    )
    provinces = forms.MultipleChoiceField(
        label=_("Provinces and prefectures"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown province code: %(value)s.")},
    )
    note = forms.CharField(label=_("Reason (shown in the history)"), required=False, max_length=500)

    def __init__(self, *args: Any, selection: AreaSelection | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region_list = list(Region.objects.order_by("code"))
        self.province_list = list(
            Province.objects.select_related("region").order_by("region__code", "name_fr")
        )
        cast(forms.MultipleChoiceField, self.fields["regions"]).choices = [
            (region.code, region.name) for region in self.region_list
        ]
        cast(forms.MultipleChoiceField, self.fields["provinces"]).choices = [
            (province.code, province.name) for province in self.province_list
        ]
        if selection is not None and (selection.national or selection.regions or selection.provinces):
            self.fields["scope"].initial = self.NATIONAL if selection.national else self.TERRITORIES
            self.fields["regions"].initial = list(selection.regions)
            self.fields["provinces"].initial = list(selection.provinces)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("regions") or data.get("provinces")
        refused = self.has_error("regions") or self.has_error("provinces")
        if data.get("scope") == self.TERRITORIES and not chosen and not refused:
            self.add_error(
                "provinces", _("Tick at least one region or province, or choose the whole country.")
            )
        return data

    def values(self) -> dict[str, Any]:
        """The arguments of services.service_set_areas. The whole country leaves the ticked boxes aside."""
        national = self.cleaned_data["scope"] == self.NATIONAL
        return {
            "national": national,
            "regions": [] if national else self.cleaned_data.get("regions", []),
            "provinces": [] if national else self.cleaned_data.get("provinces", []),
            "note": self.cleaned_data.get("note", ""),
        }

    def groups(self) -> list[tuple[Region, Any, list[Any]]]:
        """For each region: the region, its "whole region" checkbox, the checkboxes of its provinces."""
        region_boxes = {box.data["value"]: box for box in self["regions"]}
        province_region = {province.code: province.region.code for province in self.province_list}
        boxes: dict[str, list[Any]] = {region.code: [] for region in self.region_list}
        for box in self["provinces"]:
            boxes[province_region[box.data["value"]]].append(box)
        return [(region, region_boxes[region.code], boxes[region.code]) for region in self.region_list]
