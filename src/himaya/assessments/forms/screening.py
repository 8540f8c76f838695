"""Forms of the screening area: the indicators of the current list (yes / no / not known, a note each; the age
question only when her year of birth is missing) and the formal identification. The rules live in
services/screening.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.assessments import toolkits
from himaya.assessments.choices import AgeBasis, Answer, Authority, IdentificationDecision
from himaya.assessments.services.screening import AUTHORITY_NAME_MAX, NOTE_MAX, REFERENCE_MAX
from himaya.core.forms import StyledFormMixin

AGE_CHOICES = [
    (AgeBasis.PRESUMED_MINOR.value, AgeBasis.PRESUMED_MINOR.label),
    (AgeBasis.DECLARED_ADULT.value, AgeBasis.DECLARED_ADULT.label),
]


def slug(code: str) -> str:
    """An indicator code as a form field name part ("act.deceptive_recruitment" -> "act-deceptive_recruitment")."""
    return code.replace(".", "-")


class ScreeningForm(StyledFormMixin, forms.Form):
    """One radio group and one note per indicator of ``toolkit``; ``ask_age`` adds the age question."""

    def __init__(self, *args: Any, toolkit: toolkits.Toolkit, ask_age: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.toolkit = toolkit
        self.ask_age = ask_age
        if ask_age:
            self.fields["age_basis"] = forms.ChoiceField(
                label=_("Is she a child?"),
                choices=AGE_CHOICES,
                widget=forms.RadioSelect,
                help_text=_(
                    "Her year of birth is not recorded. When in doubt, presume she is a minor: for a child, "
                    "the means are not required."
                ),
                error_messages={"required": _("Say whether she is presumed a minor or an adult.")},
            )
        for item in toolkit.items:
            self.fields[f"answer_{slug(item.code)}"] = forms.ChoiceField(
                label=item.label,
                choices=Answer.choices,
                initial=Answer.UNKNOWN,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{slug(item.code)}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def groups(self) -> list[dict[str, Any]]:
        """The bound fields by element, for the template."""
        return [
            {
                "code": group.code,
                "label": group.label,
                "items": [
                    {
                        "code": item.code,
                        "answer": self[f"answer_{slug(item.code)}"],
                        "note": self[f"note_{slug(item.code)}"],
                    }
                    for item in group.items
                ],
            }
            for group in self.toolkit.groups
        ]

    def answers(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(f"answer_{slug(item.code)}") or Answer.UNKNOWN.value
            for item in self.toolkit.items
        }

    def notes(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(f"note_{slug(item.code)}") or ""
            for item in self.toolkit.items
            if self.cleaned_data.get(f"note_{slug(item.code)}")
        }

    def age_basis(self) -> str | None:
        return self.cleaned_data.get("age_basis") or None if self.ask_age else None


class IdentificationForm(StyledFormMixin, forms.Form):
    authority = forms.ChoiceField(label=_("authority"), choices=Authority.choices)
    authority_name = forms.CharField(
        label=_("name of the authority"),
        required=False,
        max_length=AUTHORITY_NAME_MAX,
        help_text=_("For example the court or the police station."),
    )
    decided_on = forms.DateField(
        label=_("date of the decision"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    decision = forms.ChoiceField(label=_("decision"), choices=IdentificationDecision.choices)
    reference = forms.CharField(
        label=_("file reference"),
        required=False,
        max_length=REFERENCE_MAX,
        help_text=_("Kept encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "authority": data["authority"],
            "authority_name": data.get("authority_name") or "",
            "decided_on": data["decided_on"],
            "decision": data["decision"],
            "reference": data.get("reference") or "",
        }
