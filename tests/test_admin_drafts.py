"""A draft edited and published through the admin: starting it, editing its sections and
warning texts with a reason, the preview, the publish page (reference cases, section check,
impact) and publishing, one end-to-end path, and the queries of the publish and change pages.

The publishing module itself (start_draft, publish, impact, run_reference_cases) has its own
tests in test_publishing_*.py. Reference cases in the admin are tested in
test_admin_reference_cases.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from guidance.models import Case, GuidelineVersion, ReferenceCase, Section
from tests.admin_client import (
    ADMIN_PREAMBLE,
    NEW_EVEROLIMUS,
    OLD_EVEROLIMUS,
    START_DRAFT,
    change_url,
    edit_section,
    failing_reference_case,
    field_names,
    preview_of,
    publish,
    publish_url,
    published,
    quoted_text,
    section,
    section_form,
    start_draft_in_the_admin,
    warning_form,
)
from tests.factories import METASTATIC_FACTS, make_case
from tests.pages import attribute, html_of, section_on
from tests.wizard_client import METASTATIC_SMALL_BOWEL, run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


# --- Draft and publish -----------------------------------------------------------------------


def test_starting_a_draft_copies_the_published_version_and_redirects_to_the_draft(
    erin, erin_client
):
    response = erin_client.post(START_DRAFT)

    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    assert response.status_code == 302
    assert response.url == f"/admin/guidance/guidelineversion/{draft.pk}/change/"
    assert draft.based_on == published()
    assert sorted(draft.sections.values_list("slug", "text")) == sorted(
        published().sections.values_list("slug", "text")
    )
    assert section(draft).history.get().history_user == erin
    page = html_of(erin_client.get(response.url))
    assert f'href="{publish_url(draft)}"' in page


def test_starting_a_second_draft_is_refused_with_a_message(erin_client, draft):
    response = erin_client.post(START_DRAFT, follow=True)

    assert "There is already a draft" in html_of(response)
    assert GuidelineVersion.objects.filter(status=GuidelineVersion.Status.DRAFT).count() == 1


def test_editing_a_draft_section_records_the_editor_the_reason_and_the_old_and_new_text(
    erin, erin_client, draft
):
    everolimus = section(draft)

    response = edit_section(erin_client, everolimus, NEW_EVEROLIMUS, "Trial results in 2024")

    assert response.status_code == 302
    everolimus.refresh_from_db()
    assert everolimus.text == NEW_EVEROLIMUS
    before, after = everolimus.history.order_by("history_id")
    assert (before.history_type, after.history_type) == ("+", "~")
    assert before.text == OLD_EVEROLIMUS
    assert after.text == NEW_EVEROLIMUS
    assert after.history_user == erin
    assert after.history_change_reason == "Trial results in 2024"
    assert after.prev_record == before
    assert [change.field for change in after.diff_against(before).changes] == ["text"]


def test_the_change_form_requires_a_reason_and_saves_nothing_without_one(erin_client, draft):
    everolimus = section(draft)

    response = edit_section(erin_client, everolimus, NEW_EVEROLIMUS, reason="")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == ["This field is required."]
    everolimus.refresh_from_db()
    assert everolimus.text == OLD_EVEROLIMUS
    assert everolimus.history.count() == 1


def test_the_preview_shows_the_markdown_rendered_and_sanitised(erin_client, draft):
    everolimus = section(draft)
    edit_section(erin_client, everolimus, "Everolimus **may** help. <script>alert(1)</script>")

    html = html_of(erin_client.get(change_url(everolimus)))

    preview = preview_of(html)
    assert "<strong>may</strong>" in preview
    assert "<script" not in preview
    assert "**" not in preview
    # The text area holds the markdown itself, escaped.
    assert escape("<script>alert(1)</script>") in html
    assert "<script>alert(1)</script>" not in html


def test_a_section_of_the_published_version_is_view_only(erin_client, draft):
    live = section(published())

    html = html_of(erin_client.get(change_url(live)))
    assert not {"text", "heading", "change_reason"} & field_names(html)
    assert OLD_EVEROLIMUS in html

    response = edit_section(erin_client, live, "Changed in place")
    assert response.status_code == 403
    assert erin_client.get(f"/admin/guidance/section/{live.pk}/delete/").status_code == 403
    assert (
        erin_client.post(f"/admin/guidance/section/{live.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    live.refresh_from_db()
    assert live.text == OLD_EVEROLIMUS


def test_a_section_a_reference_case_expects_cannot_be_deleted_and_its_slug_is_read_only(
    erin_client, draft
):
    everolimus = section(draft)

    for response in (
        erin_client.get(f"/admin/guidance/section/{everolimus.pk}/delete/", follow=True),
        erin_client.post(
            f"/admin/guidance/section/{everolimus.pk}/delete/", {"post": "yes"}, follow=True
        ),
    ):
        assert response.redirect_chain == [(change_url(everolimus), 302)]
        assert (
            "The section everolimus cannot be removed from the draft: the reference case "
            "“Metastatic insulinoma with a negative SSR scan” expects it; "
        ) in html_of(response)
    assert Section.objects.filter(pk=everolimus.pk).exists()
    html = html_of(erin_client.get(change_url(everolimus)))
    assert "slug" not in field_names(html)
    assert {"text", "heading", "change_reason"} <= field_names(html)

    # A slug posted anyway is ignored: the field is read-only.
    response = erin_client.post(
        change_url(everolimus),
        section_form(
            everolimus, slug="everolimus-2", text=NEW_EVEROLIMUS, change_reason="Try a new slug"
        ),
    )
    assert response.status_code == 302
    assert Section.objects.filter(version=draft, slug="everolimus").exists()
    assert not Section.objects.filter(slug="everolimus-2").exists()


def test_a_draft_warning_text_is_edited_with_a_reason_and_a_published_one_is_view_only(
    erin, erin_client, draft
):
    warning = draft.warnings.get(code="regional-nodes")
    old = warning.message
    url = f"/admin/guidance/warningtext/{warning.pk}/change/"

    form = warning_form(warning, message="Reworded.")
    assert erin_client.post(url, form).status_code == 200  # no reason
    response = erin_client.post(url, {**form, "change_reason": "Clearer"})

    assert response.status_code == 302
    record = warning.history.latest("history_id")
    assert (record.message, record.history_user, record.history_change_reason) == (
        "Reworded.",
        erin,
        "Clearer",
    )
    assert record.prev_record.message == old
    live = published().warnings.get(code="regional-nodes")
    live_url = f"/admin/guidance/warningtext/{live.pk}/change/"
    assert "message" not in field_names(html_of(erin_client.get(live_url)))
    assert erin_client.post(live_url, {"message": "x", "change_reason": "y"}).status_code == 403
    assert erin_client.get(f"/admin/guidance/warningtext/{live.pk}/delete/").status_code == 403
    live.refresh_from_db()
    assert live.message == old


def test_a_section_nothing_names_is_removed_from_the_draft_with_a_reason(
    erin, erin_client, draft
):
    overview = section(draft, "overview")
    url = f"/admin/guidance/section/{overview.pk}/delete/"

    refused = erin_client.post(url, {"post": "yes"})
    response = erin_client.post(url, {"reason": "The introduction is not advice"})

    assert refused.status_code == 200
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    assert response.status_code == 302
    assert not draft.sections.filter(slug="overview").exists()
    assert published().sections.filter(slug="overview").exists()
    record = overview.history.latest("history_id")
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-", erin, "The introduction is not advice"
    )


def test_the_publish_page_shows_reference_cases_section_check_impact_and_form(
    erin_client, draft, alice
):
    # Shows everolimus, which the draft rewords.
    make_case(alice, reference="MDT-0042", **METASTATIC_FACTS)
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    html = html_of(erin_client.get(publish_url(draft)))

    # Counts and sections only: nothing of the case or its clinician.
    for detail in ("MDT-0042", "Adams", f"/cases/{Case.objects.get().pk}/"):
        assert detail not in html

    references = attribute(html, "data-reference")
    assert references == ["pass"] * ReferenceCase.objects.filter(is_active=True).count()
    assert len(references) == 14
    assert 'data-check="sections-complete"' in html
    assert 'data-check="missing-sections"' not in html
    assert attribute(html, "data-impact-affected") == ["1"]
    assert attribute(html, "data-impact-kind") == ["text changed"]
    assert attribute(html, "data-impact-section") == ["everolimus"]
    assert {"label", "change_summary", "accept_failures_reason"} <= field_names(html)
    assert 'value="Publish this draft"' in html


def test_the_publish_page_reports_a_failing_reference_case(erin_client, draft):
    failing_reference_case()
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)
    Section.objects.filter(version=draft, slug="interferon").delete()  # behind the admin's back

    html = html_of(erin_client.get(publish_url(draft)))

    # Every case that needs interferon fails now (two seeded ones, and the new one).
    needing_interferon = [
        case for case in ReferenceCase.objects.all() if "interferon" in case.expected_sections
    ]
    assert len(needing_interferon) == 3
    assert attribute(html, "data-reference").count("fail") == 3
    assert "section interferon is missing" in html
    assert "the quoted text no longer contains “small number of patients”" in html
    assert 'data-check="sections-complete"' in html


def test_the_publish_page_reports_missing_sections_and_logic_that_does_not_compile(
    erin_client, draft
):
    # Named by an exclusion and by a warning's condition: the draft's logic cannot run.
    Section.objects.filter(version=draft, slug="debulking-surgery").delete()

    html = html_of(erin_client.get(publish_url(draft)))

    assert 'data-check="missing-sections"' in html
    assert "The draft has no section for: debulking-surgery." in html
    assert attribute(html, "data-logic-problem") == [
        "warning resectability-unknown",
        "exclusive pair 10",
    ]
    assert 'data-check="reference-cases"' not in html
    assert re.search(
        r'<input type="submit" value="Publish this draft" class="default" disabled', html
    )


def test_publishing_in_the_admin_publishes_the_draft_and_retires_the_previous_version(
    erin, erin_client, draft
):
    previous = published()
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    response = publish(erin_client, draft)

    assert response.status_code == 302
    assert response.url == f"/admin/guidance/guidelineversion/{draft.pk}/change/"
    draft.refresh_from_db()
    previous.refresh_from_db()
    assert draft.status == GuidelineVersion.Status.PUBLISHED
    assert draft.label == "2"
    assert draft.change_summary == "Everolimus reworded."
    assert draft.published_by == erin
    assert draft.accepted_failures_reason == ""
    assert len(draft.reference_results) == 14
    assert previous.status == GuidelineVersion.Status.RETIRED
    assert published() == draft
    assert "Version 2 is published." in html_of(erin_client.get(response.url))


def test_a_failing_reference_case_blocks_publishing_without_a_reason(erin_client, draft):
    failing_reference_case()
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    response = publish(erin_client, draft)

    html = html_of(response)
    assert "1 reference case(s) fail." in html
    assert attribute(html, "data-reference").count("fail") == 1
    draft.refresh_from_db()
    assert draft.is_draft
    assert published().label == "1"


def test_a_failing_reference_case_is_published_over_with_a_recorded_reason(erin_client, draft):
    failing_reference_case()
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    response = publish(erin_client, draft, accept="The caution moved to the warning text.")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == GuidelineVersion.Status.PUBLISHED
    assert draft.accepted_failures_reason == "The caution moved to the warning text."
    failed = [result for result in draft.reference_results if not result["passed"]]
    assert [result["title"] for result in failed] == [
        "Everolimus keeps its caution about few patients"
    ]
    page = html_of(erin_client.get(f"/admin/guidance/guidelineversion/{draft.pk}/change/"))
    assert "The caution moved to the warning text." in page


def test_the_impact_report_counts_each_saved_case_once(erin_client, draft, alice, bob):
    # Regression: at commit 96d6055, publishing.impact took the versions used from
    # `Case.objects.values_list("guideline_version_id", flat=True).distinct()`, which
    # keeps Case.Meta.ordering: the ORDER BY columns (created_at, id) join the SELECT
    # DISTINCT, so each version came back once per saved case and every case was counted
    # once per case of its version. This page then said "Of 3 saved cases, 6 would show
    # different text" (and 6 cases for everolimus). Fixed by `Case.objects.order_by()`.
    make_case(alice, **METASTATIC_FACTS)
    make_case(bob, **METASTATIC_FACTS)
    make_case(bob)  # a localised colon case: no everolimus
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    html = html_of(erin_client.get(publish_url(draft)))

    assert "Of 3 saved cases, 2 would show different text" in html
    assert attribute(html, "data-impact-affected") == ["2"]
    row = re.search(r'data-impact-section="everolimus"><td>[^<]*</td><td>(\d+)</td>', html)
    assert row and row.group(1) == "2"


# --- End to end ------------------------------------------------------------------------------


def test_an_editor_drafts_checks_and_publishes_and_new_and_old_cases_read_as_they_should(
    erin_client, alice_client
):
    before = run_wizard(alice_client, METASTATIC_SMALL_BOWEL)  # saved under version 1
    assert before.status_code == 302

    # The editor starts a draft, rewords everolimus, checks the publish page, publishes.
    draft_page = erin_client.post(START_DRAFT)
    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    assert draft_page.url == f"/admin/guidance/guidelineversion/{draft.pk}/change/"
    assert edit_section(erin_client, section(draft), NEW_EVEROLIMUS).status_code == 302
    check = html_of(erin_client.get(publish_url(draft)))
    assert set(attribute(check, "data-reference")) == {"pass"}
    assert attribute(check, "data-impact-affected") == ["1"]
    assert attribute(check, "data-impact-section") == ["everolimus"]
    assert publish(erin_client, draft, label="2").status_code == 302

    # A new case gets the new text, cited as version 2.
    new_page = html_of(run_wizard(Client(), METASTATIC_SMALL_BOWEL))
    assert NEW_EVEROLIMUS in quoted_text(new_page)
    assert OLD_EVEROLIMUS not in new_page
    assert "Guideline sections that apply" in new_page
    everolimus = section_on(new_page, "everolimus").source
    assert "(NET Advisor version 2, everolimus)" in everolimus
    after = run_wizard(alice_client, METASTATIC_SMALL_BOWEL)
    new_case = html_of(alice_client.get(after.url))
    assert attribute(new_case, "data-version") == ["2"]
    assert NEW_EVEROLIMUS in quoted_text(new_case)

    # The case saved before still shows the old text and its version.
    old_case = html_of(alice_client.get(before.url))
    assert OLD_EVEROLIMUS in quoted_text(old_case)
    assert NEW_EVEROLIMUS not in old_case
    assert attribute(old_case, "data-version") == ["1"]
    everolimus = section_on(old_case, "everolimus").source
    assert "(NET Advisor version 1, everolimus)" in everolimus
    assert "(no longer the published version)" in old_case


@pytest.mark.parametrize("cases", [1, 2, 20])
def test_the_publish_page_runs_a_fixed_number_of_queries_whatever_the_number_of_cases(
    erin_client, draft, alice, django_assert_num_queries, cases
):
    # Regression: at commit 96d6055 this grew by 3 queries per saved case (38 with 2
    # cases, 92 with 20); see test_the_impact_report_counts_each_saved_case_once.
    for _ in range(cases):
        make_case(alice, **METASTATIC_FACTS)
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    # 1-4. session, user, user permissions, group permissions
    # 5. the draft JOIN its guideline, the version it is based on and who approved it
    # 6-7. the draft's text, read once afresh for every check (content.load; the guideline
    #    came with the draft): its sections, then its warning texts; its logic is compiled
    #    once from them, and missing_sections reads its slugs from them
    # 8-13. approval_of: the logic of the version it is based on (its sections' and
    #    warnings' conditions), the history of the draft's sections, of its warnings and of
    #    the draft, who made the last logic change
    # 14. the reference cases active now or gating the draft (14 seeded; run in memory,
    #    no query each; see test_admin_publishing_gate.py for changes to the gate)
    # 15. impact: the saved cases grouped by facts and what they showed (one index read)
    # 16-17. impact: the sections, then the warning texts, of every version the cases used
    with django_assert_num_queries(ADMIN_PREAMBLE + 13):
        response = erin_client.get(publish_url(draft))

    assert attribute(html_of(response), "data-impact-affected") == [str(cases)]


def test_a_draft_sections_change_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    everolimus = section(draft)

    # 1. session  2. user
    # 3. the section (before the permission queries: the admin loads the object first)
    # 4-5. user permissions, group permissions
    # 6. the section's version (has_change_permission: is it a draft?)
    # 7. the version's guideline (the read-only version field shows str(version))
    # 8-9. where it applies: the draft's text and logic, afresh (its sections, its warning
    #    texts); the exhaustive check's count and examples run in memory
    # The read-only version field builds no choices: no query for the draft versions.
    with django_assert_num_queries(ADMIN_PREAMBLE + 5):
        response = erin_client.get(change_url(everolimus))

    assert "<strong>" not in preview_of(html_of(response))
