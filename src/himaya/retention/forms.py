"""Forms of retention: a policy's delay, an erasure request, a supervisor's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.retention.models import RecordType
from himaya.retention.services import MAX_YEARS


class PolicyForm(forms.Form):
    record_type = forms.ChoiceField(label=_("Records"), choices=RecordType.choices, widget=forms.HiddenInput)
    years = forms.IntegerField(
        label=_("Years after closure"),
        min_value=1,
        max_value=MAX_YEARS,
        error_messages={"required": _("Give the number of years.")},
    )


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Her request"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How and when she asked (optional). Her name is not needed."),
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject the request."),
    )
