"""The case wizard at /cases/new/<step>/, through the test client and a real database.

Steps: tumour, pancreas (pancreatic tumours only), pathology, extent, metastases (distant
metastases only), review; then /cases/new/done/ shows the recommendations.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.wizard_client import (
    DONE_URL,
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    SESSION_KEY,
    START_URL,
    answer_steps,
    answers_for,
    case,
    encode,
    form_values,
    post_step,
    run_wizard,
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


def change_url(step: str) -> str:
    return step_url(step) + "?change=1"


def path(url: str) -> str:
    return urlsplit(url).path


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
    wizard = session[SESSION_KEY]
    wizard["step_data"][step][f"{step}-{field}"] = [value]
    session[SESSION_KEY] = wizard
    session.save()


# --- Progress --------------------------------------------------------------------------


def test_every_step_of_a_colon_case_shows_its_place_in_four_steps(client):
    steps = ["tumour", "pathology", "extent", "review"]
    response = client.get(START_URL, follow=True)
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
    response = client.get(START_URL, follow=True)
    for step, shown in expected.items():
        assert current_step(response) == step
        assert progress(response) == shown
        if step != "review":
            redirect = post_step(client, step, **answers_for(step, PANCREATIC_METASTATIC))
            response = client.get(redirect.url)


# --- Conditional steps -----------------------------------------------------------------


def test_it_asks_for_the_region_of_a_pancreatic_tumour(client):
    response = answer_steps(client, PANCREATIC_LOCALISED, until="pancreas")
    assert response.url == step_url("pancreas")

    page = client.get(response.url)
    assert current_step(page) == "pancreas"
    assert "pancreas" in page.context["wizard"]["steps"].all
    assert "Region of the pancreas" in page.content.decode()


def test_it_skips_the_pancreas_step_for_a_colon_tumour(client):
    response = answer_steps(client, LOCALISED_COLON, until="pathology")
    assert response.url == step_url("pathology")

    page = client.get(response.url)
    assert page.context["wizard"]["steps"].all == ["tumour", "pathology", "extent", "review"]
    # Asking for the skipped step by URL starts the wizard at its first step.
    assert client.get(step_url("pancreas")).url == step_url("tumour")


def test_it_asks_whether_distant_metastases_are_resectable(client):
    response = answer_steps(client, METASTATIC_SMALL_BOWEL, until="metastases")
    assert response.url == step_url("metastases")

    page = client.get(response.url)
    assert current_step(page) == "metastases"
    assert "Are the metastases resectable?" in page.content.decode()


def test_it_skips_the_metastases_step_for_localised_disease(client):
    response = answer_steps(client, LOCALISED_COLON, until="review")
    assert response.url == step_url("review")

    page = client.get(response.url)
    assert "metastases" not in page.context["wizard"]["steps"].all


# --- Back ------------------------------------------------------------------------------


def test_back_from_pathology_shows_the_tumour_answers_still_chosen(client):
    answers = case(LOCALISED_COLON, tumour_type="other_functional", hormonal_symptoms=True)
    answer_steps(client, answers, until="pathology")

    response = post_step(client, "pathology", back_to="tumour")
    assert response.status_code == 302
    assert response.url == step_url("tumour")

    page = client.get(response.url)
    assert current_step(page) == "tumour"
    expect_step_values(page, "tumour", answers)


def test_back_keeps_what_was_typed_on_the_step_being_left(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    typed = {"differentiation": "poor", "ki67_percent": "25.5", "mitoses_per_10hpf": "30"}

    post_step(client, "pathology", back_to="tumour", **typed)
    forward = post_step(client, "tumour", **answers_for("tumour", LOCALISED_COLON))
    assert forward.url == step_url("pathology")

    page = client.get(forward.url)
    expect_step_values(page, "pathology", typed)


def test_back_works_even_when_the_step_being_left_is_invalid(client):
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "extent", back_to="pathology", size_mm="0", extent="")
    assert response.status_code == 302
    assert response.url == step_url("pathology")


def test_going_back_through_every_step_keeps_every_answer(client):
    answer_steps(client, PANCREATIC_METASTATIC, until="review")
    steps = ["review", "metastases", "extent", "pathology", "pancreas", "tumour"]

    for leaving, arriving in zip(steps, steps[1:], strict=False):
        response = post_step(client, leaving, back_to=arriving)
        assert response.url == step_url(arriving)
        page = client.get(response.url)
        assert current_step(page) == arriving
        expect_step_values(page, arriving, PANCREATIC_METASTATIC)


def test_back_to_a_step_the_new_answers_skip_stays_on_the_step_being_left(client):
    # A crafted Back: to the pancreas step, while changing the site away from the pancreas.
    answer_steps(client, PANCREATIC_LOCALISED, until="review")
    stomach = answers_for("tumour", case(PANCREATIC_LOCALISED, site="stomach"))

    response = post_step(client, "tumour", back_to="pancreas", **stomach)

    assert response.status_code == 302
    assert response.url == step_url("tumour")
    page = client.get(response.url)
    assert current_step(page) == "tumour"
    expect_step_values(page, "tumour", case(PANCREATIC_LOCALISED, site="stomach"))
    assert "pancreas" not in page.context["wizard"]["steps"].all
    assert client.get("/cases/new/").url == step_url("tumour")


def test_a_stored_step_that_no_longer_applies_starts_the_wizard_again(client):
    # A session left pointing at a step its answers skip (as the crafted Back above once
    # left it) is not a server error on every later page.
    answer_steps(client, LOCALISED_COLON, until="review")
    session = client.session
    session[SESSION_KEY]["step"] = "pancreas"
    session.save()

    response = client.get("/cases/new/")

    assert response.status_code == 302
    assert response.url == step_url("tumour")
    assert client.get(step_url("pancreas")).url == step_url("tumour")
    assert client.get(step_url("tumour")).status_code == 200


# --- Changing an answer from the review ------------------------------------------------


def test_a_change_link_returns_to_the_review(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    review = client.get(step_url("review"))
    assert f'href="{change_url("pathology")}"' in review.content.decode()

    page = client.get(change_url("pathology"))
    assert current_step(page) == "pathology"
    assert form_values(page)["return_to_review"] == "1"
    assert "Save and return to review" in page.content.decode()

    response = post_step(
        client,
        "pathology",
        url=change_url("pathology"),
        return_to_review=True,
        **answers_for("pathology", case(LOCALISED_COLON, ki67_percent=7)),
    )
    assert response.url == step_url("review")
    assert "Ki-67 7 % is within 3 to 20 %: G2" in client.get(response.url).content.decode()


def test_a_step_reached_normally_has_no_way_back_to_the_review(client):
    page = client.get(START_URL, follow=True)
    assert "return_to_review" not in form_values(page)


def test_an_invalid_change_keeps_the_way_back_to_the_review(client):
    answer_steps(client, LOCALISED_COLON, until="review")

    page = post_step(
        client,
        "extent",
        url=change_url("extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, size_mm=0)),
    )
    assert page.status_code == 200
    assert form_values(page)["return_to_review"] == "1"

    response = post_step(
        client,
        "extent",
        url=change_url("extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, size_mm=18)),
    )
    assert response.url == step_url("review")


def test_changing_the_site_from_pancreas_to_colon_drops_the_pancreas_step(client):
    answer_steps(client, PANCREATIC_LOCALISED, until="review")
    assert 'data-step="pancreas"' in client.get(step_url("review")).content.decode()

    client.get(change_url("tumour"))
    response = post_step(
        client,
        "tumour",
        url=change_url("tumour"),
        return_to_review=True,
        **answers_for("tumour", LOCALISED_COLON),
    )
    assert response.url == step_url("review")

    review = client.get(response.url)
    assert review.context["wizard"]["steps"].all == ["tumour", "pathology", "extent", "review"]
    assert 'data-step="pancreas"' not in review.content.decode()
    assert progress(review) == "Step 4 of 4"

    assert post_step(client, "review").url == DONE_URL
    result = client.get(DONE_URL)
    assert result.status_code == 200
    html = result.content.decode()
    assert "Region of the pancreas" not in html
    assert 'data-section="pancreatoduodenectomy"' not in html
    assert 'data-section="lymph-node-dissection"' in html
    assert result.context["shown"]["facts"]["pancreas_region"] is None
    assert result.context["shown"]["facts"]["site"] == "colon"


def test_changing_extent_to_distant_metastases_asks_about_the_metastases_first(client):
    answer_steps(client, LOCALISED_COLON, until="review")

    client.get(change_url("extent"))
    response = post_step(
        client,
        "extent",
        url=change_url("extent"),
        return_to_review=True,
        **answers_for("extent", case(LOCALISED_COLON, extent="distant_metastases")),
    )
    assert path(response.url) == step_url("metastases")
    page = client.get(response.url)
    assert current_step(page) == "metastases"

    response = submit(client, page, response.url, metastases_resectable="no")
    assert response.url == step_url("review")
    review = client.get(response.url).content.decode()
    assert 'data-step="metastases"' in review
    assert "Not resectable" in review


def test_changing_the_site_to_pancreas_asks_for_the_region_then_returns_to_the_review(client):
    # The required step must keep the way back to the review, or the clinician is walked
    # through pathology and extent again (metastases, the last step, hides this).
    answer_steps(client, LOCALISED_COLON, until="review")

    client.get(change_url("tumour"))
    response = post_step(
        client,
        "tumour",
        url=change_url("tumour"),
        return_to_review=True,
        **answers_for("tumour", PANCREATIC_LOCALISED),
    )
    assert path(response.url) == step_url("pancreas")
    page = client.get(response.url)
    assert current_step(page) == "pancreas"

    response = submit(client, page, response.url, pancreas_region="body")
    assert response.url == step_url("review")


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
    client.get(START_URL)
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

    response = post_step(client, "bogus", url=step_url("extent"), size_mm="10")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()
    # The case in progress is kept: the wizard carries on where it was.
    assert client.get("/cases/new/").url == step_url("extent")
    assert form_values(client.get(step_url("tumour")))["tumour-site"] == "colon"


def test_a_post_without_the_management_form_is_a_400(client):
    client.get(START_URL)

    response = client.post(step_url("tumour"), {"tumour-site": "colon"})

    assert response.status_code == 400


def test_posting_the_review_in_a_fresh_session_is_rejected(client):
    response = post_step(client, "review")

    assert response.status_code == 400
    assert "already been submitted or has expired" in response.content.decode()
    assert response.templates[0].name == "guidance/wizard_rejected.html"


def test_replaying_the_review_after_the_case_is_done_is_rejected(client):
    assert run_wizard(client, LOCALISED_COLON).status_code == 200

    replay = post_step(client, "review")
    assert replay.status_code == 400
    assert "already been submitted or has expired" in replay.content.decode()

    old_step = post_step(client, "extent", **answers_for("extent", LOCALISED_COLON))
    assert old_step.status_code == 400


def test_refreshing_the_done_url_does_not_show_the_case_again(client):
    first = run_wizard(client, LOCALISED_COLON)
    assert 'data-section="curative-excision"' in first.content.decode()

    refresh = client.get(DONE_URL)

    assert refresh.status_code == 302
    assert refresh.url == step_url("tumour")
    page = client.get(refresh.url)
    assert form_values(page)["tumour-site"] == ""
    assert "data-section" not in page.content.decode()


def test_the_done_url_in_a_fresh_session_goes_to_the_first_step(client):
    response = client.get(DONE_URL)

    assert response.status_code == 302
    assert response.url == step_url("tumour")


def test_an_unknown_step_in_the_url_goes_to_the_first_step(client):
    response = client.get(step_url("bogus"))

    assert response.status_code == 302
    assert response.url == step_url("tumour")


# --- The final submit re-validates every step ------------------------------------------


def test_the_final_submit_revalidates_a_tampered_step(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    tamper(client, "pathology", "mitoses_per_10hpf", "2.5")

    response = post_step(client, "review")
    assert response.url == DONE_URL
    done = client.get(DONE_URL)

    assert done.status_code == 302
    assert done.url == step_url("pathology")
    page = client.get(done.url)
    assert current_step(page) == "pathology"
    assert "Enter the mitotic count as a whole number." in page.content.decode()


def test_the_final_submit_revalidates_a_tampered_choice(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    tamper(client, "tumour", "site", "mars")

    post_step(client, "review")
    done = client.get(DONE_URL)

    assert done.url == step_url("tumour")
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
    client.get(step_url("review"))

    assert post_step(client, "review").url == DONE_URL
    done = client.get(DONE_URL)

    assert done.url == step_url("extent")
    page = client.get(done.url)
    assert "Size must be greater than 0 and at most 300 mm." in page.content.decode()


def test_asking_for_recommendations_with_steps_unanswered_goes_to_the_first_of_them(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    review = client.get(step_url("review"))
    assert review.content.decode().count("This step is not complete.") == 2

    assert post_step(client, "review").url == DONE_URL
    done = client.get(DONE_URL)

    assert done.url == step_url("pathology")


def test_a_step_that_no_longer_applies_is_rejected(client):
    # e.g. a pancreas page left open in another tab after the site was changed to colon.
    answer_steps(client, LOCALISED_COLON, until="extent")

    response = post_step(client, "pancreas", pancreas_region="head")

    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()


# --- The review and pathology pages ----------------------------------------------------


def test_the_review_shows_every_answer_and_the_grade_with_its_explanation(client):
    answer_steps(client, PANCREATIC_METASTATIC, until="review")

    review = client.get(step_url("review"))

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
        assert f'href="{change_url(step)}"' in html
    assert "This step is not complete." not in html
    assert "Grade from the pathology: G2" in html
    assert "Ki-67 4 % is within 3 to 20 %: G2" in html
    assert "mitotic count 2 per 10 HPF is within 2 to 20: G2" in html
    assert "both give G2" in html


def test_the_review_says_when_the_grade_is_unknown(client):
    answers = case(LOCALISED_COLON, ki67_percent=None, mitoses_per_10hpf=None)
    answer_steps(client, answers, until="review")

    review = client.get(step_url("review"))

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
        response = client.get(step_url("pathology"))

    assert current_step(response) == "pathology"
