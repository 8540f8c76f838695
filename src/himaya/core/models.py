"""Territories of the 2015 administrative division and the tamper-evident audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LocalisedNameMixin(models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ar if (get_language() or "fr").startswith("ar") else self.name_fr


class Region(LocalisedNameMixin):
    """One of the 12 regions of the 2015 division; ``code`` is the HCP code ("01" to "12")."""

    code = models.CharField(_("code"), max_length=2, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(LocalisedNameMixin):
    """A province or prefecture; ``code`` is the HCP code ("01.511")."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        PREFECTURE = "prefecture", _("prefecture")

    code = models.CharField(_("code"), max_length=6, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PROVINCE)
    women_population = models.PositiveIntegerField(_("women (2024 census)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population (2024 census)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province or prefecture")
        verbose_name_plural = _("provinces and prefectures")


class City(LocalisedNameMixin):
    """A main city, with coordinates for distances and map markers."""

    slug = models.SlugField(unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities")
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")


class AuditAction(models.TextChoices):
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOCKOUT = "lockout", _("account locked")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    CREATE = "create", _("create")
    READ = "read", _("read")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    EXPORT = "export", _("export")
    DENIED = "denied", _("access denied")
    SECURITY = "security", _("security setting")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    def visible_to(self, user: Any) -> AuditEventQuerySet:
        from himaya.core.access import audit_scope

        return audit_scope(self, user)


class AuditEvent(models.Model):
    """One append-only entry of the audit trail, chained to the previous one by hash.

    Holds identifiers and field names only, never the values of personal fields.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_roles = models.CharField(max_length=255, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_email or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")
