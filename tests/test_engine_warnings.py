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
