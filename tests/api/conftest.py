from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from django.utils import timezone

from himaya.accounts.models import Organisation, User
from himaya.api import services
from himaya.api.models import ApiToken, Scope
from tests.factories import make_user

ALL_SCOPES = tuple(Scope.values)


@pytest.fixture
def issue_token(db: None) -> Callable[..., tuple[ApiToken, str]]:
    """Issue a real token through the service, as an administrator would: returns (token, secret)."""

    def issue(
        organisation: Organisation, scopes: Iterable[str] = ALL_SCOPES, days: int = 30
    ) -> tuple[ApiToken, str]:
        admin: User = make_user("system_admin")
        return services.token_issue(
            actor=admin, organisation=organisation, name="Partner", scopes=scopes, days=days
        )

    return issue


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def expire(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
