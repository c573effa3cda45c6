"""What the wizard refuses: bad answers get a field error on the same step; tampered steps,
replayed reviews and unknown step names are rejected; the final submit re-validates every
step with CaseForm.
"""

from __future__ import annotations

import pytest

from guidance.models import Case
from tests.wizard_client import (
    GASTRIC_TYPE_1,
    LOCALISED_COLON,
    NOTHING_SAVED,
    PANCREATIC_LOCALISED,
    RUNS_SESSION_KEY,
    answer_steps,
    answers_for,
    current_step,
    done_url,
    form_values,
    lands_on,
    post_step,
    run_wizard,
    session_key,
    start,
    step_url,
    tamper,
)

pytestmark = pytest.mark.django_db


# --- Bad input -------------------------------------------------------------------------

SIZE_RANGE = "Size must be greater than 0 and at most 300 mm."
KI67_RANGE = "Ki-67 must be between 0 and 100 per cent."
MITOSES_RANGE = "The mitotic count must be between 0 and 500."
ONE_PLACE = "Ensure that there are no more than 1 decimal place."
REQUIRED = "This field is required."
OUT_OF_DATE = "This page is out of date: it is not a step of the case in progress."

BAD_INPUT = [
    # (step, field, value posted, error shown)
    ("extent", "size_mm", "0", SIZE_RANGE),
    ("extent", "size_mm", "-5", SIZE_RANGE),
    ("extent", "size_mm", "300.1", SIZE_RANGE),
    ("extent", "size_mm", "12.34", ONE_PLACE),
    ("extent", "size_mm", "big", "Enter the size in millimetres, e.g. 15 or 15.5."),
    ("extent", "size_mm", "", REQUIRED),
    ("extent", "extent", "", REQUIRED),
    ("extent", "ssr_imaging", "maybe", "Choose positive, negative or not done."),
    # Out-of-range Ki-67 was once a 500: a "%" in a message that Django %-formats.
    ("pathology", "ki67_percent", "100.1", KI67_RANGE),
    ("pathology", "ki67_percent", "-1", KI67_RANGE),
    ("pathology", "ki67_percent", "12.34", ONE_PLACE),
    ("pathology", "ki67_percent", "high", "Enter Ki-67 as a number, e.g. 2.5."),
    ("pathology", "mitoses_per_10hpf", "501", MITOSES_RANGE),
    ("pathology", "mitoses_per_10hpf", "-1", MITOSES_RANGE),
    ("pathology", "mitoses_per_10hpf", "2.5", "Enter the mitotic count as a whole number."),
    ("pathology", "differentiation", "moderate", "Choose well, poor or not known."),
    ("pathology", "differentiation", "", REQUIRED),
    ("tumour", "site", "mars", "Choose one of the listed sites."),
    ("tumour", "site", "", REQUIRED),
    ("tumour", "tumour_type", "carcinoid", "Choose one of the listed tumour types."),
    ("tumour", "hormonal_symptoms", "sometimes", "Answer yes or no."),
    ("tumour", "hormonal_symptoms", "", REQUIRED),
]


@pytest.mark.parametrize(
    ("step", "field", "value", "error"),
    BAD_INPUT,
    ids=[f"{field}={value!r}" for _, field, value, _ in BAD_INPUT],
)
def test_bad_input_gets_a_field_error_on_the_same_step(client, step, field, value, error):
    answer_steps(client, LOCALISED_COLON, until=step)
    answers = {**answers_for(step, LOCALISED_COLON), field: value}

    response = post_step(client, step, **answers)

    assert response.status_code == 200
    assert current_step(response) == step
    assert list(response.context["wizard"]["form"].errors) == [field]
    assert error in response.context["wizard"]["form"].errors[field]
    html = response.content.decode()
    assert error in html
    assert "Please correct the 1 answer marked below." in html


@pytest.mark.parametrize(
    ("step", "field", "value"),
    [("extent", "size_mm", "12.34"), ("pathology", "mitoses_per_10hpf", "2.5")],
)
def test_a_rejected_number_is_shown_again_to_be_corrected(client, step, field, value):
    answer_steps(client, LOCALISED_COLON, until=step)

    response = post_step(client, step, **{**answers_for(step, LOCALISED_COLON), field: value})

    assert form_values(response)[f"{step}-{field}"] == value


@pytest.mark.parametrize(
    ("step", "field"),
    [("extent", "size_mm"), ("pathology", "ki67_percent"), ("pathology", "mitoses_per_10hpf")],
)
def test_a_number_with_an_underscore_is_an_error_not_a_guess(client, step, field):
    # Python reads "1_5" as 15; a clinician typed something else, so it is an error.
    answer_steps(client, LOCALISED_COLON, until=step)

    response = post_step(client, step, **{**answers_for(step, LOCALISED_COLON), field: "1_5"})

    assert response.status_code == 200
    assert field in response.context["wizard"]["form"].errors


def test_markup_typed_into_a_number_is_shown_back_escaped(client):
    answer_steps(client, LOCALISED_COLON, until="extent")
    typed = '"><script>alert(1)</script>'

    response = post_step(
        client, "extent", **{**answers_for("extent", LOCALISED_COLON), "size_mm": typed}
    )

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert form_values(response)["extent-size_mm"] == typed


def test_an_empty_tumour_step_marks_every_question(client):
    start(client)
    response = post_step(client, "tumour")

    assert response.status_code == 200
    errors = response.context["wizard"]["form"].errors
    assert set(errors) == {"site", "tumour_type", "hormonal_symptoms"}
    assert response.content.decode().count("This field is required.") == 3
    assert "Please correct the 3 answers marked below." in response.content.decode()


def test_a_pancreatic_tumour_needs_its_region(client):
    answer_steps(client, PANCREATIC_LOCALISED, until="pancreas")
    response = post_step(client, "pancreas", pancreas_region="")

    assert response.status_code == 200
    assert current_step(response) == "pancreas"
    assert "Choose the region of the pancreas." in response.content.decode()


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "Choose the type of the gastric NET, or not known."),
        ("type_4", "Choose one of the listed types."),
        ("Type 1", "Choose one of the listed types."),
    ],
)
def test_a_gastric_net_needs_one_of_the_listed_types(client, value, error):
    answer_steps(client, GASTRIC_TYPE_1, until="stomach")
    response = post_step(client, "stomach", gastric_type=value)

    assert response.status_code == 200
    assert current_step(response) == "stomach"
    assert response.context["wizard"]["form"].errors == {"gastric_type": [error]}
    assert error in response.content.decode()


# --- Tampering and replays -------------------------------------------------------------


def test_a_tampered_step_name_is_rejected(client):
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "bogus", url=step_url(client, "extent"), size_mm="10")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()
    # The case in progress is kept: the wizard carries on where it was.
    assert lands_on(client, "/cases/new/") == step_url(client, "extent")
    assert form_values(client.get(step_url(client, "tumour")))["tumour-site"] == "colon"


def test_a_post_without_the_management_form_is_a_400(client):
    start(client)

    response = client.post(step_url(client, "tumour"), {"tumour-site": "colon"})

    assert response.status_code == 400


NOT_IN_PROGRESS = "This case is no longer in progress"
A_RUN_NEVER_STARTED = "0123456789abcdef0123456789abcdef"


def test_posting_the_review_of_a_case_never_started_here_is_rejected(client):
    client.wizard_run = A_RUN_NEVER_STARTED

    response = post_step(client, "review", shown="")

    assert response.status_code == 400
    assert NOT_IN_PROGRESS in response.content.decode()
    assert NOTHING_SAVED in response.content.decode()
    assert response.templates[0].name == "guidance/wizard_rejected.html"
    assert RUNS_SESSION_KEY not in client.session


def test_replaying_the_review_after_the_case_is_done_is_rejected(client):
    assert run_wizard(client, LOCALISED_COLON).status_code == 200

    replay = post_step(client, "review", shown="")
    assert replay.status_code == 400
    assert NOT_IN_PROGRESS in replay.content.decode()

    old_step = post_step(client, "extent", **answers_for("extent", LOCALISED_COLON))
    assert old_step.status_code == 400
    assert session_key(client) not in client.session


def test_refreshing_the_done_url_does_not_show_the_case_again(client):
    first = run_wizard(client, LOCALISED_COLON)
    assert 'data-section="curative-excision"' in first.content.decode()

    refresh = client.get(done_url(client))

    assert refresh.status_code == 404
    html = refresh.content.decode()
    assert NOT_IN_PROGRESS in html
    assert "data-section" not in html
    assert ">Start a new case</button>" in html


def test_the_done_url_of_a_case_never_started_here_shows_nothing(client):
    response = client.get(done_url(client, run=A_RUN_NEVER_STARTED))

    assert response.status_code == 404
    assert NOT_IN_PROGRESS in response.content.decode()
    assert "data-section" not in response.content.decode()


def test_an_unknown_step_in_the_url_goes_to_the_first_step(client):
    start(client)

    response = client.get(step_url(client, "bogus"))

    assert response.status_code == 302
    assert response.url == step_url(client, "tumour")


# --- The final submit re-validates every step ------------------------------------------


def test_the_final_submit_revalidates_a_tampered_step(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    tamper(client, "pathology", "mitoses_per_10hpf", "2.5")

    response = post_step(client, "review")
    assert response.url == done_url(client)
    done = client.get(done_url(client))

    assert done.status_code == 302
    assert done.url == step_url(client, "pathology")
    page = client.get(done.url)
    assert current_step(page) == "pathology"
    assert "Enter the mitotic count as a whole number." in page.content.decode()


def test_the_final_submit_revalidates_a_tampered_choice(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    tamper(client, "tumour", "site", "mars")

    post_step(client, "review")
    done = client.get(done_url(client))

    assert done.url == step_url(client, "tumour")
    assert "data-section" not in client.get(done.url).content.decode()


def test_an_invalid_answer_left_behind_by_back_is_caught_at_the_final_submit(client):
    answer_steps(client, LOCALISED_COLON, until="extent")
    # Back stores what was typed, valid or not; the review then sends the case on.
    post_step(
        client,
        "extent",
        back_to="pathology",
        size_mm="0",
        extent="localised",
        ssr_imaging="not_done",
    )
    client.get(step_url(client, "review"))

    assert post_step(client, "review").url == done_url(client)
    done = client.get(done_url(client))

    assert done.url == step_url(client, "extent")
    page = client.get(done.url)
    assert "Size must be greater than 0 and at most 300 mm." in page.content.decode()


def test_asking_for_recommendations_with_steps_unanswered_goes_to_the_first_of_them(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    review = client.get(step_url(client, "review"))
    assert review.content.decode().count("This step is not complete.") == 2

    assert post_step(client, "review").url == done_url(client)
    done = client.get(done_url(client))

    assert done.url == step_url(client, "pathology")


def test_the_final_submit_revalidates_a_tampered_gastric_type_and_saves_nothing(
    alice_client,
):
    answer_steps(alice_client, GASTRIC_TYPE_1, until="review")
    tamper(alice_client, "stomach", "gastric_type", "type_9")

    post_step(alice_client, "review")
    done = alice_client.get(done_url(alice_client))

    assert done.url == step_url(alice_client, "stomach")
    assert "Choose one of the listed types." in alice_client.get(done.url).content.decode()
    assert not Case.objects.exists()


def test_a_gastric_step_for_a_case_of_another_site_is_rejected(client):
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "stomach", gastric_type="type_1")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()


def test_a_step_that_no_longer_applies_is_rejected(client):
    # e.g. a pancreas page left open in another tab after the site was changed to colon.
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "pancreas", pancreas_region="head")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()
