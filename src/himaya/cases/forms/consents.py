"""Forms of consent: one consent, the intake's consent step, a withdrawal. The rules (a child's consent, the
sharing recipient, the dates) live in services/consents.py."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation
from himaya.cases import choices
from himaya.core.forms import StyledFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPTIONAL_INFORMATION = [
    (code, label)
    for code, label in choices.SharedInformation.choices
    if code != choices.SharedInformation.CODE_AND_NEEDS
]


class _GiverFields(StyledFormMixin, forms.Form):
    """Who gave the consent, how, until when."""

    given_by = forms.ChoiceField(
        label=_("given by"),
        choices=choices.ConsentGiver.choices,
        initial=choices.ConsentGiver.SURVIVOR,
        help_text=_("For a child: a parent or guardian, or a best-interest decision with its reason."),
    )
    guardian_name = forms.CharField(
        label=_("name of the guardian"), required=False, help_text=_("Only when a guardian consented.")
    )
    best_interest_reason = forms.CharField(
        label=_("reason for the best-interest decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for a best-interest decision."),
    )
    method = forms.ChoiceField(label=_("how"), choices=choices.ConsentMethod.choices)
    expires_on = forms.DateField(
        label=_("expires on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty when it holds until she withdraws it."),
    )

    def giver(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name) or ("" if name != "expires_on" else None)
            for name in ("given_by", "guardian_name", "best_interest_reason", "method", "expires_on")
        }


class ConsentForm(_GiverFields):
    """One consent, for the purpose chosen on the case page."""

    purpose = forms.ChoiceField(label=_("purpose"), choices=choices.ConsentPurpose.choices)
    recipient = forms.ModelChoiceField(
        label=_("shared with"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only for a consent to share: the organisation named in her consent."),
    )
    shared_information = forms.MultipleChoiceField(
        label=_("information that may be shared"),
        choices=OPTIONAL_INFORMATION,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The case code, her needs and their urgency are always part of it."),
    )
    given_on = forms.DateField(
        label=_("given on"), required=False, widget=DATE_INPUT, help_text=_("Leave empty for today.")
    )

    field_order = ["purpose", "recipient", "shared_information", "given_by", "guardian_name"]

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["recipient"]).queryset = (
            Organisation.objects.filter(is_active=True).exclude(pk=organisation_id).order_by("name")
        )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        day = data.get("given_on")
        given_at = None
        if day is not None and day != timezone.localdate():
            given_at = timezone.make_aware(datetime.combine(day, time(12, 0)))
        return {
            "purpose": data["purpose"],
            "recipient": data.get("recipient"),
            "shared_information": data.get("shared_information") or [],
            "given_at": given_at,
            **self.giver(),
        }


class IntakeConsentForm(_GiverFields):
    """Intake step 2: her consent to receive services (required) and, if she agrees, to statistics."""

    statistics = forms.BooleanField(
        label=_("She also agrees to be counted in de-identified statistics"), required=False
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("note on the withdrawal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: how and why she withdrew it. Encrypted."),
    )
