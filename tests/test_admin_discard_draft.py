"""Discarding a draft in the admin: a confirmation with a reason, and the record it leaves.

There is one draft at a time, so an abandoned draft blocked every later one, and the only
way out was the admin's delete, which threw the draft's texts away. Now a draft is never
deleted: who may publish may discard it (a confirmation page, POST only, with a required
reason), and it stays as a read-only record. The domain rules are in test_publishing_drafts.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from guidance.models import GuidelineVersion, Section
from tests.admin_client import COMPARE, START_DRAFT, VERSIONS
from tests.factories import make_clinician
from tests.pages import html_of

pytestmark = pytest.mark.django_db

DISCARDED = GuidelineVersion.Status.DISCARDED
REASON = "Started from the wrong published version"


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    # Followed, so that the message "A draft was started" is shown and gone.
    assert erin_client.post(START_DRAFT, follow=True).status_code == 200
    return GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)


def discard_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/discard/"


def version_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_draft_and_the_versions_page_offer_to_discard_the_draft(erin_client, draft):
    link = f'href="{discard_url(draft)}"'

    assert link in html_of(erin_client.get(version_url(draft)))
    assert link in html_of(erin_client.get(VERSIONS))
    published = GuidelineVersion.objects.current()
    assert "/discard/" not in html_of(erin_client.get(version_url(published)))


def test_the_confirmation_page_asks_for_a_reason_and_discards_nothing(erin_client, draft):
    page = html_of(erin_client.get(discard_url(draft)))

    assert 'name="reason"' in page
    assert 'method="post"' in page
    assert 'value="Discard this draft"' in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_draft_is_not_discarded_without_a_reason(erin_client, draft):
    response = erin_client.post(discard_url(draft), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    draft.refresh_from_db()
    assert draft.is_draft


def test_discarding_records_who_when_and_why_and_lets_a_new_draft_start(erin, erin_client, draft):
    response = erin_client.post(discard_url(draft), {"reason": REASON})

    assert response.status_code == 302
    assert response.url == VERSIONS
    draft.refresh_from_db()
    assert (draft.status, draft.discarded_by, draft.discard_reason) == (DISCARDED, erin, REASON)
    assert draft.discarded_at is not None
    versions = erin_client.get(response.url)
    assert messages_of(versions) == [f"The draft {draft.label} was discarded."]
    assert "Start a draft from the published version" in html_of(versions)

    assert erin_client.post(START_DRAFT).status_code == 302
    second = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    assert second.pk != draft.pk


def test_a_discarded_draft_stays_readable_with_its_record_and_its_texts_are_view_only(
    erin_client, draft
):
    everolimus = Section.objects.get(version=draft, slug="everolimus")
    erin_client.post(discard_url(draft), {"reason": REASON})

    record = html_of(erin_client.get(version_url(draft)))
    assert "Discarded" in record
    assert REASON in record
    assert "erin" in record
    assert "/publish/" not in record
    assert "/discard/" not in record

    section_page = html_of(erin_client.get(f"/admin/guidance/section/{everolimus.pk}/change/"))
    assert 'name="text"' not in section_page
    assert 'name="change_reason"' not in section_page
    response = erin_client.post(
        f"/admin/guidance/section/{everolimus.pk}/change/",
        {"heading": "x", "order": 1, "text": "Rewritten.", "change_reason": "After discarding"},
    )
    assert response.status_code == 403
    assert Section.objects.get(pk=everolimus.pk).text == everolimus.text


def test_a_discarded_draft_is_not_offered_for_comparison(erin_client, draft):
    erin_client.post(discard_url(draft), {"reason": REASON})

    erin_client.get(VERSIONS)  # shows the message that names the discarded draft
    response = erin_client.get(COMPARE)

    assert [version.pk for version in response.context["versions"]] == [
        GuidelineVersion.objects.current().pk
    ]
    assert draft.label not in html_of(response)


def test_only_a_draft_can_be_discarded(erin_client, draft):
    published = GuidelineVersion.objects.current()

    response = erin_client.post(discard_url(published), {"reason": REASON})

    assert response.status_code == 302
    assert response.url == version_url(published)
    assert messages_of(erin_client.get(response.url)) == ["Version 1 is not a draft."]
    published.refresh_from_db()
    assert published.status == GuidelineVersion.Status.PUBLISHED
    assert erin_client.get(discard_url(published)).status_code == 302


def test_a_staff_user_who_may_not_publish_may_not_discard(draft, client_for):
    viewer = make_clinician("victor", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="guidance",
            codename__in=["view_guidelineversion", "add_guidelineversion", "change_section"],
        )
    )
    client = client_for(viewer)

    assert client.get(discard_url(draft)).status_code == 403
    assert client.post(discard_url(draft), {"reason": REASON}).status_code == 403
    assert "/discard/" not in html_of(client.get(VERSIONS))
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_clinician_is_sent_to_the_admin_login_page(alice_client, draft):
    response = alice_client.post(discard_url(draft), {"reason": REASON})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_draft_cannot_be_deleted_in_the_admin(erin_client, draft):
    """Deleting a draft threw its texts away; discarding keeps them."""
    delete_url = f"/admin/guidance/guidelineversion/{draft.pk}/delete/"

    assert erin_client.get(delete_url).status_code == 403
    assert erin_client.post(delete_url, {"post": "yes"}).status_code == 403
    erin_client.post(
        VERSIONS, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    assert GuidelineVersion.objects.filter(pk=draft.pk, status="draft").exists()
    assert Section.objects.filter(version=draft).count() == 16
