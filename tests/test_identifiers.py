"""Patient identifiers in free text: what a case reference may and may not hold.

``identifier_in`` names the kind of identifier a text looks like, in the spellings people
really paste, and lets through what MDT lists use.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guidance.identifiers import (
    DATE,
    EMAIL_ADDRESS,
    HOSPITAL_NUMBER,
    NHS_NUMBER,
    PATIENT_NUMBER,
    identifier_in,
    nhs_check_digit_is_valid,
    validate_reference,
)

# 943 476 5919 is the NHS's own example of a valid number; 401 023 2137 is valid too.
REFUSED = [
    # NHS numbers: any separator or none, and the Unicode spellings of digits and spaces.
    ("9434765919", NHS_NUMBER),
    ("943 476 5919", NHS_NUMBER),
    ("943-476-5919", NHS_NUMBER),
    ("943.476.5919", NHS_NUMBER),
    ("943/476/5919", NHS_NUMBER),
    ("943_476_5919", NHS_NUMBER),
    ("943 - 476 - 5919", NHS_NUMBER),
    ("943\u00a0476\u00a05919", NHS_NUMBER),  # non-breaking spaces
    ("943\u2009476\u20095919", NHS_NUMBER),  # thin spaces
    ("943\u202f476\u202f5919", NHS_NUMBER),  # narrow non-breaking spaces
    ("943\u2013476\u20135919", NHS_NUMBER),  # en dashes
    ("943\u2014476\u20145919", NHS_NUMBER),  # em dashes
    ("943\u2212476\u22125919", NHS_NUMBER),  # minus signs
    ("943\u200b476\u200b5919", NHS_NUMBER),  # zero-width spaces
    ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", NHS_NUMBER),  # full width
    ("\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669", NHS_NUMBER),  # Arabic-Indic
    ("NHS 401 023 2137", NHS_NUMBER),
    ("MDT 9434765919", NHS_NUMBER),
    ("94 34 76 59 19", NHS_NUMBER),
    # Ten digits that fail the modulus 11 check are still somebody's number.
    ("943 476 5918", PATIENT_NUMBER),
    ("1234567890", PATIENT_NUMBER),  # check digit would be 10: never an NHS number
    ("94347659190", PATIENT_NUMBER),  # eleven digits
    # Hospital numbers.
    ("123456", PATIENT_NUMBER),
    ("1234567", PATIENT_NUMBER),
    ("MDT RX1234567", PATIENT_NUMBER),
    ("H123 4567", HOSPITAL_NUMBER),
    ("RX12345", HOSPITAL_NUMBER),
    ("K 12345", HOSPITAL_NUMBER),
    ("MRN 12345", HOSPITAL_NUMBER),
    ("MRN: 12345", HOSPITAL_NUMBER),
    ("mrn#12345", HOSPITAL_NUMBER),
    ("hospital no 12345", HOSPITAL_NUMBER),
    ("Hospital No. 12 345", HOSPITAL_NUMBER),
    ("MRN 123456", PATIENT_NUMBER),
    ("hospital no 123456", PATIENT_NUMBER),
    # Email addresses, however spelt.
    ("alice@nhs.net", EMAIL_ADDRESS),
    ("someone@example.org", EMAIL_ADDRESS),
    ("a@b", EMAIL_ADDRESS),
    ("alice @ nhs.net", EMAIL_ADDRESS),
    ("alice\uff20nhs.net", EMAIL_ADDRESS),  # full-width at sign
    ("alice(at)nhs.net", EMAIL_ADDRESS),
    ("alice [at] example [dot] org", EMAIL_ADDRESS),
    ("alice{at}example{dot}org", EMAIL_ADDRESS),
    ("alice <AT> nhs <DOT> net", EMAIL_ADDRESS),
    ("alice at example dot org", EMAIL_ADDRESS),
    ("alice at nhs.net", EMAIL_ADDRESS),
    ("Alice.Adams AT nhs DOT net", EMAIL_ADDRESS),
    ("\u200b@\u200b", EMAIL_ADDRESS),
    # Dates, which may be dates of birth.
    ("01/02/1960", DATE),
    ("1/2/1960", DATE),
    ("1960-02-01", DATE),
    ("1960/2/1", DATE),
    ("01.02.60", DATE),
    ("01-02-60", DATE),
    ("01 02 1960", DATE),
    ("12/31/1960", DATE),  # month first
    ("01\u201302\u20131960", DATE),  # en dashes
    ("1 Feb 1960", DATE),
    ("1st February 1960", DATE),
    ("1 of February, 1960", DATE),
    ("01-FEB-1960", DATE),
    ("01FEB60", DATE),
    ("1 Feb '60", DATE),
    ("Feb 1, 1960", DATE),
    ("February 1st 1960", DATE),
    ("DOB 1960", DATE),
    ("d.o.b. 1/2", DATE),
    ("born 1960", DATE),
]

ACCEPTED = [
    "",
    "MDT-2026-014",
    "MDT 2026 014",
    "MDT-2026-14",
    "Tue list 7",
    "HPB 12",
    "HPB 12/3",
    "MDT 12/3",
    "Upper GI MDT 2026",
    "2026",
    "Q3 2026",
    "list 7 at 2.30pm",
    "MDT at St. James",
    "Feb 2026",
    "March MDT",
    "12345",
    "MDT 12/3/2 list",  # no year of two or four digits
    "list 32/13/2026",  # no such day or month
    "HPB @",
    "Case 4 of 10",
    "ward 3B bed 12",
]


@pytest.mark.parametrize(("text", "kind"), REFUSED)
def test_a_patient_identifier_is_recognised_and_named(text, kind):
    assert identifier_in(text) == kind


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_mdt_lists_use_is_not_taken_for_an_identifier(text):
    assert identifier_in(text) is None


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("4010232137", True),
        ("9434765918", False),  # wrong check digit
        ("1234567890", False),  # the check digit would be 10
        ("0000000000", True),  # 11 - 0 is 11, which means 0
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("943476591x", False),
    ],
)
def test_the_nhs_number_check_digit_is_the_modulus_11_check(digits, valid):
    assert nhs_check_digit_is_valid(digits) is valid


def test_the_validator_names_the_kind_of_identifier():
    with pytest.raises(ValidationError) as refused:
        validate_reference("943 476 5919")

    [message] = refused.value.messages
    assert message == (
        "This looks like a patient identifier: an NHS number. Use a reference that does not "
        "identify the patient, such as an MDT list number."
    )
    assert refused.value.error_list[0].code == "patient_identifier"


def test_the_validator_lets_an_mdt_list_number_through():
    assert validate_reference("MDT-2026-014") is None
