"""Every change to organisations, users and roles: checked, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.accounts.policies import grantable_roles, require
from himaya.accounts.roles import Role
from himaya.core import audit
from himaya.core.errors import BusinessRuleError, ConflictError
from himaya.core.models import AuditAction, Province, Region

ORGANISATION_FIELDS = (
    "name",
    "name_ar",
    "acronym",
    "kind",
    "sector",
    "region",
    "province",
    "city",
    "parent",
    "email",
    "phone",
    "website",
    "address",
    "is_active",
)
USER_FIELDS = ("full_name", "email", "job_title", "phone", "preferred_language")
PERSONAL_USER_FIELDS = ("full_name", "email", "phone")


def _bump_version(model: type[Any], pk: int, expected_version: int | None) -> None:
    if expected_version is None:
        model.objects.filter(pk=pk).update(version=F("version") + 1)
        return
    if not model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1):
        raise ConflictError()


@transaction.atomic
def organisation_create(*, actor: User, **values: Any) -> Organisation:
    require(actor, "accounts.add_organisation")
    organisation = Organisation(**{k: v for k, v in values.items() if k in ORGANISATION_FIELDS})
    if organisation.province is not None and not organisation.region_id:
        organisation.region_id = organisation.province.region_id
    organisation.full_clean()
    organisation.save()
    audit.record(AuditAction.CREATE, actor=actor, target=organisation, fields=values.keys())
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int | None = None, **values: Any
) -> Organisation:
    require(actor, "accounts.change_organisation", organisation)
    changed = [
        name for name in ORGANISATION_FIELDS if name in values and getattr(organisation, name) != values[name]
    ]
    for name in changed:
        setattr(organisation, name, values[name])
    if organisation.province is not None and organisation.region_id != organisation.province.region_id:
        organisation.region_id = organisation.province.region_id
    organisation.full_clean()
    _bump_version(Organisation, organisation.pk, expected_version)
    organisation.save(update_fields=[*changed, "region", "updated_at"] if changed else ["updated_at"])
    organisation.refresh_from_db(fields=["version"])
    if changed:
        audit.record(AuditAction.UPDATE, actor=actor, target=organisation, fields=changed)
    return organisation


def _check_roles(granter: User, roles: Iterable[str]) -> list[str]:
    wanted = sorted(set(roles))
    unknown = [role for role in wanted if role not in Role.values]
    if unknown:
        raise BusinessRuleError(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)})
    refused = set(wanted) - grantable_roles(granter)
    if refused:
        labels = ", ".join(str(Role(role).label) for role in sorted(refused))
        raise BusinessRuleError(_("You may not grant these roles: %(roles)s") % {"roles": labels})
    return wanted


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    organisation: Organisation,
    email: str,
    full_name: str,
    roles: Iterable[str],
    password: str | None = None,
    job_title: str = "",
    phone: str = "",
    preferred_language: str = "fr",
    region: Region | None = None,
    province: Province | None = None,
) -> User:
    """Create a staff account. ``actor=None`` only for the command line (installation, demo)."""
    if actor is not None:
        require(actor, "accounts.add_user", organisation)
        wanted = _check_roles(actor, roles)
    else:
        wanted = sorted(set(roles))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise BusinessRuleError(_("A user with this e-mail address already exists."))
    user = User(
        email=email,
        full_name=full_name.strip(),
        organisation=organisation,
        job_title=job_title,
        phone=phone,
        preferred_language=preferred_language,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _write_roles(user=user, roles=wanted, granter=actor, region=region, province=province)
    audit.record(AuditAction.CREATE, actor=actor, target=user, fields=[*USER_FIELDS, "organisation"])
    audit.record(
        AuditAction.PERMISSION_CHANGE, actor=actor, target=user, detail={"granted": wanted, "revoked": []}
    )
    return user


def _write_roles(
    *, user: User, roles: list[str], granter: User | None, region: Region | None, province: Province | None
) -> None:
    if Role.TERRITORIAL_ANALYST in roles and region is None and province is None:
        raise BusinessRuleError(_("A territorial analyst needs a region or a province."))
    for role in roles:
        scoped = role == Role.TERRITORIAL_ANALYST
        RoleAssignment.objects.create(
            user=user,
            role=role,
            granted_by=granter,
            region=region if scoped else None,
            province=province if scoped else None,
        )
    user.forget_roles()


@transaction.atomic
def user_update(*, actor: User, user: User, expected_version: int | None = None, **values: Any) -> User:
    require(actor, "accounts.change_user", user)
    changed = [name for name in USER_FIELDS if name in values and getattr(user, name) != values[name]]
    for name in changed:
        setattr(user, name, values[name])
    if "email" in changed:
        user.email = user.email.strip().lower()
        if User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
            raise BusinessRuleError(_("A user with this e-mail address already exists."))
    user.full_clean(exclude=["password"])
    _bump_version(User, user.pk, expected_version)
    if changed:
        user.save(update_fields=changed)
        audit.record(AuditAction.UPDATE, actor=actor, target=user, fields=changed)
    user.refresh_from_db(fields=["version"])
    return user


@transaction.atomic
def user_set_roles(
    *,
    actor: User,
    user: User,
    roles: Iterable[str],
    region: Region | None = None,
    province: Province | None = None,
) -> User:
    """Replace the user's roles. Roles the actor may not grant are kept as they are, never touched."""
    require(actor, "accounts.change_user", user)
    allowed = grantable_roles(actor)
    wanted = set(_check_roles(actor, roles))
    current = set(user.role_codes())
    if user.pk == actor.pk and Role.SYSTEM_ADMIN in current - wanted:
        raise BusinessRuleError(_("You cannot remove your own administrator role."))
    revoked = sorted((current - wanted) & allowed)
    granted = sorted(wanted - current)
    user.role_assignments.filter(role__in=revoked).delete()
    _write_roles(user=user, roles=granted, granter=actor, region=region, province=province)
    if Role.TERRITORIAL_ANALYST in wanted & current and (region or province):
        user.role_assignments.filter(role=Role.TERRITORIAL_ANALYST).update(region=region, province=province)
    if granted or revoked:
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            actor=actor,
            target=user,
            detail={"granted": granted, "revoked": revoked},
        )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    require(actor, "accounts.change_user", user)
    if user.pk == actor.pk and not active:
        raise BusinessRuleError(_("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        if not active:
            user.new_session_generation()
        user.save(update_fields=["is_active", "session_generation"])
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            actor=actor,
            target=user,
            fields=["is_active"],
            detail={"active": active},
        )
    return user


@transaction.atomic
def user_logout_everywhere(*, user: User) -> None:
    """End every session of this user, on every device (the current one included)."""
    user.new_session_generation()
    user.save(update_fields=["session_generation"])
    audit.record(AuditAction.SECURITY, actor=user, target=user, detail={"event": "logout_all_sessions"})


@transaction.atomic
def user_reset_two_factor(*, actor: User, user: User) -> None:
    """Remove the user's authenticators: they enrol again at their next login (lost phone)."""
    require(actor, "accounts.reset_user_2fa", user)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
    user.new_session_generation()
    user.save(update_fields=["session_generation"])
    audit.record(AuditAction.SECURITY, actor=actor, target=user, detail={"event": "two_factor_reset"})


def user_send_invitation(*, request: Any, user: User) -> None:
    """E-mail a link to choose a password (allauth's password reset), so nobody else ever knows it."""
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():
        form.save(request)
