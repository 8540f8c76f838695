"""Forms of notes and of the contact log. Business rules live in services/notes.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.cases import choices
from himaya.cases.services.common import MAX_TEXT
from himaya.cases.services.notes import MAX_DURATION_MINUTES
from himaya.core.forms import StyledFormMixin


class NoteForm(StyledFormMixin, forms.Form):
    prefix = "note"  # the case page holds several forms
    body = forms.CharField(
        label=_("New note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("Notes are not edited afterwards: to correct one, add a new note."),
    )


class ContactForm(StyledFormMixin, forms.Form):
    prefix = "contact"
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=choices.ContactKind.choices)
    happened_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=MAX_DURATION_MINUTES
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
