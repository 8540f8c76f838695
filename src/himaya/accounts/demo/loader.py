"""Loading the fictional demo data, and printing the demo accounts and their current TOTP codes."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from himaya.accounts import services
from himaya.accounts.demo.data import DEMO_DOMAIN, DEMO_PASSWORD, ORGANISATIONS, USERS
from himaya.accounts.models import Organisation, User
from himaya.core import crypto
from himaya.core.models import City, Region


def _refuse_in_production() -> None:
    if settings.PRODUCTION or not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo data and demo codes exist only outside production.")


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


@transaction.atomic
def load_demo() -> int:
    """Create the demo organisations and users (idempotent). Returns the number of users created."""
    _refuse_in_production()
    organisations: dict[str, Organisation] = {}
    cities = {city.slug: city for city in City.objects.select_related("province__region")}
    for key, name, name_ar, acronym, kind, sector, city_slug in ORGANISATIONS:
        city = cities.get(city_slug) if city_slug else None
        organisations[key], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "name_ar": name_ar,
                "acronym": acronym,
                "kind": kind,
                "sector": sector,
                "is_fictional": True,
                "city": city,
                "province": city.province if city else None,
                "region": city.province.region if city else None,
                "email": f"contact.{key}@{DEMO_DOMAIN}",
                "phone": "+212 5 00 00 00 00",
            },
        )
    created = 0
    for local, full_name, organisation_key, roles, region_code in USERS:
        email = demo_email(local)
        if User.objects.filter(email=email).exists():
            continue
        user = services.user_create(
            actor=None,
            organisation=organisations[organisation_key],
            email=email,
            full_name=full_name,
            roles=roles,
            password=DEMO_PASSWORD,
            job_title="Compte de démonstration",
            region=Region.objects.get(code=region_code) if region_code else None,
        )
        TOTP.activate(user, generate_totp_secret())
        created += 1
    return created


def demo_accounts() -> list[tuple[str, str, str]]:
    _refuse_in_production()
    emails = [demo_email(local) for local, *_ in USERS]
    users = {u.email: u for u in User.objects.filter(email__in=emails).select_related("organisation")}
    rows = []
    for email in emails:
        user = users.get(email)
        if user is not None:
            roles = ", ".join(str(a.get_role_display()) for a in user.role_assignments.all())
            rows.append((email, roles, user.organisation.name))
    return rows


def current_codes(email: str | None = None) -> list[tuple[str, str, int]]:
    """The current TOTP code of each demo account, with the seconds it stays valid."""
    _refuse_in_production()
    period = 30
    now = int(timezone.now().timestamp())
    counter, remaining = now // period, period - now % period
    authenticators = Authenticator.objects.filter(
        type=Authenticator.Type.TOTP, user__email__endswith=f"@{DEMO_DOMAIN}"
    ).select_related("user")
    if email:
        authenticators = authenticators.filter(user__email=email)
    rows = []
    for authenticator in authenticators.order_by("user__email"):
        secret = crypto.decrypt(authenticator.data["secret"])
        rows.append((authenticator.user.email, format_hotp_value(hotp_value(secret, counter)), remaining))
    return rows


__all__ = ["DEMO_PASSWORD", "current_codes", "demo_accounts", "load_demo"]
