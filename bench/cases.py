"""Benchmarks of case management: N survivors each with one case (1,000,000 by default), exact search, the
"my cases" page, intake through the service layer.

Run alone: ``python bench/cases.py`` (SQLite under var/bench-cases/, or BENCH_DATABASE_URL, e.g.
postgres://postgres@127.0.0.1:5432/himaya_bench_cases: dropped and created again, dropped at the end). Writes
its figures into the "Cases" section of docs/benchmarks.md, one subsection per database, keeping the rest.

BENCH_CASES_SURVIVORS sets N (1,000,000 by default; ``make bench`` uses fewer, see the Makefile);
BENCH_CASES_INTAKES the number of intakes (10,000), BENCH_CASES_INTAKE_BUDGET the seconds they may take (300);
BENCH_CASES_KEEP=1 keeps the generated database.
BENCH_CASES_STEP=generate generates and keeps the database (and its generation figures, var/bench-cases/);
BENCH_CASES_STEP=measure then measures on it (the same N), writes the figures and drops it (unless KEEP): to
iterate on the measures of a large N without generating it again.

The data are realistic where the measures look: every identifying value is encrypted with the field encryption
of the models (``EncryptedTextField.get_prep_value``), every blind index is computed by the service layer's
``lookup_digests`` on the survivor, in worker processes (the crypto is the cost of generation), and rows are
written in bulk (executemany on SQLite, COPY on PostgreSQL). Names are Moroccan (Latin and Arabic script) and
sub-Saharan (Latin script) from cases/data/fictional_names.py, drawn with a long-tailed (Zipf) distribution and
half of the Moroccan family names double, so that a few names are shared by many women (an exact search then
returns several cases) and most by few. Cases are spread over ~200 organisations; each caseworker holds ~50 of
her organisation's cases (about two thirds of them active). Each case has its consent to services (and
often to statistics); incidents, notes and the timeline are not generated (no measure here reads them).
"""

from __future__ import annotations

import bisect
import gc
import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    database_label,
    drop_postgres,
    fresh_postgres,
    is_postgres,
    logger,
    machine,
    percentile,
    timings,
    write_subsection,
)

BENCH_DIR = ROOT / "var" / "bench-cases"
SECTION = "## Cases"
SURVIVORS = int(os.environ.get("BENCH_CASES_SURVIVORS", "1000000"))
ORGANISATIONS = max(1, min(200, SURVIVORS // 100))
CASES_PER_CASEWORKER = 50
INTAKES = int(os.environ.get("BENCH_CASES_INTAKES", "10000"))
KEEP = os.environ.get("BENCH_CASES_KEEP", "") == "1"
STEP = os.environ.get("BENCH_CASES_STEP", "")  # "", "generate" or "measure"
SEARCHES, PAGES, PAGE_USERS = 300, 300, 20
BUDGET_S = 30  # each measured loop of reads stops after this long
INTAKE_BUDGET_S = int(
    os.environ.get("BENCH_CASES_INTAKE_BUDGET", "300")
)  # the intake loop stops after this long
BATCH = 5000  # survivors per worker task
WORKERS = max(1, os.cpu_count() or 1)
SEED = 1_000_003
YEARS = 5  # the cases were opened over the last five years
TARGETS = {"search_p95_ms": 10.0, "page_p95_ms": 50.0, "page_queries": 10}

log = logger("cases")
LOAD = [0.0]  # the load average when the measures start

# --------------------------------------------------------------------------------------- the people

STREETS = ["Rue", "Avenue", "Derb", "Boulevard", "Zenqa", "Impasse"]
QUARTERS = ["Hay Mohammadi", "Sidi Moumen", "Hay Hassani", "Médina", "Yacoub El Mansour", "Bensouda",
            "Hay Salam", "Aïn Chock", "Lahraouiyine", "Douar Lakhlifa", "Takadoum", "Hay Riad"]  # fmt: skip
CITIES = ["Casablanca", "Rabat", "Salé", "Fès", "Marrakech", "Tanger", "Agadir", "Oujda", "Meknès", "Kénitra",
          "Tétouan", "Béni Mellal", "Nador", "Laâyoune", "Khouribga", "Safi"]  # fmt: skip
SAFE_CONTACT = [
    "Appeler seulement le matin, quand son mari est au travail.",
    "Ne jamais laisser de message vocal ; envoyer un SMS neutre.",
    "الاتصال بها عن طريق أختها فقط.",
    "Passer par l'association du quartier.",
    "Only on WhatsApp, never a phone call.",
]
IDENTITY_NOTES = [
    "Connue aussi sous le nom de sa mère.",
    "تستعمل اسما آخر في الحي.",
    "Name spelt several ways.",
]
CNIE_PREFIXES = ["A", "B", "BE", "BH", "BJ", "BK", "BL", "C", "CD", "D", "EE", "G", "H", "I", "J", "JA", "JB",
                 "JC", "K", "L", "M", "N", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"]  # fmt: skip
MIGRATION = {"SN": "regular_migrant", "CI": "irregular_migrant", "CM": "irregular_migrant",
             "NG": "irregular_migrant", "GN": "asylum_seeker", "ML": "refugee", "CD": "refugee"}  # fmt: skip
COUNTRY_CODES = {"SN": "221", "CI": "225", "CM": "237", "NG": "234", "GN": "224", "ML": "223", "CD": "243"}


def _zipf(count: int, exponent: float = 0.9) -> list[float]:
    """Cumulative weights of a long-tailed distribution over ``count`` ranked names."""
    cumulative, total = [], 0.0
    for rank in range(count):
        total += 1 / (rank + 1) ** exponent
        cumulative.append(total)
    return cumulative


def _pick(rng: random.Random, items: list[Any], cumulative: list[float]) -> Any:
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _names() -> dict[str, Any]:
    from himaya.cases.data import fictional_names as names

    return {
        "given": names.MOROCCAN_GIVEN,
        "given_w": _zipf(len(names.MOROCCAN_GIVEN)),
        "family": names.MOROCCAN_FAMILY,
        "family_w": _zipf(len(names.MOROCCAN_FAMILY)),
        "sub_saharan": names.SUB_SAHARAN,
        "countries": sorted(names.SUB_SAHARAN),
        "migrant_share": names.MIGRANT_SHARE,
    }


def fictional(index: int, names: dict[str, Any]) -> dict[str, Any]:
    """The survivor number ``index`` as an intake form would give her (deterministic: the measures find her
    again from her number)."""
    rng = random.Random(SEED * 7 + index)
    person: dict[str, Any] = {
        "given_name_latin": "",
        "family_name_latin": "",
        "given_name_arabic": "",
        "family_name_arabic": "",
    }
    year = date.today().year
    if rng.random() < names["migrant_share"]:
        country = rng.choice(names["countries"])
        given, family = names["sub_saharan"][country]
        person["given_name_latin"], person["family_name_latin"] = rng.choice(given), rng.choice(family)
        person.update(
            nationality=country,
            migration_status=MIGRATION[country],
            languages=rng.choice([["fr"], ["en"], ["fr", "ar"]]),
        )
        if rng.random() < 0.8:
            person["phone"] = (
                f"06{rng.randrange(10**8):08d}"
                if rng.random() < 0.6
                else f"+{COUNTRY_CODES[country]} {rng.randrange(10**8, 10**9)}"
            )
        if rng.random() < 0.5:
            person["id_document_type"] = rng.choice(["passport", "residence_card", "refugee_card"])
            person["id_document_number"] = f"{rng.choice('ABCDEFGH')}{rng.randrange(10**7):07d}"
        birth = rng.randint(year - 45, year - 15)
    else:
        given_latin, given_arabic = _pick(rng, names["given"], names["given_w"])
        family_latin, family_arabic = _pick(rng, names["family"], names["family_w"])
        if rng.random() < 0.5:  # double family names: "El Idrissi Tazi"
            second_latin, second_arabic = _pick(rng, names["family"], names["family_w"])
            if second_latin != family_latin:
                family_latin, family_arabic = (
                    f"{family_latin} {second_latin}",
                    f"{family_arabic} {second_arabic}",
                )
        scripts = rng.random()
        if scripts < 0.88:  # Latin script (and Arabic but for 12 %)
            person["given_name_latin"], person["family_name_latin"] = given_latin, family_latin
        if scripts > 0.12:  # Arabic script (and Latin but for 12 %)
            person["given_name_arabic"], person["family_name_arabic"] = given_arabic, family_arabic
        person.update(
            nationality="MA",
            migration_status="citizen",
            languages=rng.choice(
                [
                    ["ary"],
                    ["ary", "fr"],
                    ["ary", "ar"],
                    ["zgh", "ary"],
                    ["tzm"],
                    ["shi", "ary"],
                    ["rif", "ary", "es"],
                ]
            ),
        )
        if rng.random() < 0.9:
            person["phone"] = f"0{rng.choice('67')}{rng.randrange(10**8):08d}"
        if rng.random() < 0.75:
            person["id_document_type"] = "cnie"
            person["id_document_number"] = f"{rng.choice(CNIE_PREFIXES)}{rng.randrange(10**6):06d}"
        birth = rng.randint(year - 70, year - 6) if rng.random() < 0.08 else rng.randint(year - 60, year - 18)
    if rng.random() < 0.25:
        person["other_phone"] = f"06{rng.randrange(10**8):08d}"
    person["address"] = (
        f"{rng.randint(1, 250)} {rng.choice(STREETS)} {rng.randint(1, 90)}, {rng.choice(QUARTERS)}, "
        f"{rng.choice(CITIES)}"
    )
    if rng.random() < 0.4:
        person["safe_contact_instructions"] = rng.choice(SAFE_CONTACT)
        person["safe_contact_method"] = rng.choice(
            ["phone_call", "text_message", "messaging_app", "third_party"]
        )
        person["safe_to_contact"] = "yes"
    if rng.random() < 0.05:
        person["identity_notes"] = rng.choice(IDENTITY_NOTES)
    person.update(
        birth_year=birth,
        birth_year_estimated=rng.random() < 0.2,
        marital_status=rng.choice(
            ["single", "married", "married", "unregistered_marriage", "divorced", "widowed"]
        ),
        children_count=rng.choice([None, 0, 1, 2, 3, 4]),
        education=rng.choice(["none", "primary", "lower_secondary", "upper_secondary", "higher", "unknown"]),
        occupation=rng.choice(
            [
                "unemployed",
                "homemaker",
                "domestic_worker",
                "agricultural_worker",
                "student",
                "informal_worker",
                "employee",
                "unknown",
            ]
        ),
    )
    return person


# ------------------------------------------------------------------------------- generation (workers)

# Set in the main process before the workers fork: the workers read them.
PLAN: dict[str, Any] = {}


def _code(prefix: str, index: int, multiplier: int, offset: int) -> str:
    """A well-formed code, distinct for each index (an affine bijection of the 40-bit bodies)."""
    from himaya.cases import codes

    value = (index * multiplier + offset) % 32**8
    body = "".join(codes.ALPHABET[(value >> (5 * n)) & 31] for n in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}-{codes._check_character(body)}"


def columns_of(fields: list[Any], vendor: str) -> list[tuple[str, Any, bool, str]]:
    """(attname, field, encrypted, conversion) of each column, worked out once per table."""
    from django.db import models

    from himaya.core.fields import EncryptedTextField

    specs = []
    for field in fields:
        conversion = ""
        if isinstance(field, models.JSONField):
            conversion = "json"
        elif isinstance(field, models.DateTimeField) and vendor == "sqlite":
            conversion = "naive"  # Django's SQLite format: naive UTC text
        specs.append((field.attname, field, isinstance(field, EncryptedTextField), conversion))
    return specs


def _row(specs: list[tuple[str, Any, bool, str]], values: dict[str, Any]) -> tuple[Any, ...]:
    """The column values of one row: defaults for what ``values`` lacks; encrypted fields through the field's own
    ``get_prep_value`` (the real Fernet encryption of the models)."""
    row = []
    for attname, field, encrypted, conversion in specs:
        value = values[attname] if attname in values else field.get_default()
        if encrypted:
            value = field.get_prep_value(value)
        elif value is None:
            pass
        elif conversion == "json":
            value = json.dumps(value)
        elif conversion == "naive":
            value = str(value.astimezone(UTC).replace(tzinfo=None))
        row.append(value)
    return tuple(row)


def _worker_start() -> None:
    """In each worker: the blind index of a name is a pure function of the name (and the key), and names repeat:
    remember the digests already computed (the same values, computed once)."""
    from functools import lru_cache

    from himaya.cases.services import survivors

    survivors.name_digests = lru_cache(maxsize=200_000)(survivors.name_digests)  # type: ignore[assignment]


def make_batch(bounds: tuple[int, int]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of survivors ``bounds[0]``..``bounds[1] - 1``: survivor, lookups, case, caseworker link, consents."""
    from himaya.cases.models import Survivor
    from himaya.cases.services.survivors import lookup_digests

    plan = PLAN
    names = plan["names"]
    start, stop = bounds
    rows: dict[str, list[tuple[Any, ...]]] = {
        "survivor": [],
        "lookup": [],
        "case": [],
        "link": [],
        "consent": [],
    }
    now = plan["now"]
    span = timedelta(days=365 * YEARS).total_seconds()
    for index in range(start, stop):
        rng = random.Random(SEED * 11 + index)
        person = fictional(index, names)
        survivor_id, case_id = plan["first_id"] + index, plan["first_id"] + index
        organisation_id = plan["organisation_ids"][plan["organisation_of"][index]]
        caseworker_id = plan["caseworker_of"][index]
        opened = now - timedelta(seconds=span * (1 - index / plan["survivors"]) + rng.uniform(0, 3600))
        survivor = Survivor(
            id=survivor_id,
            code=_code("S", index, 0x5DEECE66D, 0x2545F491),
            organisation_id=organisation_id,
            residence_province_id=rng.choice(plan["province_ids"]),
            created_at=opened,
            updated_at=opened,
            created_by_id=caseworker_id,
            **person,
        )
        values = {field.attname: getattr(survivor, field.attname) for field in plan["survivor_fields"]}
        rows["survivor"].append(_row(plan["survivor_specs"], values))
        for kind, digest in sorted(lookup_digests(survivor)):
            rows["lookup"].append((survivor_id, organisation_id, str(kind), digest))
        age_days = (now - opened).days
        closed_share = 0.15 if age_days < 180 else 0.25 if age_days < 720 else 0.35
        draw = rng.random()
        status = (
            "closed" if draw < closed_share else "closure_requested" if draw < closed_share + 0.04 else "open"
        )
        intake = (
            "done" if age_days > 7 or rng.random() < 0.6 else rng.choice(["consent", "incident", "needs"])
        )
        follow_up = None
        if status != "closed" and rng.random() < 0.6:
            follow_up = now.date() + timedelta(days=rng.randint(-30, 60))
        case = {
            "id": case_id,
            "code": _code("D", index, 0x27BB2EE687B, 0x9E3779B9),
            "organisation_id": organisation_id,
            "survivor_id": survivor_id,
            "entry_point": rng.choices(plan["entry_points"], weights=plan["entry_weights"])[0],
            "status": status,
            "stage": rng.choice(plan["stages"]) if status != "closed" else "closure",
            "priority": rng.choices(["low", "normal", "high", "urgent"], weights=[10, 65, 20, 5])[0],
            "risk_level": rng.choice(["not_assessed", "standard", "medium", "high"]),
            "immediate_needs": rng.sample(plan["needs"], min(len(plan["needs"]), rng.randint(1, 3))),
            "intake_step": intake,
            "opened_at": opened,
            "closed_at": min(now, opened + timedelta(days=rng.randint(10, 400)))
            if status == "closed"
            else None,
            "follow_up_due": follow_up,
            "created_by_id": caseworker_id,
            "updated_at": opened,
        }
        rows["case"].append(_row(plan["case_specs"], case))
        rows["link"].append((case_id, caseworker_id))
        if intake != "consent":
            purposes = ["services"] + (["statistics"] if rng.random() < 0.6 else [])
            for purpose in purposes:
                expires = None
                if rng.random() < 0.15:
                    expires = now.date() + timedelta(days=rng.randint(0, 365))
                withdrawn = opened + timedelta(days=30) if rng.random() < 0.02 else None
                consent = {
                    "case_id": case_id,
                    "created_at": opened,
                    "created_by_id": caseworker_id,
                    "purpose": purpose,
                    "given_by": "survivor",
                    "method": rng.choice(["verbal", "written", "signed"]),
                    "given_at": opened,
                    "expires_on": expires,
                    "withdrawn_at": withdrawn,
                    "withdrawn_by_id": caseworker_id if withdrawn else None,
                }
                rows["consent"].append(_row(plan["consent_specs"], consent))
    return rows


# ------------------------------------------------------------------------------- generation (main)


def _people_and_places(rng: random.Random) -> dict[str, Any]:
    """Organisations (spread over the provinces by women population), their caseworkers and supervisors, and
    which organisation and caseworker each survivor's case belongs to."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from himaya.accounts.models import Organisation, RoleAssignment, User
    from himaya.core.models import Province

    provinces = list(Province.objects.order_by("code"))
    homes = rng.choices(provinces, weights=[p.women_population or 1 for p in provinces], k=ORGANISATIONS)
    kinds = ["ngo", "ngo", "ngo", "court_cell", "police_cell", "hospital_cell", "shelter", "reception_centre"]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench cases organisation {n}",
            kind=kinds[n % len(kinds)],
            sector="civil_society",
            province=province,
            region_id=province.region_id,
            is_fictional=True,
        )
        for n, province in enumerate(homes)
    )
    sizes = [rng.uniform(0.3, 2.0) for _ in organisations]
    cumulative = [sum(sizes[: n + 1]) for n in range(len(sizes))]
    organisation_of = [
        bisect.bisect(cumulative, rng.random() * cumulative[-1]) for _ in range(SURVIVORS)
    ]  # an index into organisations
    counts = [0] * len(organisations)
    for organisation in organisation_of:
        counts[organisation] += 1
    users: list[Any] = []
    caseworkers: list[list[Any]] = []
    for n, organisation in enumerate(organisations):
        team = [
            User(
                email=f"cw{n}-{k}@bench-cases.invalid",
                full_name=f"Caseworker {n}-{k}",
                organisation=organisation,
                password="!",
            )
            for k in range(max(1, math.ceil(counts[n] / CASES_PER_CASEWORKER)))
        ]
        caseworkers.append(team)
        users += team
        users.append(
            User(
                email=f"sv{n}@bench-cases.invalid",
                full_name=f"Supervisor {n}",
                organisation=organisation,
                password="!",
            )
        )
    users = User.objects.bulk_create(users, batch_size=2000)
    roles = [
        RoleAssignment(user=user, role="supervisor" if user.email.startswith("sv") else "caseworker")
        for user in users
    ]
    RoleAssignment.objects.bulk_create(roles, batch_size=2000)
    seen = [0] * len(organisations)
    caseworker_of = []
    for organisation in organisation_of:
        team = caseworkers[organisation]
        caseworker_of.append(team[seen[organisation] % len(team)].pk)
        seen[organisation] += 1
    # The caseworkers whose pages and searches are measured sign in with two factors, as everyone must.
    measured = rng.sample(range(SURVIVORS), min(PAGE_USERS, SURVIVORS))
    page_users = sorted({caseworker_of[index] for index in measured})
    for user in User.objects.filter(pk__in=page_users):
        TOTP.activate(user, generate_totp_secret())
    return {
        "organisation_ids": [o.pk for o in organisations],
        "organisation_of": organisation_of,
        "caseworker_of": caseworker_of,
        "caseworkers": sum(len(team) for team in caseworkers),
        "page_users": page_users,
        "province_ids": [p.pk for p in provinces],
    }


def _tables() -> dict[str, tuple[str, list[str]]]:
    """(table, columns) of each kind of row that make_batch produces."""
    from himaya.cases.models import Case, Consent, Survivor, SurvivorLookup

    def columns(fields: list[Any]) -> list[str]:
        return [field.column for field in fields]

    through = Case.caseworkers.through
    return {
        "survivor": (Survivor._meta.db_table, columns(PLAN["survivor_fields"])),
        "lookup": (SurvivorLookup._meta.db_table, ["survivor_id", "organisation_id", "kind", "digest"]),
        "case": (Case._meta.db_table, columns(PLAN["case_fields"])),
        "link": (through._meta.db_table, ["case_id", "user_id"]),
        "consent": (Consent._meta.db_table, columns(PLAN["consent_fields"])),
    }


def _insert(rows: dict[str, list[tuple[Any, ...]]], tables: dict[str, tuple[str, list[str]]]) -> int:
    from django.db import connection, transaction

    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for kind in ("survivor", "lookup", "case", "link", "consent"):
            table, columns = tables[kind]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor: COPY
                with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for row in rows[kind]:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",  # noqa: S608 - model tables
                    rows[kind],
                )
            written += len(rows[kind])
    return written


def generate(rng: random.Random) -> dict[str, Any]:
    """Bulk-create the organisations, caseworkers, survivors, blind indexes, cases and consents."""
    from django.core.management.color import no_style
    from django.db import connection

    from himaya.cases import choices
    from himaya.cases.models import Case, Consent, Survivor
    from himaya.cases.queries.cases import need_terms

    setup = _people_and_places(rng)
    first_id = (Survivor.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    assert first_id == (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    PLAN.update(
        setup,
        vendor=connection.vendor,
        names=_names(),
        now=datetime.now(UTC),
        survivors=SURVIVORS,
        first_id=first_id,
        needs=[term.code for term in need_terms()],
        stages=[value for value in choices.Stage.values if value != "closure"],
        entry_points=list(choices.EntryPoint.values),
        entry_weights=[20, 15, 8, 15, 20, 6, 4, 6, 1, 2, 2, 1],
        survivor_fields=list(Survivor._meta.concrete_fields),
        case_fields=list(Case._meta.concrete_fields),
        consent_fields=[field for field in Consent._meta.concrete_fields if field.attname != "id"],
    )
    for kind in ("survivor", "case", "consent"):
        PLAN[f"{kind}_specs"] = columns_of(PLAN[f"{kind}_fields"], connection.vendor)
    tables = _tables()
    connection.close()  # the workers fork without it
    context = multiprocessing.get_context("fork")
    bounds = [(start, min(start + BATCH, SURVIVORS)) for start in range(0, SURVIVORS, BATCH)]
    rows_written = 0
    start = time.perf_counter()
    with context.Pool(WORKERS, initializer=_worker_start) as pool:
        if connection.vendor == "sqlite":  # generation only: the measures run on a fresh connection
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-1000000")
        pending: deque[Any] = deque()
        todo = deque(bounds)
        while todo or pending:
            while todo and len(pending) < WORKERS * 2:
                pending.append(pool.apply_async(make_batch, (todo.popleft(),)))
            rows_written += _insert(pending.popleft().get(), tables)
            done = len(bounds) - len(todo) - len(pending)
            if done % 20 == 0:
                elapsed = time.perf_counter() - start
                log(f"{done * BATCH:,} survivors, {rows_written:,} rows, {elapsed:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Survivor, Case]):
                cursor.execute(statement)
    generated = time.perf_counter() - start
    # Planner statistics (and on PostgreSQL the visibility map), as a production database has them.
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    connection.close()  # the measures use the project's connection settings
    return {
        **setup,
        "rows": rows_written,
        "seconds": generated,
        "analyse_seconds": time.perf_counter() - start,
    }


# --------------------------------------------------------------------------------------- measures


def _search_value(kind: str, person: dict[str, Any], rng: random.Random) -> str:
    """What a caseworker types: her name in either script and order, a telephone or document number as written
    on a paper, with other spacing and case."""
    if kind == "name":
        scripts = [s for s in ("latin", "arabic") if person[f"given_name_{s}"]]
        script = rng.choice(scripts)
        given, family = person[f"given_name_{script}"], person[f"family_name_{script}"]
        value = f"{given} {family}" if rng.random() < 0.7 else f"{family} {given}"
        return value.upper() if rng.random() < 0.3 else value.lower() if rng.random() < 0.3 else value
    if kind == "phone":
        phone = person["phone"]
        if phone.startswith("0") and rng.random() < 0.5:
            return f"+212 {phone[1]} {phone[2:4]} {phone[4:6]} {phone[6:8]} {phone[8:]}"
        return phone
    number = person["id_document_number"]
    return f"{number[:2].lower()} {number[2:]}" if rng.random() < 0.5 else number


def measure_search(data: dict[str, Any], kind: str) -> tuple[list[float], list[int], list[float]]:
    """``case_search`` (the survivor search page's query) as the caseworker of a survivor, for her name, phone or
    document number, through the page's pagination: the count and the first page's rows."""
    from django.conf import settings
    from django.core.paginator import Paginator

    from himaya.accounts.models import User
    from himaya.cases.queries.survivors import SearchCriteria, case_search

    names = _names()
    rng = random.Random(f"search-{kind}")
    field = {"name": "given_name_latin", "phone": "phone", "id_number": "id_document_number"}[kind]
    samples: list[float] = []
    cpus: list[float] = []  # the CPU time of this process: less sensitive to other processes than wall time
    hits: list[int] = []
    deadline = time.perf_counter() + BUDGET_S
    while len(samples) < SEARCHES and time.perf_counter() < deadline:
        index = rng.randrange(SURVIVORS)
        person = fictional(index, names)
        if kind != "name" and not person.get(field):
            continue
        value = _search_value(kind, person, rng)
        user = User.objects.get(pk=data["caseworker_of"][index])  # as the request would load her
        start, cpu = time.perf_counter(), time.process_time()
        page = Paginator(case_search(user, SearchCriteria(**{kind: value})), settings.PAGE_SIZE).get_page(1)
        codes = [(case.code, case.survivor.code) for case in page.object_list]
        total = page.paginator.count
        samples.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert codes and total >= 1, (kind, index)
        hits.append(total)
    return samples, hits, cpus


def measure_my_cases(data: dict[str, Any]) -> tuple[list[float], int, float, list[float]]:
    """The "my cases" page (django.test.Client, whole request) of caseworkers holding ~50 cases."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from himaya.accounts.models import User
    from himaya.cases.models import Case

    with translation.override("fr"):
        path = reverse("cases:my_cases")
    clients, queries, held = [], 0, []
    for user in User.objects.filter(pk__in=data["page_users"]):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        assert client.get(path).status_code == 200  # warm: the session knows her second factor
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200 and b"D-" in response.content, user.pk
        queries = max(queries, len(captured.captured_queries))
        clients.append(client)
        held.append(Case.objects.filter(caseworkers=user).exclude(status="closed").count())
    rng = random.Random("pages")
    samples: list[float] = []
    cpus: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    while len(samples) < PAGES and time.perf_counter() < deadline:
        client = rng.choice(clients)
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200
    return samples, queries, statistics.mean(held), cpus


def measure_intake(data: dict[str, Any]) -> tuple[int, float, int]:
    """Intakes through the service layer as the intake pages do them: the duplicate check, the person and the
    case, her consents, the first incident with its perpetrator, her immediate needs (which complete it)."""
    from himaya.accounts.models import User
    from himaya.cases.queries.survivors import possible_duplicates
    from himaya.cases.services import cases as case_services
    from himaya.cases.services.consents import intake_consents_record
    from himaya.cases.services.incidents import intake_incident_record
    from himaya.core.models import Province

    names = _names()
    rng = random.Random("intake")
    actors = list(User.objects.filter(pk__in=data["page_users"]))
    provinces = list(Province.objects.all())
    needs = case_services.need_codes()
    today = date.today()
    duplicates_seen = 0
    done = 0
    start = time.perf_counter()
    deadline = start + INTAKE_BUDGET_S
    while done < INTAKES and time.perf_counter() < deadline:
        actor = User.objects.get(pk=rng.choice(actors).pk)
        person = fictional(SURVIVORS + done, names)
        values = {key: value for key, value in person.items() if value not in ("", None)}
        values["residence_province"] = rng.choice(provinces)
        duplicates_seen += bool(possible_duplicates(actor, values))
        case = case_services.intake_start(
            actor=actor,
            survivor_values=values,
            case_values={"entry_point": rng.choice(["ngo", "court_cell", "hospital_cell", "police_cell"])},
        )
        child = today.year - person["birth_year"] < 18
        intake_consents_record(
            actor=actor,
            case=case,
            method=rng.choice(["verbal", "signed"]),
            given_by="guardian" if child else "survivor",
            guardian_name="Khadija Bennani" if child else "",
            statistics=rng.random() < 0.6,
        )
        occurred = today - timedelta(days=rng.randint(0, 90))
        intake_incident_record(
            actor=actor,
            case=case,
            values={
                "occurred_on": occurred,
                "reported_on": today,
                "province": rng.choice(provinces),
                "place_type": rng.choice(["home", "marital_home", "public_space", "workplace", "online"]),
                "law_forms": rng.sample(
                    ["physical", "sexual", "psychological", "economic"], rng.randint(1, 2)
                ),
                "involved_physical_assault": rng.random() < 0.6,
                "involved_psychological_abuse": rng.random() < 0.8,
                "description": "Violences répétées au domicile ; elle a quitté la maison avec ses enfants.",
            },
            perpetrators=[{"relationship": rng.choice(["husband", "family_member", "employer", "stranger"])}],
        )
        case_services.case_set_needs(actor=actor, case=case, needs=rng.sample(needs, min(len(needs), 2)))
        done += 1
        if done % 1000 == 0:
            log(f"intake {done:,} in {time.perf_counter() - start:.0f} s")
    return done, time.perf_counter() - start, duplicates_seen


# ----------------------------------------------------------------------------------------- report


def _cpu(samples: list[float]) -> str:
    return f"CPU of the bench process p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms"


def main() -> list[tuple[str, str]]:
    """Generate, measure, print and write the figures; Django must be set up and migrated."""
    from django.db import connection

    rows: list[tuple[str, str]] = []
    figures = BENCH_DIR / f"generation-{connection.vendor}.json"
    if STEP == "measure":
        data = json.loads(figures.read_text())
        if data["survivors"] != SURVIVORS:
            raise SystemExit(f"the kept database holds {data['survivors']:,} survivors, not {SURVIVORS:,}")
    else:
        log(f"generate {SURVIVORS:,} survivors with {WORKERS} worker processes")
        data = generate(random.Random(SEED))
        data["survivors"] = SURVIVORS
        if STEP == "generate":
            figures.write_text(
                json.dumps({key: value for key, value in data.items() if key != "organisation_of"})
            )
            log(f"generated in {data['seconds']:.0f} s; kept for BENCH_CASES_STEP=measure")
            return []
    analyse = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
    rows.append(
        (
            f"generate {SURVIVORS:,} survivors and cases ({data['rows']:,} rows, encryption and blind "
            f"indexes in {WORKERS} processes, bulk insert)",
            f"{data['seconds']:.0f} s ({SURVIVORS / data['seconds']:,.0f} survivors/s), then "
            f"{analyse} {data['analyse_seconds']:.0f} s",
        )
    )
    # The bench holds millions of Python objects of its own (who works where, the name lists) that a server
    # process does not: frozen out of the garbage collector, its full passes do not charge the measured reads
    # for them (at N = 200,000 the name search p95 went from 7.1 to 4.5 ms).
    gc.collect()
    gc.freeze()
    LOAD[0] = os.getloadavg()[0]
    labels = {
        "name": "name (either script, either order)",
        "phone": "telephone",
        "id_number": "document number",
    }
    for kind, label in labels.items():
        log(f"search by {kind}")
        samples, hits, cpus = measure_search(data, kind)
        name, value = timings(
            f"exact search by {label}: case_search, count and first page", samples, TARGETS["search_p95_ms"]
        )
        rows.append(
            (
                name,
                f"{value}; {_cpu(cpus)}; cases found: median {statistics.median(hits):g}, "
                f"p95 {percentile(hits, 0.95):g}",
            )
        )
    log("my cases")
    samples, queries, held, cpus = measure_my_cases(data)
    name, value = timings(
        f"page “my cases” (GET /fr/cases/, whole request) of a caseworker holding ~{CASES_PER_CASEWORKER} "
        f"cases ({held:.0f} active on average)",
        samples,
        TARGETS["page_p95_ms"],
    )
    verdict = "met" if queries <= TARGETS["page_queries"] else "MISSED"
    rows.append(
        (name, f"{value}; {_cpu(cpus)}; {queries} queries (target ≤ {TARGETS['page_queries']}: {verdict})")
    )
    log("intake")
    done, seconds, duplicates = measure_intake(data)
    rows.append(
        (
            f"intake through the service layer, {done:,} cases (duplicate check, survivor and case, consents, "
            "incident and perpetrator, needs)",
            f"{seconds:.0f} s, {done / seconds:.1f} intakes/s ({seconds / done * 1000:.0f} ms each; "
            f"{duplicates:,} showed possible duplicates)",
        )
    )
    write_section(rows, data)
    return rows


def write_section(rows: list[tuple[str, str]], data: dict[str, Any]) -> None:
    label = database_label()
    title = f"### {label.split()[0]}"
    lines = [
        title,
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}; load average {LOAD[0]:.1f} at the start of the measures, "
        f"{os.getloadavg()[0]:.1f} at the end",
        f"- database: {label}",
        f"- data: N = {SURVIVORS:,} survivors, one case each, {ORGANISATIONS} organisations, "
        f"{data['caseworkers']:,} caseworkers (~{CASES_PER_CASEWORKER} cases each), consents",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    block = "\n".join(lines)
    print(block)
    intro = (
        "Produced by bench/cases.py: `BENCH_CASES_SURVIVORS=1000000 python bench/cases.py` (N = 1,000,000 by "
        "default; `make bench` runs it with N = 100,000 on SQLite and PostgreSQL; BENCH_DATABASE_URL chooses the "
        "database). Each subsection gives the N it was run with. Synthetic survivors with Moroccan and "
        "sub-Saharan names in Latin and Arabic script, encrypted and blind-indexed by the application's own code. "
        "Targets: exact search p95 < 10 ms, “my cases” p95 < 50 ms with at most 10 queries. Search and page "
        "times are p50/p95/max over random survivors and caseworkers, each loop bounded to 30 s (the intake to "
        f"{INTAKE_BUDGET_S} s); the load average says how busy the machine was."
    )
    write_subsection(SECTION, intro, title, block)


def _files(vendor: str) -> list[Path]:
    if vendor == "sqlite":
        return [BENCH_DIR / f"bench.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]
    return [BENCH_DIR / f"generation-{vendor}.json"]


def standalone() -> None:
    if STEP not in ("", "generate", "measure"):
        raise SystemExit(f"BENCH_CASES_STEP={STEP!r}: 'generate' or 'measure'")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}")
    vendor = "postgresql" if is_postgres(url) else "sqlite"
    if STEP != "measure":
        if vendor == "postgresql":
            fresh_postgres(url)
        for path in _files(vendor):
            path.unlink(missing_ok=True)
    os.environ["HIMAYA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.config.settings")
    os.environ["HIMAYA_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    keep = KEEP or STEP == "generate"
    try:
        main()
    except BaseException:
        keep = KEEP  # a failed run leaves nothing behind unless asked to
        raise
    finally:
        connections.close_all()
        if not keep:
            if vendor == "postgresql":
                drop_postgres(url)
            for path in [*_files(vendor), BENCH_DIR / f"generation-{vendor}.json"]:
                path.unlink(missing_ok=True)
            if BENCH_DIR.exists() and not any(BENCH_DIR.iterdir()):
                BENCH_DIR.rmdir()


if __name__ == "__main__":
    sys.exit(standalone())
