"""The category (specification, section 3): well or poorly differentiated, and why.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.advice import Category, Grade, case, recommend


@pytest.mark.parametrize(("ki67", "mitoses"), [(None, None), ("1", 0), ("10", 5), ("50", 40)])
def test_poor_differentiation_is_poorly_differentiated_whatever_the_grade(ki67, mitoses):
    ki67 = Decimal(ki67) if ki67 is not None else None
    result = recommend(case(differentiation="poor", ki67_percent=ki67, mitoses_per_10hpf=mitoses))
    assert result.category is Category.POOR


@pytest.mark.parametrize(("ki67", "mitoses"), [("20.1", None), (None, 21), ("50", 0), ("1", 40)])
def test_unknown_differentiation_with_a_g3_index_is_poorly_differentiated(ki67, mitoses):
    ki67 = Decimal(ki67) if ki67 is not None else None
    result = recommend(
        case(differentiation="unknown", ki67_percent=ki67, mitoses_per_10hpf=mitoses)
    )
    assert result.grade is Grade.G3
    assert result.category is Category.POOR


@pytest.mark.parametrize(
    ("ki67", "mitoses", "grade"),
    [("1", None, Grade.G1), ("20", 20, Grade.G2), (None, None, None)],
)
def test_unknown_differentiation_with_g1_g2_or_no_grade_is_well_differentiated(
    ki67, mitoses, grade
):
    ki67 = Decimal(ki67) if ki67 is not None else None
    result = recommend(
        case(differentiation="unknown", ki67_percent=ki67, mitoses_per_10hpf=mitoses)
    )
    assert result.grade is grade
    assert result.category is Category.WELL


def test_well_differentiated_with_a_g3_index_stays_well_differentiated():
    result = recommend(case(differentiation="well", ki67_percent=Decimal("35")))
    assert result.grade is Grade.G3
    assert result.category is Category.WELL
    assert result.slugs == ("curative-excision", "lymph-node-dissection")


# --- Every path through the category rule, word for word ------------------------------------

POORLY_BY_INDEX = (
    "differentiation not known and the proliferation index is G3 "
    "(the source defines poorly differentiated tumours by Ki-67 > 20 % "
    "or > 20 mitoses per 10 HPF)"
)
CATEGORY_BASIS = [
    pytest.param("poor", "1", 0, Category.POOR, "differentiation reported as poor", id="poor-g1"),
    pytest.param("poor", "50", 40, Category.POOR, "differentiation reported as poor", id="poor-g3"),
    pytest.param(
        "poor", None, None, Category.POOR, "differentiation reported as poor", id="poor-no-grade"
    ),
    pytest.param("unknown", "20.1", None, Category.POOR, POORLY_BY_INDEX, id="unknown-ki67-g3"),
    pytest.param("unknown", None, 21, Category.POOR, POORLY_BY_INDEX, id="unknown-mitoses-g3"),
    pytest.param("well", "1", 0, Category.WELL, "differentiation reported as well", id="well-g1"),
    pytest.param("well", "35", 0, Category.WELL, "differentiation reported as well", id="well-g3"),
    pytest.param(
        "well", None, None, Category.WELL, "differentiation reported as well", id="well-no-grade"
    ),
    pytest.param(
        "unknown",
        None,
        None,
        Category.WELL,
        "differentiation and grade not known: treated as well differentiated",
        id="unknown-no-grade",
    ),
    pytest.param(
        "unknown",
        "1",
        None,
        Category.WELL,
        "differentiation not known and grade G1: treated as well differentiated",
        id="unknown-g1",
    ),
    pytest.param(
        "unknown",
        "20",
        20,
        Category.WELL,
        "differentiation not known and grade G2: treated as well differentiated",
        id="unknown-g2",
    ),
]


@pytest.mark.parametrize(
    ("differentiation", "ki67", "mitoses", "category", "basis"), CATEGORY_BASIS
)
def test_the_category_basis_reads_exactly_as_the_clinician_is_shown_it(
    differentiation, ki67, mitoses, category, basis
):
    ki67 = Decimal(ki67) if ki67 is not None else None

    result = recommend(
        case(differentiation=differentiation, ki67_percent=ki67, mitoses_per_10hpf=mitoses)
    )

    assert (result.category, result.category_basis) == (category, basis)


def test_each_category_has_the_label_and_value_a_saved_case_keeps():
    assert (Category.WELL.value, Category.WELL.label) == (
        "well_differentiated",
        "Well differentiated",
    )
    assert (Category.POOR.value, Category.POOR.label) == (
        "poorly_differentiated",
        "Poorly differentiated",
    )
