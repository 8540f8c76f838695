"""Organisations (the actors), staff users and the roles they hold."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaya.accounts.roles import Role
from himaya.core.fields import EncryptedTextField
from himaya.core.models import City, Province, Region


class OrganisationKind(models.TextChoices):
    COURT_CELL = "court_cell", _("Care cell in a court")
    POLICE_CELL = "police_cell", _("Police care cell (DGSN)")
    GENDARMERIE_CELL = "gendarmerie_cell", _("Gendarmerie care cell")
    HOSPITAL_CELL = "hospital_cell", _("Hospital care cell")
    MINISTERIAL_CELL = "ministerial_cell", _("Other ministerial cell")
    NGO = "ngo", _("Association (NGO)")
    SHELTER = "shelter", _("Shelter")
    RECEPTION_CENTRE = "reception_centre", _("Reception centre for trafficking victims")
    HOTLINE = "hotline", _("Hotline")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    NATIONAL_COMMISSION = "national_commission", _("National commission")
    REGIONAL_COMMISSION = "regional_commission", _("Regional commission")
    LOCAL_COMMISSION = "local_commission", _("Local commission")
    INTERNATIONAL = "international", _("International organisation")
    REGULATOR = "regulator", _("Regulator")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    JUSTICE = "justice", _("Justice")
    SECURITY = "security", _("Security")
    HEALTH = "health", _("Health")
    SOCIAL = "social", _("Social")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    INTERNATIONAL = "international", _("International")
    GOVERNMENT = "government", _("Government")


class Organisation(models.Model):
    """An actor of the mapping: a care cell, an NGO, a shelter, a hotline, a commission…"""

    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Stable identifier in the Open Referral (HSDS) exports and API.
    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province or prefecture")
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("city"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_fictional = models.BooleanField(_("fictional (demo data)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name", "province"], name="organisation_unique_name_in_province")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation_id(self) -> int:
        return self.pk

    @property
    def display_name(self) -> str:
        """The Arabic name on Arabic pages when there is one, the (French) name otherwise."""
        if self.name_ar and (get_language() or "fr").startswith("ar"):
            return self.name_ar
        return self.name


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, viewer: Any) -> UserQuerySet:
        from himaya.accounts.policies import user_scope

        return cast(UserQuerySet, user_scope(self, viewer))


class UserManager(BaseUserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, viewer: Any) -> UserQuerySet:
        return self.get_queryset().visible_to(viewer)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        raise NotImplementedError("Use `himaya users create --role system_admin`: Himaya has no superuser.")


class User(AbstractBaseUser, PermissionsMixin):
    """A staff member. Belongs to one organisation; holds one or more roles (RoleAssignment)."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = EncryptedTextField(_("telephone"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")],
        default="fr",
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Bumped by "log out all my sessions": every session made before holds a stale auth hash.
    session_generation = models.CharField(max_length=32, default="0", editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        """Django's admin site is not used: nobody is 'staff' in Django's sense."""
        return False

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    def get_session_auth_hash(self) -> str:
        return f"{super().get_session_auth_hash()}:{self.session_generation}"

    def new_session_generation(self) -> None:
        self.session_generation = secrets.token_hex(8)

    def role_codes(self) -> set[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = set(self.role_assignments.values_list("role", flat=True)) if self.pk else set()
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_codes()

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_codes", None)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleAssignment(models.Model):
    """A role held by a user; territorial analysts carry a region or a province scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province or prefecture")
    )
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique_role"),
            models.CheckConstraint(
                condition=~Q(role="territorial_analyst")
                | Q(region__isnull=False)
                | Q(province__isnull=False),
                name="territorial_analyst_has_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}"

    @property
    def audit_organisation_id(self) -> int:
        return self.user.organisation_id
