from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.roles import Role
from himaya.api.models import Scope
from himaya.core.forms import StyledFormMixin


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the partner system"), max_length=100)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=365)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not viewer.has_role(Role.SYSTEM_ADMIN):
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
                pk=viewer.organisation_id
            )
            self.fields["organisation"].initial = viewer.organisation_id
            self.fields["organisation"].disabled = True
