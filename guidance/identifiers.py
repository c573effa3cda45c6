"""Whether a piece of free text looks like a patient identifier.

A case reference is for finding a case again in an MDT list ("MDT-2026-014", "Tue list 7",
"HPB 12"). It must never hold what identifies a patient: an NHS number, a hospital number,
an email address or a date of birth. People paste these in many spellings, so the text is
normalised first: full-width and other Unicode digits become 0-9, every kind of space
becomes a space, every kind of dash a hyphen, and invisible characters (zero-width spaces,
soft hyphens) are dropped.

``identifier_in`` is pure: text in, the kind of identifier it looks like (or None) out.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

NHS_NUMBER = "an NHS number"
PATIENT_NUMBER = "a hospital or other patient number"
HOSPITAL_NUMBER = "a hospital number"
EMAIL_ADDRESS = "an email address"
DATE = "a date (perhaps a date of birth)"

# A long run of digits is somebody's number, whatever it is: six or more together.
LONG_DIGIT_RUN = re.compile(r"\d{6,}")
# Digit groups joined by up to three separators ("943 476 5919", "943 - 476 - 5919",
# "943.476.5919"): ten or more digits in all read as an NHS or other patient number.
DIGIT_CHAIN = re.compile(r"(?<!\d)\d+(?:[\W_]{1,3}\d+)*(?!\d)")
NHS_NUMBER_DIGITS = 10

# Letters and five or more digits ("RX1234567", "K 12345"), or letters against digits that
# a space splits into groups of three or more ("H123 4567"; but "MDT 2026 014" is a list).
PREFIXED_NUMBER = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?: ?\d{5,}|\d{3,} \d{3,})(?!\d)")
# A word saying what the number is ("MRN 12345", "MRN: 12345", "hospital no 12345").
LABELLED_NUMBER = re.compile(
    r"\b(?:mrn|hosp(?:ital)?|hn|crn|pas|patient|pt|unit|nhs|id)\b\.?"
    r"(?:\s*(?:no|nr|num|number|id|ref)\b\.?)?\s*[:#.\-]?\s*\d(?: ?\d){4,}",
    re.IGNORECASE,
)

# An "at" or "dot" spelt out in brackets, as people write an address to hide it.
SPELT_AT = re.compile(r"\s*[\[({<]\s*at\s*[\])}>]\s*", re.IGNORECASE)
SPELT_DOT = re.compile(r"\s*[\[({<]\s*dot\s*[\])}>]\s*", re.IGNORECASE)
AT_SIGN = re.compile(r"\S\s*@\s*\S")
# "alice at example dot org", "alice at nhs.net": a bare "at" counts only when a domain
# with a top-level part of two or more letters follows, so "list 7 at 2.30pm" is fine.
WORDY_ADDRESS = re.compile(
    r"[\w.+-]+\s+at\s+[\w-]+(?:(?:\.|\s+dot\s+)[\w-]+)*(?:\.|\s+dot\s+)[^\W\d_]{2,}\b",
    re.IGNORECASE,
)

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})([./\- ])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})([./\- ])(\d{1,2})\2(\d{1,2})(?!\d)")
NAMED_MONTH_DATE = re.compile(
    rf"(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?[\s./\-]*(?:of\s+)?{MONTH}(?![^\W\d_])\.?[\s./\-,]*"
    rf"(?:\d{{4}}|'?\d{{2}})(?!\d)"
    rf"|\b{MONTH}(?![^\W\d_])\.?[\s./\-]*\d{{1,2}}(?:st|nd|rd|th)?[\s,./\-]+"
    rf"(?:\d{{4}}|'?\d{{2}})(?!\d)",
    re.IGNORECASE,
)
# "DOB 1960", "born 1960": the label says what the number is, even with the year alone.
LABELLED_BIRTH = re.compile(r"\b(?:d\.?o\.?b\b\.?|born|birth)[\s:.\-]*\d", re.IGNORECASE)

# Dashes that are not hyphen-minus but look like it (the minus sign is a symbol, not a dash).
MINUS_SIGNS = {"\u2212", "\u2043", "\ufe63"}


def identifier_in(text: str) -> str | None:
    """The kind of patient identifier ``text`` looks like ("an NHS number", ...), or None."""
    spaced = _spaces_and_dashes(unicodedata.normalize("NFKC", text))
    # Invisible characters stay while the address rules read the text, so that an @ with
    # anything at all on both sides still reads as an address.
    if _looks_like_an_address(spaced):
        return EMAIL_ADDRESS
    plain = _plain_digits(spaced)
    for chain in DIGIT_CHAIN.finditer(plain):
        digits = re.sub(r"\D", "", chain.group())
        if len(digits) == NHS_NUMBER_DIGITS and nhs_check_digit_is_valid(digits):
            return NHS_NUMBER
        if len(digits) >= NHS_NUMBER_DIGITS:
            return PATIENT_NUMBER
    if _looks_like_a_date(plain):
        return DATE
    if LONG_DIGIT_RUN.search(plain):
        return PATIENT_NUMBER
    if PREFIXED_NUMBER.search(plain) or LABELLED_NUMBER.search(plain):
        return HOSPITAL_NUMBER
    return None


def nhs_check_digit_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10 down to 2 over the first nine digits.

    The check digit is 11 minus the weighted sum modulo 11, where 11 means 0 and 10 means
    the number is not a valid NHS number at all.
    """
    if len(digits) != NHS_NUMBER_DIGITS or not digits.isascii() or not digits.isdigit():
        return False
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_reference(value: str) -> None:
    """A case reference must not look like a patient identifier (a model and form validator)."""
    kind = identifier_in(value)
    if kind is not None:
        raise ValidationError(
            "This looks like a patient identifier: %(kind)s. Use a reference that does not "
            "identify the patient, such as an MDT list number.",
            code="patient_identifier",
            params={"kind": kind},
        )


def _spaces_and_dashes(text: str) -> str:
    return "".join(
        " "
        if character.isspace()
        else "-"
        if unicodedata.category(character) == "Pd" or character in MINUS_SIGNS
        else character
        for character in text
    )


def _plain_digits(text: str) -> str:
    """Every decimal digit as 0-9, and invisible format characters dropped."""
    characters = []
    for character in text:
        if unicodedata.category(character) == "Cf":
            continue
        digit = unicodedata.decimal(character, None)
        characters.append(str(digit) if digit is not None else character)
    return "".join(characters)


def _looks_like_an_address(text: str) -> bool:
    text = SPELT_DOT.sub(".", SPELT_AT.sub("@", text))
    return bool(AT_SIGN.search(text) or WORDY_ADDRESS.search(text))


def _looks_like_a_date(text: str) -> bool:
    for match in NUMERIC_DATE.finditer(text):
        first, second = int(match.group(1)), int(match.group(3))
        # Day then month, or month then day as some systems write it.
        if _is_day_and_month(first, second) or _is_day_and_month(second, first):
            return True
    for match in ISO_DATE.finditer(text):
        if _is_day_and_month(int(match.group(4)), int(match.group(3))):
            return True
    return bool(NAMED_MONTH_DATE.search(text) or LABELLED_BIRTH.search(text))


def _is_day_and_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12
