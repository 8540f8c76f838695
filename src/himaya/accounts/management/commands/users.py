"""``himaya users create``: the first accounts of an installation (the first administrator, notably)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from himaya.accounts import services
from himaya.accounts.models import Organisation, OrganisationKind, Sector
from himaya.accounts.roles import Role
from himaya.core.errors import BusinessRuleError


class Command(BaseCommand):
    help = (
        "Create a staff account from the command line, e.g. the first system administrator: "
        "himaya users create --email admin@example.ma --full-name 'Name' --organisation 'Operator' "
        "--role system_admin. The password is read from the terminal or, with --password-stdin, from stdin. "
        "Two-factor enrolment happens at first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument(
            "--organisation", required=True, help="name of the organisation (created if missing)"
        )
        parser.add_argument("--kind", choices=OrganisationKind.values, default=OrganisationKind.OTHER)
        parser.add_argument("--sector", choices=Sector.values, default=Sector.GOVERNMENT)
        parser.add_argument("--role", action="append", choices=Role.values, required=True)
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password (12 characters or more): ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords differ.")
        with transaction.atomic():
            self._create(options, password)

    def _create(self, options: dict[str, Any], password: str) -> None:
        organisation, created = Organisation.objects.get_or_create(
            name=options["organisation"],
            province=None,
            defaults={"kind": options["kind"], "sector": options["sector"]},
        )
        try:
            user = services.user_create(
                actor=None,
                organisation=organisation,
                email=options["email"],
                full_name=options["full_name"],
                roles=options["role"],
                password=password,
            )
        except (BusinessRuleError, ValidationError) as error:
            raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        note = " (organisation created)" if created else ""
        self.stdout.write(self.style.SUCCESS(f"Created {user.email} in {organisation.name}{note}."))
