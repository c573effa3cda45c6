"""The case wizard at /cases/new/<step>/, through the test client and a real database.

Steps: tumour, pancreas (pancreatic tumours only), pathology, extent, metastases (distant
metastases only), review; then /cases/new/done/ shows the recommendations.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from guidance.models import Case
from guidance.wizard import RUNS_KEPT
from tests.pages import attribute, parse, reasons_on
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    RUNS_SESSION_KEY,
    SMALL_RECTUM,
    Tab,
    answer_steps,
    answers_for,
    case,
    done_url,
    encode,
    form_values,
    post_step,
    run_wizard,
    session_key,
    start,
    step_url,
)

pytestmark = pytest.mark.django_db

# A non-functional tumour of the pancreatic head that has spread: every step applies.
PANCREATIC_METASTATIC = case(METASTATIC_SMALL_BOWEL, site="pancreas", pancreas_region="head")
# The same tumour, localised: the pancreas step applies, the metastases step does not.
PANCREATIC_LOCALISED = case(LOCALISED_COLON, site="pancreas", pancreas_region="head")


def current_step(response) -> str:
    return response.context["wizard"]["steps"].current


def progress(response) -> str:
    match = re.search(r"Step \d+ of \d+", response.content.decode())
    assert match, "the page has no progress indicator"
    return match.group()


def change_url(client, step: str) -> str:
    return step_url(client, step) + "?change=1"


def path(url: str) -> str:
    return urlsplit(url).path


def lands_on(client, url: str) -> str:
    """Where a GET of ``url`` ends up, redirects followed."""
    response = client.get(url, follow=True)
    return response.redirect_chain[-1][0] if response.redirect_chain else url


def submit(client, page, url: str, **answers):
    """Submit a rendered step as the browser would: the form as shown, to the page's URL."""
    step = current_step(page)
    data = form_values(page)
    data.update({f"{step}-{name}": encode(value) for name, value in answers.items()})
    return client.post(url, data)


def expect_step_values(response, step: str, facts: dict) -> None:
    """The step's inputs show the case's answers (radios checked, numbers filled in)."""
    shown = form_values(response)
    for name, value in answers_for(step, facts).items():
        assert shown[f"{step}-{name}"] == encode(value), name


def review_rows(response) -> list[tuple[str, str]]:
    """The (question, answer) rows the review lists, in order."""
    return re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", response.content.decode())


def tamper(client, step: str, field: str, value: str) -> None:
    """Change one stored answer behind the wizard's back, as a forged session would."""
    session = client.session
    wizard = session[session_key(client)]
    wizard["step_data"][step][f"{step}-{field}"] = [value]
    session[session_key(client)] = wizard
    session.save()


# --- Progress --------------------------------------------------------------------------


def test_every_step_of_a_colon_case_shows_its_place_in_four_steps(client):
    steps = ["tumour", "pathology", "extent", "review"]
    response = start(client)
    for number, step in enumerate(steps, start=1):
        assert response.status_code == 200
        assert current_step(response) == step
        assert progress(response) == f"Step {number} of 4"
        assert 'aria-current="step"' in response.content.decode()
        if step != "review":
            redirect = post_step(client, step, **answers_for(step, LOCALISED_COLON))
            response = client.get(redirect.url)


def test_the_step_count_grows_as_the_pancreas_and_metastases_steps_come_into_play(client):
    # Before the site is known the wizard counts 4 steps; a pancreatic site makes it 5,
    # distant metastases 6.
    expected = {
        "tumour": "Step 1 of 4",
        "pancreas": "Step 2 of 5",
        "pathology": "Step 3 of 5",
        "extent": "Step 4 of 5",
        "metastases": "Step 5 of 6",
        "review": "Step 6 of 6",
    }
    response = start(client)
    for step, shown in expected.items():
        assert current_step(response) == step
        assert progress(response) == shown
        if step != "review":
            redirect = post_step(client, step, **answers_for(step, PANCREATIC_METASTATIC))
            response = client.get(redirect.url)


# --- Conditional steps -----------------------------------------------------------------


def test_it_asks_for_the_region_of_a_pancreatic_tumour(client):
    response = answer_steps(client, PANCREATIC_LOCALISED, until="pancreas")
    assert response.url == step_url(client, "pancreas")

    page = client.get(response.url)
    assert current_step(page) == "pancreas"
    assert "pancreas" in page.context["wizard"]["steps"].all
    assert "Region of the pancreas" in page.content.decode()


def test_it_skips_the_pancreas_step_for_a_colon_tumour(client):
    response = answer_steps(client, LOCALISED_COLON, until="pathology")
    assert response.url == step_url(client, "pathology")

    page = client.get(response.url)
    assert page.context["wizard"]["steps"].all == ["tumour", "pathology", "extent", "review"]
    # Asking for the skipped step by URL starts the wizard at its first step.
    assert client.get(step_url(client, "pancreas")).url == step_url(client, "tumour")


def test_it_asks_whether_distant_metastases_are_resectable(client):
    response = answer_steps(client, METASTATIC_SMALL_BOWEL, until="metastases")
    assert response.url == step_url(client, "metastases")

    page = client.get(response.url)
    assert current_step(page) == "metastases"
    assert "Are the metastases resectable?" in page.content.decode()


def test_it_skips_the_metastases_step_for_localised_disease(client):
    response = answer_steps(client, LOCALISED_COLON, until="review")
    assert response.url == step_url(client, "review")

    page = client.get(response.url)
    assert "metastases" not in page.context["wizard"]["steps"].all


# --- Back ------------------------------------------------------------------------------


def test_back_from_pathology_shows_the_tumour_answers_still_chosen(client):
    answers = case(LOCALISED_COLON, tumour_type="other_functional", hormonal_symptoms=True)
    answer_steps(client, answers, until="pathology")

    response = post_step(client, "pathology", back_to="tumour")
    assert response.status_code == 302
    assert response.url == step_url(client, "tumour")

    page = client.get(response.url)
    assert current_step(page) == "tumour"
    expect_step_values(page, "tumour", answers)


def test_back_keeps_what_was_typed_on_the_step_being_left(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    typed = {"differentiation": "poor", "ki67_percent": "25.5", "mitoses_per_10hpf": "30"}

    post_step(client, "pathology", back_to="tumour", **typed)
    forward = post_step(client, "tumour", **answers_for("tumour", LOCALISED_COLON))
    assert forward.url == step_url(client, "pathology")

    page = client.get(forward.url)
    expect_step_values(page, "pathology", typed)


def test_back_works_even_when_the_step_being_left_is_invalid(client):
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "extent", back_to="pathology", size_mm="0", extent="")
    assert response.status_code == 302
    assert response.url == step_url(client, "pathology")


def test_going_back_through_every_step_keeps_every_answer(client):
    answer_steps(client, PANCREATIC_METASTATIC, until="review")
    steps = ["review", "metastases", "extent", "pathology", "pancreas", "tumour"]

    for leaving, arriving in zip(steps, steps[1:], strict=False):
        response = post_step(client, leaving, back_to=arriving)
        assert response.url == step_url(client, arriving)
        page = client.get(response.url)
        assert current_step(page) == arriving
        expect_step_values(page, arriving, PANCREATIC_METASTATIC)


def test_back_to_a_step_the_new_answers_skip_stays_on_the_step_being_left(client):
    # A crafted Back: to the pancreas step, while changing the site away from the pancreas.
    answer_steps(client, PANCREATIC_LOCALISED, until="review")
    stomach = answers_for("tumour", case(PANCREATIC_LOCALISED, site="stomach"))

    response = post_step(client, "tumour", back_to="pancreas", **stomach)

    assert response.status_code == 302
    assert response.url == step_url(client, "tumour")
    page = client.get(response.url)
    assert current_step(page) == "tumour"
    expect_step_values(page, "tumour", case(PANCREATIC_LOCALISED, site="stomach"))
    assert "pancreas" not in page.context["wizard"]["steps"].all
    assert lands_on(client, "/cases/new/") == step_url(client, "tumour")


def test_a_stored_step_that_no_longer_applies_starts_the_wizard_again(client):
    # A session left pointing at a step its answers skip (as the crafted Back above once
    # left it) is not a server error on every later page.
    answer_steps(client, LOCALISED_COLON, until="review")
    session = client.session
    session[session_key(client)]["step"] = "pancreas"
    session.save()

    assert lands_on(client, "/cases/new/") == step_url(client, "tumour")
    assert client.get(step_url(client, "pancreas")).url == step_url(client, "tumour")
    assert client.get(step_url(client, "tumour")).status_code == 200


# --- Changing an answer from the review ------------------------------------------------


def test_a_change_link_returns_to_the_review(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    review = client.get(step_url(client, "review"))
    assert f'href="{change_url(client, "pathology")}"' in review.content.decode()

    page = client.get(change_url(client, "pathology"))
    assert current_step(page) == "pathology"
    assert form_values(page)["return_to_review"] == "1"
    assert "Save and return to review" in page.content.decode()

    response = post_step(
        client,
        "pathology",
        url=change_url(client, "pathology"),
        return_to_review=True,
        **answers_for("pathology", case(LOCALISED_COLON, ki67_percent=7)),
    )
    assert response.url == step_url(client, "review")
    assert "Ki-67 7 % is within 3 to 20 %: G2" in client.get(response.url).content.decode()


def test_a_step_reached_normally_has_no_way_back_to_the_review(client):
    page = start(client)
    assert "return_to_review" not in form_values(page)


def test_an_invalid_change_keeps_the_way_back_to_the_review(client):
    answer_steps(client, LOCALISED_COLON, until="review")

    page = post_step(
        client,
        "extent",
        url=change_url(client, "extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, size_mm=0)),
    )
    assert page.status_code == 200
    assert form_values(page)["return_to_review"] == "1"

    response = post_step(
        client,
        "extent",
        url=change_url(client, "extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, size_mm=18)),
    )
    assert response.url == step_url(client, "review")


def test_changing_the_site_from_pancreas_to_colon_drops_the_pancreas_step(client):
    answer_steps(client, PANCREATIC_LOCALISED, until="review")
    assert 'data-step="pancreas"' in client.get(step_url(client, "review")).content.decode()

    client.get(change_url(client, "tumour"))
    response = post_step(
        client,
        "tumour",
        url=change_url(client, "tumour"),
        return_to_review=True,
        **answers_for("tumour", LOCALISED_COLON),
    )
    assert response.url == step_url(client, "review")

    review = client.get(response.url)
    assert review.context["wizard"]["steps"].all == ["tumour", "pathology", "extent", "review"]
    assert 'data-step="pancreas"' not in review.content.decode()
    assert progress(review) == "Step 4 of 4"

    assert post_step(client, "review").url == done_url(client)
    result = client.get(done_url(client))
    assert result.status_code == 200
    html = result.content.decode()
    assert "Region of the pancreas" not in html
    assert 'data-section="pancreatoduodenectomy"' not in html
    assert 'data-section="lymph-node-dissection"' in html
    assert result.context["shown"]["facts"]["pancreas_region"] is None
    assert result.context["shown"]["facts"]["site"] == "colon"


def test_changing_extent_to_distant_metastases_asks_about_the_metastases_first(client):
    answer_steps(client, LOCALISED_COLON, until="review")

    client.get(change_url(client, "extent"))
    response = post_step(
        client,
        "extent",
        url=change_url(client, "extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, extent="distant_metastases")),
    )
    assert path(response.url) == step_url(client, "metastases")
    page = client.get(response.url)
    assert current_step(page) == "metastases"

    response = submit(client, page, response.url, metastases_resectable="no")
    assert response.url == step_url(client, "review")
    review = client.get(response.url).content.decode()
    assert 'data-step="metastases"' in review
    assert "Not resectable" in review


def test_changing_the_site_to_pancreas_asks_for_the_region_then_returns_to_the_review(client):
    # The required step must keep the way back to the review, or the clinician is walked
    # through pathology and extent again (metastases, the last step, hides this).
    answer_steps(client, LOCALISED_COLON, until="review")

    client.get(change_url(client, "tumour"))
    response = post_step(
        client,
        "tumour",
        url=change_url(client, "tumour"),
        return_to_review=True,
        **answers_for("tumour", PANCREATIC_LOCALISED),
    )
    assert path(response.url) == step_url(client, "pancreas")
    page = client.get(response.url)
    assert current_step(page) == "pancreas"

    response = submit(client, page, response.url, pancreas_region="body")
    assert response.url == step_url(client, "review")


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


def test_a_step_that_no_longer_applies_is_rejected(client):
    # e.g. a pancreas page left open in another tab after the site was changed to colon.
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "pancreas", pancreas_region="head")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()


# --- The review and pathology pages ----------------------------------------------------


def test_the_review_shows_every_answer_and_the_grade_with_its_explanation(client):
    answer_steps(client, PANCREATIC_METASTATIC, until="review")

    review = client.get(step_url(client, "review"))

    assert current_step(review) == "review"
    html = review.content.decode()
    shown = [  # in step order
        ("Primary site", "Pancreas"),
        ("Tumour type", "Other functional tumour"),
        ("Hormonal symptoms", "Yes"),
        ("Region of the pancreas", "Head"),
        ("Differentiation", "Well differentiated"),
        ("Ki-67 index (%)", "4"),
        ("Mitoses per 10 HPF", "2"),
        ("Size of the primary tumour (mm)", "30"),
        ("Extent of disease", "Distant metastases"),
        ("Somatostatin-receptor imaging", "Positive"),
        ("Are the metastases resectable?", "Resectable"),
    ]
    assert review_rows(review) == shown
    for step in ("tumour", "pancreas", "pathology", "extent", "metastases"):
        assert f'href="{change_url(client, step)}"' in html
    assert "This step is not complete." not in html
    assert "Grade from the pathology: G2" in html
    assert "Ki-67 4 % is within 3 to 20 %: G2" in html
    assert "mitotic count 2 per 10 HPF is within 2 to 20: G2" in html
    assert "both give G2" in html


def test_the_review_says_when_the_grade_is_unknown(client):
    answers = case(LOCALISED_COLON, ki67_percent=None, mitoses_per_10hpf=None)
    answer_steps(client, answers, until="review")

    review = client.get(step_url(client, "review"))

    html = review.content.decode()
    assert "Grade from the pathology: unknown" in html
    assert "neither Ki-67 nor a mitotic count was given" in html
    rows = dict(review_rows(review))
    assert rows["Ki-67 index (%)"] == "Not given"
    assert rows["Mitoses per 10 HPF"] == "Not given"


def test_the_pathology_step_shows_the_grading_rules(client):
    response = answer_steps(client, LOCALISED_COLON, until="pathology")

    html = client.get(response.url).content.decode()

    assert "How the grade is derived" in html
    assert "Ki-67 below 3 % is G1; 3 to 20 % is G2; above 20 % is G3." in html
    assert "Mitoses per 10 HPF below 2 is G1; 2 to 20 is G2; above 20 is G3." in html
    assert "With both given, the higher grade is used." in html


def test_other_steps_do_not_show_the_grading_rules(client):
    response = answer_steps(client, LOCALISED_COLON, until="extent")

    assert "How the grade is derived" not in client.get(response.url).content.decode()


def test_showing_a_step_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    answer_steps(client, LOCALISED_COLON, until="pathology")

    # 1. SELECT django_session: the wizard's answers
    # 2-4. SAVEPOINT, UPDATE django_session, RELEASE SAVEPOINT: formtools' session storage
    #    marks the session changed whenever it reads the answers, so it is written back
    #    (the session save's atomic block, a savepoint inside the test's transaction)
    with django_assert_num_queries(4):
        response = client.get(step_url(client, "pathology"))

    assert current_step(response) == "pathology"


# --- Each run of the wizard is one case --------------------------------------------------

NOTHING_SAVED = "Nothing was saved."


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


# --- The answers a step starts with ------------------------------------------------------


def chosen(html: str, name: str) -> list[tuple[str, str]]:
    """The radios of ``name`` that the page has chosen: (value, its label's words)."""
    page = parse(html)
    return [
        (radio.attrs["value"], page.one("label", for_=radio.attrs["id"]).text())
        for radio in page.find_all("input", type="radio", name=name)
        if "checked" in radio.attrs
    ]


def test_the_metastases_step_starts_with_not_yet_assessed_chosen(client):
    response = answer_steps(client, METASTATIC_SMALL_BOWEL, until="metastases")

    html = client.get(response.url).content.decode()

    assert chosen(html, "metastases-metastases_resectable") == [("unknown", "Not yet assessed")]


def test_the_extent_step_starts_with_ssr_imaging_not_done_chosen(client):
    response = answer_steps(client, LOCALISED_COLON, until="extent")

    html = client.get(response.url).content.decode()

    assert chosen(html, "extent-ssr_imaging") == [("not_done", "Not done")]
    assert chosen(html, "extent-extent") == []


def test_a_metastatic_case_whose_resectability_is_left_as_it_starts_is_advised_as_not_assessed(
    client,
):
    # A clinician who presses Next on the metastases step without choosing.
    tab = Tab(client)
    tab.start(METASTATIC_SMALL_BOWEL, until="metastases")
    tab.press("Next")
    assert ("Are the metastases resectable?", "Not yet assessed") in review_rows(tab.response)

    tab.press("Show recommendations")

    html = tab.html
    assert reasons_on(html, "debulking-surgery") == [
        "extent: distant metastases",
        "metastases resectable: not yet assessed",
    ]
    assert attribute(html, "data-warning")[-1] == "resectability-unknown"


def test_a_case_whose_ssr_imaging_is_left_as_it_starts_is_saved_as_not_done(client):
    tab = Tab(client)
    tab.start(METASTATIC_SMALL_BOWEL, until="extent")
    typed = {
        f"extent-{name}": encode(METASTATIC_SMALL_BOWEL[name]) for name in ("size_mm", "extent")
    }
    tab.press("Next", typed)
    tab.answer("metastases", METASTATIC_SMALL_BOWEL)
    assert ("Somatostatin-receptor imaging", "Not done") in review_rows(tab.response)
