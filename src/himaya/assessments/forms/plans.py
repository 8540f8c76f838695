"""Forms of plan actions and case conferences. Business rules live in services/plans.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.roles import CASE_ROLES, Role
from himaya.assessments.choices import ActionStatus, PlanNeed
from himaya.assessments.services.plans import DECISIONS_MAX, DESCRIPTION_MAX
from himaya.cases.models import Case
from himaya.core.forms import StyledFormMixin

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def owner_choices(case: Case) -> Any:
    """Who may be responsible: active members of the case's organisation holding a case role."""
    return (
        User.objects.filter(
            organisation_id=case.organisation_id, is_active=True, role_assignments__role__in=CASE_ROLES
        )
        .exclude(role_assignments__role=Role.SYSTEM_ADMIN)
        .distinct()
        .order_by("full_name", "email")
    )


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class ActionForm(StyledFormMixin, forms.Form):
    prefix = "action"
    need = forms.ChoiceField(label=_("Need"), choices=PlanNeed.choices)
    description = forms.CharField(
        label=_("Action"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("What will be done, by whom outside the organisation if anyone. No more than needed."),
    )
    owner = OwnerField(label=_("Responsible"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(case)  # type: ignore[attr-defined]


class ActionEditForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    version = forms.IntegerField(min_value=1)


class OrganisationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ConferenceForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    participants = OrganisationsField(
        label=_("Organisations present"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=DECISIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )


class ActionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("overdue or due within 7 days")),
            ("overdue", _("overdue")),
            ("today", _("due today")),
            ("soon", _("due within 7 days")),
            ("later", _("due later")),
            ("none", _("no due date")),
            ("all", _("all open actions")),
        ],
    )
