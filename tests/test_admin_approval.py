"""The second pair of eyes on the publish page: the draft's logic compared with the published
version's, rule by rule, and the Approve button for a second editor; the same table on the
compare page. The rules themselves are tested in test_publishing_approval.py."""

from __future__ import annotations

import pytest

from guidance.models import GuidelineVersion
from tests.admin_client import (
    ADMIN_PREAMBLE,
    COMPARE,
    publish,
    publish_url,
    section,
    section_form,
    start_draft_in_the_admin,
)
from tests.drafts import BRACKETED_EVEROLIMUS, EVEROLIMUS_CONDITION
from tests.factories import change_outside_the_app, make_clinician
from tests.pages import attribute, html_of, parse

pytestmark = pytest.mark.django_db


def approve_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/approve-logic/"


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


def change_condition(client, draft, slug="everolimus", applies_when=BRACKETED_EVEROLIMUS):
    """Erin changes a section's condition on its change form, with a reason."""
    obj = section(draft, slug)
    form = section_form(obj, applies_when=applies_when, change_reason="Clearer condition")
    assert client.post(f"/admin/guidance/section/{obj.pk}/change/", form).status_code == 302


def text_of(html: str, name: str) -> list[str]:
    """The text of each element with the attribute ``name``."""
    return [element.text() for element in parse(html).iter() if name in element.attrs]


def test_the_publish_page_shows_each_changed_rule_before_and_after(erin_client, draft):
    change_condition(erin_client, draft)

    html = html_of(erin_client.get(publish_url(draft)))

    assert attribute(html, "data-logic-change") == ["changed"]
    assert attribute(html, "data-changed-rule") == ["everolimus"]
    assert text_of(html, "data-before") == [EVEROLIMUS_CONDITION]
    assert text_of(html, "data-after") == [BRACKETED_EVEROLIMUS]
    assert attribute(html, "data-approval") == ["needed"]


def test_a_draft_with_the_same_logic_says_so_and_asks_no_approval(erin_client, draft):
    html = html_of(erin_client.get(publish_url(draft)))

    assert attribute(html, "data-check").count("logic-unchanged") == 1
    assert attribute(html, "data-approval") == []
    assert approve_url(draft) not in html


def test_the_author_sees_why_she_cannot_approve_and_no_button(erin_client, draft):
    change_condition(erin_client, draft)

    html = html_of(erin_client.get(publish_url(draft)))

    assert approve_url(draft) not in html
    assert text_of(html, "data-approval-refused") == [
        "Erin Evans made the last change to the draft's logic: a second editor must approve it."
    ]


def test_publishing_without_approval_shows_the_reason(erin_client, draft):
    change_condition(erin_client, draft)

    response = publish(erin_client, draft)

    assert response.status_code == 200
    assert (
        "needs the approval of a second editor, not Erin Evans, who made the last change to it."
        in html_of(response)
    )
    assert GuidelineVersion.objects.get(pk=draft.pk).is_draft


def test_a_second_editor_approves_then_the_author_publishes(
    erin_client, fay_client, fay, draft
):
    change_condition(erin_client, draft)
    assert approve_url(draft) in html_of(fay_client.get(publish_url(draft)))

    response = fay_client.post(approve_url(draft), follow=True)

    html = html_of(response)
    assert "You approved the draft&#x27;s logic as it is now." in html
    assert attribute(html, "data-approval") == ["approved"]
    assert attribute(html, "data-approved-by") == ["fay"]
    assert publish(erin_client, draft).status_code == 302
    assert GuidelineVersion.objects.current().logic_approved_by == fay


def test_the_author_posting_approve_is_refused_with_a_message(erin_client, draft):
    change_condition(erin_client, draft)

    response = erin_client.post(approve_url(draft), follow=True)

    assert "Erin Evans made the last change to the draft&#x27;s logic" in html_of(response)
    assert GuidelineVersion.objects.get(pk=draft.pk).logic_approved_by is None


def test_a_later_change_voids_the_approval_on_the_page(erin_client, fay_client, draft):
    change_condition(erin_client, draft)
    fay_client.post(approve_url(draft))
    change_condition(erin_client, draft, applies_when=f"({BRACKETED_EVEROLIMUS})")

    html = html_of(erin_client.get(publish_url(draft)))

    assert attribute(html, "data-approval") == ["voided"]
    assert "was voided by a later change to the logic" in html


def test_a_get_approves_nothing(erin_client, fay_client, draft):
    change_condition(erin_client, draft)

    response = fay_client.get(approve_url(draft))

    assert response.status_code == 302
    assert response["Location"] == publish_url(draft)
    assert GuidelineVersion.objects.get(pk=draft.pk).logic_approved_by is None


def test_approving_needs_the_publish_permission(erin_client, client_for, draft):
    change_condition(erin_client, draft)
    staff = make_clinician("sam", is_staff=True)

    assert client_for(staff).post(approve_url(draft)).status_code == 403
    assert GuidelineVersion.objects.get(pk=draft.pk).logic_approved_by is None


def test_the_approver_is_shown_on_the_published_version(erin_client, fay_client, draft):
    change_condition(erin_client, draft)
    fay_client.post(approve_url(draft))
    publish(erin_client, draft)

    html = html_of(erin_client.get(f"/admin/guidance/guidelineversion/{draft.pk}/change/"))

    assert "Logic approved by" in html and "fay" in html


def test_the_conditions_are_escaped(erin_client, draft):
    # Stored behind the app's back (the models refuse it): the page still shows it as text.
    change_outside_the_app(
        draft.sections.filter(slug="interferon"),
        applies_when='tumour_type == "<script>alert(1)</script>"',
    )

    html = html_of(erin_client.get(publish_url(draft)))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("changes", [1, 3])
def test_the_publish_page_runs_a_fixed_number_of_queries_whatever_the_logic_changes(
    erin_client, fay_client, draft, django_assert_num_queries, changes
):
    for slug in ["everolimus", "interferon", "metastatic-incurable"][:changes]:
        condition = section(draft, slug).applies_when
        change_condition(erin_client, draft, slug=slug, applies_when=f"({condition})")
    fay_client.post(approve_url(draft))

    # 1-4. session, user, user permissions, group permissions
    # 5. the draft JOIN its guideline, the version it is based on and who approved it
    # 6-7. the draft's text and logic, read once for every check: its sections, then its
    #    warning texts (the approval, the gate and the impact share them)
    # 8-9. the logic of the version it is based on
    # 10-12. the history of the draft's sections, of its warnings, of the draft
    # 13. who made the last change to the logic
    # 14. the reference cases active now or gating the draft
    # 15. the impact on saved cases: the saved cases grouped (none saved: no texts to read)
    with django_assert_num_queries(ADMIN_PREAMBLE + 11):
        response = erin_client.get(publish_url(draft))

    assert attribute(html_of(response), "data-logic-change") == ["changed"] * changes


def test_the_compare_page_shows_the_logic_rule_by_rule(erin_client, fay_client, draft):
    change_condition(erin_client, draft)
    fay_client.post(approve_url(draft))
    assert publish(erin_client, draft).status_code == 302

    html = html_of(erin_client.get(COMPARE))

    assert "The logic, rule by rule (1 change)" in html
    assert attribute(html, "data-logic-change") == ["changed"]
    assert text_of(html, "data-after") == [BRACKETED_EVEROLIMUS]
