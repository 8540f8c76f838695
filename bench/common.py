"""What the benchmarks share: throw-away databases, timings, the database label and docs/benchmarks.md.

docs/benchmarks.md holds the foundation's figures at the top (bench/run.py) and then one "## <Section>" per area
(bench/directory.py, bench/cases.py), each with one "### <database>" subsection per database. Each bench rewrites
its own subsection only: the rest of the page stays as it is.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# BENCH_DOCS: write the figures into another file (trial runs that must not touch the documented ones).
DOCS = Path(os.environ.get("BENCH_DOCS") or ROOT / "docs" / "benchmarks.md")


# ------------------------------------------------------------------------------------- databases


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _bench_database(url: str, verb: str) -> tuple[str, str]:
    """The database name of ``url`` (refused unless it says "bench") and the URL of the server's admin database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]*bench[a-z0-9_]*", name):
        raise SystemExit(f"refusing to {verb} {name!r}: a bench database name must contain 'bench'")
    return name, parts._replace(path="/postgres").geturl()


def fresh_postgres(url: str) -> None:
    """Drop and create the PostgreSQL bench database (it is throw-away), so that reruns start empty."""
    import psycopg
    from psycopg import sql

    name, admin = _bench_database(url, "recreate")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def create_postgres(url: str) -> None:
    """Create the PostgreSQL bench database when it does not exist yet (kept between search-only runs)."""
    import psycopg
    from psycopg import sql

    name, admin = _bench_database(url, "use")
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres(url: str) -> None:
    """Drop the PostgreSQL bench database (the caller closed its own connections)."""
    import psycopg
    from psycopg import sql

    name, admin = _bench_database(url, "drop")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_label() -> str:
    """ "SQLite 3.40.1" or "PostgreSQL 15.20" (Django set up)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"


# --------------------------------------------------------------------------------------- timings


def logger(name: str) -> Callable[[str], None]:
    """A function that prints "[<name> bench HH:MM:SS] message" on stderr."""

    def log(message: str) -> None:
        print(f"[{name} bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    return log


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timings(label: str, samples: list[float], target: float | None = None) -> tuple[str, str]:
    """A table row: the label with the number of samples, and p50 / p95 / max (and the verdict on a p95 target)."""
    p95 = percentile(samples, 0.95)
    verdict = "" if target is None else (f" (target < {target:g} ms: {'met' if p95 < target else 'MISSED'})")
    return (
        f"{label} ({len(samples)} samples)",
        f"p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, max {max(samples):.1f} ms{verdict}",
    )


# ----------------------------------------------------------------------------- docs/benchmarks.md


def _split(text: str, section: str) -> tuple[str, str, str]:
    """(before, the section from its "## " line, after) of the page; the section ends at the next "## "."""
    match = re.search(rf"^{re.escape(section)}[ \t]*$", text, flags=re.M)
    if match is None:
        return text, "", ""
    end = re.search(r"^## ", text[match.end() :], flags=re.M)
    stop = match.end() + end.start() if end else len(text)
    return text[: match.start()], text[match.start() : stop], text[stop:]


def write_subsection(section: str, intro: str, title: str, block: str, *, docs: Path = DOCS) -> None:
    """Put ``block`` (starting with ``title``, "### <database>") into ``section`` ("## <Section>") of the page:
    the section's other subsections and every other section stay as they are. SQLite comes first."""
    text = docs.read_text() if docs.exists() else "# Benchmarks\n"
    before, current, after = _split(text, section)
    subsections = {
        match.group(1): match.group(0).rstrip("\n")
        for match in re.finditer(r"^(### \S+)\n.*?(?=^### |\Z)", current, flags=re.S | re.M)
    }
    subsections[title] = block.rstrip("\n")
    ordered = [subsections[key] for key in sorted(subsections, key=lambda key: key != "### SQLite")]
    body = f"{section}\n\n{intro.rstrip()}\n\n" + "\n\n\n".join(ordered) + "\n"
    tail = "\n\n" + after.lstrip("\n") if after.strip() else ""
    docs.write_text(before.rstrip("\n") + "\n\n" + body + tail.rstrip("\n") + ("\n" if tail else ""))


def kept_sections(*, docs: Path = DOCS) -> str:
    """Every "## " section of the page as it is (bench/run.py rewrites the page above them)."""
    text = docs.read_text() if docs.exists() else ""
    match = re.search(r"^## ", text, flags=re.M)
    return f"\n{text[match.start() :]}" if match else ""
