"""A clinician in a real browser: logged in with the keyboard only, and anonymous."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from guidance.models import Case
from tests.e2e.browsing import (
    BACK,
    E2E,
    FORWARD,
    Keyboard,
    Watch,
    at_step,
    fill_step,
    log_in,
    new_case,
    run_case,
    sections,
    warnings,
)
from tests.factories import PASSWORD, make_case, make_clinician
from tests.wizard_client import (
    METASTATIC_SMALL_BOWEL,
    SMALL_INSULINOMA,
    SMALL_RECTUM,
    answers_for,
    case,
    steps_for,
)

pytestmark = E2E

REFERENCE = "MDT-7 item 3"

# Entered first with the metastases not resectable, then changed, after going back from the
# review, to "not yet assessed": debulking surgery then applies, with a warning that it rests
# on an unassessed answer.
FIRST_ANSWERS = case(METASTATIC_SMALL_BOWEL, metastases_resectable="no")
METASTATIC_SECTIONS = [
    "metastatic-incurable",
    "debulking-surgery",
    "somatostatin-analogue",
    "interferon",
    "cytotoxic-minimal-benefit",
    "everolimus",
]


def review_row(page: Page, step: str) -> str:
    return page.locator(f'.review-step[data-step="{step}"]').inner_text()


def test_a_clinician_runs_a_case_with_the_keyboard_alone_and_finds_it_in_the_history(
    page: Page, live_server, watch: Watch
):
    carol = make_clinician("carol", last_name="Clarke")
    make_case(carol, reference="MDT-6 item 1")
    make_case(carol, reference="MDT-6 item 2", site="rectum", size_mm=8)
    keys = Keyboard(page)

    # Log in through the login page.
    page.goto(live_server.url + "/accounts/login/")
    keys.type_into("#id_username", "carol")
    keys.type_into("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.locator("#case-count")).to_have_text("2 cases")

    # A new case, every answer by keyboard.
    keys.submit_with('main form[action="/cases/new/"] button')
    for step in ("tumour", "pathology", "extent", "metastases"):
        expect(page).to_have_url(at_step(step))
        keys.answer_step(step, answers_for(step, FIRST_ANSWERS))
        keys.submit_with(FORWARD)

    expect(page).to_have_url(at_step("review"))
    assert "Not resectable" in review_row(page, "metastases")
    # Past the reference to the submit button, Shift+Tab back to the reference, then Back.
    keys.tab_to(FORWARD)
    keys.tab_to('input[name="review-reference"]', backwards=True)
    page.keyboard.type(REFERENCE)
    keys.submit_with(BACK)

    expect(page).to_have_url(at_step("metastases"))
    expect(page.locator('input[value="no"]')).to_be_checked()
    keys.choose("metastases-metastases_resectable", "unknown")
    keys.submit_with(FORWARD)

    expect(page).to_have_url(at_step("review"))
    assert "Not yet assessed" in review_row(page, "metastases")
    assert "Small intestine" in review_row(page, "tumour")
    expect(page.locator('input[name="review-reference"]')).to_have_value(REFERENCE)
    keys.submit_with(FORWARD)

    # Saved, and shown as the clinician's case.
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_role("status")).to_have_text("The case is saved in your history.")
    assert sections(page) == METASTATIC_SECTIONS
    assert warnings(page) == ["resectability-unknown"]
    expect(page.locator("[data-grade]")).to_have_attribute("data-grade", "G2")
    saved = Case.objects.get(reference=REFERENCE)
    assert page.url == f"{live_server.url}/cases/{saved.pk}/"

    # Found in the history by its reference.
    keys.submit_with('nav a[href="/cases/"]')
    expect(page.locator("#case-count")).to_have_text("3 cases")
    keys.type_into("#id_q", "MDT-7")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rows = page.locator("tr[data-case]")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-case", str(saved.pk))
    expect(rows).to_contain_text(REFERENCE)
    rows.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Saved case {REFERENCE}")

    # The print view: the inputs, the sections, the warnings and the version cited.
    page.get_by_role("link", name="Print view").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{saved.pk}/print/")
    inputs = page.locator("table.inputs")
    for label, value in [
        ("Primary site", "Small intestine"),
        ("Tumour type", "Other functional tumour"),
        ("Ki-67 index (%)", "4"),
        ("Extent of disease", "Distant metastases"),
        ("Are the metastases resectable?", "Not yet assessed"),
    ]:
        # The value's cell; a number near a change of advice has a flag in a cell after it.
        row = inputs.locator("tr").filter(has_text=label)
        expect(row.locator("td").first).to_have_text(value)
    assert sections(page) == METASTATIC_SECTIONS
    assert warnings(page) == ["resectability-unknown"]
    expect(page.locator(".case-meta")).to_contain_text(REFERENCE)
    expect(page.locator("[data-version]")).to_have_attribute("data-version", "1")

    # Printed, the navigation links and the page's own are gone; the advice is not. (The
    # Log out button is not: see test_printing_a_case_hides_the_log_out_button.)
    nav_links = [
        page.locator("nav").get_by_role("button", name="New case"),
        page.locator("nav").get_by_role("link", name="My cases"),
        page.get_by_role("link", name="Back to the case"),
    ]
    for link in nav_links:
        expect(link).to_be_visible()
    page.emulate_media(media="print")
    for link in nav_links:
        expect(link).to_be_hidden()
    expect(page.get_by_role("link", name="NET Advisor")).to_be_visible()
    expect(page.locator('article[data-section="everolimus"]')).to_be_visible()
    expect(page.locator('[data-warning="resectability-unknown"]')).to_be_visible()
    page.emulate_media(media="screen")

    watch.assert_clean()


def test_an_anonymous_clinician_runs_a_case_and_is_told_nothing_was_saved(
    page: Page, live_server, watch: Watch
):
    run_case(page, live_server.url, SMALL_INSULINOMA, reference="not kept")

    expect(page).to_have_url(at_step("done"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations for this case")
    expect(page.locator(".not-saved")).to_contain_text("Nothing about this case has been saved")
    assert sections(page) == ["insulinoma-local-excision"]
    expect(page.locator('article[data-section="insulinoma-local-excision"]')).to_contain_text(
        "Why this applies"
    )
    expect(page.locator("[data-category]")).to_be_visible()
    assert Case.objects.count() == 0
    watch.assert_clean()


def test_enter_in_a_text_field_moves_the_wizard_on(page: Page, live_server, watch: Watch):
    new_case(page, live_server.url)
    keys = Keyboard(page)
    keys.answer_step("tumour", answers_for("tumour", METASTATIC_SMALL_BOWEL))
    keys.submit_with(FORWARD)
    keys.answer_step("pathology", answers_for("pathology", METASTATIC_SMALL_BOWEL))
    # The focus is in the mitoses field, the last one typed into: Enter submits the form.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(at_step("extent"), timeout=2_000)


def test_printing_a_case_hides_the_log_out_button(page: Page, live_server, watch: Watch):
    saved = make_case(make_clinician("carol"), reference="MDT-8")
    log_in(page, live_server.url, "carol")
    page.goto(f"{live_server.url}/cases/{saved.pk}/print/")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    page.emulate_media(media="print")
    expect(log_out).to_be_hidden(timeout=1_000)


def answer_up_to_the_review(page: Page, origin: str, facts: dict, reference: str) -> None:
    """Start a new case in this tab and answer every step; stop at its review."""
    new_case(page, origin)
    for step in steps_for(facts)[:-1]:
        expect(page).to_have_url(at_step(step))
        fill_step(page, step, answers_for(step, facts))
        with page.expect_navigation():
            page.locator(FORWARD).click()
    expect(page).to_have_url(at_step("review"))
    page.get_by_label("Case reference (optional)").fill(reference)


def test_two_cases_in_two_tabs_each_save_their_own_answers(
    page: Page, context: BrowserContext, live_server, watch: Watch
):
    origin = live_server.url
    make_clinician("carol")
    log_in(page, origin, "carol")
    other = context.new_page()

    # Case A up to its review in the first tab, then case B in a second tab.
    answer_up_to_the_review(page, origin, SMALL_RECTUM, "MDT-A")
    answer_up_to_the_review(other, origin, METASTATIC_SMALL_BOWEL, "MDT-B")
    assert "Rectum" in review_row(page, "tumour")

    # Each tab's "Show recommendations" saves its own case.
    with page.expect_navigation():
        page.locator(FORWARD).click()
    with other.expect_navigation():
        other.locator(FORWARD).click()

    first, second = Case.objects.get(reference="MDT-A"), Case.objects.get(reference="MDT-B")
    assert (first.site, first.extent) == ("rectum", "localised")
    assert (second.site, second.extent) == ("small_intestine", "distant_metastases")
    expect(page).to_have_url(f"{origin}/cases/{first.pk}/")
    expect(other).to_have_url(f"{origin}/cases/{second.pk}/")
    assert sections(page) == [item["section"] for item in first.snapshot["recommendations"]]
    assert first.snapshot["facts"]["size_mm"] == 7

    # The same case's review in two tabs: changed in one, the other's review is refused.
    answer_up_to_the_review(page, origin, SMALL_RECTUM, "MDT-C")
    other.goto(page.url)
    other.get_by_role("link", name="Change pathology").click()
    other.get_by_label("Ki-67 index (%)").fill("25")
    with other.expect_navigation():
        other.get_by_role("button", name="Save and return to review").click()
    expect(other.locator("body")).to_contain_text("Ki-67 25 % is above 20 %: G3")
    watch.expect_error("status of 400")
    with page.expect_navigation():
        page.locator(FORWARD).click()
    expect(page.locator(".nothing-saved")).to_have_text("Nothing was saved.")
    assert not Case.objects.filter(reference="MDT-C").exists()
    page.get_by_role("link", name="Review the case again").click()
    expect(page.locator("body")).to_contain_text("Ki-67 25 % is above 20 %: G3")
    page.get_by_label("Case reference (optional)").fill("MDT-C")
    with page.expect_navigation():
        page.locator(FORWARD).click()
    assert Case.objects.get(reference="MDT-C").grade == "G3"


def test_a_review_submitted_from_four_tabs_at_once_saves_one_case(
    page: Page, context: BrowserContext, live_server, watch: Watch
):
    origin = live_server.url
    make_clinician("carol")
    log_in(page, origin, "carol")
    answer_up_to_the_review(page, origin, SMALL_RECTUM, "MDT-D")
    tabs = [page]
    for _ in range(3):  # the same review open in three more tabs
        tab = context.new_page()
        tab.goto(page.url)
        tab.get_by_label("Case reference (optional)").fill("MDT-D")
        tabs.append(tab)
    submits = []
    context.on(
        "request",
        lambda request: submits.append(request.url)
        if request.method == "POST" and request.url.endswith("/review/")
        else None,
    )

    # "Show recommendations" in every tab, without waiting for any of them.
    for tab in tabs:
        tab.locator(FORWARD).click(no_wait_after=True)

    for tab in tabs:
        expect(tab).to_have_url(re.compile(r"/cases/\d+/$"))
    assert len(submits) == len(tabs)
    case = Case.objects.get()
    assert case.reference == "MDT-D"
    for tab in tabs:
        assert tab.url == f"{origin}/cases/{case.pk}/"
        expect(tab.locator("h1")).to_have_text("Saved case MDT-D")
