"""*Start a new case from this one* (POST /cases/<id>/start/): a new run of the wizard filled in
from the saved case, at its review.
"""

from __future__ import annotations

import re

import pytest

from guidance.models import Case
from tests.factories import make_case, saved_before_the_gastric_type
from tests.pages import detail, html_of
from tests.wizard_client import (
    GASTRIC_TYPE_1,
    METASTATIC_SMALL_BOWEL,
    REVIEW_OF_A_NEW_RUN,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
    Tab,
)

pytestmark = pytest.mark.django_db


def test_the_case_page_starts_from_the_case_with_a_button(alice_client, case):
    html = html_of(alice_client.get(detail(case)))

    assert f'<form method="post" action="{detail(case)}start/" class="d-inline">' in html
    assert 'class="btn btn-outline-secondary">Start a new case from this one</button>' in html


# --- Start from ----------------------------------------------------------------------


def review_answers(html: str) -> dict[str, dict[str, str]]:
    """The review page: for each step, its answers as {label: value}."""
    answers = {}
    for step, body in re.findall(r'data-step="([a-z_]+)">(.*?)</section>', html, re.S):
        assert "This step is not complete." not in body, step
        answers[step] = dict(
            re.findall(r'<dt class="col-sm-5">(.*?)</dt><dd class="col-sm-7">(.*?)</dd>', body)
        )
    return answers


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            SMALL_INSULINOMA,
            {
                "tumour": {
                    "Primary site": "Pancreas",
                    "Tumour type": "Insulinoma",
                    "Hormonal symptoms": "Yes",
                },
                "pancreas": {"Region of the pancreas": "Tail"},
                "pathology": {
                    "Differentiation": "Well differentiated",
                    "Ki-67 index (%)": "1",
                    "Mitoses per 10 HPF": "0",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "12",
                    "Extent of disease": "Localised",
                    "Somatostatin-receptor imaging": "Not done",
                },
            },
            id="insulinoma",
        ),
        pytest.param(
            METASTATIC_SMALL_BOWEL,
            {
                "tumour": {
                    "Primary site": "Small intestine",
                    "Tumour type": "Other functional tumour",
                    "Hormonal symptoms": "Yes",
                },
                "pathology": {
                    "Differentiation": "Well differentiated",
                    "Ki-67 index (%)": "4",
                    "Mitoses per 10 HPF": "2",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "30",
                    "Extent of disease": "Distant metastases",
                    "Somatostatin-receptor imaging": "Positive",
                },
                "metastases": {"Are the metastases resectable?": "Resectable"},
            },
            id="metastatic small bowel",
        ),
        pytest.param(
            GASTRIC_TYPE_1,
            {
                "tumour": {
                    "Primary site": "Stomach",
                    "Tumour type": "Non-functional",
                    "Hormonal symptoms": "No",
                },
                "stomach": {"Type of gastric NET": "Type 1 (chronic atrophic gastritis)"},
                "pathology": {
                    "Differentiation": "Well differentiated",
                    "Ki-67 index (%)": "1",
                    "Mitoses per 10 HPF": "1",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "8",
                    "Extent of disease": "Localised",
                    "Somatostatin-receptor imaging": "Not done",
                },
            },
            id="gastric type 1",
        ),
        pytest.param(
            {**WARNED_RECTUM, "ki67_percent": None},
            {
                "tumour": {
                    "Primary site": "Rectum",
                    "Tumour type": "Gastrinoma",
                    "Hormonal symptoms": "No",
                },
                "pathology": {
                    "Differentiation": "Not known",
                    "Ki-67 index (%)": "Not given",
                    "Mitoses per 10 HPF": "5",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "25.5",
                    "Extent of disease": "Regional lymph nodes involved",
                    "Somatostatin-receptor imaging": "Negative",
                },
            },
            id="rectum without Ki-67",
        ),
    ],
)
def test_starting_from_a_case_opens_the_review_with_every_input(
    alice, alice_client, facts, expected
):
    saved = make_case(alice, **facts)

    response = alice_client.post(detail(saved) + "start/", follow=True)

    [(review, status)] = response.redirect_chain
    assert re.fullmatch(REVIEW_OF_A_NEW_RUN, review) and status == 302
    html = html_of(response)
    assert "A new case, filled in from the saved one." in html
    assert review_answers(html) == expected


def test_a_gastric_case_saved_before_its_type_was_asked_is_started_with_the_type_to_answer(
    alice, alice_client
):
    saved = saved_before_the_gastric_type(make_case(alice, **GASTRIC_TYPE_1))
    tab = Tab(alice_client)
    tab.open(detail(saved))
    tab.press("Start a new case from this one")

    [body] = re.findall(r'data-step="stomach">(.*?)</section>', tab.html, re.S)
    assert "This step is not complete." in body
    assert "Not answered" in body
    # Asked for the recommendations, the wizard asks the type first; nothing is saved yet.
    tab.press("Show recommendations")
    assert tab.url.endswith("/stomach/")
    assert Case.objects.count() == 1
    tab.answer("stomach", {"gastric_type": "type_3"})
    tab.press("Next")  # pathology and extent, as they were filled in
    tab.press("Next")
    tab.press("Show recommendations")

    new = Case.objects.owned_by(alice).exclude(pk=saved.pk).get()
    assert new.snapshot["facts"] == {**saved.snapshot["facts"], "gastric_type": "type_3"}


def test_finishing_a_case_started_from_another_saves_a_new_case_with_the_same_facts(
    alice, alice_client, case
):
    tab = Tab(alice_client)
    tab.open(detail(case))
    tab.press("Start a new case from this one")

    response = tab.press("Show recommendations", {"review-reference": "MDT-14 again"})

    new = Case.objects.owned_by(alice).exclude(pk=case.pk).get()
    assert response.redirect_chain[-1] == (detail(new), 302)
    assert new.snapshot["facts"] == case.snapshot["facts"]
    assert new.snapshot["recommendations"] == case.snapshot["recommendations"]
    assert new.reference == "MDT-14 again"
    assert new.created_at >= case.created_at
    assert Case.objects.get(pk=case.pk).reference == "MDT-14"
    assert "The case is saved in your history." in html_of(response)


def test_a_case_started_from_another_can_be_changed_before_it_is_saved(alice, alice_client, case):
    tab = Tab(alice_client)
    tab.open(detail(case))
    tab.press("Start a new case from this one")
    tab.press("Change pathology")

    tab.press(
        "Save and return to review",
        {
            "pathology-differentiation": "well",
            "pathology-ki67_percent": "25",
            "pathology-mitoses_per_10hpf": "2",
        },
    )
    assert re.fullmatch(REVIEW_OF_A_NEW_RUN, tab.url)
    tab.press("Show recommendations")

    new = Case.objects.owned_by(alice).exclude(pk=case.pk).get()
    assert new.snapshot["facts"] == {**case.snapshot["facts"], "ki67_percent": 25}
    assert new.grade == "G3"
