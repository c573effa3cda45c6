"""A guideline editor publishes a changed section in the admin; the next case quotes it. The
editors' diff pages keep their styles under the Content-Security-Policy."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from guidance import publishing
from guidance.models import GuidelineVersion, Section
from tests.e2e.browsing import E2E, Watch, log_in, run_case, sections
from tests.factories import make_editor
from tests.wizard_client import METASTATIC_SMALL_BOWEL

pytestmark = E2E

NEW_EVEROLIMUS = "Everolimus may slow the progression of disease in **some** patients."


def test_an_editor_publishes_a_changed_section_and_a_new_case_quotes_it(
    page: Page, new_context, live_server, watch: Watch
):
    make_editor("erin", last_name="Evans")

    # Start a draft from the versions page.
    log_in(page, live_server.url, "erin", admin=True)
    page.goto(live_server.url + "/admin/guidance/guidelineversion/")
    page.get_by_role("button", name="Start a draft from the published version").click()
    expect(page.locator(".messagelist")).to_contain_text("A draft was started")
    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    expect(page).to_have_url(re.compile(f"/admin/guidance/guidelineversion/{draft.pk}/change/$"))

    # Edit the everolimus section's text, with a reason.
    page.locator("tr").filter(has_text="everolimus").get_by_role("link", name="Edit").click()
    page.get_by_label("Text").fill(NEW_EVEROLIMUS)
    page.get_by_label("Reason for this change").fill("Trial results in 2024")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    edited = Section.objects.get(version=draft, slug="everolimus")
    assert edited.text == NEW_EVEROLIMUS
    assert edited.history.latest("history_id").history_change_reason == "Trial results in 2024"

    # Check and publish it as version 2.
    page.goto(live_server.url + "/admin/guidance/guidelineversion/")
    page.get_by_role("link", name="Check and publish the draft").click()
    expect(page.locator('[data-check="sections-complete"]')).to_be_visible()
    expect(page.locator('[data-reference="fail"]')).to_have_count(0)
    page.get_by_label("Label").fill("2")
    page.get_by_label("Change summary").fill("Everolimus reworded after the 2024 trials.")
    page.get_by_role("button", name="Publish this draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Version 2 is published.")
    assert GuidelineVersion.objects.current().label == "2"

    # A clinician without an account runs a case in another browser context.
    clinic = watch.attach(new_context()).new_page()
    run_case(clinic, live_server.url, METASTATIC_SMALL_BOWEL)
    expect(clinic.get_by_role("heading", level=1)).to_have_text("Recommendations for this case")
    assert "everolimus" in sections(clinic)
    everolimus = clinic.locator('article[data-section="everolimus"]')
    expect(everolimus.locator("blockquote")).to_have_text(NEW_EVEROLIMUS.replace("**", ""))
    expect(everolimus.locator("blockquote strong")).to_have_text("some")
    expect(everolimus.locator(".citation")).to_contain_text("version 2")
    expect(clinic.locator("cite").locator("..")).to_contain_text("version 2.")
    watch.assert_clean()


# The diff pages' colours and line breaks come from the editors' stylesheet: under the CSP
# (style-src 'self') the browser refused the inline styles they had, and logged it.
INSERTED = "rgb(212, 247, 212)"
DELETED = "rgb(247, 212, 212)"


def test_the_diff_pages_keep_their_colours_and_line_breaks_under_the_csp(
    page: Page, live_server, watch: Watch
):
    erin = make_editor("erin", last_name="Evans")
    draft = publishing.start_draft(editor=erin)
    everolimus = Section.objects.get(version=draft, slug="everolimus")
    everolimus.text = "Everolimus may slow progression of disease\n\nin a small number of patients."
    everolimus._history_user = erin
    everolimus._change_reason = "Typo"
    everolimus.save()
    publishing.publish(draft, editor=erin, label="2", change_summary="Everolimus: typo.")
    log_in(page, live_server.url, "erin", admin=True)

    def style(selector: str, property_name: str) -> str:
        return page.locator(selector).first.evaluate(
            f"element => getComputedStyle(element).{property_name}"
        )

    page.goto(f"{live_server.url}/admin/guidance/section/{everolimus.pk}/diff/")
    expect(page.locator(".text-diff ins").first).to_be_visible()
    assert style(".text-diff ins", "backgroundColor") == INSERTED
    assert style(".text-diff del", "backgroundColor") == DELETED
    assert style(".text-diff", "whiteSpace") == "pre-wrap"

    page.goto(f"{live_server.url}/admin/guidance/guidelineversion/compare/")
    row = page.locator('tr[data-key="everolimus"] td.diff')
    expect(row).to_contain_text("in a small number")
    assert style('tr[data-key="everolimus"] td.diff ins', "backgroundColor") == INSERTED
    assert style('tr[data-key="everolimus"] td.diff', "whiteSpace") == "pre-wrap"
    watch.assert_clean()  # no style refused by the CSP, nor any other console error
