from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import Organisation, User
from himaya.accounts.policies import grantable_roles
from himaya.accounts.roles import Role
from himaya.accounts.services import ORGANISATION_FIELDS
from himaya.core.forms import StyledFormMixin
from himaya.core.models import City, Province, Region


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = Province.objects.select_related(
            "region"
        )
        cast(forms.ModelChoiceField, self.fields["city"]).queryset = City.objects.all()
        if self.instance.pk:
            cast(forms.ModelChoiceField, self.fields["parent"]).queryset = Organisation.objects.exclude(
                pk=self.instance.pk
            )
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province, region = data.get("province"), data.get("region")
        if province and region and province.region_id != region.pk:
            self.add_error("province", _("This province is not in the chosen region."))
        city = data.get("city")
        if city and province and city.province_id != province.pk:
            self.add_error("city", _("This city is not in the chosen province."))
        return data


class RoleChoicesMixin(StyledFormMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    region = forms.ModelChoiceField(
        label=_("Region (territorial analyst)"), queryset=Region.objects.all(), required=False
    )
    province = forms.ModelChoiceField(
        label=_("Province (territorial analyst)"), queryset=Province.objects.all(), required=False
    )

    def limit_roles(self, granter: User) -> None:
        allowed = grantable_roles(granter)
        cast(forms.ChoiceField, self.fields["roles"]).choices = [
            (value, label) for value, label in Role.choices if value in allowed
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if Role.TERRITORIAL_ANALYST in (data.get("roles") or []) and not (
            data.get("region") or data.get("province")
        ):
            self.add_error("region", _("A territorial analyst needs a region or a province."))
        return data


class UserCreateForm(RoleChoicesMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")]
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())

    field_order = ["full_name", "email", "job_title", "phone", "preferred_language", "organisation", "roles"]

    def __init__(self, *args: Any, granter: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_roles(granter)
        if not granter.has_role(Role.SYSTEM_ADMIN):
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
                pk=granter.organisation_id
            )
            self.fields["organisation"].initial = granter.organisation_id
            self.fields["organisation"].disabled = True


class UserEditForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = ["full_name", "email", "job_title", "phone", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service with a clear message."""


class UserRolesForm(RoleChoicesMixin):
    def __init__(self, *args: Any, granter: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_roles(granter)
