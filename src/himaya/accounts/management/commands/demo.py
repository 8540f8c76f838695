"""``himaya demo``: load the fictional demo data, list the demo accounts, print their current TOTP codes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from himaya.accounts.demo import loader
from himaya.accounts.models import Organisation


class Command(BaseCommand):
    help = "Demo data (fictional): load it, list the accounts, print current two-factor codes. Never in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["load", "accounts", "totp"], default="load")
        parser.add_argument("email", nargs="?", help="only this account (totp)")
        parser.add_argument("--load-if-empty", action="store_true", help="load only into an empty database")
        parser.add_argument("--accounts", action="store_true", help="print the demo accounts after loading")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._handle(options)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

    def _handle(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "totp":
            rows = loader.current_codes(options["email"])
            if not rows:
                raise CommandError("No demo account with an authenticator: run `himaya demo load` first.")
            for email, code, remaining in rows:
                self.stdout.write(f"{code}  {email}  (valid {remaining}s more)")
            return
        if (action == "load" and not options["accounts"]) or options["load_if_empty"]:
            if options["load_if_empty"] and Organisation.objects.exists():
                self.stdout.write("Demo data already present.") if options["verbosity"] > 1 else None
                if Organisation.objects.filter(is_fictional=True).exists():
                    self._load_app_demos()  # a demo database: let newer apps add their (idempotent) part
            else:
                created = loader.load_demo()
                self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} demo users created)."))
                self._load_app_demos()
        if action == "accounts" or options["accounts"]:
            self._print_accounts()

    def _load_app_demos(self) -> None:
        """Each app may name an idempotent demo loader in its AppConfig (``demo_loader = "dotted.path"``)."""
        for config in apps.get_app_configs():
            path = getattr(config, "demo_loader", None)
            if path:
                created = import_string(path)()
                if created:
                    self.stdout.write(
                        self.style.SUCCESS(f"{config.verbose_name}: {created} demo entries loaded.")
                    )

    def _print_accounts(self) -> None:
        rows = loader.demo_accounts()
        self.stdout.write("")
        self.stdout.write(
            "Demo accounts (all fictional). Password for every account: " + loader.DEMO_PASSWORD
        )
        for email, roles, organisation in rows:
            self.stdout.write(f"  {email:<42} {roles:<24} {organisation}")
        self.stdout.write(
            "Two-factor code at sign-in: `.venv/bin/himaya demo totp` (or `... demo totp EMAIL`)."
        )
        self.stdout.write("")
