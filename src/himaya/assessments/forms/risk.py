"""The danger assessment form: one yes / no / not known question per item of the current list, then the level
chosen by professional judgement (optional) and its reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.assessments import toolkits
from himaya.assessments.choices import Answer
from himaya.assessments.services.risk import KIND, LEVELS, REASON_MAX
from himaya.cases.choices import RiskLevel
from himaya.core.forms import StyledFormMixin

FIELD_PREFIX = "q_"


class RiskAssessmentForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=_("Level (professional judgement)"),
        required=False,
        help_text=_(
            "Leave “as the answers give” unless your professional judgement says otherwise; another level needs "
            "a written reason."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the professional judgement"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.toolkit = toolkits.current(KIND)
        labels = dict(RiskLevel.choices)
        level = self.fields["level"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [("", _("as the answers give")), *((lv, labels[lv]) for lv in LEVELS)]
        for item in self.toolkit.items:
            self.fields[FIELD_PREFIX + item.code] = forms.ChoiceField(
                label=item.label,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question: yes, no or not known.")},
            )

    def groups(self) -> list[dict[str, Any]]:
        """The questions as the page shows them: by group, each with its bound field."""
        return [
            {
                "code": group.code,
                "label": group.label,
                "fields": [self[FIELD_PREFIX + item.code] for item in group.items],
            }
            for group in self.toolkit.groups
        ]

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data[FIELD_PREFIX + item.code] for item in self.toolkit.items}
