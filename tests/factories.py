"""Factories for tests: organisations, users with roles and an enrolled authenticator."""

from __future__ import annotations

import itertools
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.core.models import Province, Region

PASSWORD = "correct-horse-battery-staple"
_sequence = itertools.count(1)


def make_organisation(**values: Any) -> Organisation:
    number = next(_sequence)
    province = values.pop("province", None) or Province.objects.get(code="04.421")
    defaults: dict[str, Any] = {
        "name": f"Organisation {number}",
        "kind": "court_cell",
        "sector": "justice",
        "province": province,
        "region": province.region,
    }
    defaults.update(values)
    return Organisation.objects.create(**defaults)


def make_user(
    *roles: str,
    organisation: Organisation | None = None,
    totp: bool = True,
    region: Region | None = None,
    **values: Any,
) -> User:
    """A staff user holding ``roles``; with ``totp`` an authenticator is enrolled (2FA middleware passes)."""
    number = next(_sequence)
    user = User.objects.create_user(
        email=values.pop("email", f"user{number}@example.org"),
        password=values.pop("password", PASSWORD),
        full_name=values.pop("full_name", f"User {number}"),
        organisation=organisation or make_organisation(),
        **values,
    )
    for role in roles:
        scoped = role == "territorial_analyst"
        RoleAssignment.objects.create(
            user=user, role=role, region=(region or Region.objects.get(code="04")) if scoped else None
        )
    if totp:
        TOTP.activate(user, generate_totp_secret())
    user.forget_roles()
    return user


def totp_secret(user: User) -> str:
    from himaya.core import crypto

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return crypto.decrypt(authenticator.data["secret"])


def current_code(user: User) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(totp_secret(user), int(time.time()) // 30))
