"""What each warning says about the case (its detail), word for word, for each warning code,
and the warnings of a case in the specification's order.

Pure Python: the rules are reached through tests.advice alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.advice import WARNING_CODES, case, distant, pancreas, recommend

WARNING_DETAILS = [
    pytest.param(
        "grade-unknown",
        case(ki67_percent=None, mitoses_per_10hpf=None),
        "No Ki-67 or mitotic count was given.",
        id="grade-unknown",
    ),
    pytest.param(
        "grade-discordant",
        case(ki67_percent=Decimal("2.9"), mitoses_per_10hpf=2),
        "Ki-67 gives G1, the mitotic count gives G2; G2 was used.",
        id="grade-discordant-mitoses-higher",
    ),
    pytest.param(
        "grade-discordant",
        case(ki67_percent=Decimal("25"), mitoses_per_10hpf=5),
        "Ki-67 gives G3, the mitotic count gives G2; G3 was used.",
        id="grade-discordant-ki67-higher",
    ),
    pytest.param(
        "net-g3",
        case(ki67_percent=Decimal("35"), mitoses_per_10hpf=0),
        "Ki-67 35 % is above 20 %: G3; mitotic count 0 per 10 HPF is below 2: G1; "
        "the higher of the two, G3, is used.",
        id="net-g3",
    ),
    pytest.param(
        "net-g3",
        case(ki67_percent=None, mitoses_per_10hpf=21),
        "mitotic count 21 per 10 HPF is above 20: G3.",
        id="net-g3-mitoses-alone",
    ),
    pytest.param(
        "differentiation-assumed",
        case(differentiation="unknown", ki67_percent=Decimal("20.1"), mitoses_per_10hpf=None),
        "Ki-67 20.1 % is above 20 %: G3.",
        id="differentiation-assumed",
    ),
    pytest.param(
        "differentiation-assumed",
        case(differentiation="unknown", ki67_percent=Decimal("50"), mitoses_per_10hpf=30),
        "Ki-67 50 % is above 20 %: G3; mitotic count 30 per 10 HPF is above 20: G3; "
        "both give G3.",
        id="differentiation-assumed-both",
    ),
    pytest.param(
        "poor-low-grade",
        case(differentiation="poor", ki67_percent=Decimal("1"), mitoses_per_10hpf=0),
        "Poorly differentiated with grade G1.",
        id="poor-low-grade-g1",
    ),
    pytest.param(
        "poor-low-grade",
        case(differentiation="poor", ki67_percent=Decimal("10"), mitoses_per_10hpf=None),
        "Poorly differentiated with grade G2.",
        id="poor-low-grade-g2",
    ),
    pytest.param("regional-nodes", case(extent="regional_nodes"), "", id="regional-nodes"),
    pytest.param(
        "ssa-insulinoma",
        distant(site="pancreas", tumour_type="insulinoma", hormonal_symptoms=True),
        "",
        id="ssa-insulinoma",
    ),
    pytest.param(
        "ssr-negative",
        distant(tumour_type="other_functional", hormonal_symptoms=True, ssr_imaging="negative"),
        "",
        id="ssr-negative",
    ),
    pytest.param(
        "symptoms-non-functional",
        case(tumour_type="non_functional", hormonal_symptoms=True),
        "Non-functional tumour type with hormonal symptoms.",
        id="symptoms-non-functional",
    ),
    pytest.param(
        "type-site-mismatch",
        case(site="rectum", tumour_type="insulinoma", hormonal_symptoms=True),
        "Insulinoma in the rectum.",
        id="type-site-mismatch-insulinoma",
    ),
    pytest.param(
        "type-site-mismatch",
        case(site="small_intestine", tumour_type="gastrinoma", hormonal_symptoms=True),
        "Gastrinoma in the small intestine.",
        id="type-site-mismatch-gastrinoma",
    ),
    pytest.param(
        "local-excision-size",
        case(site="rectum", size_mm=Decimal("20.1")),
        "Size 20.1 mm is above 20 mm.",
        id="local-excision-size",
    ),
    pytest.param(
        "local-excision-size",
        case(site="appendix", size_mm=Decimal("45")),
        "Size 45 mm is above 20 mm.",
        id="local-excision-size-appendix",
    ),
    pytest.param("no-symptom-guidance", distant(), "", id="no-symptom-guidance"),
    pytest.param(
        "differentiation-unknown",
        case(differentiation="unknown"),
        "Differentiation not known and grade G1: treated as well differentiated.",
        id="differentiation-unknown",
    ),
    pytest.param(
        "differentiation-unknown",
        case(differentiation="unknown", ki67_percent=None, mitoses_per_10hpf=None),
        "Differentiation and grade not known: treated as well differentiated.",
        id="differentiation-unknown-no-grade",
    ),
    pytest.param("resectability-unknown", distant("unknown"), "", id="resectability-unknown"),
    pytest.param(
        "functional-without-symptoms",
        pancreas(tumour_type="insulinoma"),
        "Insulinoma without hormonal symptoms.",
        id="functional-without-symptoms-insulinoma",
    ),
    pytest.param(
        "functional-without-symptoms",
        pancreas(tumour_type="gastrinoma"),
        "Gastrinoma without hormonal symptoms.",
        id="functional-without-symptoms-gastrinoma",
    ),
    pytest.param(
        "functional-without-symptoms",
        case(tumour_type="other_functional"),
        "Other functional tumour without hormonal symptoms.",
        id="functional-without-symptoms-other",
    ),
]


@pytest.mark.parametrize(("code", "facts", "detail"), WARNING_DETAILS)
def test_each_warning_says_exactly_what_in_the_case_raised_it(code, facts, detail):
    details = [warning.detail for warning in recommend(facts).warnings if warning.code == code]

    assert details == [detail]


def test_every_warning_has_its_detail_written_out_above():
    assert {row.values[0] for row in WARNING_DETAILS} == set(WARNING_CODES)


@pytest.mark.parametrize(
    ("facts", "warnings"),
    [
        pytest.param(
            case(
                site="rectum",
                tumour_type="gastrinoma",
                size_mm=Decimal("25.5"),
                differentiation="unknown",
                ki67_percent=Decimal("2.9"),
                mitoses_per_10hpf=5,
                extent="regional_nodes",
            ),
            (
                ("grade-discordant", "Ki-67 gives G1, the mitotic count gives G2; G2 was used."),
                ("regional-nodes", ""),
                ("type-site-mismatch", "Gastrinoma in the rectum."),
                (
                    "differentiation-unknown",
                    "Differentiation not known and grade G2: treated as well differentiated.",
                ),
                ("functional-without-symptoms", "Gastrinoma without hormonal symptoms."),
            ),
            id="warned-rectum",
        ),
        pytest.param(
            distant(
                site="rectum",
                tumour_type="insulinoma",
                hormonal_symptoms=True,
                ssr_imaging="negative",
            ),
            (
                ("ssa-insulinoma", ""),
                ("ssr-negative", ""),
                ("type-site-mismatch", "Insulinoma in the rectum."),
                ("resectability-unknown", ""),
            ),
            id="metastatic-insulinoma-of-the-rectum",
        ),
    ],
)
def test_the_warnings_come_in_the_specifications_order_each_with_its_detail(facts, warnings):
    result = recommend(facts)

    assert tuple((warning.code, warning.detail) for warning in result.warnings) == warnings
