"""A saved case's optional reference (an MDT list number): anything that looks like a patient
identifier is refused with its kind named, on the review step and whenever a case is saved.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guidance.models import Case
from guidance.wizard import CaseWizard
from tests.factories import make_case
from tests.wizard_client import (
    LOCALISED_COLON,
    STEP_FIELDS,
    answer_steps,
    done_url,
    post_step,
    run_wizard,
    step_url,
)

pytestmark = pytest.mark.django_db


def review_errors(response) -> dict:
    assert response.status_code == 200, "the review step did not show its errors"
    assert response.context["wizard"]["steps"].current == "review"
    return response.context["wizard"]["form"].errors


# --- The case reference -------------------------------------------------------------------


def test_the_review_step_reminds_not_to_enter_patient_identifiers(alice_client):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    html = alice_client.get(step_url(alice_client, "review")).content.decode()

    assert 'name="review-reference"' in html
    assert "Case reference (optional)" in html
    assert "Do not enter names, dates of birth, hospital or NHS numbers" in " ".join(html.split())


def test_no_wizard_field_asks_for_a_patient_identifier():
    fields = {name for _, form in CaseWizard.form_list for name in form.base_fields}

    assert fields == {name for names in STEP_FIELDS.values() for name in names} | {"reference"}


@pytest.mark.parametrize(
    "reference",
    [
        "943 476 5919",  # an NHS number, spaced
        "9434765919",  # the same, unspaced
        "943-476-5919",
        "1234567",  # a hospital number
        "MDT RX1234567",
        "someone@example.org",  # an email address
        "943.476.5919",
        "943/476/5919",
        "943\u00a0476\u00a05919",  # non-breaking spaces
        "MRN 123456",
        "H123 4567",
        "alice [at] example [dot] org",
        "alice(at)nhs.net",
        "01/02/1960",  # a date of birth
        "1 Feb 1960",
    ],
)
def test_a_reference_that_looks_like_an_identifier_is_refused_and_nothing_saved(
    alice_client, reference
):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference=reference)

    errors = review_errors(response)
    assert "looks like a patient identifier" in errors["reference"][0]
    assert "looks like a patient identifier" in response.content.decode()
    # Even going to the done URL directly saves nothing: the review was not accepted.
    assert alice_client.get(done_url(alice_client)).status_code == 302
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        ("943 476 5919", "an NHS number"),
        ("943 476 5918", "a hospital or other patient number"),
        ("MRN: 12345", "a hospital number"),
        ("alice at nhs.net", "an email address"),
        ("1960-02-01", "a date (perhaps a date of birth)"),
    ],
)
def test_the_refusal_says_what_kind_of_identifier_the_reference_looks_like(
    alice_client, reference, kind
):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference=reference)

    assert review_errors(response)["reference"] == [
        f"This looks like a patient identifier: {kind}. Use a reference that does not "
        "identify the patient, such as an MDT list number."
    ]


@pytest.mark.parametrize("reference", ["MDT-2026-014", "Tue list 7", "HPB 12"])
def test_a_reference_as_mdt_lists_write_it_is_saved(alice_client, reference):
    run_wizard(alice_client, LOCALISED_COLON, reference=reference)

    assert Case.objects.get().reference == reference


def test_a_case_saved_outside_the_wizard_refuses_an_identifier_as_its_reference(alice):
    with pytest.raises(ValidationError, match="an NHS number"):
        make_case(alice, reference="943 476 5919")

    assert not Case.objects.exists()
    # The model field carries the same check, for any form built on it.
    with pytest.raises(ValidationError) as refused:
        Case._meta.get_field("reference").clean("MRN 123456", None)
    assert refused.value.error_list[0].code == "patient_identifier"


def test_a_reference_over_40_characters_is_refused_and_nothing_saved(alice_client):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference="x" * 41)

    assert review_errors(response)["reference"] == [
        "Ensure this value has at most 40 characters (it has 41)."
    ]
    alice_client.get(done_url(alice_client))
    assert not Case.objects.exists()


@pytest.mark.parametrize("reference", ["x" * 40, "MDT 2025/03 no. 12", "Tuesday list, 4th"])
def test_an_ordinary_reference_is_accepted(alice_client, reference):
    run_wizard(alice_client, LOCALISED_COLON, reference=reference)

    assert Case.objects.get().reference == reference


def test_the_reference_is_saved_without_surrounding_spaces(alice_client):
    run_wizard(alice_client, LOCALISED_COLON, reference="  MDT 9  ")

    assert Case.objects.get().reference == "MDT 9"
