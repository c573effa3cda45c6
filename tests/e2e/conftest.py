"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Never a downloaded browser (no `playwright install`): the launch args point Playwright at
the system Chromium. Where it is missing the browser tests are skipped with a message that
says how to install it, except in CI (``CI=true``), which must run them and fails instead.

Every test here needs ``live_server``, so a transactional database that is flushed after
each test; the published guideline comes from a data migration, so each test is marked
``serialized_rollback=True`` (see ``E2E`` in ``tests.e2e.browsing``) to get it back.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright

from tests.e2e.browsing import Watch

# Playwright's sync API keeps an event loop running in this thread, and Django refuses
# database calls from a thread with a running loop unless told that this is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
)
MISSING = (
    "Chromium not found: install it with `apt-get install -y chromium` "
    "(browser tests use Debian's Chromium, never a downloaded one)"
)
HERE = Path(__file__).parent

# Milliseconds: a page of this app that is not there within 10 s is not coming.
TIMEOUT_MS = 10_000


def _is_browser_test(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None or HERE in Path(item.path).parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if _is_browser_test(item)]
    if not browser_tests:
        return
    # Last of all: each one flushes the database when it ends, and the guideline comes back
    # only at the start of the next serialized_rollback test, so no other test may follow.
    # (pytest-django puts transactional tests last, but pytest then regroups the tests by
    # pytest-playwright's session-scoped browser_name parameter, mid-run.)
    items[:] = [item for item in items if item not in browser_tests] + browser_tests
    if CHROMIUM is not None:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI must run the browser tests. {MISSING}")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def _django_connections(django_db_setup) -> dict:
    """Django's database connections in this thread, as the test database set them up."""
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="session")
def playwright(_django_connections: dict, playwright: Playwright) -> Playwright:
    """pytest-playwright's Playwright, with Django's connections kept as they were.

    Playwright's sync API leaves its event loop marked as running in this thread, and
    Django keeps the connections of "async" code apart: from then on the tests would get
    new connection objects, without the serialized test database (serialized_rollback then
    silently restores nothing) and, on SQLite, maybe not the connection the live server
    shares.
    """
    from django.db import connections

    for alias, connection in _django_connections.items():
        connections[alias] = connection
    return playwright


@pytest.fixture
def watch(context: BrowserContext, live_server) -> Iterator[Watch]:
    """Every request and console error of the test's browser context, checked at the end."""
    watch = Watch(live_server.url, timeout_ms=TIMEOUT_MS)
    watch.attach(context)
    yield watch
    watch.assert_clean()


@pytest.fixture
def page(page: Page, watch: Watch) -> Page:
    """pytest-playwright's page, watched: only the live server, no console errors."""
    return page
