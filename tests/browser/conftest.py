"""Browser tests: Debian's Chromium driven by Playwright against the embedded suite served in this process.

Chromium comes from the project's own Makefile (``make browser``, a dependency of ``make test``); Playwright
never downloads a browser. Without Chromium the tests fail in CI (CI=true) and skip, loudly, elsewhere.
The suite runs on a manual clock, and every request's events are delivered before its response goes out,
so a page always shows the consequences of the click before it.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.backing import IN_CI
from tests.uisuite import DEMO_PASSWORD, MONDAY_9AM, demo_suite

CHROMIUM = os.environ.get("DUBAN_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Headless, as root in CI, on a machine with no network beyond loopback: no sandbox, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PASSWORD = DEMO_PASSWORD

_taken: list[Path] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"browser screenshots ({len(_taken)}): {SCREENSHOTS}")


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message, pytrace=False)
    sys.stderr.write(f"\n*** SKIPPING BROWSER TESTS: {message} ***\n")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} is missing (make browser installs Debian's chromium and a CJK font)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # The machine is shared (2 cores, other suites running): waits are generous, the assertions exact.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class LiveSuite:
    """The embedded suite behind a real HTTP server on a free loopback port."""

    url: str
    suite: Any
    clock: Any

    def drain(self) -> None:
        self.suite.runtime.run_until_idle()


class _Drained:
    """Deliver the suite's events once each response is complete (a deterministic bus for the tests)."""

    def __init__(self, suite: Any) -> None:
        self.suite = suite
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            result = self.suite.wsgi(environ, start_response)
            try:
                body = list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()  # a file response holds its file open until closed
            self.suite.runtime.run_until_idle()
            return body


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSuite]:
    """The suite with the demo directory and tickets, at Monday 2026-11-23 09:00 in Shanghai."""
    from werkzeug.serving import make_server

    from shared.clock import ManualClock

    clock = ManualClock(MONDAY_9AM)
    suite = demo_suite(tmp_path, clock)
    server = make_server("127.0.0.1", 0, _Drained(suite), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield LiveSuite(url=f"http://127.0.0.1:{server.server_port}", suite=suite, clock=clock)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        suite.close()


# Every form control has a label (or an aria-label), charts have a text alternative, the page names its
# language and has one main heading: checked on every page a test photographs.
_ACCESSIBILITY = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label");
    if (!named) problems.push("unlabelled " + (el.name || el.id));
  }
  for (const el of document.querySelectorAll("[data-chart]")) {
    if (!el.getAttribute("aria-label")) problems.push("chart without a text alternative");
  }
  if (!document.documentElement.lang) problems.push("no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push("h1 count " + document.querySelectorAll("h1").length);
  return problems;
}"""


def assert_accessible(page: Any) -> None:
    problems = page.evaluate(_ACCESSIBILITY)
    assert not problems, f"{page.url}: {problems}"


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Any:
    """``shoot(page, "01-operator")`` saves a full-page screenshot under var/screenshots/<test>/."""
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)

    def take(page: Any, name: str) -> Path:
        assert_accessible(page)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _taken.append(path)
        return path

    return take


@pytest.fixture
def session_for(browser: Any, live: LiveSuite) -> Any:
    """``session_for("operator")`` → a page in its own browser context, signed in through the login form."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_as(username: str | None, *, viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        # A script error or a resource the page's policy refused shows in the console: none is expected.
        # (A page answering 4xx on purpose — a form's 422, a refusal's 403 — is logged too, and is fine.)
        page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and "the server responded with a status of 4" not in message.text
                else None)
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.set_default_timeout(30_000)
        if username is not None:
            page.goto(f"{live.url}/login")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, errors
