"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No Playwright-downloaded browser is used: Chromium comes from the system (CHROMIUM_PATH overrides).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests import clock

# Playwright's sync API runs an event loop in this thread, so Django would refuse ORM calls made by
# the test itself (SynchronousOnlyOperation) although nothing here is actually asynchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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
RESULTS_DIR = Path(settings.BASE_DIR) / "test-results"
# Every page under test reports what the Content-Security-Policy refused; any refusal fails the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable}; install Debian's chromium or set CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, chromium, live_server, settings):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    if clock.is_shifted():
        # The server runs at the suite's moved clock (--clock-shift-days), Chromium at the real one:
        # cookies that end with the browser session do not expire (or outlive the test) by the wrong clock.
        settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
        settings.CSRF_COOKIE_AGE = None
    context.set_default_timeout(15_000)
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    page.csp_violations = violations
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # What the browser showed when the test failed, for whoever reads the CI log.
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS_DIR / f"{request.node.name}-failed.png", full_page=True)
        html = f"<!-- {page.url} -->\n{page.content()}"
        (RESULTS_DIR / f"{request.node.name}-failed.html").write_text(html)
    context.close()
    if violations:
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(violations))


@pytest.fixture
def demo_site(transactional_db):
    """The shipped taxonomy and bank plus the demo accounts, exactly as ``manage.py seed_demo`` makes them."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def screenshot_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR
