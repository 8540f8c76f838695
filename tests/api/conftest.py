from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from django.utils import timezone

from himaya.accounts.models import Organisation, User
from himaya.api import services
from himaya.api.models import CASE_SCOPES, ApiToken, Scope
from tests.factories import make_user

ALL_SCOPES = tuple(Scope.values)
# The scopes a token may hold without an acting user (the case scopes need one).
PARTNER_SCOPES = tuple(scope for scope in Scope.values if scope not in CASE_SCOPES)


@pytest.fixture
def issue_token(db: None) -> Callable[..., tuple[ApiToken, str]]:
    """Issue a real token through the service, as an administrator would (a token acting as ``acting_user``: as
    a supervisor of the organisation): returns (token, secret)."""

    def issue(
        organisation: Organisation,
        scopes: Iterable[str] = PARTNER_SCOPES,
        days: int = 30,
        acting_user: User | None = None,
    ) -> tuple[ApiToken, str]:
        issuer: User = (
            make_user("system_admin")
            if acting_user is None
            else make_user("supervisor", organisation=organisation)
        )
        return services.token_issue(
            actor=issuer, organisation=organisation, name="Partner", scopes=scopes, days=days,
            acting_user=acting_user,
        )  # fmt: skip

    return issue


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def expire(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
