"""Deleting a saved case (/cases/<id>/delete/): a confirmation, then the case is gone with a
record of who deleted which case and when, all or nothing.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.db import DatabaseError
from django.utils import timezone

from guidance.models import Case, CaseDeletion, GuidelineVersion
from tests.factories import make_case
from tests.pages import detail, html_of

pytestmark = pytest.mark.django_db


# --- Delete --------------------------------------------------------------------------


def test_the_delete_page_asks_for_confirmation_and_deletes_nothing(alice_client, case):
    html = html_of(alice_client.get(detail(case) + "delete/"))

    assert "Delete this case?" in html
    assert "<strong>MDT-14</strong>" in html
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert '<button type="submit" class="btn btn-danger">Delete the case</button>' in html
    assert f'href="{detail(case)}">Keep it</a>' in html
    assert Case.objects.filter(pk=case.pk).exists()


def test_posting_the_confirmation_deletes_the_case_and_returns_to_the_history(
    alice, alice_client, case
):
    other = make_case(alice, reference="KEEP-ME")

    response = alice_client.post(detail(case) + "delete/", follow=True)

    assert response.redirect_chain == [("/cases/", 302)]
    html = html_of(response)
    assert "The case was deleted." in html
    assert not Case.objects.filter(pk=case.pk).exists()
    assert list(Case.objects.owned_by(alice)) == [other]
    assert "MDT-14" not in html and "KEEP-ME" in html


def test_a_deleted_case_is_gone_from_every_case_url(alice_client, case):
    alice_client.post(detail(case) + "delete/")

    for suffix in ("", "print/", "recheck/", "delete/"):
        assert alice_client.get(detail(case) + suffix).status_code == 404
    assert alice_client.post(detail(case) + "start/").status_code == 404


def test_deleting_a_case_leaves_a_record_of_who_when_and_which_case(alice, alice_client, case):
    before = timezone.now()

    alice_client.post(detail(case) + "delete/")

    [deletion] = CaseDeletion.objects.all()
    assert deletion.case_id == case.pk
    assert deletion.clinician == alice
    assert before <= deletion.deleted_at <= timezone.now()


def test_the_deletion_record_holds_nothing_of_the_case(alice_client, case):
    alice_client.post(detail(case) + "delete/")

    assert [field.name for field in CaseDeletion._meta.get_fields()] == [
        "id",
        "case_id",
        "clinician",
        "deleted_at",
    ]
    [row] = CaseDeletion.objects.values()
    assert "MDT-14" not in repr(row)
    assert case.snapshot["facts"]["site"] not in repr(row)


def test_if_the_deletion_cannot_be_recorded_the_case_is_not_deleted(
    monkeypatch, alice, case, client_for
):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("simulated failure writing the record")

    monkeypatch.setattr(CaseDeletion, "save", refuse)
    client = client_for(alice, raise_request_exception=False)

    response = client.post(detail(case) + "delete/")

    assert response.status_code == 503
    assert "The case could not be deleted; nothing was changed." in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    assert not CaseDeletion.objects.exists()


def test_if_the_case_cannot_be_deleted_no_deletion_is_recorded(
    monkeypatch, alice, case, client_for
):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("simulated failure deleting the case")

    monkeypatch.setattr(Case, "delete", refuse)
    client = client_for(alice, raise_request_exception=False)

    response = client.post(detail(case) + "delete/")

    assert response.status_code == 503
    assert Case.objects.filter(pk=case.pk).exists()
    assert not CaseDeletion.objects.exists()


def test_a_deletion_is_logged_without_the_cases_contents(alice, alice_client, case, caplog):
    with caplog.at_level(logging.INFO, logger="netadvisor.security"):
        alice_client.post(detail(case) + "delete/")

    messages = [r.getMessage() for r in caplog.records if r.name == "netadvisor.security"]
    assert messages == [f"Case {case.pk} deleted by user id {alice.pk} from 127.0.0.1"]


def test_deletion_records_are_read_only_in_the_admin(alice_client, case, root_client):
    alice_client.post(detail(case) + "delete/")
    deletion = CaseDeletion.objects.get()
    root = root_client

    listing = root.get("/admin/guidance/casedeletion/")
    assert listing.status_code == 200
    assert f">{case.pk}<" in listing.content.decode()
    assert root.get("/admin/guidance/casedeletion/add/").status_code == 403
    page = root.get(f"/admin/guidance/casedeletion/{deletion.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    delete_url = f"/admin/guidance/casedeletion/{deletion.pk}/delete/"
    assert root.post(delete_url, {"post": "yes"}).status_code == 403
    assert CaseDeletion.objects.filter(pk=deletion.pk).exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_delete_accepts_only_get_and_post(alice_client, case, method):
    response = getattr(alice_client, method)(detail(case) + "delete/")

    assert response.status_code == 405
    assert Case.objects.filter(pk=case.pk).exists()


def test_deleting_a_case_leaves_the_guideline_version_alone(alice_client, case):
    version = case.guideline_version_id

    alice_client.post(detail(case) + "delete/")

    assert GuidelineVersion.objects.filter(pk=version, status="published").exists()


def test_the_delete_confirmation_runs_three_queries(alice, alice_client, django_assert_num_queries):
    case = make_case(alice)

    # 1. the session, 2. the clinician, 3. the case with its version, guideline and clinician.
    with django_assert_num_queries(3):
        response = alice_client.get(f"/cases/{case.pk}/delete/")

    assert response.status_code == 200
