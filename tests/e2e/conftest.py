"""Browser tests: Debian's Chromium drives a real Himaya server running in a subprocess.

The server gets its own database (a SQLite file in a temporary folder, or ``himaya_e2e_<worker>`` when the
suite runs on PostgreSQL), its own var folder (hence its own generated secrets), the migrations and the demo
data. At the end of the session ``himaya audit verify`` must report the audit trail intact.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from himaya.accounts.demo.data import DEMO_DOMAIN, DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HIMAYA = Path(sys.executable).parent / "himaya"
POSTGRES_SCHEMES = ("postgres://", "postgresql://")
TIMEOUT_MS = 10_000

# Every security-policy violation and uncaught error is reported to Python, whichever page it happens on.
REPORTER_SCRIPT = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.himayaReport({kind: "csp", page: location.href, directive: event.violatedDirective,
                       blocked: event.blockedURI, sample: event.sample});
});
"""


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


# The server ----------------------------------------------------------------------------------------------------


@dataclass
class Server:
    """The Himaya server under test, and the ``himaya`` command bound to its database and secrets."""

    base_url: str
    env: dict[str, str]
    log_path: Path
    _codes: dict[str, str] = field(default_factory=dict)
    _codes_expire_at: float = 0.0
    _used_codes: dict[str, set[str]] = field(default_factory=dict)
    last_code_at: dict[str, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def himaya(
        self, *args: str, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603  (our own command, fixed arguments)
            [str(HIMAYA), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"himaya {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def totp_code(self, email: str) -> str:
        """The current TOTP code of a demo account, computed by ``himaya demo totp`` with the server's secrets.

        allauth refuses a code used once already (replay protection): when this account already used the
        current code, wait for the next 30-second window (bounded).
        """
        for _attempt in range(3):
            if time.monotonic() > self._codes_expire_at - 5:  # leave a loaded machine time to submit it
                self._wait_until(self._codes_expire_at + 0.5)
                self._fetch_codes()
            code = self._codes.get(email)
            assert code, f"no TOTP code for {email}: {self._codes}"
            if code not in self._used_codes.setdefault(email, set()):
                self._used_codes[email].add(code)
                self.last_code_at[email] = time.monotonic()
                return code
            self._wait_until(self._codes_expire_at + 0.5)
        raise AssertionError(f"could not get a fresh TOTP code for {email}")

    def forget_code(self, email: str, code: str) -> None:
        """A code that was refused was not consumed: it may be used again."""
        self._used_codes.get(email, set()).discard(code)

    def _fetch_codes(self) -> None:
        output = self.himaya("demo", "totp").stdout
        rows = re.findall(r"^(\d{6})\s+(\S+)\s+\(valid (\d+)s more\)", output, flags=re.MULTILINE)
        assert rows, output
        self._codes = {email: code for code, email, _ in rows}
        self._codes_expire_at = time.monotonic() + min(int(remaining) for *_, remaining in rows)

    @staticmethod
    def _wait_until(deadline: float) -> None:
        delay = deadline - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, 31))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, timeout=60)  # noqa: S603, S607


def _wait_for_health(server: Server, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped (exit {process.returncode}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("/healthz"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer /healthz within {timeout}s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium).")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    root = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HIMAYA_TEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "himaya.config.settings",
            "HIMAYA_ENV": "development",
            "HIMAYA_DEBUG": "0",  # the real error pages, as in production
            "HIMAYA_DEMO": "1",
            "HIMAYA_VAR_DIR": str(root / "var"),
            "HIMAYA_IDLE_TIMEOUT_MINUTES": "15",
            "HIMAYA_LOCKOUT_FAILURES": "5",
            "HIMAYA_LOCKOUT_MINUTES": "30",
            "HIMAYA_EMAIL_URL": "console:",
            "PYTHONUNBUFFERED": "1",
        }
    )
    run_url = os.environ.get("HIMAYA_DATABASE_URL", "")
    admin_url = database = None
    if run_url.startswith(POSTGRES_SCHEMES):
        # Named after the run's own database, so that two runs on one server never drop each other's.
        run_name = urlparse(run_url).path.lstrip("/") or "himaya"
        database = f"{run_name}_e2e_{worker}"
        admin_url = _with_database(run_url, "postgres")
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _psql(admin_url, f'CREATE DATABASE "{database}"')
        env["HIMAYA_DATABASE_URL"] = _with_database(run_url, database)
    else:
        env["HIMAYA_DATABASE_URL"] = f"sqlite:///{root / 'e2e.sqlite3'}"

    server = Server(base_url=f"http://127.0.0.1:{_free_port()}", env=env, log_path=root / "server.log")
    # Static files are served by WhiteNoise from the collected folder (DEBUG is off), as in production.
    collect = subprocess.Popen(  # noqa: S603
        [str(HIMAYA), "collectstatic", "--noinput", "-v", "0"], env=env, stdout=subprocess.DEVNULL
    )
    server.himaya("migrate", "-v", "0")
    server.himaya("demo", "load", timeout=300)  # the directory and the demo cases: a minute, more under load
    assert collect.wait(timeout=120) == 0, "collectstatic failed"

    with server.log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [str(HIMAYA), "runserver", server.base_url.removeprefix("http://"), "--noreload"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(server, process)
        yield server
        assert "Traceback" not in server.log_path.read_text(errors="replace"), server.log_tail(80)
        verify = server.himaya("audit", "verify", check=False)
        assert verify.returncode == 0 and "intact" in verify.stdout, (
            f"himaya audit verify after the browser tests:\n{verify.stdout}\n{verify.stderr}"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if admin_url and database:
            _psql(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# The browser ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: the Playwright event loop is gone before any database test of the same worker runs.
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@dataclass
class Reports:
    """What the browser reported: security-policy violations, console messages and uncaught errors."""

    violations: list[dict[str, Any]] = field(default_factory=list)
    console: list[tuple[str, str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def console_problems(self) -> list[tuple[str, str, str]]:
        return [entry for entry in self.console if entry[0] in {"error", "warning"}]


@dataclass
class Contexts:
    """Opens browser contexts (independent cookie jars) that report problems, and signs demo users in."""

    browser: Browser
    server: Server
    sessions: dict[str, dict[str, Any]]
    reports: Reports = field(default_factory=Reports)
    opened: list[BrowserContext] = field(default_factory=list)

    def new(self, storage_state: dict[str, Any] | None = None, **options: Any) -> BrowserContext:
        context = self.browser.new_context(storage_state=storage_state, **options)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        context.expose_function("himayaReport", lambda report: self.reports.violations.append(report))
        context.add_init_script(REPORTER_SCRIPT)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    def new_page(self, storage_state: dict[str, Any] | None = None, **options: Any) -> Page:
        return self.new(storage_state, **options).new_page()

    def _watch(self, page: Page) -> None:
        page.on(
            "console", lambda message: self.reports.console.append((message.type, message.text, page.url))
        )
        page.on("pageerror", lambda error: self.reports.page_errors.append(f"{page.url}: {error}"))

    def sign_in(self, page: Page, email: str, *, remember: bool = True) -> None:
        """Sign in through the real forms: e-mail and password, then the current TOTP code."""
        submit_password(page, self.server, email, DEMO_PASSWORD)
        assert "/accounts/2fa/authenticate/" in page.url, f"no TOTP stage for {email}: {page.url}"
        submit_code(page, self.server.totp_code(email))
        assert re.search(r"/home/$", page.url), f"{email} not signed in: {page.url}"
        if remember:
            self.sessions[email] = page.context.storage_state()

    def signed_in_page(self, email: str, **options: Any) -> Page:
        """A page of a new context signed in as ``email``, reusing a session opened earlier when there is one."""
        state = self.sessions.get(email)
        page = self.new_page(state, **options)
        if state is not None:
            page.goto(self.server.url("/fr/home/"))
            if re.search(r"/home/$", page.url):
                return page
        self.sign_in(page, email)
        return page

    def forget(self, email: str) -> None:
        self.sessions.pop(email, None)


def submit(page: Page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to (after any redirects) to load."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def submit_password(page: Page, server: Server, email: str, password: str, language: str = "fr") -> None:
    page.goto(server.url(f"/{language}/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page, "main form button[type=submit]")


def submit_code(page: Page, code: str) -> None:
    page.fill("input[name=code]", code)
    submit(page, "form:has(input[name=code]) button[type=submit]")


@pytest.fixture(scope="session")
def signed_in_sessions() -> dict[str, dict[str, Any]]:
    """Storage states of sessions opened by earlier tests: fewer sign-ins (and TOTP windows) to wait for."""
    return {}


@pytest.fixture
def contexts(
    browser: Browser, e2e_server: Server, signed_in_sessions: dict[str, dict[str, Any]]
) -> Iterator[Contexts]:
    helper = Contexts(browser=browser, server=e2e_server, sessions=signed_in_sessions)
    yield helper
    for context in helper.opened:
        context.close()


@pytest.fixture
def server(e2e_server: Server) -> Server:
    return e2e_server


@pytest.fixture
def user_id_of(contexts: Contexts) -> Callable[[str], int]:
    """The id of a user, found as the system administrator finds it: searching the users list."""

    def find(email: str) -> int:
        page = contexts.signed_in_page(demo_email("admin"))
        page.goto(contexts.server.url(f"/fr/users/?q={email}"))
        href = page.locator("main table a[href*='/users/']").first.get_attribute("href") or ""
        match = re.search(r"/users/(\d+)/", href)
        assert match, f"{email} not found in the users list"
        return int(match.group(1))

    return find
