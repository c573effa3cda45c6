"""axe-core on every page of the app: no serious or critical violation.

One browser session walks the pages a clinician sees, anonymous and then logged in, and
collects axe's serious and critical violations page by page, so that one run lists them all.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.browsing import E2E, FORWARD, Accessibility, Watch, log_in, new_case, run_case
from tests.factories import make_case, make_clinician, make_editor, publish_noted_version
from tests.wizard_client import (
    GASTRIC_TYPE_1,
    METASTATIC_SMALL_BOWEL,
    POORLY_DIFFERENTIATED,
    WARNED_RECTUM,
    steps_for,
)

pytestmark = E2E

# Every wizard step but the stomach's: a pancreatic tumour with distant metastases.
EVERY_STEP = POORLY_DIFFERENTIATED


def lock_out(page: Page, origin: str, username: str) -> None:
    """Fail to log in until django-axes locks the username out."""
    page.goto(origin + "/accounts/login/")
    for _ in range(10):
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill("not-the-password")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        if page.get_by_role("heading", name="Too many failed logins").count():
            return
    raise AssertionError(f"{username} was never locked out")


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    page: Page, live_server, watch: Watch
):
    origin = live_server.url
    axe = Accessibility()
    # A version with NET Advisor's notes beside the source's words, and what it says of its
    # source: every page below shows them in their own style, which must be as legible.
    publish_noted_version(make_editor("erin"))
    carol = make_clinician("carol", last_name="Clarke")
    warned = make_case(carol, reference="MDT-9 item 1", **WARNED_RECTUM)
    make_case(carol, reference="MDT-9 item 2")
    make_case(carol, reference="MDT-9 item 3", site="appendix", size_mm=12)

    page.goto(origin + "/")
    axe.scan(page, "home")
    page.goto(origin + "/accounts/login/")
    axe.scan(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    axe.scan(page, "login with errors")

    # The lock-out page is sent with status 429, which the console reports as an error.
    watch.expect_error("status of 429")
    lock_out(page, origin, "mallory")
    axe.scan(page, "locked out")

    watch.expect_error("status of 404")
    page.goto(origin + "/no-such-page/")
    axe.scan(page, "not found")

    # The wizard, anonymous: a step with errors, then every step and the recommendation.
    new_case(page, origin)
    page.locator(FORWARD).click()
    expect(page.locator("#form-errors")).to_be_visible()
    axe.scan(page, "wizard step with errors")
    run_case(page, origin, EVERY_STEP, on_step=lambda step: axe.scan(page, f"wizard: {step}"))
    assert [name.removeprefix("wizard: ") for name in axe.scanned[-6:]] == steps_for(EVERY_STEP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations for this case")
    axe.scan(page, "recommendation")

    def scan_the_stomach_step(step: str) -> None:
        if step == "stomach":  # the one step a pancreatic tumour is not asked
            axe.scan(page, "wizard: stomach")

    run_case(page, origin, GASTRIC_TYPE_1, on_step=scan_the_stomach_step)
    assert axe.scanned[-1] == "wizard: stomach"
    run_case(page, origin, WARNED_RECTUM)
    expect(page.locator("[data-warning]").first).to_be_visible()
    axe.scan(page, "recommendation with warnings")
    expect(page.locator(".net-advisor-note")).to_have_count(1)  # the warning that is a note
    run_case(page, origin, METASTATIC_SMALL_BOWEL)
    expect(page.locator("article.net-advisor-note")).to_have_count(1)
    axe.scan(page, "recommendation with a note")

    # Logged in: the history, a case and its pages.
    log_in(page, origin, "carol")
    expect(page.locator("tr[data-case]")).to_have_count(3)
    axe.scan(page, "history")
    page.locator("#id_grade").select_option("G3")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".no-cases")).to_be_visible()
    axe.scan(page, "history, nothing matches")
    for path, name in [
        (f"/cases/{warned.pk}/", "case"),
        (f"/cases/{warned.pk}/print/", "print view"),
        (f"/cases/{warned.pk}/recheck/", "re-check"),
        (f"/cases/{warned.pk}/delete/", "delete confirmation"),
    ]:
        page.goto(origin + path)
        axe.scan(page, name)
    page.goto(f"{origin}/cases/{warned.pk}/")
    page.get_by_role("button", name="Start a new case from this one").click()
    expect(page.locator(".review-step")).to_have_count(3)
    axe.scan(page, "wizard: review of a case started from a saved one")

    assert len(axe.scanned) == 23
    axe.assert_none_serious()
    watch.assert_clean()
