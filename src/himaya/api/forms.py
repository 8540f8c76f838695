from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import works_on_cases
from himaya.accounts.roles import CASE_ROLES, Role
from himaya.api.models import Scope
from himaya.core.forms import StyledFormMixin


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the partner system"), max_length=100)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=365)
    acting_user = forms.ModelChoiceField(
        label=_("Acting user (case scopes)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "A token with a case scope acts as this person, with exactly her or his rights; it stops working "
            "if this person is deactivated or no longer works on cases."
        ),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the viewer's own organisation's active members who work on cases (and only for a viewer who works
        # on cases: the system administrator never issues a case token).
        eligible = User.objects.none()
        if works_on_cases(viewer):
            eligible = (
                User.objects.filter(
                    organisation_id=viewer.organisation_id,
                    is_active=True,
                    role_assignments__role__in=CASE_ROLES,
                )
                .exclude(role_assignments__role=Role.SYSTEM_ADMIN)
                .distinct()
                .order_by("full_name", "email")
            )
        cast(forms.ModelChoiceField, self.fields["acting_user"]).queryset = eligible
        if not viewer.has_role(Role.SYSTEM_ADMIN):
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
                pk=viewer.organisation_id
            )
            self.fields["organisation"].initial = viewer.organisation_id
            self.fields["organisation"].disabled = True
