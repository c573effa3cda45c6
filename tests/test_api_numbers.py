"""Numbers are read exactly, as the wizard reads them: as decimals, never binary floats, with
the same digits accepted and refused as on the wizard's steps.
"""

from __future__ import annotations

import json

import pytest

from tests.api_client import assert_field_errors, case, post, raw_body
from tests.wizard_client import SMALL_RECTUM, answer_steps, answers_for, post_step

# --- Numbers are read exactly, as the wizard reads them ----------------------------
#
# The body is read with every JSON number as a Decimal of exactly the digits sent, so a
# value a binary float would round (2.9999999999999999 to 3) is refused like the wizard
# refuses it, never graded as its rounding.


@pytest.mark.parametrize(
    "field, literal",
    [
        ("ki67_percent", "20.000000000000001"),  # a float reads 20: G2 instead of G3
        ("ki67_percent", "2.9999999999999999"),  # a float reads 3: G2, shown as "Ki-67 3 %"
        ("size_mm", "19.999999999999999"),  # a float reads 20: "not small" instead of small
        ("mitoses_per_10hpf", "20.000000000000001"),  # a float reads the whole number 20
        ("mitoses_per_10hpf", "1.9999999999999999"),  # a float reads 2: G2 instead of G1
    ],
)
def test_a_number_with_more_digits_than_a_float_holds_is_refused_not_rounded(
    client, db, field, literal
):
    body = raw_body(field, literal)
    assert json.loads(body)[field] == round(json.loads(body)[field])  # what a float made of it

    assert_field_errors(post(client, body), field)


@pytest.mark.parametrize("field", ["size_mm", "ki67_percent"])
@pytest.mark.parametrize("literal", ["20.00", "1.50", "7.10"])
def test_two_decimal_places_are_refused_even_when_the_last_is_zero(client, db, field, literal):
    # As in the wizard, whose field takes one decimal place: "20.00" is refused there too.
    assert_field_errors(post(client, raw_body(field, literal)), field)


def test_one_decimal_place_is_read_as_written(client, db):
    response = post(client, raw_body("ki67_percent", "20.0"))

    assert response.status_code == 200
    assert response.json()["grade"] == "G2"
    assert response.json()["grade_basis"][0] == "Ki-67 20 % is within 3 to 20 %: G2"


@pytest.mark.parametrize("literal", ["3.0", "3.00"])
def test_a_whole_mitotic_count_written_with_a_decimal_point_is_that_whole_number(
    client, db, literal
):
    # 3.0 is the whole number 3 (many programs write whole floats so); the wizard takes
    # "3.0" and "3.00" for the same field, and the two must agree.
    written = post(client, raw_body("mitoses_per_10hpf", literal))
    whole = post(client, case(mitoses_per_10hpf=3))

    assert written.status_code == 200
    assert written.json() == whole.json()
    assert "mitotic count 3 per 10 HPF is within 2 to 20: G2" in written.json()["grade_basis"]


@pytest.mark.parametrize("field", ["size_mm", "ki67_percent", "mitoses_per_10hpf"])
@pytest.mark.parametrize("literal", ["1e2", "1E+2", "1.5e1", "15e-1", "1e-400", "0e0", "2E0"])
def test_a_number_with_an_exponent_is_refused(client, db, field, literal):
    # Exponents are what programs write for floats (1e-05), not how a clinician's value is
    # written; refusing them all is one plain rule, even where the value would be exact.
    response = post(client, raw_body(field, literal))

    assert_field_errors(response, field)
    assert "exponent" in response.json()["errors"][field][0]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["size_mm", "ki67_percent", "mitoses_per_10hpf"])
def test_nan_and_infinity_are_refused_as_not_a_number(client, db, field, literal):
    response = post(client, raw_body(field, literal))

    assert_field_errors(response, field)
    assert "NaN" in response.json()["errors"][field][0]


@pytest.mark.parametrize("field", ["size_mm", "ki67_percent", "mitoses_per_10hpf", "site"])
def test_an_integer_of_5000_digits_is_a_400_for_its_field(client, db, field):
    # More digits than Python's int() converts (4,300 by default): never read as "not JSON".
    body = raw_body(field, "1" + "0" * 5000)
    assert len(body) <= 16 * 1024

    assert_field_errors(post(client, body), field)


def test_an_integer_of_5000_digits_under_an_unknown_key_is_that_keys_400(client, db):
    body = json.dumps(case())[:-1] + ', "notes": 1' + "0" * 5000 + "}"

    assert_field_errors(post(client, body), "notes")


@pytest.mark.parametrize("literal", ["-0", "-0.0"])
def test_negative_zero_is_zero_for_ki67_and_mitoses_and_no_size(client, db, literal):
    ki67 = post(client, raw_body("ki67_percent", literal))
    mitoses = post(client, raw_body("mitoses_per_10hpf", literal))

    assert ki67.json()["grade_basis"][0] == "Ki-67 0 % is below 3 %: G1"
    assert "mitotic count 0 per 10 HPF is below 2: G1" in mitoses.json()["grade_basis"]
    assert_field_errors(post(client, raw_body("size_mm", literal)), "size_mm")


# The step of the wizard that asks for each number.
NUMBER_STEPS = {"size_mm": "extent", "ki67_percent": "pathology", "mitoses_per_10hpf": "pathology"}


@pytest.mark.parametrize("field", ["size_mm", "ki67_percent", "mitoses_per_10hpf"])
@pytest.mark.parametrize(
    "literal",
    [
        "20",
        "20.0",
        "20.00",
        "20.000000000000001",
        "2.9999999999999999",
        "19.999999999999999",
        "3.0",
        "3.00",
        "2.5",
        "0.05",
        "-0",
        "-0.0",
        "100.1",
        "300.1",
        "1" + "0" * 5000,
    ],
    ids=lambda literal: literal if len(literal) < 30 else "5000-digits",
)
def test_the_api_takes_a_number_exactly_when_the_wizard_takes_it(client, db, field, literal):
    # Exponents apart (the API refuses them all, see above), the same digits are accepted
    # or refused alike, so a case cannot be run through one and not the other.
    step = NUMBER_STEPS[field]
    answer_steps(client, SMALL_RECTUM, until=step)
    wizard = post_step(client, step, **{**answers_for(step, SMALL_RECTUM), field: literal})
    assert wizard.status_code in (200, 302)

    api = post(client, raw_body(field, literal))

    assert (api.status_code == 200) == (wizard.status_code == 302), api.content[:300]
    if api.status_code == 400:
        assert_field_errors(api, field)
