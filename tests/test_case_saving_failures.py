"""A case is saved all or nothing: a failure while saving leaves no case, says plainly that
nothing was kept, still shows the advice, and keeps the answers for another try.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from guidance import recommendation
from guidance.models import Case
from tests.pages import detail
from tests.wizard_client import LOCALISED_COLON, SAVED_MESSAGE, post_step, run_wizard, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client_no_raise(client_for, alice):
    """Alice's browser: a server error comes back as a page instead of raising in the test."""
    return client_for(alice, raise_request_exception=False)


def refuse_to_save(self, *args, **kwargs):
    """Stands in for Case.save when the database fails (a lock timeout, a full disk)."""
    raise IntegrityError("simulated database failure")


# --- All or nothing -----------------------------------------------------------------------


def test_a_failure_after_the_row_is_written_leaves_no_case(monkeypatch, alice_client_no_raise):
    written = []
    real_save = Case.save

    def save_then_fail(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        written.append(Case.objects.filter(pk=self.pk).exists())
        raise IntegrityError("simulated failure after the INSERT")

    monkeypatch.setattr(Case, "save", save_then_fail)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON, reference="MDT 1")

    assert written == [True], "the failure did not come after the row was written"
    assert not Case.objects.exists()
    assert response.status_code != 500, "a failed save is a bare server error"


def test_a_failed_save_says_plainly_that_nothing_was_kept(monkeypatch, alice_client_no_raise):
    monkeypatch.setattr(Case, "save", refuse_to_save)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    assert response.status_code == 503
    html = response.content.decode()
    assert "This case could not be saved, and nothing about it was stored." in " ".join(
        html.split()
    )
    assert SAVED_MESSAGE not in html
    # The advice itself is still shown.
    assert 'data-section="curative-excision"' in html
    assert not Case.objects.exists()


def test_the_database_refusing_the_row_leaves_no_case(monkeypatch, alice_client_no_raise):
    # A real constraint failure, not a mock: a grade the check constraint does not allow.
    real_build = recommendation.build

    def build_with_bad_grade(**kwargs):
        return {**real_build(**kwargs), "grade": "G4"}

    monkeypatch.setattr(recommendation, "build", build_with_bad_grade)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    assert response.status_code == 503
    assert not Case.objects.exists()


def test_after_a_failed_save_running_the_case_again_saves_it_once(
    monkeypatch, alice_client_no_raise
):
    with monkeypatch.context() as patch:
        patch.setattr(Case, "save", refuse_to_save)
        assert run_wizard(alice_client_no_raise, LOCALISED_COLON).status_code == 503

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    case = Case.objects.get()
    assert response.url == detail(case)


def test_after_a_failed_save_the_answers_are_kept_for_another_try(
    monkeypatch, alice_client_no_raise
):
    with monkeypatch.context() as patch:
        patch.setattr(Case, "save", refuse_to_save)
        assert run_wizard(alice_client_no_raise, LOCALISED_COLON).status_code == 503

    # The wizard reopens at the review with every answer still there; one submit saves it.
    review = alice_client_no_raise.get(step_url(alice_client_no_raise, "review"))
    assert review.status_code == 200
    assert "Colon" in review.content.decode()
    response = post_step(alice_client_no_raise, "review", reference="")
    done = alice_client_no_raise.get(response.url)
    assert done.url == detail(Case.objects.get())
