"""What the browser tests share: the watch on requests and console, the keyboard, axe, the wizard.

``Watch`` records every request and console error of a browser context: the app must load
nothing from any other host (every asset is its own) and must not log an error, a CSP
violation included. ``Keyboard`` moves and chooses with the keys a keyboard user presses.
``Accessibility`` runs axe-core on a page and keeps the serious and critical violations.
``fill_step``/``run_case`` drive the wizard for the cases of ``tests.wizard_client``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request

from tests.factories import PASSWORD
from tests.wizard_client import answers_for, encode, steps_for

# Every browser test: a real browser against the live server, so a transactional database;
# the published guideline is migration data, so it is serialised and restored after the flush.
E2E = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Numbers are typed; everything else in the wizard is a radio group.
TEXT_FIELDS = {"ki67_percent", "mitoses_per_10hpf", "size_mm"}

# The submit button that moves the wizard on ("Next", "Save and return to review" or
# "Show recommendations"): the one that is not the Back button.
FORWARD = 'main form button[type="submit"]:not([name="wizard_goto_step"]):not(.visually-hidden)'
BACK = 'main form button[type="submit"][name="wizard_goto_step"]'


# --- Requests and console --------------------------------------------------------------------


@dataclass
class Watch:
    """Requests to other hosts and console errors, for every page of the contexts attached."""

    origin: str
    timeout_ms: int
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.set_default_timeout(self.timeout_ms)
        context.on("request", self.on_request)
        context.on("console", self.on_console)
        context.on("weberror", lambda error: self.errors.append(f"uncaught: {error.error}"))
        return context

    def on_request(self, request: Request) -> None:
        url = request.url
        self.requests.append(url)
        if not (url == self.origin or url.startswith(self.origin + "/")):
            self.foreign.append(url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        text = f"{message.text} ({url})" if url else message.text
        if any(allowed in text for allowed in self.expected):
            return
        self.errors.append(text)

    def expect_error(self, text: str) -> None:
        """A console error this test causes on purpose (e.g. a page sent with status 429)."""
        self.expected.append(text)

    def assert_clean(self) -> None:
        assert self.requests, "the browser made no request at all"
        assert not self.foreign, f"requests to hosts other than {self.origin}: {self.foreign}"
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)


# --- The keyboard ---------------------------------------------------------------------------


class Keyboard:
    """A keyboard user: Tab and Shift+Tab to move, Space or arrows to choose, Enter to submit."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "s => document.activeElement !== null && document.activeElement.matches(s)", selector
        )

    def focused_value(self) -> str:
        return self.page.evaluate("() => document.activeElement.value")

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
        """Press Tab (or Shift+Tab) until the focus is on ``selector``."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            if self.focused(selector):
                return
        raise AssertionError(f"{limit} presses of {key} never reached {selector}")

    def choose(self, name: str, value: str) -> None:
        """Tab into the radio group ``name`` and choose ``value`` with the arrow keys and Space."""
        radios = f'input[type="radio"][name="{name}"]'
        self.tab_to(radios)
        for _ in range(self.page.locator(radios).count()):
            if self.focused_value() == value:
                self.page.keyboard.press("Space")
                break
            self.page.keyboard.press("ArrowDown")  # moves to the next radio and checks it
        assert self.page.locator(f'{radios}[value="{value}"]').is_checked(), (
            f"could not choose {value} in {name} with the keyboard"
        )

    def type_into(self, selector: str, text: str) -> None:
        """Tab to a text field, select what it holds and type over it."""
        self.tab_to(selector)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.type(text)

    def submit_with(self, selector: str, *, backwards: bool = False) -> None:
        """Tab to a submit button and press Enter on it; wait for the page that follows."""
        self.tab_to(selector, backwards=backwards)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def answer_step(self, step: str, answers: dict[str, Any]) -> None:
        for name, value in answers.items():
            if name in TEXT_FIELDS:
                self.type_into(f'input[name="{step}-{name}"]', encode(value))
            else:
                self.choose(f"{step}-{name}", encode(value))


# --- Accessibility -------------------------------------------------------------------------


AXE = Axe()
SERIOUS = ("serious", "critical")


@dataclass
class Accessibility:
    """axe-core run on each page visited; serious and critical violations kept by page."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    scanned: list[str] = field(default_factory=list)

    def scan(self, page: Page, name: str) -> None:
        results = AXE.run(page)
        self.scanned.append(name)
        bad = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + "; ".join(
                f"{' '.join(node['target'])} {node['html'][:120]} "
                f"({' '.join(node.get('failureSummary', '').split())[:300]})"
                for node in violation["nodes"]
            )
            for violation in results.response["violations"]
            if violation["impact"] in SERIOUS
        ]
        if bad:
            self.problems[f"{name} ({page.url})"] = bad

    def assert_none_serious(self) -> None:
        assert not self.problems, "serious or critical accessibility violations:\n" + "\n".join(
            f"- {name}:\n    " + "\n    ".join(lines) for name, lines in self.problems.items()
        )


# --- The wizard -----------------------------------------------------------------------------


def log_in(page: Page, origin: str, username: str, *, admin: bool = False) -> None:
    """Log in through the app's login page (or the admin's) with the factories' password."""
    page.goto(origin + ("/admin/login/" if admin else "/accounts/login/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator('main form button[type="submit"], #login-form [type="submit"]').click()


def fill_step(page: Page, step: str, answers: dict[str, Any]) -> None:
    """Answer one wizard step with the mouse (check and fill)."""
    for name, value in answers.items():
        if name in TEXT_FIELDS:
            page.locator(f'input[name="{step}-{name}"]').fill(encode(value))
        else:
            page.locator(f'input[name="{step}-{name}"][value="{encode(value)}"]').check()


def at_step(step: str) -> re.Pattern[str]:
    """The URL of a step of a run of the wizard (``/cases/new/<run>/<step>/``)."""
    return re.compile(f"/cases/new/[0-9a-f]{{32}}/{step}/(\\?.*)?$")


def new_case(page: Page, origin: str) -> None:
    """Start a new case with the navigation's "New case" button, from the landing page."""
    page.goto(origin + "/")
    with page.expect_navigation():
        page.locator("nav").get_by_role("button", name="New case").click()
    page.wait_for_url(at_step("tumour"))


def run_case(
    page: Page, origin: str, case: dict[str, Any], *, reference: str = "", on_step=None
) -> None:
    """Start a new case, answer every step ``case`` needs and ask for the recommendations.

    ``on_step(step)`` is called on each step's page before it is answered.
    """
    new_case(page, origin)
    for step in steps_for(case):
        page.wait_for_url(at_step(step))
        if on_step is not None:
            on_step(step)
        answers = answers_for(step, case)
        if step == "review":
            answers = {}
            page.get_by_label("Case reference (optional)").fill(reference)
        fill_step(page, step, answers)
        with page.expect_navigation():
            page.locator(FORWARD).click()


def sections(page: Page) -> list[str]:
    return page.locator("article[data-section]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.section)"
    )


def warnings(page: Page) -> list[str]:
    return page.locator("[data-warning]").evaluate_all("nodes => nodes.map(n => n.dataset.warning)")
