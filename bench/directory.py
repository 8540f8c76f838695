"""Benchmarks of the directory: 20,000 services, public search, HSDS export, the HSDS API.

Called by bench/run.py (``make bench``) after the foundation's figures, or alone: ``python bench/directory.py``
(SQLite under var/bench/ by default, or BENCH_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/himaya_bench;
a PostgreSQL bench database is dropped and created again). Writes its figures into the "Directory" section of
docs/benchmarks.md, one subsection per database, keeping the other database's figures.

BENCH_DIRECTORY_ONLY=search measures the public search alone, to iterate: the generated database is kept
(var/bench-search/ for SQLite; the PostgreSQL database is not dropped) and reused by the next such run, and
docs/benchmarks.md is left alone. BENCH_DIRECTORY_SEARCHES sets the number of searches (200 by default).

The search measure is the application-layer time of ``public_search`` (the function the page view calls),
from its call to the page's items and total, for random realistic queries: a need, a province chosen by women
population, a language, "open now" 70 % of the time at one of 28 instants of the week, sometimes a population
or a name.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from common import (  # bench/common.py
    DOCS,
    ROOT,
    create_postgres,
    database_label,
    fresh_postgres,
    is_postgres,
    logger,
    machine,
    timings,
    write_subsection,
)

BENCH_DIR = ROOT / "var" / "bench"
SECTION = "## Directory"

SERVICES = int(os.environ.get("BENCH_DIRECTORY_SERVICES", "20000"))
SERVICES_PER_ORGANISATION = 10
ONLY = os.environ.get("BENCH_DIRECTORY_ONLY", "")
SEARCHES, API_PAGES = int(os.environ.get("BENCH_DIRECTORY_SEARCHES", "200")), 50
KEPT_DIR = ROOT / "var" / "bench-search"  # the database kept between BENCH_DIRECTORY_ONLY=search runs
BUDGET_S = 20  # each measured loop stops after this long, so that a run stays within minutes
TARGETS = {"search_p95_ms": 20.0, "export_s": 30.0}


log = logger("directory")


# ------------------------------------------------------------------------------------------ the data


HOURS = {
    "office": [(day, clock(8, 30), clock(16, 30)) for day in ("MO", "TU", "WE", "TH", "FR")],
    "ngo": [(day, clock(9, 0), clock(12, 30)) for day in ("MO", "TU", "WE", "TH", "FR")]
    + [(day, clock(14, 0), clock(17, 30)) for day in ("MO", "TU", "WE", "TH", "FR")]
    + [("SA", clock(9, 0), clock(13, 0))],
    "always": [(day, clock(0, 0), clock(0, 0)) for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")],
    "district": [(day, clock(8, 0), clock(20, 0)) for day in ("MO", "TU", "WE", "TH", "FR", "SA")],
}
HOURS_WEIGHTS = {"office": 40, "ngo": 25, "always": 20, "district": 15}
WEEKDAY_INDEX = {day: n for n, day in enumerate(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))}


def reference() -> dict[str, Any]:
    """What the measures draw their queries from: provinces (weighted by women population) and terms."""
    from himaya.core.models import Province
    from himaya.directory.models import TaxonomyTerm

    provinces = list(Province.objects.order_by("code"))
    needs = list(TaxonomyTerm.objects.filter(taxonomy__code="himaya-needs").order_by("code"))
    return {
        "provinces": [p.code for p in provinces],
        "weights": [province.women_population or 1 for province in provinces],
        "needs": [t.code for t in needs],
        "needs_ids": [str(t.id) for t in needs],
        "populations": list(
            TaxonomyTerm.objects.filter(taxonomy__code="himaya-populations")
            .order_by("code")
            .values_list("code", flat=True)
        ),
    }


def generate(rng: random.Random) -> dict[str, Any]:
    """Bulk-create 20,000 services spread over the provinces (by women population), needs, languages, hours."""
    from django.db import connection, transaction

    from himaya.accounts.models import Organisation
    from himaya.core.models import Province
    from himaya.directory.models import (
        Location,
        Phone,
        Schedule,
        Service,
        ServiceArea,
        ServiceAtLocation,
        ServiceLanguage,
        ServiceStatus,
        TaxonomyTerm,
    )

    provinces = list(Province.objects.select_related("region").order_by("code"))
    weights = [province.women_population or 1 for province in provinces]
    needs = list(TaxonomyTerm.objects.filter(taxonomy__code="himaya-needs"))
    populations = list(TaxonomyTerm.objects.filter(taxonomy__code="himaya-populations"))
    kinds = ["court_cell", "police_cell", "gendarmerie_cell", "hospital_cell", "ngo", "ngo", "ngo", "shelter"]
    organisations_count = SERVICES // SERVICES_PER_ORGANISATION
    homes = rng.choices(provinces, weights=weights, k=organisations_count)
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench directory organisation {n}",
                kind=kinds[n % len(kinds)],
                sector="civil_society",
                province=province,
                region_id=province.region_id,
                is_fictional=True,
            )
            for n, province in enumerate(homes)
        ],
        batch_size=1000,
    )
    locations = Location.objects.bulk_create(
        [
            Location(
                organisation=organisation,
                name=f"Lieu {n}",
                address_1=f"{n} rue fictive",
                city_name=province.name_fr,
                postal_code=f"{10000 + n % 80000}",
                province=province,
                region_id=province.region_id,
                latitude=round(rng.uniform(28.0, 35.8), 6),
                longitude=round(rng.uniform(-13.0, -1.5), 6),
                is_confidential=organisation.kind == "shelter",
                front_door_phone="05 00 00 00 00" if organisation.kind == "shelter" else "",
                is_fictional=True,
            )
            for n, (organisation, province) in enumerate(zip(organisations, homes, strict=True))
        ],
        batch_size=1000,
    )
    statuses = [ServiceStatus.ACTIVE] * 90 + [
        ServiceStatus.NOT_ACCEPTING,
        ServiceStatus.TEMPORARILY_CLOSED,
        ServiceStatus.INACTIVE,
        ServiceStatus.DEFUNCT,
    ] * 2
    now = datetime.now(UTC)
    services: list[Service] = []
    links, schedules, languages, phones, areas, term_links = [], [], [], [], [], []
    through = Service.terms.through
    hour_kinds, hour_weights = list(HOURS_WEIGHTS), list(HOURS_WEIGHTS.values())
    for n in range(SERVICES):
        organisation_index = n // SERVICES_PER_ORGANISATION
        organisation, location = organisations[organisation_index], locations[organisation_index]
        province = homes[organisation_index]
        service = Service(
            id=uuid.uuid4(),
            organisation=organisation,
            name=f"Service fictif {n} — {rng.choice(needs).name}",
            description="Service généré pour les mesures.",
            status=rng.choice(statuses),
            verified_at=now - timedelta(days=rng.randint(1, 400)) if rng.random() < 0.8 else None,
            is_fictional=True,
        )
        services.append(service)
        links.append(ServiceAtLocation(service=service, location=location))
        for term in rng.sample(needs, rng.randint(1, 3)) + rng.sample(populations, rng.randint(1, 2)):
            term_links.append(through(service_id=service.id, taxonomyterm_id=term.id))
        codes = {"ar", "ary", "fr"} | set(
            rng.sample(["zgh", "tzm", "shi", "rif", "en", "es"], rng.randint(0, 2))
        )
        languages += [ServiceLanguage(service=service, code=code) for code in sorted(codes)]
        for weekday, opens_at, closes_at in HOURS[rng.choices(hour_kinds, weights=hour_weights)[0]]:
            schedules.append(
                Schedule(
                    service=service,
                    weekday=weekday,
                    weekday_index=WEEKDAY_INDEX[weekday],
                    opens_at=opens_at,
                    closes_at=closes_at,
                )
            )
        phones.append(
            Phone(service=service, number=f"05 00 {n // 10000:02d} {n // 100 % 100:02d} {n % 100:02d}")
        )
        areas.append(ServiceArea(service=service, name=province.name_fr, province=province))
    with transaction.atomic():
        _bulk(services, links, term_links, languages, schedules, phones, areas)
    # Planner statistics and, on PostgreSQL, the visibility map (index-only scans), as a production database has
    # them (autovacuum; `VACUUM ANALYZE` after bulk loads): the bench server may run without autovacuum.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        **reference(),
        "rows": len(services) + len(links) + len(term_links) + len(languages) + len(schedules) + len(phones),
    }


def _bulk(
    services: list[Any],
    links: list[Any],
    term_links: list[Any],
    languages: list[Any],
    schedules: list[Any],
    phones: list[Any],
    areas: list[Any],
) -> None:
    from himaya.directory.models import (
        Phone,
        Schedule,
        Service,
        ServiceArea,
        ServiceAtLocation,
        ServiceLanguage,
    )

    through = Service.terms.through
    for model, rows in (
        (Service, services),
        (ServiceAtLocation, links),
        (through, term_links),
        (ServiceLanguage, languages),
        (Schedule, schedules),
        (Phone, phones),
        (ServiceArea, areas),
    ):
        model.objects.bulk_create(rows, batch_size=2000)


# --------------------------------------------------------------------------------------- measures


def measure_search(rng: random.Random, data: dict[str, Any]) -> list[float]:
    from himaya.directory.search import public_search

    instants = [
        datetime(2026, 11, 23, hour, 15, tzinfo=UTC) + timedelta(days=day)
        for day in range(7)
        for hour in (3, 9, 14, 19)
    ]
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    for _ in range(SEARCHES):
        if time.perf_counter() > deadline:
            break
        filters: dict[str, Any] = {
            "need": rng.choice(data["needs"]),
            "province": rng.choices(data["provinces"], weights=data["weights"])[0],
            "language": rng.choice(["ar", "ary", "fr", "fr", "zgh", "tzm", "shi", "en", "es"]),
            "open_now": rng.random() < 0.7,
            "now": rng.choice(instants),
        }
        if rng.random() < 0.2:
            filters["population"] = rng.choice(data["populations"])
        if rng.random() < 0.1:
            filters["q"] = "fictif"
        start = time.perf_counter()
        result = public_search(**filters)
        list(result.items)
        _ = result.total
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure_export() -> tuple[float, int]:
    from himaya.directory.hsds import export_hsds

    target = Path(tempfile.mkdtemp(prefix="hsds-", dir=BENCH_DIR))
    try:
        start = time.perf_counter()
        export_hsds(target, format="json")
        json_seconds = time.perf_counter() - start
        log(f"export json {json_seconds:.1f} s")
        size = sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return json_seconds, size


def measure_api(rng: random.Random, data: dict[str, Any], query: Callable[[int], str]) -> list[float]:
    from django.test import Client

    client = Client()
    assert client.get(query(1)).status_code == 200
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_S
    for _ in range(API_PAGES):
        if time.perf_counter() > deadline:
            break
        path = query(rng.randint(1, 40))
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


SEARCH_LABEL = "public search (need + province + language, 70 % open now)"


def search_only() -> None:
    """Measure the public search alone on the kept database (generated on the first run)."""
    from himaya.directory.models import Service

    if not Service.objects.exists():
        log(f"generate {SERVICES:,} services (kept for the next runs)")
        generate(random.Random(20_000))
    log("search")
    samples = measure_search(random.Random(20_001), reference())
    print(database_label(), *timings(SEARCH_LABEL, samples, TARGETS["search_p95_ms"]), sep=" | ")


def main() -> list[tuple[str, str]]:
    """Generate the data, measure, print and write the figures; Django must be set up and migrated."""
    rng = random.Random(20_000)
    rows: list[tuple[str, str]] = []
    start = time.perf_counter()
    data = generate(rng)
    rows.append(
        (
            f"generate {SERVICES:,} services (bulk_create, {data['rows']:,} rows)",
            f"{time.perf_counter() - start:.1f} s",
        )
    )
    log("search")
    search = measure_search(random.Random(20_001), data)
    rows.append(timings(SEARCH_LABEL, search, TARGETS["search_p95_ms"]))
    log("export")
    json_seconds, size = measure_export()
    target = TARGETS["export_s"]
    rows.append(
        (
            f"HSDS export of {SERVICES:,} services, JSON (public audience, export_hsds)",
            f"{json_seconds:.1f} s, {size / 1e6:.0f} MB (target < {target:g} s: {'met' if json_seconds < target else 'MISSED'})",
        )
    )
    log("api")
    needs = data["needs_ids"]
    rows.append(
        timings(
            "API GET /api/v1/services (25 per page, random page)",
            measure_api(rng, data, lambda page: f"/api/v1/services?page={page}"),
        )
    )
    rows.append(
        timings(
            "API GET /api/v1/services?taxonomy_term_id=…&full=true",
            measure_api(
                rng,
                data,
                lambda page: (
                    f"/api/v1/services?full=true&page={page % 5 + 1}&taxonomy_term_id={rng.choice(needs)}"
                ),
            ),
        )
    )
    rows.append(
        timings(
            "API GET /api/v1/service_at_locations (25 per page)",
            measure_api(rng, data, lambda page: f"/api/v1/service_at_locations?page={page}"),
        )
    )
    log("write")
    write_section(rows)
    return rows


def write_section(rows: list[tuple[str, str]]) -> None:
    label = database_label()
    title = f"### {label.split()[0]}"
    lines = [
        title,
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- database: {label}",
        f"- data: {SERVICES:,} services of {SERVICES // SERVICES_PER_ORGANISATION:,} organisations, "
        "one location each, 1-3 needs, 1-2 populations, 3-5 languages, weekly hours",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    block = "\n".join(lines)
    print(block)
    intro = (
        "Produced by bench/directory.py (run by `make bench`, or alone with BENCH_DATABASE_URL to choose "
        "the database). Targets: public search p95 < 20 ms, HSDS export of 20,000 services < 30 s."
    )
    write_subsection(SECTION, intro, title, block, docs=DOCS)


def standalone() -> None:
    if ONLY not in ("", "search"):
        raise SystemExit(f"BENCH_DIRECTORY_ONLY={ONLY!r}: only 'search' is known")
    keep = ONLY == "search"
    if keep:
        KEPT_DIR.mkdir(parents=True, exist_ok=True)
    else:
        shutil.rmtree(BENCH_DIR, ignore_errors=True)
        BENCH_DIR.mkdir(parents=True)
    folder = KEPT_DIR if keep else BENCH_DIR
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    if is_postgres(url) and not keep:
        fresh_postgres(url)
    elif is_postgres(url):
        create_postgres(url)
    os.environ["HIMAYA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.config.settings")
    os.environ["HIMAYA_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if keep:
        search_only()
        return
    try:
        main()
    finally:
        shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(standalone())
