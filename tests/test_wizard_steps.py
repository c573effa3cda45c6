"""The wizard's steps as a clinician meets them: the progress indicator, the steps that come
into play for a pancreatic tumour, a gastric NET and distant metastases, the review and the
pathology step's grading rules, the answers a step starts with, and the queries a step runs.
"""

from __future__ import annotations

import pytest

from guidance import content
from tests.pages import attribute, parse, reasons_on
from tests.wizard_client import (
    GASTRIC_TYPE_1,
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    PANCREATIC_LOCALISED,
    PANCREATIC_METASTATIC,
    Tab,
    answer_steps,
    answers_for,
    case,
    change_url,
    current_step,
    encode,
    post_step,
    progress,
    review_rows,
    start,
    step_url,
)

pytestmark = pytest.mark.django_db


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


def test_it_asks_for_the_type_of_a_gastric_net(client):
    response = answer_steps(client, GASTRIC_TYPE_1, until="stomach")
    assert response.url == step_url(client, "stomach")

    page = client.get(response.url)
    assert current_step(page) == "stomach"
    assert page.context["wizard"]["steps"].all == [
        "tumour",
        "stomach",
        "pathology",
        "extent",
        "review",
    ]
    html = page.content.decode()
    assert "Type of gastric NET" in html
    assert [label for _, label in radios(html, "stomach-gastric_type")] == [
        "Type 1 (chronic atrophic gastritis)",
        "Type 2 (gastrinoma / MEN1)",
        "Type 3 (sporadic)",
        "Not known",
    ]
    assert progress(page) == "Step 2 of 5"


@pytest.mark.parametrize("site", ["pancreas", "duodenum", "colon"])
def test_it_asks_no_gastric_type_for_another_site(client, site):
    facts = case(LOCALISED_COLON, site=site, pancreas_region="head" if site == "pancreas" else None)
    answer_steps(client, facts, until="review")

    page = client.get(step_url(client, "review"))
    assert "stomach" not in page.context["wizard"]["steps"].all
    assert "Type of gastric NET" not in page.content.decode()
    # Asking for the skipped step by URL starts the wizard at its first step.
    assert client.get(step_url(client, "stomach")).url == step_url(client, "tumour")


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


def test_the_review_shows_the_gastric_type_with_the_stomachs_answers(client):
    answer_steps(client, GASTRIC_TYPE_1, until="review")

    review = client.get(step_url(client, "review"))

    assert review_rows(review)[:4] == [
        ("Primary site", "Stomach"),
        ("Tumour type", "Non-functional"),
        ("Hormonal symptoms", "No"),
        ("Type of gastric NET", "Type 1 (chronic atrophic gastritis)"),
    ]
    assert f'href="{change_url(client, "stomach")}"' in review.content.decode()


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
    content.published()  # the text in memory, as after any earlier request

    # 1. SELECT django_session: the wizard's answers
    # 2. SELECT guidelineversion: which version is published, whose grading the step shows
    # 3-5. SAVEPOINT, UPDATE django_session, RELEASE SAVEPOINT: formtools' session storage
    #    marks the session changed whenever it reads the answers, so it is written back
    #    (the session save's atomic block, a savepoint inside the test's transaction)
    with django_assert_num_queries(5):
        response = client.get(step_url(client, "pathology"))

    assert current_step(response) == "pathology"


# --- The answers a step starts with ------------------------------------------------------


def radios(html: str, name: str, *, checked: bool = False) -> list[tuple[str, str]]:
    """The radios of ``name`` (those the page has chosen, if ``checked``): (value, its
    label's words)."""
    page = parse(html)
    return [
        (radio.attrs["value"], page.one("label", for_=radio.attrs["id"]).text())
        for radio in page.find_all("input", type="radio", name=name)
        if "checked" in radio.attrs or not checked
    ]


def chosen(html: str, name: str) -> list[tuple[str, str]]:
    """The radios of ``name`` that the page has chosen: (value, its label's words)."""
    return radios(html, name, checked=True)


def test_the_gastric_step_starts_with_not_known_chosen(client):
    response = answer_steps(client, GASTRIC_TYPE_1, until="stomach")

    html = client.get(response.url).content.decode()

    assert chosen(html, "stomach-gastric_type") == [("unknown", "Not known")]


def test_a_gastric_net_whose_type_is_left_as_it_starts_is_advised_as_not_known(client):
    tab = Tab(client)
    tab.start(GASTRIC_TYPE_1, until="stomach")
    tab.press("Next")
    tab.answer("pathology", GASTRIC_TYPE_1)
    tab.answer("extent", GASTRIC_TYPE_1)
    assert ("Type of gastric NET", "Not known") in review_rows(tab.response)

    tab.press("Show recommendations")

    assert tab.response.context["shown"]["facts"]["gastric_type"] == "unknown"
    assert ("Type of gastric NET", "Not known") in tab.response.context["inputs"]


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
        "metastases: not yet assessed",
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
