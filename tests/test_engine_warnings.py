"""The warnings (specification, section 5, and the three beyond it): each raised exactly
when its condition holds.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.advice import (
    NON_PANCREATIC_SITES,
    WARNING_CODES,
    CaseFacts,
    case,
    distant,
    pancreas,
    recommend,
)

WARNING_TABLE = [
    # grade-unknown
    ("grade-unknown", case(ki67_percent=None, mitoses_per_10hpf=None), True),
    (
        "grade-unknown",
        case(differentiation="unknown", ki67_percent=None, mitoses_per_10hpf=None),
        True,
    ),
    ("grade-unknown", case(ki67_percent=Decimal("1"), mitoses_per_10hpf=None), False),
    ("grade-unknown", case(ki67_percent=None, mitoses_per_10hpf=0), False),
    (
        "grade-unknown",
        case(differentiation="poor", ki67_percent=None, mitoses_per_10hpf=None),
        False,
    ),
    # grade-discordant: both given and different
    ("grade-discordant", case(ki67_percent=Decimal("2.9"), mitoses_per_10hpf=2), True),
    ("grade-discordant", case(ki67_percent=Decimal("3"), mitoses_per_10hpf=2), False),
    ("grade-discordant", case(ki67_percent=Decimal("2.9"), mitoses_per_10hpf=1), False),
    ("grade-discordant", case(ki67_percent=Decimal("20"), mitoses_per_10hpf=21), True),
    ("grade-discordant", case(ki67_percent=Decimal("20.1"), mitoses_per_10hpf=21), False),
    ("grade-discordant", case(ki67_percent=Decimal("20.1"), mitoses_per_10hpf=20), True),
    ("grade-discordant", case(ki67_percent=Decimal("50"), mitoses_per_10hpf=None), False),
    ("grade-discordant", case(ki67_percent=None, mitoses_per_10hpf=50), False),
    (
        "grade-discordant",
        case(differentiation="poor", ki67_percent=Decimal("50"), mitoses_per_10hpf=5),
        True,
    ),
    # net-g3: well differentiated with a G3 index
    ("net-g3", case(ki67_percent=Decimal("20.1")), True),
    ("net-g3", case(ki67_percent=Decimal("20")), False),
    ("net-g3", case(ki67_percent=None, mitoses_per_10hpf=21), True),
    ("net-g3", case(ki67_percent=None, mitoses_per_10hpf=20), False),
    ("net-g3", case(differentiation="poor", ki67_percent=Decimal("50")), False),
    ("net-g3", case(differentiation="unknown", ki67_percent=Decimal("50")), False),
    # differentiation-assumed: differentiation unknown, G3 index
    (
        "differentiation-assumed",
        case(differentiation="unknown", ki67_percent=Decimal("20.1")),
        True,
    ),
    (
        "differentiation-assumed",
        case(differentiation="unknown", ki67_percent=None, mitoses_per_10hpf=21),
        True,
    ),
    (
        "differentiation-assumed",
        case(differentiation="unknown", ki67_percent=Decimal("20"), mitoses_per_10hpf=20),
        False,
    ),
    ("differentiation-assumed", case(differentiation="well", ki67_percent=Decimal("50")), False),
    ("differentiation-assumed", case(differentiation="poor", ki67_percent=Decimal("50")), False),
    # poor-low-grade: poorly differentiated, G1 or G2
    ("poor-low-grade", case(differentiation="poor", ki67_percent=Decimal("1")), True),
    (
        "poor-low-grade",
        case(differentiation="poor", ki67_percent=Decimal("20"), mitoses_per_10hpf=20),
        True,
    ),
    ("poor-low-grade", case(differentiation="poor", ki67_percent=Decimal("20.1")), False),
    (
        "poor-low-grade",
        case(differentiation="poor", ki67_percent=None, mitoses_per_10hpf=None),
        False,
    ),
    ("poor-low-grade", case(differentiation="well", ki67_percent=Decimal("1")), False),
    ("poor-low-grade", case(differentiation="unknown", ki67_percent=Decimal("1")), False),
    # regional-nodes: regional nodal disease (the spec does not restrict it by category)
    ("regional-nodes", case(extent="regional_nodes"), True),
    ("regional-nodes", case(extent="regional_nodes", differentiation="poor"), True),
    ("regional-nodes", case(extent="localised"), False),
    ("regional-nodes", distant(), False),
    # ssa-insulinoma: somatostatin-analogue applies to an insulinoma
    (
        "ssa-insulinoma",
        distant(site="pancreas", tumour_type="insulinoma", hormonal_symptoms=True),
        True,
    ),
    (
        "ssa-insulinoma",
        distant(site="pancreas", tumour_type="insulinoma", hormonal_symptoms=False),
        False,
    ),
    ("ssa-insulinoma", pancreas(tumour_type="insulinoma", hormonal_symptoms=True), False),
    (
        "ssa-insulinoma",
        distant(site="pancreas", tumour_type="gastrinoma", hormonal_symptoms=True),
        False,
    ),
    (
        "ssa-insulinoma",
        distant(
            site="pancreas",
            tumour_type="insulinoma",
            hormonal_symptoms=True,
            differentiation="poor",
        ),
        False,
    ),
    # ssr-negative: only when somatostatin-analogue applies and SSR imaging is negative
    ("ssr-negative", distant(hormonal_symptoms=True, ssr_imaging="negative"), True),
    ("ssr-negative", distant(hormonal_symptoms=True, ssr_imaging="positive"), False),
    ("ssr-negative", distant(hormonal_symptoms=True, ssr_imaging="not_done"), False),
    ("ssr-negative", distant(hormonal_symptoms=False, ssr_imaging="negative"), False),
    ("ssr-negative", case(hormonal_symptoms=True, ssr_imaging="negative"), False),
    (
        "ssr-negative",
        distant(hormonal_symptoms=True, ssr_imaging="negative", differentiation="poor"),
        False,
    ),
    # symptoms-non-functional
    ("symptoms-non-functional", case(tumour_type="non_functional", hormonal_symptoms=True), True),
    ("symptoms-non-functional", case(tumour_type="non_functional", hormonal_symptoms=False), False),
    (
        "symptoms-non-functional",
        case(tumour_type="other_functional", hormonal_symptoms=True),
        False,
    ),
    # type-site-mismatch: insulinoma outside pancreas; gastrinoma outside pancreas and duodenum
    ("type-site-mismatch", pancreas(tumour_type="insulinoma"), False),
    *[
        ("type-site-mismatch", case(site=site, tumour_type="insulinoma"), True)
        for site in NON_PANCREATIC_SITES
    ],
    ("type-site-mismatch", pancreas(tumour_type="gastrinoma"), False),
    ("type-site-mismatch", case(site="duodenum", tumour_type="gastrinoma"), False),
    *[
        ("type-site-mismatch", case(site=site, tumour_type="gastrinoma"), True)
        for site in NON_PANCREATIC_SITES
        if site != "duodenum"
    ],
    *[
        ("type-site-mismatch", case(site=site, tumour_type=tumour_type), False)
        for site in NON_PANCREATIC_SITES
        for tumour_type in ("non_functional", "other_functional")
    ],
    # local-excision-size: local-excision applies and size > 20 mm
    ("local-excision-size", case(site="rectum", size_mm=Decimal("20")), False),
    ("local-excision-size", case(site="rectum", size_mm=Decimal("20.1")), True),
    ("local-excision-size", case(site="appendix", size_mm=Decimal("20.1")), True),
    ("local-excision-size", case(site="appendix", size_mm=Decimal("300")), True),
    ("local-excision-size", case(site="colon", size_mm=Decimal("25")), False),
    (
        "local-excision-size",
        case(site="rectum", extent="regional_nodes", size_mm=Decimal("25")),
        False,
    ),
    ("local-excision-size", distant(site="rectum", size_mm=Decimal("25")), False),
    (
        "local-excision-size",
        case(site="rectum", differentiation="poor", size_mm=Decimal("25")),
        False,
    ),
    # no-symptom-guidance: well differentiated, distant metastases, no symptoms
    ("no-symptom-guidance", distant(hormonal_symptoms=False), True),
    (
        "no-symptom-guidance",
        distant(
            hormonal_symptoms=False,
            differentiation="unknown",
            ki67_percent=None,
            mitoses_per_10hpf=None,
        ),
        True,
    ),
    ("no-symptom-guidance", distant(hormonal_symptoms=True), False),
    ("no-symptom-guidance", distant(hormonal_symptoms=False, differentiation="poor"), False),
    (
        "no-symptom-guidance",
        distant(hormonal_symptoms=False, differentiation="unknown", ki67_percent=Decimal("20.1")),
        False,
    ),
    ("no-symptom-guidance", case(hormonal_symptoms=False), False),
    ("no-symptom-guidance", case(extent="regional_nodes", hormonal_symptoms=False), False),
    # beyond the spec: differentiation-unknown (unknown and category well)
    (
        "differentiation-unknown",
        case(differentiation="unknown", ki67_percent=None, mitoses_per_10hpf=None),
        True,
    ),
    (
        "differentiation-unknown",
        case(differentiation="unknown", ki67_percent=Decimal("20"), mitoses_per_10hpf=20),
        True,
    ),
    (
        "differentiation-unknown",
        case(differentiation="unknown", ki67_percent=Decimal("20.1")),
        False,
    ),
    (
        "differentiation-unknown",
        case(differentiation="well", ki67_percent=None, mitoses_per_10hpf=None),
        False,
    ),
    (
        "differentiation-unknown",
        case(differentiation="poor", ki67_percent=None, mitoses_per_10hpf=None),
        False,
    ),
    # beyond the spec: resectability-unknown (debulking applies, resectability unknown)
    ("resectability-unknown", distant("unknown"), True),
    ("resectability-unknown", distant("yes"), False),
    ("resectability-unknown", distant("no"), False),
    ("resectability-unknown", case(metastases_resectable="unknown"), False),
    (
        "resectability-unknown",
        case(extent="regional_nodes", metastases_resectable="unknown"),
        False,
    ),
    ("resectability-unknown", distant("unknown", differentiation="poor"), False),
    # beyond the spec: functional-without-symptoms
    (
        "functional-without-symptoms",
        pancreas(tumour_type="insulinoma", hormonal_symptoms=False),
        True,
    ),
    (
        "functional-without-symptoms",
        case(site="duodenum", tumour_type="gastrinoma", hormonal_symptoms=False),
        True,
    ),
    (
        "functional-without-symptoms",
        case(tumour_type="other_functional", hormonal_symptoms=False),
        True,
    ),
    (
        "functional-without-symptoms",
        pancreas(tumour_type="insulinoma", hormonal_symptoms=True),
        False,
    ),
    (
        "functional-without-symptoms",
        case(site="duodenum", tumour_type="gastrinoma", hormonal_symptoms=True),
        False,
    ),
    (
        "functional-without-symptoms",
        case(tumour_type="other_functional", hormonal_symptoms=True),
        False,
    ),
    (
        "functional-without-symptoms",
        case(tumour_type="non_functional", hormonal_symptoms=False),
        False,
    ),
]


def _warning_id(code: str, facts: CaseFacts, present: bool) -> str:
    return f"{code}-{'present' if present else 'absent'}"


@pytest.mark.parametrize(
    ("code", "facts", "present"),
    [pytest.param(*row, id=_warning_id(*row)) for row in WARNING_TABLE],
)
def test_each_warning_is_raised_exactly_when_its_condition_holds(code, facts, present):
    codes = recommend(facts).warning_codes
    assert (code in codes) is present, (facts, codes)


def test_every_warning_code_is_exercised_both_ways():
    present = {code for code, _, shown in WARNING_TABLE if shown}
    absent = {code for code, _, shown in WARNING_TABLE if not shown}
    assert present == set(WARNING_CODES)
    assert absent == set(WARNING_CODES)


def test_a_plain_small_well_differentiated_case_has_no_warnings():
    assert recommend(case()).warning_codes == ()


def test_grade_discordant_detail_names_both_grades():
    result = recommend(case(ki67_percent=Decimal("2.9"), mitoses_per_10hpf=2))
    (warning,) = [w for w in result.warnings if w.code == "grade-discordant"]
    assert "G1" in warning.detail
    assert "G2" in warning.detail


def test_local_excision_size_detail_names_the_size():
    result = recommend(case(site="rectum", size_mm=Decimal("20.1")))
    (warning,) = [w for w in result.warnings if w.code == "local-excision-size"]
    assert "20.1 mm" in warning.detail


# --- What each warning says about the case, word for word -----------------------------------

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
