"""Forms of the case core: the case fields of the intake's first step, the immediate needs, editing a case,
assigning caseworkers and the filters of the work queues."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.cases import choices
from himaya.cases.policies import stage_moves
from himaya.cases.queries.cases import (
    FOLLOW_UP_STATES,
    REMINDERS,
    SORTS,
    STATUS_ANY,
    QueueFilters,
    need_terms,
)
from himaya.core.forms import StyledFormMixin


class CaseStartForm(StyledFormMixin, forms.Form):
    """The case part of the intake's first step."""

    entry_point = forms.ChoiceField(label=_("Entry point"), choices=choices.EntryPoint.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=choices.Priority.choices, initial=choices.Priority.NORMAL
    )

    def values(self) -> dict[str, Any]:
        return {"entry_point": self.cleaned_data["entry_point"], "priority": self.cleaned_data["priority"]}


class NeedsForm(StyledFormMixin, forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Immediate needs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what she needs now; the directory finds the services for each need."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [(term.code, term.label) for term in need_terms()]  # type: ignore[attr-defined]


def _open_statuses() -> list[tuple[str, Any]]:
    return [
        (value, label) for value, label in choices.CaseStatus.choices if value != choices.CaseStatus.CLOSED
    ]


class CaseEditForm(StyledFormMixin, forms.Form):
    """Priority, next follow-up and stage. The stage offers the current one and the moves the lifecycle allows
    from it (cases/policies.py STAGE_MOVES); the status is shown, not changed (closing and reopening have their
    own procedure). ``version``: the version the form was opened with, so that a stale save is refused instead
    of overwriting someone else's change."""

    priority = forms.ChoiceField(label=_("Priority"), choices=choices.Priority.choices)
    follow_up_due = forms.DateField(
        label=_("Next follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=choices.Stage.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_open_statuses,
        disabled=True,
        required=False,
        help_text=_("A case is closed by a closure request that a supervisor approves."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    FIELDS = ("priority", "follow_up_due", "stage", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("stage")
        if current in choices.Stage.values:
            allowed = {current, *stage_moves(current)}
            self.fields["stage"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in choices.Stage.choices if value in allowed
            ]
            self.fields["stage"].help_text = _("The stages this case may move to from where it is now.")

    @classmethod
    def initial_for(cls, case: Any) -> dict[str, Any]:
        initial = {name: getattr(case, name) for name in cls.FIELDS}
        initial["version"] = case.version
        return initial

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name != "status"}


class AssignForm(StyledFormMixin, forms.Form):
    caseworkers = forms.ModelMultipleChoiceField(
        label=_("Caseworkers"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("A case needs at least one caseworker.")},
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caseworkers"]
        field.queryset = users  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.full_name or user.email  # type: ignore[attr-defined]


def _with_any(first: Any, options: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", first), *options]


class QueueFilterForm(StyledFormMixin, forms.Form):
    """The filters of a queue (GET). Unknown values are dropped, never an error page."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=lambda: [
            ("", _("Open and awaiting closure")),
            *choices.CaseStatus.choices,
            (STATUS_ANY, _("All statuses")),
        ],
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=lambda: _with_any(_("All stages"), choices.Stage.choices)
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=lambda: _with_any(_("All priorities"), choices.Priority.choices),
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=lambda: _with_any(_("All risk levels"), choices.RiskLevel.choices),
    )
    entry_point = forms.ChoiceField(
        label=_("Entry point"),
        required=False,
        choices=lambda: _with_any(_("All entry points"), choices.EntryPoint.choices),
    )
    follow_up = forms.ChoiceField(
        label=_("Next follow-up"),
        required=False,
        choices=lambda: _with_any(
            _("Any date"),
            list(
                zip(
                    FOLLOW_UP_STATES,
                    [_("overdue"), _("today"), _("within 7 days"), _("not planned")],
                    strict=True,
                )
            ),
        ),
    )
    reminder = forms.ChoiceField(
        label=_("Reminder"),
        required=False,
        choices=lambda: _with_any(
            _("Any"),
            list(
                zip(
                    REMINDERS,
                    [_("follow-up due"), _("consent expiring"), _("intake not finished")],
                    strict=True,
                )
            ),
        ),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=lambda: list(
            zip(
                SORTS,
                [
                    _("Newest first"),
                    _("Oldest first"),
                    _("Next follow-up"),
                    _("Priority"),
                    _("Recently changed"),
                    _("Case code"),
                ],
                strict=True,
            )
        ),
    )

    def filters(self) -> QueueFilters:
        """The valid filters; an invalid one is ignored (and removed from the form's errors)."""
        self.is_valid()
        values: dict[str, Any] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name) if name not in self.errors else ""
            values[name] = value or ""
        values["sort"] = values["sort"] or "-opened"
        return QueueFilters(**values)
