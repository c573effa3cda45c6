"""Who may do what in the editors' admin: the editor command, which admin pages an editor, a
clinician and a staff user without the publish permission may open.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from guidance.models import GuidelineVersion
from tests.admin_client import (
    ADD_REFERENCE_CASE,
    ADMIN,
    COMPARE,
    REFERENCE_CASES,
    START_DRAFT,
    VERSIONS,
    publish,
    publish_url,
    published,
    start_draft_in_the_admin,
)
from tests.factories import EDITORS, METASTATIC_FACTS, PASSWORD, make_case, make_clinician
from tests.pages import html_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


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
