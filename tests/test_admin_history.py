"""The audit trail of the guideline text in the admin: each section's history, the word-by-word
diff between two of its records, and no way to edit, delete or revert a record; and the
queries of those pages. guidance.diff itself is tested in test_diff.py.
"""

from __future__ import annotations

import re

import pytest

from guidance.admin import TextHistoryAdmin
from guidance.models import GuidelineVersion
from tests.admin_client import (
    ADMIN_PREAMBLE,
    NEW_EVEROLIMUS,
    OLD_EVEROLIMUS,
    change_url,
    diff_url,
    edit_section,
    published,
    section,
    start_draft_in_the_admin,
)
from tests.pages import attribute, html_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


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
    record = live.history.latest("history_id")
    recorded = live.history.count()
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
    assert live.history.count() == recorded
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
