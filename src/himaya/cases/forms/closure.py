"""Forms of the case lifecycle: the closure request (reason, explanation, checklist), the supervisor's decision,
reopening a case and the legal hold."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.cases import choices
from himaya.cases.services.closure import CHECKLIST, MAX_COMMENT, MAX_EXPLANATION, MAX_HOLD_REASON
from himaya.core.forms import StyledFormMixin


class ClosureRequestForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=choices.ClosureReason.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for the reason “other”. Write only what the supervisor needs to decide."),
    )
    checklist = forms.MultipleChoiceField(
        label=_("Before closing"),
        required=False,
        choices=CHECKLIST,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every item must be ticked."),
    )

    def values(self) -> dict[str, Any]:
        return {
            "reason": self.cleaned_data["reason"],
            "explanation": self.cleaned_data["explanation"],
            "checklist": list(self.cleaned_data["checklist"]),
        }


class ClosureDecisionForm(StyledFormMixin, forms.Form):
    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: close the case")), (REJECT, _("Reject: the case stays open"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject: say what is still to be done."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.REJECT and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the closure is rejected: the comment is required."))
        return cleaned


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the case reopened?"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept as a note of the case."),
    )


class LegalHoldForm(StyledFormMixin, forms.Form):
    on = forms.BooleanField(label=_("Legal hold"), required=False)
    reason = forms.CharField(
        label=_("Reason for the legal hold"),
        required=False,
        max_length=MAX_HOLD_REASON,
        help_text=_("Required to set the hold. Name the proceedings, never the people."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("on") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the legal hold (court proceedings, a request…)."))
        return cleaned
