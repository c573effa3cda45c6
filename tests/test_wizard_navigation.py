"""Moving about the wizard: Back keeps every answer (even from a step being left invalid), and
a *Change* link on the review returns to it, through any step the new answer brings in.
"""

from __future__ import annotations

import pytest

from tests.wizard_client import (
    GASTRIC_TYPE_1,
    LOCALISED_COLON,
    PANCREATIC_LOCALISED,
    PANCREATIC_METASTATIC,
    answer_steps,
    answers_for,
    case,
    change_url,
    current_step,
    done_url,
    expect_step_values,
    form_values,
    lands_on,
    path,
    post_step,
    progress,
    session_key,
    start,
    step_url,
    submit,
)

pytestmark = pytest.mark.django_db


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


def test_changing_the_site_from_the_stomach_drops_its_gastric_type(client):
    answer_steps(client, GASTRIC_TYPE_1, until="review")
    assert 'data-step="stomach"' in client.get(step_url(client, "review")).content.decode()

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
    assert 'data-step="stomach"' not in review.content.decode()

    assert post_step(client, "review").url == done_url(client)
    result = client.get(done_url(client))
    assert result.status_code == 200
    assert "Type of gastric NET" not in result.content.decode()
    # The type answered for the stomach is kept for a way back, never sent with the colon.
    assert result.context["shown"]["facts"]["gastric_type"] is None
    assert result.context["shown"]["facts"]["site"] == "colon"


def test_changing_the_site_to_the_stomach_asks_for_its_type_then_returns_to_the_review(client):
    answer_steps(client, PANCREATIC_LOCALISED, until="review")

    client.get(change_url(client, "tumour"))
    response = post_step(
        client,
        "tumour",
        url=change_url(client, "tumour"),
        return_to_review=True,
        **answers_for("tumour", GASTRIC_TYPE_1),
    )
    assert path(response.url) == step_url(client, "stomach")
    page = client.get(response.url)
    assert current_step(page) == "stomach"
    assert "pancreas" not in page.context["wizard"]["steps"].all

    response = submit(client, page, response.url, gastric_type="type_3")
    assert response.url == step_url(client, "review")
    assert post_step(client, "review").url == done_url(client)
    result = client.get(done_url(client))
    assert result.context["shown"]["facts"]["gastric_type"] == "type_3"
    assert result.context["shown"]["facts"]["pancreas_region"] is None
