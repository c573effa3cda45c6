"""The guideline editors' admin, through the real test client and database.

Roles (the editor command, who may open which admin page); a draft edited and published
through the admin; the audit trail (history, diffs, no way to delete or revert history);
the whole-guideline diff; markdown payloads saved in the admin and rendered on the real
recommendation page and print view; one end-to-end path; and the number of SQL queries of
the admin pages built for the editors. Reference cases in the admin are tested in
test_admin_reference_cases.py.

The publishing module itself (start_draft, publish, impact, run_reference_cases) and
guidance.diff have their own tests in test_publishing.py and test_diff.py.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from guidance.admin import TextHistoryAdmin
from guidance.markdown import render_markdown
from guidance.models import Case, GuidelineVersion, ReferenceCase, Section
from tests.factories import (
    EDITORS,
    METASTATIC_FACTS,
    METASTATIC_SECTIONS,
    PASSWORD,
    make_case,
    make_clinician,
)
from tests.wizard_client import METASTATIC_SMALL_BOWEL, run_wizard

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
START_DRAFT = "/admin/guidance/guidelineversion/start-draft/"
COMPARE = "/admin/guidance/guidelineversion/compare/"
VERSIONS = "/admin/guidance/guidelineversion/"
REFERENCE_CASES = "/admin/guidance/referencecase/"
ADD_REFERENCE_CASE = "/admin/guidance/referencecase/add/"

# The everolimus section, as version 1 has it, and an editor's rewording that drops
# "a small number of patients" but keeps "Everolimus" (a seeded reference case needs it).
OLD_EVEROLIMUS = "Everolimus may slow progression of disease is a small number of patients"
NEW_EVEROLIMUS = "Everolimus may slow the progression of disease in some patients."



# --- Personas and helpers ------------------------------------------------------------------


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    """A draft started the way Erin starts one: the button on the versions page."""
    response = erin_client.post(START_DRAFT)
    assert response.status_code == 302
    return GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)


def published() -> GuidelineVersion:
    return GuidelineVersion.objects.current()


def section(version: GuidelineVersion, slug: str = "everolimus") -> Section:
    return Section.objects.get(version=version, slug=slug)


def change_url(obj: Section) -> str:
    return f"/admin/guidance/section/{obj.pk}/change/"


def publish_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/publish/"


def diff_url(obj: Section, older=None, newer=None) -> str:
    url = f"/admin/guidance/section/{obj.pk}/diff/"
    if older is not None:
        url += f"?from={older.history_id}&to={newer.history_id}"
    return url


def edit_section(client: Client, obj: Section, text: str, reason: str = "Newer evidence"):
    """Post the section's change form as the browser does: every field, the text changed."""
    return client.post(
        change_url(obj),
        {
            "group": obj.group,
            "heading": obj.heading,
            "order": obj.order,
            "text": text,
            "change_reason": reason,
        },
    )


def publish(client: Client, version: GuidelineVersion, label: str = "2", accept: str = ""):
    return client.post(
        publish_url(version),
        {
            "label": label,
            "change_summary": "Everolimus reworded.",
            "accept_failures_reason": accept,
        },
    )


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def attribute(html: str, name: str) -> list[str]:
    return re.findall(rf'{name}="([^"]*)"', html)


def field_names(html: str) -> set[str]:
    """The names of the inputs, text areas and selects a browser would submit."""
    return set(re.findall(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', html))


def preview_of(html: str) -> str:
    match = re.search(r'<div class="guideline-preview">(.*?)</div>', html, re.DOTALL)
    assert match, "no preview on the page"
    return match.group(1)


def quoted_text(html: str, slug: str = "everolimus") -> str:
    """The guideline text a recommendation page quotes for one section."""
    match = re.search(
        rf'data-section="{slug}">.*?<blockquote class="guideline-text[^"]*">(.*?)</blockquote>',
        html,
        re.DOTALL,
    )
    assert match, f"no {slug} section on the page"
    return match.group(1)


def failing_reference_case() -> ReferenceCase:
    """A reference case that needs words NEW_EVEROLIMUS no longer has."""
    return ReferenceCase.objects.create(
        title="Everolimus keeps its caution about few patients",
        facts=METASTATIC_FACTS,
        expected_grade="G2",
        expected_sections=METASTATIC_SECTIONS,
        expected_phrases=["small number of patients"],
    )


def publish_version_2(client: Client, draft: GuidelineVersion) -> GuidelineVersion:
    assert edit_section(client, section(draft), NEW_EVEROLIMUS).status_code == 302
    assert publish(client, draft).status_code == 302
    return GuidelineVersion.objects.get(pk=draft.pk)


# --- Roles -----------------------------------------------------------------------------------


def test_create_editor_makes_a_staff_account_in_the_editors_group_that_is_not_a_superuser(
    monkeypatch,
):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()

    call_command(
        "create_editor", "edith", "--email", "edith@example.org", "--password-stdin", stdout=out
    )

    user = Group.objects.get(name=EDITORS).user_set.get()
    assert user.username == "edith"
    assert user.is_staff
    assert not user.is_superuser
    assert user.check_password(PASSWORD)
    assert user.has_perm("guidance.publish_guidelineversion")
    assert "Created guideline editor edith." in out.getvalue()
    client = Client()
    response = client.post("/accounts/login/", {"username": "edith", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        ADMIN,
        "/admin/guidance/",
        "/admin/guidance/section/",
        "/admin/guidance/warningtext/",
        VERSIONS,
        COMPARE,
        REFERENCE_CASES,
        ADD_REFERENCE_CASE,
    ],
)
def test_an_editor_can_open_the_admin_and_the_guidance_pages(erin_client, url):
    assert erin_client.get(url).status_code == 200


def test_the_admin_index_offers_an_editor_the_guideline_but_not_users_or_saved_cases(
    erin_client,
):
    html = html_of(erin_client.get(ADMIN))

    assert 'href="/admin/guidance/section/"' in html
    assert 'href="/admin/guidance/referencecase/"' in html
    assert 'href="/admin/auth/user/"' not in html
    assert 'href="/admin/guidance/case/"' not in html


@pytest.mark.parametrize(
    "url",
    [ADMIN, "/admin/guidance/section/", VERSIONS, "/admin/guidance/guidelineversion/1/publish/"],
)
def test_a_clinician_is_sent_to_the_admin_login_page(alice_client, url):
    response = alice_client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


def test_a_clinician_cannot_start_a_draft(alice_client):
    response = alice_client.post(START_DRAFT)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not GuidelineVersion.objects.filter(status=GuidelineVersion.Status.DRAFT).exists()


def test_an_editor_can_neither_see_nor_change_user_accounts(erin_client, alice):
    assert erin_client.get("/admin/auth/user/").status_code == 403
    assert erin_client.get(f"/admin/auth/user/{alice.pk}/change/").status_code == 403
    response = erin_client.post(
        f"/admin/auth/user/{alice.pk}/change/", {"username": "alice", "is_staff": "on"}
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert not alice.is_staff
    assert erin_client.get("/admin/auth/group/").status_code == 403


def test_an_editor_cannot_open_saved_cases_in_the_admin(erin_client, alice):
    # CaseAdmin is view-only for whoever has guidance.view_case; the editors' group does
    # not have it, so an editor sees no case at all (the impact report gives counts only).
    saved = make_case(alice, reference="MDT-0042", **METASTATIC_FACTS)

    for url in (
        "/admin/guidance/case/",
        f"/admin/guidance/case/{saved.pk}/change/",
        f"/admin/guidance/case/{saved.pk}/delete/",
        f"/admin/guidance/case/{saved.pk}/history/",
    ):
        response = erin_client.get(url)
        assert response.status_code == 403, url
        assert b"MDT-0042" not in response.content


def test_a_staff_user_without_the_publish_permission_is_refused_the_publish_view(
    draft, client_for
):
    viewer = make_clinician("victor")
    viewer.is_staff = True
    viewer.save(update_fields=["is_staff"])
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="guidance",
            codename__in=["view_guidelineversion", "view_section", "change_section"],
        )
    )
    client = client_for(viewer)

    assert client.get(VERSIONS).status_code == 200
    assert client.get(publish_url(draft)).status_code == 403
    assert publish(client, draft).status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft
    assert published().label == "1"
    assert "Check and publish" not in html_of(client.get(VERSIONS))


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


def test_an_engine_section_of_the_draft_cannot_be_deleted_and_its_slug_is_read_only(
    erin_client, draft
):
    everolimus = section(draft)

    assert erin_client.get(f"/admin/guidance/section/{everolimus.pk}/delete/").status_code == 403
    response = erin_client.post(f"/admin/guidance/section/{everolimus.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    html = html_of(erin_client.get(change_url(everolimus)))
    assert "slug" not in field_names(html)
    assert {"text", "heading", "change_reason"} <= field_names(html)

    # A slug posted anyway is ignored: the field is read-only.
    response = erin_client.post(
        change_url(everolimus),
        {
            "slug": "everolimus-2",
            "group": everolimus.group,
            "heading": everolimus.heading,
            "order": everolimus.order,
            "text": NEW_EVEROLIMUS,
            "change_reason": "Try a new slug",
        },
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

    assert erin_client.post(url, {"message": "Reworded."}).status_code == 200  # no reason
    response = erin_client.post(url, {"message": "Reworded.", "change_reason": "Clearer"})

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
    assert erin_client.get("/admin/guidance/warningtext/add/").status_code == 403
    assert erin_client.get(f"/admin/guidance/warningtext/{warning.pk}/delete/").status_code == 403
    live.refresh_from_db()
    assert live.message == old


def test_a_section_the_engine_does_not_use_can_be_deleted_from_the_draft(erin_client, draft):
    overview = section(draft, "overview")

    response = erin_client.post(f"/admin/guidance/section/{overview.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not draft.sections.filter(slug="overview").exists()
    assert published().sections.filter(slug="overview").exists()


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


def test_the_publish_page_reports_a_failing_reference_case_and_missing_sections(erin_client, draft):
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
    assert 'data-check="missing-sections"' in html
    assert "The draft has no section for: interferon." in html
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


# --- Audit trail -----------------------------------------------------------------------------


def test_the_section_history_page_lists_every_change_with_who_why_and_what(
    erin, erin_client, draft
):
    everolimus = section(draft)
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS, "Trial results in 2024")
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS + " Rarely.", "Say how rarely")

    html = html_of(erin_client.get(f"/admin/guidance/section/{everolimus.pk}/history/"))

    for reason in ("Draft started from version 1", "Trial results in 2024", "Say how rarely"):
        assert reason in html
    # Editors may not open the user admin, so the name is not a link to a 403.
    assert "/admin/auth/user/" not in html
    assert len(re.findall(r"<td>\s*erin\s*</td>", html)) == 3
    records = everolimus.history.all()
    assert len(records) == 3
    for record in records:
        assert f"/admin/guidance/section/{everolimus.pk}/history/{record.history_id}/" in html
    # The changes column shows the old and the new text of each edit.
    assert re.search(r"<strong>Text:</strong>\s*" + re.escape(OLD_EVEROLIMUS), html)
    assert re.search(r"&rarr;&nbsp;&nbsp;" + re.escape(NEW_EVEROLIMUS), html)


def test_the_history_page_links_an_editors_name_for_whoever_may_view_users(
    erin, erin_client, draft, root_client
):
    everolimus = section(draft)
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS, "Trial results in 2024")
    client = root_client

    html = html_of(client.get(f"/admin/guidance/section/{everolimus.pk}/history/"))

    link = f'href="/admin/auth/user/{erin.pk}/change/"'
    assert html.count(link) == 2  # the draft's start and the edit
    assert client.get(f"/admin/auth/user/{erin.pk}/change/").status_code == 200
    assert erin_client.get(f"/admin/auth/user/{erin.pk}/change/").status_code == 403


def test_the_diff_view_marks_the_words_removed_and_added_between_two_chosen_records(
    erin_client, draft
):
    everolimus = section(draft)
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS, "Trial results in 2024")
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS + " Rarely.", "Say how rarely")
    first, second, third = everolimus.history.order_by("history_id")

    html = html_of(erin_client.get(diff_url(everolimus, first, second)))

    assert "<ins>the </ins>" in html
    assert "<del>is</del><ins>in</ins>" in html
    assert "<del>small number of patients</del><ins>patients.</ins>" in html
    assert "Rarely" not in html.split('class="text-diff diff"')[1]
    assert attribute(html, "data-history") == [str(r.history_id) for r in (third, second, first)]
    assert re.search(rf'name="from" value="{first.history_id}"[^>]*checked', html)
    assert re.search(rf'name="to" value="{second.history_id}"[^>]*checked', html)

    later = html_of(erin_client.get(diff_url(everolimus, second, third)))
    assert "<ins> Rarely.</ins>" in later
    assert "<del>" not in later


def test_the_section_change_page_links_to_its_diff_view(erin_client, draft):
    everolimus = section(draft)

    html = html_of(erin_client.get(change_url(everolimus)))

    assert f'href="{diff_url(everolimus)}"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/guidance/historicalsection/",
        "/admin/guidance/historicalsection/1/change/",
        "/admin/guidance/historicalsection/1/delete/",
        "/admin/guidance/historicalwarningtext/",
        "/admin/guidance/historicalreferencecase/",
    ],
)
def test_history_records_have_no_admin_pages_to_edit_or_delete_them(erin_client, url):
    assert erin_client.get(url).status_code == 404
    assert erin_client.post(url, {"post": "yes"}).status_code == 404


def test_the_history_record_page_of_a_draft_section_cannot_revert_it(erin_client, draft):
    # SIMPLE_HISTORY_REVERT_DISABLED only hides the button; the POST must be refused too.
    everolimus = section(draft)
    edit_section(erin_client, everolimus, NEW_EVEROLIMUS, "Trial results in 2024")
    first = everolimus.history.earliest("history_id")
    url = f"/admin/guidance/section/{everolimus.pk}/history/{first.history_id}/"

    page = html_of(erin_client.get(url))
    assert 'value="Revert"' not in page

    erin_client.post(
        url,
        {
            "group": first.group,
            "heading": first.heading,
            "order": first.order,
            "text": first.text,
            "change_reason": "Revert to the original",
        },
    )

    everolimus.refresh_from_db()
    assert everolimus.history.count() >= 2  # never shortened
    assert everolimus.text == NEW_EVEROLIMUS, "the history record page reverted the text"


def test_the_history_record_page_of_a_published_section_refuses_a_post(erin_client):
    # A refusal (403), not a server error from the read-only guard.
    live = section(published())
    record = live.history.get()
    erin_client.raise_request_exception = False

    response = erin_client.post(
        f"/admin/guidance/section/{live.pk}/history/{record.history_id}/",
        {
            "group": live.group,
            "heading": live.heading,
            "order": live.order,
            "text": "Changed through history",
            "change_reason": "Sneaky",
        },
    )

    live.refresh_from_db()
    assert live.text == OLD_EVEROLIMUS
    assert live.history.count() == 1
    assert response.status_code == 403


def test_a_text_admin_that_lacks_one_of_its_hooks_is_refused_when_it_is_defined():
    missing = "fixed_after_creation, preview, history_text"
    expected = f"Bare must define {missing} (see TextHistoryAdmin)."
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):

        class Bare(TextHistoryAdmin):
            pass

    with pytest.raises(TypeError, match=r"^NoHistoryText must define history_text "):

        class NoHistoryText(TextHistoryAdmin):
            fixed_after_creation = ["code"]

            def preview(self, obj):
                return obj.message


# --- Whole-guideline diff --------------------------------------------------------------------


def test_after_version_2_is_published_the_compare_page_lists_the_changed_section(
    erin_client, draft
):
    publish_version_2(erin_client, draft)

    html = html_of(erin_client.get(COMPARE))

    assert "1 change from version 1 to version 2." in html
    rows = re.findall(r'<tr data-change="([^"]+)" data-key="([^"]+)">', html)
    assert rows == [("changed", "everolimus")]
    assert "<ins>" in html and "<del>" in html


def test_the_compare_page_compares_the_versions_chosen(erin_client, draft):
    version_2 = publish_version_2(erin_client, draft)
    version_1 = GuidelineVersion.objects.get(label="1")

    html = html_of(erin_client.get(f"{COMPARE}?from={version_2.pk}&to={version_1.pk}"))

    assert "1 change from version 2 to version 1." in html
    assert "<del>the </del>" in html  # from the newer text back to the older one
    assert "<del>patients.</del><ins>small number of patients</ins>" in html


# --- Safety rails: payloads saved in the admin, rendered where clinicians read them ----------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="#" onclick="x()">y</a>',
    "<b>html</b>",
]
FORBIDDEN = ["<script", "onerror", "onclick", "javascript:", "data:text", "<iframe", "<b>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_markdown_payload_saved_in_the_admin_is_neutralised_where_clinicians_read_it(
    erin_client, draft, alice_client, payload
):
    everolimus = section(draft)
    text = f"Everolimus may slow progression. Before the payload.\n\n{payload}\n\nAfter it."
    assert edit_section(erin_client, everolimus, text, "Safety test").status_code == 302
    assert section(draft).text == text  # saved as typed: neutralised when rendered
    preview = preview_of(html_of(erin_client.get(change_url(everolimus))))
    assert publish(erin_client, draft).status_code == 302

    recommendation_page = html_of(run_wizard(Client(), METASTATIC_SMALL_BOWEL))
    saved = run_wizard(alice_client, METASTATIC_SMALL_BOWEL)
    assert saved.status_code == 302
    print_view = html_of(alice_client.get(f"{saved.url}print/"))

    for name, html in [
        ("admin preview", preview),
        ("recommendation page", recommendation_page),
        ("print view", print_view),
    ]:
        assert "After it." in html, name  # the payload did not swallow the text after it
        lowered = html.lower()
        for marker in FORBIDDEN:
            assert marker not in lowered, f"{marker} reached the {name}"
    assert Case.objects.get().guideline_version.label == "2"


def test_the_admin_preview_renders_exactly_as_the_recommendation_page(erin_client, draft):
    text = (
        "Everolimus **may** slow _progression_.\n\n- one\n- two\n\n"
        "[A trial](https://example.org/trial) and <b>raw</b> [bad](javascript:alert(1))."
    )
    edit_section(erin_client, section(draft), text)
    preview = preview_of(html_of(erin_client.get(change_url(section(draft)))))
    publish(erin_client, draft)

    page = html_of(run_wizard(Client(), METASTATIC_SMALL_BOWEL))

    assert preview == quoted_text(page) == str(render_markdown(text))
    assert '<a href="https://example.org/trial" rel="noopener noreferrer nofollow">' in preview


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
    assert "version 2, section “Everolimus” (everolimus)" in new_page
    after = run_wizard(alice_client, METASTATIC_SMALL_BOWEL)
    new_case = html_of(alice_client.get(after.url))
    assert attribute(new_case, "data-version") == ["2"]
    assert NEW_EVEROLIMUS in quoted_text(new_case)

    # The case saved before still shows the old text and its version.
    old_case = html_of(alice_client.get(before.url))
    assert OLD_EVEROLIMUS in quoted_text(old_case)
    assert NEW_EVEROLIMUS not in old_case
    assert attribute(old_case, "data-version") == ["1"]
    assert "version 1, section “Everolimus” (everolimus)" in old_case
    assert "(no longer the published version)" in old_case


# --- Query counts ----------------------------------------------------------------------------

# Every admin page begins with the same four: the session; the user; the user's own
# permissions; the permissions of the user's groups.
ADMIN_PREAMBLE = 4


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
    # 5. the draft JOIN its guideline
    # 6-7. check_gate reads the draft's text once, afresh (content.load; the guideline
    #    came with the draft): all its sections, then all its warning texts
    # 8. the reference cases active now or gating the draft (14 seeded; run in memory, no
    #    query each; see test_admin_publishing_gate.py for changes to the gate)
    # 9. missing_sections: the draft's section slugs
    # 10-11. impact: the draft's sections, then its warning texts
    # 12. impact: SELECT DISTINCT the versions the saved cases used
    # 13-15. impact, per version used (one here): its sections, its warning texts, the
    #    section slugs and warning codes of its cases
    # 16. impact: COUNT of saved cases
    with django_assert_num_queries(ADMIN_PREAMBLE + 12):
        response = erin_client.get(publish_url(draft))

    assert attribute(html_of(response), "data-impact-affected") == [str(cases)]


def test_the_compare_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    publish_version_2(erin_client, draft)

    # 1-4. session, user, user permissions, group permissions
    # 5. the published and retired versions, oldest first
    # 6-7. the sections of the older version, then of the newer one
    # 8-9. the warning texts of the older version, then of the newer one
    with django_assert_num_queries(ADMIN_PREAMBLE + 5):
        response = erin_client.get(COMPARE)

    assert "1 change from version 1 to version 2." in html_of(response)


def test_the_section_diff_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    everolimus = section(draft)
    for n in range(5):
        edit_section(erin_client, everolimus, f"{NEW_EVEROLIMUS} Edit {n}.", f"Edit {n}")
    first, *_, last = everolimus.history.order_by("history_id")

    # 1-4. session, user, user permissions, group permissions
    # 5. the section JOIN its version
    # 6. the section's history records JOIN their users
    with django_assert_num_queries(ADMIN_PREAMBLE + 2):
        response = erin_client.get(diff_url(everolimus, first, last))

    assert len(attribute(html_of(response), "data-history")) == 6


def test_a_draft_sections_change_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    everolimus = section(draft)

    # 1. session  2. user
    # 3. the section (before the permission queries: the admin loads the object first)
    # 4-5. user permissions, group permissions
    # 6. the section's version (has_change_permission: is it a draft?)
    # 7. the version's guideline (the read-only version field shows str(version))
    # The read-only version field builds no choices: no query for the draft versions.
    with django_assert_num_queries(ADMIN_PREAMBLE + 3):
        response = erin_client.get(change_url(everolimus))

    assert "<strong>" not in preview_of(html_of(response))


@pytest.mark.parametrize("edits", [1, 5])
def test_the_section_history_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries, edits
):
    everolimus = section(draft)
    for n in range(edits):
        edit_section(erin_client, everolimus, f"{NEW_EVEROLIMUS} Edit {n}.", f"Edit {n}")

    url = f"/admin/guidance/section/{everolimus.pk}/history/"
    erin_client.get(url)  # once, so Django's content-type cache holds the user model's

    # 1-4. session, user, user permissions, group permissions
    # 5. the section
    # 6. COUNT of its history records (the page's paginator)
    # 7. one page of its history records, with their editors
    # Whether the editor's name may link to the user admin is decided from the
    # permissions already loaded: no query more.
    with django_assert_num_queries(ADMIN_PREAMBLE + 3):
        response = erin_client.get(url)

    assert len(re.findall(r"<td>\s*erin\s*</td>", html_of(response))) == edits + 1
