"""The grade (specification, section 2): from Ki-67, from the mitotic count, the higher of
the two, and the words the clinician reads for how it was derived.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.advice import (
    KI67_G2_FROM,
    KI67_G2_TO,
    MITOSES_G2_FROM,
    MITOSES_G2_TO,
    VERSION_1,
    Grade,
    case,
    grade_from,
    recommend,
)


def mentions_mitoses(text: str, count: int) -> bool:
    """Whether a line of text names the mitotic count, however it is phrased."""
    return bool(re.search(r"mito(ses|tic)", text)) and bool(re.search(rf"\b{count}\b", text))


# --- 2. Grade -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ki67", "grade"),
    [
        ("0", Grade.G1),
        ("2.9", Grade.G1),
        ("2.99", Grade.G1),
        ("3", Grade.G2),
        ("3.0", Grade.G2),
        ("20", Grade.G2),
        ("20.0", Grade.G2),
        ("20.1", Grade.G3),
        ("100", Grade.G3),
    ],
)
def test_ki67_alone_grades_below_3_as_g1_3_to_20_inclusive_as_g2_above_20_as_g3(ki67, grade):
    assessment = grade_from(ki67_percent=Decimal(ki67), mitoses_per_10hpf=None)
    assert assessment.grade is grade
    assert assessment.from_ki67 is grade
    assert assessment.from_mitoses is None


def test_ki67_of_exactly_20_is_g2():
    assert grade_from(ki67_percent=Decimal("20"), mitoses_per_10hpf=None).grade is Grade.G2


def test_ki67_of_20_point_1_is_g3():
    assert grade_from(ki67_percent=Decimal("20.1"), mitoses_per_10hpf=None).grade is Grade.G3


@pytest.mark.parametrize(
    ("mitoses", "grade"),
    [(0, Grade.G1), (1, Grade.G1), (2, Grade.G2), (20, Grade.G2), (21, Grade.G3), (500, Grade.G3)],
)
def test_mitoses_alone_grade_below_2_as_g1_2_to_20_inclusive_as_g2_above_20_as_g3(mitoses, grade):
    assessment = grade_from(ki67_percent=None, mitoses_per_10hpf=mitoses)
    assert assessment.grade is grade
    assert assessment.from_mitoses is grade
    assert assessment.from_ki67 is None


@pytest.mark.parametrize(
    ("ki67", "mitoses", "grade"),
    [
        ("1", 0, Grade.G1),
        ("1", 2, Grade.G2),
        ("5", 1, Grade.G2),
        ("2.9", 21, Grade.G3),
        ("20.1", 0, Grade.G3),
        ("20", 20, Grade.G2),
        ("20.1", 21, Grade.G3),
    ],
)
def test_the_grade_is_the_higher_of_ki67_and_mitoses(ki67, mitoses, grade):
    assert grade_from(ki67_percent=Decimal(ki67), mitoses_per_10hpf=mitoses).grade is grade


def test_with_neither_ki67_nor_mitoses_the_grade_is_unknown():
    assessment = grade_from(ki67_percent=None, mitoses_per_10hpf=None)
    assert assessment.grade is None
    assert assessment.basis  # still says why
    assert recommend(case(ki67_percent=None, mitoses_per_10hpf=None)).grade is None


def test_grade_basis_mentions_the_ki67_value_and_its_threshold():
    basis = " ".join(grade_from(ki67_percent=Decimal("2.9"), mitoses_per_10hpf=None).basis)
    assert "Ki-67 2.9 %" in basis
    assert "3 %" in basis
    assert "G1" in basis


def test_grade_basis_mentions_the_mitotic_count_and_its_threshold():
    basis = " ".join(grade_from(ki67_percent=None, mitoses_per_10hpf=21).basis)
    assert mentions_mitoses(basis, 21)
    assert re.search(r"\b20\b", basis)
    assert "G3" in basis


def test_grade_basis_writes_numbers_as_a_clinician_would():
    basis = " ".join(grade_from(ki67_percent=Decimal("20.0"), mitoses_per_10hpf=None).basis)
    assert "Ki-67 20 %" in basis
    assert "20.0" not in basis


def test_grade_basis_of_discordant_indices_names_both_and_says_the_higher_was_used():
    basis = " ".join(grade_from(ki67_percent=Decimal("4"), mitoses_per_10hpf=25).basis)
    assert "Ki-67 4 %" in basis
    assert mentions_mitoses(basis, 25)
    assert "higher" in basis
    assert "G3" in basis


def test_result_carries_the_grade_and_its_basis():
    result = recommend(case(ki67_percent=Decimal("6"), mitoses_per_10hpf=3))
    assert result.grade is Grade.G2
    assert any("Ki-67 6 %" in line for line in result.grade_basis)
    assert any(mentions_mitoses(line, 3) for line in result.grade_basis)


# --- The grade's basis, word for word ------------------------------------------------------

GRADE_BASIS = [
    # One index: Ki-67 alone, each band, at and beside its thresholds.
    pytest.param("2.9", None, Grade.G1, ("Ki-67 2.9 % is below 3 %: G1",), id="ki67-g1"),
    pytest.param("3", None, Grade.G2, ("Ki-67 3 % is within 3 to 20 %: G2",), id="ki67-3-g2"),
    pytest.param("20", None, Grade.G2, ("Ki-67 20 % is within 3 to 20 %: G2",), id="ki67-20-g2"),
    pytest.param("20.1", None, Grade.G3, ("Ki-67 20.1 % is above 20 %: G3",), id="ki67-g3"),
    # One index: the mitotic count alone.
    pytest.param(None, 1, Grade.G1, ("mitotic count 1 per 10 HPF is below 2: G1",), id="mit-g1"),
    pytest.param(
        None, 2, Grade.G2, ("mitotic count 2 per 10 HPF is within 2 to 20: G2",), id="mit-2-g2"
    ),
    pytest.param(
        None, 20, Grade.G2, ("mitotic count 20 per 10 HPF is within 2 to 20: G2",), id="mit-20-g2"
    ),
    pytest.param(None, 21, Grade.G3, ("mitotic count 21 per 10 HPF is above 20: G3",), id="mit-g3"),
    # Two indices that agree.
    pytest.param(
        "1",
        0,
        Grade.G1,
        ("Ki-67 1 % is below 3 %: G1", "mitotic count 0 per 10 HPF is below 2: G1", "both give G1"),
        id="both-g1",
    ),
    pytest.param(
        "20.1",
        21,
        Grade.G3,
        (
            "Ki-67 20.1 % is above 20 %: G3",
            "mitotic count 21 per 10 HPF is above 20: G3",
            "both give G3",
        ),
        id="both-g3",
    ),
    # Two indices that disagree, each way round: the higher is used.
    pytest.param(
        "4",
        25,
        Grade.G3,
        (
            "Ki-67 4 % is within 3 to 20 %: G2",
            "mitotic count 25 per 10 HPF is above 20: G3",
            "the higher of the two, G3, is used",
        ),
        id="mitoses-higher",
    ),
    pytest.param(
        "25",
        1,
        Grade.G3,
        (
            "Ki-67 25 % is above 20 %: G3",
            "mitotic count 1 per 10 HPF is below 2: G1",
            "the higher of the two, G3, is used",
        ),
        id="ki67-higher",
    ),
    pytest.param(
        "2.9",
        2,
        Grade.G2,
        (
            "Ki-67 2.9 % is below 3 %: G1",
            "mitotic count 2 per 10 HPF is within 2 to 20: G2",
            "the higher of the two, G2, is used",
        ),
        id="g1-and-g2",
    ),
    # Neither.
    pytest.param(
        None, None, None, ("neither Ki-67 nor a mitotic count was given",), id="neither"
    ),
]


@pytest.mark.parametrize(("ki67", "mitoses", "grade", "basis"), GRADE_BASIS)
def test_the_grade_basis_reads_exactly_as_the_clinician_is_shown_it(ki67, mitoses, grade, basis):
    ki67 = Decimal(ki67) if ki67 is not None else None

    assessment = grade_from(ki67_percent=ki67, mitoses_per_10hpf=mitoses)
    result = recommend(case(ki67_percent=ki67, mitoses_per_10hpf=mitoses))

    assert assessment.grade is grade
    assert assessment.basis == basis
    assert (result.grade, result.grade_basis) == (grade, basis)


@pytest.mark.parametrize(
    ("ki67", "mitoses", "from_ki67", "from_mitoses", "discordant"),
    [
        ("1", 0, Grade.G1, Grade.G1, False),
        ("2.9", 2, Grade.G1, Grade.G2, True),
        ("25", 1, Grade.G3, Grade.G1, True),
        ("1", None, Grade.G1, None, False),
        (None, 21, None, Grade.G3, False),
        (None, None, None, None, False),
    ],
)
def test_the_assessment_keeps_each_indexs_grade_and_whether_they_disagree(
    ki67, mitoses, from_ki67, from_mitoses, discordant
):
    ki67 = Decimal(ki67) if ki67 is not None else None

    assessment = grade_from(ki67_percent=ki67, mitoses_per_10hpf=mitoses)

    assert (assessment.from_ki67, assessment.from_mitoses) == (from_ki67, from_mitoses)
    assert assessment.discordant is discordant


def test_the_grading_thresholds_are_the_sources():
    # The bands are module constants, which mutation testing does not change: pinned here.
    assert (Decimal(3), Decimal(20)) == (KI67_G2_FROM, KI67_G2_TO)
    assert (MITOSES_G2_FROM, MITOSES_G2_TO) == (2, 20)
    assert [grade.value for grade in Grade] == ["G1", "G2", "G3"]


def test_the_grading_is_explained_in_the_words_of_the_pathology_step():
    assert VERSION_1.grading.rules() == [
        "Ki-67 below 3 % is G1; 3 to 20 % is G2; above 20 % is G3.",
        "Mitoses per 10 HPF below 2 is G1; 2 to 20 is G2; above 20 is G3.",
        "With both given, the higher grade is used.",
    ]
