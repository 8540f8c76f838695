"""Forms of the survivor: her details (intake first step and edit page), the search of survivors and cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.cases import choices, codes
from himaya.cases.data.countries import COUNTRIES
from himaya.cases.models import Survivor
from himaya.cases.services import survivors as survivor_services
from himaya.core.errors import BusinessRuleError
from himaya.core.forms import StyledFormMixin
from himaya.core.models import Province
from himaya.directory.data.taxonomy import LANGUAGES

# A field's label is the model's verbose name; these are the field kinds of the form.
_TEXTAREAS = ("address", "identity_notes", "safe_contact_instructions")
_PHONES = ("phone", "other_phone")
_ARABIC = ("given_name_arabic", "family_name_arabic")
_REQUIRED_CHOICES = (  # model fields with a default: always one value
    "sex",
    "migration_status",
    "marital_status",
    "disability",
    "education",
    "occupation",
    "safe_to_contact",
)
_OPTIONAL_CHOICES = ("id_document_type", "safe_contact_method")
# The order in which the form shows the fields.
FIELD_ORDER = (
    "given_name_latin",
    "family_name_latin",
    "given_name_arabic",
    "family_name_arabic",
    "sex",
    "birth_year",
    "birth_year_estimated",
    "nationality",
    "id_document_type",
    "id_document_number",
    "phone",
    "other_phone",
    "address",
    "residence_province",
    "languages",
    "migration_status",
    "marital_status",
    "children_count",
    "disability",
    "education",
    "occupation",
    "safe_to_contact",
    "safe_contact_method",
    "safe_contact_instructions",
    "identity_notes",
)


def _column() -> int:
    """Index of the current language in the (French, Arabic, English) label tuples."""
    return {"ar": 1, "en": 2}.get((get_language() or "fr")[:2], 0)


def country_choices() -> list[tuple[str, str]]:
    column = _column()
    rows = sorted(((code, labels[column]) for code, labels in COUNTRIES.items()), key=lambda row: row[1])
    morocco = [row for row in rows if row[0] == "MA"]
    return [("", "—"), *morocco, *(row for row in rows if row[0] != "MA")]


def country_name(code: str) -> str:
    labels = COUNTRIES.get(code)
    return labels[_column()] if labels else code


def language_choices() -> list[tuple[str, str]]:
    column = _column()
    return [(code, labels[column]) for code, labels in LANGUAGES.items()]


def language_names(codes: list[str]) -> list[str]:
    column = _column()
    return [LANGUAGES[code][column] if code in LANGUAGES else code for code in codes]


def _label(name: str) -> Any:
    return getattr(Survivor._meta.get_field(name), "verbose_name", name)


def _text_field(name: str) -> forms.CharField:
    if name in _TEXTAREAS:
        limit = 20_000 if name == "identity_notes" else survivor_services.SHORT_MAX
        widget: forms.Widget = forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    else:
        limit = (
            survivor_services.NAME_MAX
            if name in survivor_services.NAME_FIELDS
            else survivor_services.SHORT_MAX
        )
        attrs = {"autocomplete": "off", "dir": "auto"}
        if name in _PHONES:
            attrs.update({"type": "tel", "inputmode": "tel", "dir": "ltr"})
        if name in _ARABIC:
            attrs.update({"dir": "rtl", "lang": "ar"})
        widget = forms.TextInput(attrs=attrs)
    # No max_length on the field: the service gives the one clear message about oversized text.
    widget.attrs["maxlength"] = str(limit)
    return forms.CharField(label=_label(name), required=False, strip=True, widget=widget)


class SurvivorForm(StyledFormMixin, forms.Form):
    """Every editable survivor field; ``cleaned_data`` keys are the service's value names, plus ``version``.

    ``SurvivorForm(data=None, instance=None, prefix=None)``: with an instance, her current values (decrypted) are
    the initial values and ``version`` the version she was opened with.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, instance: Survivor | None = None, prefix: str | None = None) -> None:
        initial: dict[str, Any] | None = None
        if instance is not None:
            initial = {name: getattr(instance, name) for name in survivor_services.EDITABLE_FIELDS}
            initial["residence_province"] = instance.residence_province_id
            initial["version"] = instance.version
        super().__init__(data=data, initial=initial, prefix=prefix)
        self.instance = instance
        for name in FIELD_ORDER:
            self.fields[name] = self._make_field(name)
        self.order_fields([*FIELD_ORDER, "version"])

    def _make_field(self, name: str) -> forms.Field:
        if name in survivor_services.IDENTIFYING_FIELDS:
            return _text_field(name)
        if name in _REQUIRED_CHOICES or name in _OPTIONAL_CHOICES:
            model_field = Survivor._meta.get_field(name)
            options = list(model_field.choices or [])  # type: ignore[union-attr]
            if name in _OPTIONAL_CHOICES:
                options = [("", "—"), *options]
            return forms.ChoiceField(
                label=_label(name),
                choices=options,
                required=name in _REQUIRED_CHOICES,
                initial=model_field.default if name in _REQUIRED_CHOICES else "",  # type: ignore[union-attr]
            )
        if name == "birth_year":
            return forms.IntegerField(
                label=_label(name),
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        if name == "children_count":
            return forms.IntegerField(label=_label(name), required=False, min_value=0, max_value=30)
        if name == "birth_year_estimated":
            return forms.BooleanField(label=_label(name), required=False)
        if name == "nationality":
            return forms.ChoiceField(label=_label(name), choices=country_choices, required=False)
        if name == "languages":
            return forms.MultipleChoiceField(
                label=_label(name),
                choices=language_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if name == "residence_province":
            return forms.ModelChoiceField(
                label=_label(name),
                queryset=Province.objects.order_by("code"),
                required=False,
                empty_label="—",
            )
        raise KeyError(name)  # pragma: no cover - every editable field is handled above

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service's own checks, field by field, so each message sits next to its field.
        for name in survivor_services.EDITABLE_FIELDS:
            if name in cleaned and name not in self.errors:
                try:
                    survivor_services.clean_values({name: cleaned[name]})
                except BusinessRuleError as error:
                    self.add_error(name, str(error.message))
        if not any(cleaned.get(name) for name in survivor_services.NAME_FIELDS):
            self.add_error(None, _("Give at least one name, in Latin or Arabic script."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """What the services take as ``values``: the cleaned data without the version."""
        return {name: self.cleaned_data[name] for name in survivor_services.EDITABLE_FIELDS}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


FIRST_YEAR, LAST_YEAR = 1990, 2100  # dates of cases searched (outside: a typing error)


def _with_any(options: Any) -> list[tuple[str, Any]]:
    return [("", _("any")), *options]


class SurvivorSearchForm(StyledFormMixin, forms.Form):
    """Search by exact name, telephone, document number or code, and by case status, stage, entry point, dates.

    Every field is optional; values too long or not in the lists make the form invalid (no search)."""

    name = forms.CharField(
        label=_("Full name (exact, either order)"),
        required=False,
        max_length=survivor_services.NAME_MAX * 2,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "type": "tel", "inputmode": "tel", "dir": "ltr"}
        ),
    )
    id_number = forms.CharField(
        label=_("Identity document number"),
        required=False,
        max_length=survivor_services.SHORT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )
    code = forms.CharField(
        label=_("Survivor or case code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "placeholder": "S-XXXX-XXXX-X"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_with_any(choices.CaseStatus.choices)
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_with_any(choices.Stage.choices))
    entry_point = forms.ChoiceField(
        label=_("Entry point"), required=False, choices=_with_any(choices.EntryPoint.choices)
    )
    opened_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_code(self) -> str:
        code = codes.complete(self.cleaned_data.get("code") or "")
        if code and not codes.is_valid(code):
            raise forms.ValidationError(
                _(
                    "This code does not exist as typed: check each character (codes look like S-XXXX-XXXX-X or "
                    "D-XXXX-XXXX-X; the last character is a check character)."
                )
            )
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        for name, day in (("opened_from", start), ("opened_to", end)):
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Give a date between %(first)d and %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
                start = end = None
        if start and end and start > end:
            self.add_error("opened_to", _("The end date comes before the start date."))
        return cleaned
