"""Benchmarks of the foundation: audit appends and verification, scoped lists, API pages, password hashing;
then the directory's (bench/directory.py: 20,000 services, public search, HSDS export and API).

Runs against a throw-away database (SQLite under var/bench/ by default, or BENCH_DATABASE_URL), prints the
figures and writes docs/benchmarks.md. Sized for a 2-core machine; rerun with `make bench`.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
shutil.rmtree(BENCH_DIR, ignore_errors=True)
BENCH_DIR.mkdir(parents=True)
os.environ["HIMAYA_DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"
)
from common import DOCS, fresh_postgres, is_postgres, kept_sections  # bench/common.py

import directory as directory_bench  # bench/directory.py

if is_postgres(os.environ["HIMAYA_DATABASE_URL"]):
    fresh_postgres(os.environ["HIMAYA_DATABASE_URL"])  # throw-away: start empty
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.config.settings")
os.environ["HIMAYA_DEBUG"] = "0"

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client

from himaya.accounts.models import Organisation, RoleAssignment, User
from himaya.core import audit
from himaya.core.models import AuditAction, Province

ORGANISATIONS, USERS_PER_ORGANISATION, AUDIT_EVENTS = 50, 20, 5000


def timed(function: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median and best wall time in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    provinces = list(Province.objects.all())
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench organisation {n}", kind="ngo", sector="social", province=provinces[n % 75],
                     region_id=provinces[n % 75].region_id)
        for n in range(ORGANISATIONS)
    )  # fmt: skip
    users = User.objects.bulk_create(
        User(email=f"u{o}-{n}@bench.invalid", full_name=f"User {o}-{n}", organisation=organisation, password="!")
        for o, organisation in enumerate(organisations)
        for n in range(USERS_PER_ORGANISATION)
    )  # fmt: skip
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role="caseworker") for user in users)
    supervisor, admin = users[0], users[1]
    RoleAssignment.objects.create(user=supervisor, role="supervisor")
    RoleAssignment.objects.create(user=admin, role="system_admin")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    for user in (supervisor, admin):
        TOTP.activate(user, generate_totp_secret())

    rows: list[tuple[str, str]] = []

    start = time.perf_counter()
    for n in range(AUDIT_EVENTS):
        audit.record(
            AuditAction.READ,
            actor=users[n % len(users)],
            target=users[(n * 7) % len(users)],
            fields=["phone"],
        )
    elapsed = time.perf_counter() - start
    rows.append((f"audit: append {AUDIT_EVENTS} chained events", f"{AUDIT_EVENTS / elapsed:,.0f} events/s"))

    start = time.perf_counter()
    report = audit.verify_chain()
    elapsed = time.perf_counter() - start
    assert report.intact
    rows.append(
        (f"audit: verify a chain of {report.checked} events", f"{report.checked / elapsed:,.0f} events/s")
    )

    clients = {}
    for name, user in (("supervisor", supervisor), ("administrator", admin)):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        clients[name] = client
    total_users = ORGANISATIONS * USERS_PER_ORGANISATION
    for name, path in (
        ("supervisor", "/fr/users/"),
        ("administrator", "/fr/users/"),
        ("administrator", "/fr/organisations/"),
        ("supervisor", "/fr/audit/"),
        ("administrator", "/api/v1/users?limit=100"),
        ("supervisor", "/api/v1/organisations?limit=50"),
    ):
        client = clients[name]
        assert client.get(path).status_code == 200, path
        median, best = timed(lambda c=client, p=path: c.get(p))
        rows.append(
            (
                f"page {path} as {name} ({total_users} users in the base)",
                f"median {median:.1f} ms, best {best:.1f} ms",
            )
        )

    from django.contrib.auth.hashers import make_password

    median, best = timed(lambda: make_password("a-long-demo-password"), repeat=5)
    rows.append(("argon2 password hash (cost of one sign-in)", f"median {median:.0f} ms"))

    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (bench/run.py); rerun it to refresh this page. Figures are wall-clock times on",
        "the machine below, single process, against a throw-away database; they show orders of magnitude, not SLAs.",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}",
        f"- database: {connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}".rstrip(),
        f"- data: {ORGANISATIONS} organisations, {total_users} users, {AUDIT_EVENTS} audit events",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    DOCS.write_text(text + kept_sections())
    directory_bench.main()
    shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
