"""Who may use a saved case's URLs, and with which methods.

Every URL that takes a case id is the owner's alone: another clinician gets the same 404 as
for a case that does not exist, a visitor who is not logged in is sent to log in. Each URL
answers only the methods it needs (405 for the others, changing nothing).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from guidance.models import Case
from tests.pages import detail, html_of
from tests.wizard_client import REVIEW_OF_A_NEW_RUN, RUNS_SESSION_KEY

pytestmark = pytest.mark.django_db


# --- Ownership -----------------------------------------------------------------------

# (name, path after /cases/<id>/, method, what the owner gets, where it leads: a pattern)
CASE_URLS = [
    pytest.param("", "get", 200, None, id="case page"),
    pytest.param("print/", "get", 200, None, id="print view"),
    pytest.param("recheck/", "get", 200, None, id="re-check"),
    pytest.param("delete/", "get", 200, None, id="delete confirmation"),
    pytest.param("delete/", "post", 302, "/cases/", id="delete"),
    pytest.param("start/", "post", 302, REVIEW_OF_A_NEW_RUN, id="start from"),
]


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_the_owner_can_use_every_case_url(alice_client, case, suffix, method, status, location):
    response = getattr(alice_client, method)(detail(case) + suffix)

    assert response.status_code == status
    if location:
        assert re.fullmatch(location, response.url)


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_another_clinician_gets_not_found_on_every_case_url(
    bob_client, case, suffix, method, status, location
):
    response = getattr(bob_client, method)(detail(case) + suffix)

    assert response.status_code == 404
    assert "not yours to see" in response.content.decode()
    assert "MDT-14" not in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    assert Case.objects.get(pk=case.pk).snapshot == case.snapshot


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_an_anonymous_visitor_is_sent_to_log_in_from_every_case_url(
    client, case, suffix, method, status, location
):
    url = detail(case) + suffix

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=" + quote(url)
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_a_case_that_does_not_exist_is_not_found(
    alice_client, case, suffix, method, status, location
):
    missing = Case.objects.order_by("-pk").first().pk + 1

    response = getattr(alice_client, method)(f"/cases/{missing}/{suffix}")

    assert response.status_code == 404


def test_another_clinicians_case_looks_exactly_like_a_missing_one(bob_client, case):
    theirs = bob_client.get(detail(case))
    missing = bob_client.get(f"/cases/{case.pk + 1000}/")

    assert theirs.status_code == missing.status_code == 404
    assert [t.name for t in theirs.templates] == [t.name for t in missing.templates]


def test_another_clinician_cannot_start_from_a_case_that_is_not_theirs(bob_client, case):
    assert bob_client.post(detail(case) + "start/").status_code == 404

    # Nothing of Alice's case was put into Bob's wizard: no case was started at all.
    assert RUNS_SESSION_KEY not in bob_client.session
    first_step = bob_client.get("/cases/new/", follow=True)  # none in progress: a new one
    assert "filled in from the saved one" not in html_of(first_step)
    review = html_of(bob_client.get(first_step.request["PATH_INFO"].replace("tumour", "review")))
    assert "This step is not complete." in review
    assert "Small intestine" not in review


def test_starting_from_a_case_is_a_post_a_get_changes_nothing(alice_client, case):
    # A link from anywhere must not replace what the wizard holds.
    response = alice_client.get(detail(case) + "start/")

    assert response.status_code == 405
    assert RUNS_SESSION_KEY not in alice_client.session


# Each page of a case with the methods it answers: reading (GET, and HEAD where nothing is
# done but reading), deleting after a confirmation (POST), starting a new case (GET only:
# it fills in the wizard).
ALLOWED_METHODS = {
    "": "GET, HEAD",
    "print/": "GET, HEAD",
    "recheck/": "GET, HEAD",
    "delete/": "GET, POST",
    "start/": "POST",
}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("suffix", list(ALLOWED_METHODS))
def test_every_case_url_refuses_put_patch_and_delete_and_changes_nothing(
    alice_client, case, suffix, method
):
    response = getattr(alice_client, method)(
        detail(case) + suffix, data='{"reference": "changed"}', content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Allow"] == ALLOWED_METHODS[suffix]
    [kept] = Case.objects.all()
    assert (kept.pk, kept.reference, kept.snapshot) == (case.pk, "MDT-14", case.snapshot)
    assert RUNS_SESSION_KEY not in alice_client.session  # no new case filled in


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_history_refuses_put_patch_and_delete(alice_client, case, method):
    response = getattr(alice_client, method)("/cases/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]


@pytest.mark.parametrize("suffix", ["", "print/", "recheck/"])
def test_the_case_pages_answer_head_like_get_without_a_body(alice_client, case, suffix):
    response = alice_client.head(detail(case) + suffix)

    assert response.status_code == 200
    assert response.content == b""
