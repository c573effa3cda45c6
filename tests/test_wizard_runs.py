"""Each run of the wizard is one case: cases in several tabs of one session keep their own
answers, a review whose answers changed or are gone saves nothing, and starting a case is a
POST that wipes nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client

from guidance.models import Case
from guidance.wizard import RUNS_KEPT
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    NOTHING_SAVED,
    SMALL_RECTUM,
    Tab,
    answer_steps,
    done_url,
    review_rows,
    step_url,
)

pytestmark = pytest.mark.django_db


# --- Each run of the wizard is one case --------------------------------------------------

def saved_facts(reference: str) -> dict:
    return Case.objects.get(reference=reference).snapshot["facts"]


def test_two_cases_in_two_tabs_of_one_session_each_save_their_own_answers(alice_client):
    first, second = Tab(alice_client), Tab(alice_client)
    first.start(SMALL_RECTUM)
    second.start(METASTATIC_SMALL_BOWEL)

    first.answer("review", SMALL_RECTUM, reference="MDT 1")
    second.answer("review", METASTATIC_SMALL_BOWEL, reference="MDT 2")

    assert Case.objects.count() == 2
    assert saved_facts("MDT 1")["site"] == "rectum"
    assert saved_facts("MDT 1")["size_mm"] == 7
    assert saved_facts("MDT 2")["site"] == "small_intestine"
    assert saved_facts("MDT 2")["extent"] == "distant_metastases"
    assert first.url == Case.objects.get(reference="MDT 1").get_absolute_url()
    assert second.url == Case.objects.get(reference="MDT 2").get_absolute_url()


def test_a_new_case_in_another_tab_leaves_the_case_in_progress_as_it_was(client):
    first, second = Tab(client), Tab(client)
    first.start(LOCALISED_COLON, until="extent")

    second.start(METASTATIC_SMALL_BOWEL, until="extent")
    first.answer("extent", LOCALISED_COLON)

    rows = dict(review_rows(first.response))
    assert rows["Primary site"] == "Colon"
    assert rows["Size of the primary tumour (mm)"] == "15"
    second.answer("extent", METASTATIC_SMALL_BOWEL)
    second.answer("metastases", METASTATIC_SMALL_BOWEL)
    assert dict(review_rows(second.response))["Primary site"] == "Small intestine"


def test_a_review_whose_answers_changed_in_another_tab_saves_nothing(alice_client):
    first = Tab(alice_client)
    first.start(LOCALISED_COLON)
    # The same case open in a second tab, where the Ki-67 is changed from the review.
    second = Tab(alice_client)
    second.open(first.url)
    second.press("Change pathology")
    second.press(
        "Save and return to review",
        {"pathology-ki67_percent": "25", "pathology-mitoses_per_10hpf": "1"},
    )
    assert "Ki-67 25 % is above 20 %: G3" in second.html

    first.answer("review", LOCALISED_COLON, reference="MDT 3")

    assert first.status_code == 400
    assert NOTHING_SAVED in first.html
    assert "changed after this review was shown" in first.html
    assert not Case.objects.exists()
    # Reviewed again, the case shows the answers as they now are, and saves them.
    first.press("Review the case again")
    assert "Ki-67 25 % is above 20 %: G3" in first.html
    first.answer("review", LOCALISED_COLON, reference="MDT 3")
    assert saved_facts("MDT 3")["ki67_percent"] == 25
    assert Case.objects.get().grade == "G3"


def test_a_review_whose_answers_are_gone_saves_nothing_and_says_so(alice_client):
    first = Tab(alice_client)
    first.start(LOCALISED_COLON)
    # So many newer cases started in other tabs that this one is no longer kept.
    other = Tab(alice_client)
    for _ in range(RUNS_KEPT):
        other.start(LOCALISED_COLON, until="tumour")

    first.answer("review", LOCALISED_COLON, reference="MDT 4")

    assert first.status_code == 400
    assert NOTHING_SAVED in first.html
    assert "no longer in progress" in first.html
    assert not Case.objects.exists()
    first.press("Start a new case")
    assert first.url.endswith("/tumour/")


def test_the_done_url_asked_for_without_submitting_the_review_saves_nothing(alice_client):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = alice_client.get(done_url(alice_client))

    assert response.status_code == 400
    html = response.content.decode()
    assert "This case has not been reviewed as it now stands." in html
    assert NOTHING_SAVED in html
    assert f'href="{step_url(alice_client, "review")}">Review the case again</a>' in html
    assert not Case.objects.exists()


def test_the_most_recent_cases_started_are_all_kept(alice_client):
    first = Tab(alice_client)
    first.start(LOCALISED_COLON)
    other = Tab(alice_client)
    for _ in range(RUNS_KEPT - 1):
        other.start(LOCALISED_COLON, until="tumour")

    first.answer("review", LOCALISED_COLON, reference="MDT 5")

    assert saved_facts("MDT 5")["site"] == "colon"


def test_following_a_link_to_start_a_case_wipes_nothing(client):
    # A GET (a link from another site, say) never changes the wizard: the old reset link
    # now just leads to the case in progress.
    tab = Tab(client)
    tab.start(LOCALISED_COLON, until="extent")

    client.get("/cases/new/?reset=1", follow=True)
    tab.answer("extent", LOCALISED_COLON)

    assert dict(review_rows(tab.response))["Primary site"] == "Colon"


def test_starting_a_new_case_needs_the_csrf_token(client):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/cases/new/").status_code == 403
