"""How the engine writes what the clinician reads: numbers as a clinician writes them, each
choice by its label, and the limits and vocabulary the rules are written in.

Pure Python: the rules are reached through tests.advice alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.advice import (
    KI67_MAX,
    MITOSES_MAX,
    SECTION_SLUGS,
    SITES,
    SIZE_MAX_MM,
    SMALL_TUMOUR_MM,
    TUMOUR_TYPES,
    WARNING_CODES,
    label,
    number,
)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("20"), "20"),
        (Decimal("20.0"), "20"),
        (Decimal("2E+1"), "20"),
        (Decimal("100"), "100"),
        (Decimal("300"), "300"),
        (Decimal("2.9"), "2.9"),
        (Decimal("2.50"), "2.5"),
        (Decimal("0.1"), "0.1"),
        (Decimal("1E-7"), "0.0000001"),  # never in scientific notation
        (Decimal("-0"), "0"),
        (Decimal("-0.0"), "0"),
        (Decimal("0"), "0"),
        (10, "10"),
        (0, "0"),
    ],
)
def test_a_number_is_written_as_a_clinician_writes_it(value, written):
    assert number(value) == written


@pytest.mark.parametrize(
    ("choices", "value", "written"),
    [
        (SITES, "small_intestine", "Small intestine"),
        (TUMOUR_TYPES, "other_functional", "Other functional tumour"),
        (SITES, "elsewhere", "elsewhere"),  # not a choice: as given, never hidden
        (SITES, None, ""),
        (SITES, "", ""),
        # A value not given reads as the choice for nothing, where there is one.
        ((("", "Any site"), *SITES), None, "Any site"),
        ((("", "Any site"), *SITES), "", "Any site"),
    ],
)
def test_a_choice_is_written_by_its_label(choices, value, written):
    assert label(choices, value) == written


def test_the_limits_and_the_small_tumour_threshold_are_the_specifications():
    # Module constants, which mutation testing does not change: pinned here.
    assert (Decimal(300), Decimal(100), 500) == (SIZE_MAX_MM, KI67_MAX, MITOSES_MAX)
    assert Decimal(20) == SMALL_TUMOUR_MM


def test_the_engine_knows_fifteen_sections_and_fifteen_warnings_each_once():
    assert len(SECTION_SLUGS) == len(set(SECTION_SLUGS)) == 15
    assert len(WARNING_CODES) == len(set(WARNING_CODES)) == 15
