from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from himaya.accounts.models import Organisation, User
from tests.factories import make_organisation, make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings, request):
    """Argon2 is deliberately slow; tests not about hashing use a fast hasher (mark them ``real_hasher``)."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def document_dir(settings, tmp_path_factory):
    """Case documents written by tests go to pytest's temporary folder (one per worker), never to var/."""
    settings.HIMAYA_DOCUMENT_DIR = str(tmp_path_factory.getbasetemp() / "documents")


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Cellule A")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return make_organisation(name="Cellule B")


@pytest.fixture
def user_factory(db: None) -> Callable[..., User]:
    return make_user


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """A test client signed in as ``user`` (force_login: tests not about login skip the login form)."""

    def build(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    return build
