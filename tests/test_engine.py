"""Unit tests of the decision engine against the clinical specification.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django, only guidance.engine.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from guidance.engine import (
    DIFFERENTIATIONS,
    EXTENTS,
    PANCREAS_REGIONS,
    RESECTABILITY,
    SECTION_SLUGS,
    SITES,
    SSR_IMAGING,
    TUMOUR_TYPES,
    WARNING_CODES,
    CaseFacts,
    Category,
    Grade,
    grade_from,
    recommend,
)

EXAMPLE_CASES = Path(__file__).with_name("example_cases.json")

SITE_VALUES = tuple(value for value, _ in SITES)
NON_PANCREATIC_SITES = tuple(site for site in SITE_VALUES if site != "pancreas")
REGION_VALUES = tuple(value for value, _ in PANCREAS_REGIONS)
TYPE_VALUES = tuple(value for value, _ in TUMOUR_TYPES)
DIFFERENTIATION_VALUES = tuple(value for value, _ in DIFFERENTIATIONS)
EXTENT_VALUES = tuple(value for value, _ in EXTENTS)
RESECTABILITY_VALUES = tuple(value for value, _ in RESECTABILITY)
SSR_VALUES = tuple(value for value, _ in SSR_IMAGING)

CURATIVE_SURGERY = frozenset(
    {
        "insulinoma-local-excision",
        "insulinoma-partial-pancreatectomy",
        "curative-excision",
        "pancreatoduodenectomy",
        "local-excision",
        "lymph-node-dissection",
    }
)
METASTATIC = frozenset(
    {
        "metastatic-incurable",
        "debulking-surgery",
        "somatostatin-analogue",
        "interferon",
        "pancreatic-cytotoxic",
        "pancreatic-radiotherapy",
        "cytotoxic-minimal-benefit",
        "everolimus",
    }
)


def case(**overrides) -> CaseFacts:
    """A valid case: a small, localised, well-differentiated G1 NET of the colon."""
    facts = {
        "site": "colon",
        "pancreas_region": None,
        "tumour_type": "non_functional",
        "hormonal_symptoms": False,
        "size_mm": Decimal("15"),
        "differentiation": "well",
        "ki67_percent": Decimal("1"),
        "mitoses_per_10hpf": 0,
        "extent": "localised",
        "metastases_resectable": "unknown",
        "ssr_imaging": "not_done",
    }
    facts.update(overrides)
    if facts["site"] == "pancreas" and facts["pancreas_region"] is None:
        facts["pancreas_region"] = "tail"
    return CaseFacts(**facts)


def pancreas(region: str = "tail", **overrides) -> CaseFacts:
    return case(site="pancreas", pancreas_region=region, **overrides)


def distant(resectable: str = "unknown", **overrides) -> CaseFacts:
    return case(extent="distant_metastases", metastases_resectable=resectable, **overrides)


def reasons_of(result, slug: str) -> tuple[str, ...]:
    for section in result.sections:
        if section.slug == slug:
            return section.reasons
    raise AssertionError(f"{slug} not applied; applied: {result.slugs}")


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


# --- 3. Category --------------------------------------------------------------------


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


# --- 4. Sections --------------------------------------------------------------------

SECTION_TABLE = [
    # localised, insulinoma: by size, 20 mm itself is not small
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("19.9")),
        ("insulinoma-local-excision",),
        id="localised-insulinoma-19.9mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("0.1")),
        ("insulinoma-local-excision",),
        id="localised-insulinoma-0.1mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("20")),
        ("insulinoma-partial-pancreatectomy",),
        id="localised-insulinoma-20mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("300")),
        ("insulinoma-partial-pancreatectomy",),
        id="localised-insulinoma-300mm",
    ),
    # a pancreatic-head insulinoma gets no pancreatoduodenectomy
    pytest.param(
        pancreas("head", tumour_type="insulinoma", size_mm=Decimal("10")),
        ("insulinoma-local-excision",),
        id="localised-insulinoma-head-small",
    ),
    pytest.param(
        pancreas("head", tumour_type="insulinoma", size_mm=Decimal("25")),
        ("insulinoma-partial-pancreatectomy",),
        id="localised-insulinoma-head-large",
    ),
    # localised, rectum or appendix
    *[
        pytest.param(
            case(site=site, tumour_type=tumour_type, size_mm=Decimal(size)),
            ("curative-excision", "local-excision"),
            id=f"localised-{site}-{tumour_type}-{size}mm",
        )
        for site in ("rectum", "appendix")
        for tumour_type in ("non_functional", "other_functional")
        for size in ("15", "25")
    ],
    # localised, any other site (pancreas away from the head included)
    *[
        pytest.param(
            case(site=site),
            ("curative-excision", "lymph-node-dissection"),
            id=f"localised-{site}",
        )
        for site in ("stomach", "duodenum", "small_intestine", "colon")
    ],
    *[
        pytest.param(
            pancreas(region, tumour_type=tumour_type),
            ("curative-excision", "lymph-node-dissection"),
            id=f"localised-pancreas-{region}-{tumour_type}",
        )
        for region in ("neck", "body", "tail")
        for tumour_type in ("non_functional", "gastrinoma", "other_functional")
    ],
    # localised or regional nodes, pancreatic head, not an insulinoma: add pancreatoduodenectomy
    *[
        pytest.param(
            pancreas("head", tumour_type=tumour_type, extent=extent),
            ("curative-excision", "pancreatoduodenectomy", "lymph-node-dissection"),
            id=f"{extent}-pancreas-head-{tumour_type}",
        )
        for extent in ("localised", "regional_nodes")
        for tumour_type in ("non_functional", "gastrinoma", "other_functional")
    ],
    # regional nodes, insulinoma, whatever the size and region
    *[
        pytest.param(
            pancreas(region, tumour_type="insulinoma", extent="regional_nodes", size_mm=size),
            ("insulinoma-partial-pancreatectomy", "lymph-node-dissection"),
            id=f"regional-insulinoma-{region}-{size}mm",
        )
        for region in ("head", "tail")
        for size in (Decimal("10"), Decimal("25"))
    ],
    # regional nodes, any other tumour; rectum and appendix never get local excision
    *[
        pytest.param(
            case(site=site, extent="regional_nodes", size_mm=Decimal("10")),
            ("curative-excision", "lymph-node-dissection"),
            id=f"regional-{site}",
        )
        for site in NON_PANCREATIC_SITES
    ],
    *[
        pytest.param(
            pancreas(region, tumour_type="gastrinoma", extent="regional_nodes"),
            ("curative-excision", "lymph-node-dissection"),
            id=f"regional-pancreas-{region}-gastrinoma",
        )
        for region in ("neck", "body", "tail")
    ],
    # distant metastases, not pancreas: by resectability and symptoms
    pytest.param(
        distant("yes"),
        ("metastatic-incurable", "debulking-surgery", "cytotoxic-minimal-benefit", "everolimus"),
        id="distant-colon-resectable-yes",
    ),
    pytest.param(
        distant("unknown"),
        ("metastatic-incurable", "debulking-surgery", "cytotoxic-minimal-benefit", "everolimus"),
        id="distant-colon-resectable-unknown",
    ),
    pytest.param(
        distant("no"),
        ("metastatic-incurable", "cytotoxic-minimal-benefit", "everolimus"),
        id="distant-colon-resectable-no",
    ),
    pytest.param(
        distant("yes", tumour_type="other_functional", hormonal_symptoms=True),
        (
            "metastatic-incurable",
            "debulking-surgery",
            "somatostatin-analogue",
            "interferon",
            "cytotoxic-minimal-benefit",
            "everolimus",
        ),
        id="distant-colon-symptoms-resectable-yes",
    ),
    pytest.param(
        distant("no", tumour_type="other_functional", hormonal_symptoms=True),
        (
            "metastatic-incurable",
            "somatostatin-analogue",
            "interferon",
            "cytotoxic-minimal-benefit",
            "everolimus",
        ),
        id="distant-colon-symptoms-resectable-no",
    ),
    *[
        pytest.param(
            distant("no", site=site, size_mm=Decimal("10")),
            ("metastatic-incurable", "cytotoxic-minimal-benefit", "everolimus"),
            id=f"distant-{site}",
        )
        for site in NON_PANCREATIC_SITES
    ],
    # distant metastases, pancreas (any region; no pancreatoduodenectomy, no insulinoma surgery)
    *[
        pytest.param(
            distant("no", site="pancreas", pancreas_region=region),
            (
                "metastatic-incurable",
                "pancreatic-cytotoxic",
                "pancreatic-radiotherapy",
                "everolimus",
            ),
            id=f"distant-pancreas-{region}-resectable-no",
        )
        for region in REGION_VALUES
    ],
    pytest.param(
        distant(
            "yes",
            site="pancreas",
            pancreas_region="head",
            hormonal_symptoms=True,
            tumour_type="gastrinoma",
        ),
        (
            "metastatic-incurable",
            "debulking-surgery",
            "somatostatin-analogue",
            "interferon",
            "pancreatic-cytotoxic",
            "pancreatic-radiotherapy",
            "everolimus",
        ),
        id="distant-pancreas-head-gastrinoma-symptoms-resectable-yes",
    ),
    pytest.param(
        distant(
            "unknown",
            site="pancreas",
            pancreas_region="tail",
            tumour_type="insulinoma",
            size_mm=Decimal("10"),
            hormonal_symptoms=True,
        ),
        (
            "metastatic-incurable",
            "debulking-surgery",
            "somatostatin-analogue",
            "interferon",
            "pancreatic-cytotoxic",
            "pancreatic-radiotherapy",
            "everolimus",
        ),
        id="distant-small-insulinoma-symptoms",
    ),
    # a negative SSR scan never removes the somatostatin analogue
    *[
        pytest.param(
            distant("no", tumour_type="other_functional", hormonal_symptoms=True, ssr_imaging=ssr),
            (
                "metastatic-incurable",
                "somatostatin-analogue",
                "interferon",
                "cytotoxic-minimal-benefit",
                "everolimus",
            ),
            id=f"distant-symptoms-ssr-{ssr}",
        )
        for ssr in SSR_VALUES
    ],
    # well-differentiated G3 follows the well-differentiated table
    pytest.param(
        distant("no", ki67_percent=Decimal("50"), mitoses_per_10hpf=30),
        ("metastatic-incurable", "cytotoxic-minimal-benefit", "everolimus"),
        id="distant-well-g3",
    ),
]


@pytest.mark.parametrize(("facts", "slugs"), SECTION_TABLE)
def test_well_differentiated_sections_follow_the_specification_table(facts, slugs):
    result = recommend(facts)
    assert result.category is Category.WELL
    assert result.slugs == slugs
    for section in result.sections:
        assert section.reasons, section.slug


@pytest.mark.parametrize("extent", EXTENT_VALUES)
@pytest.mark.parametrize(
    ("site", "region"),
    [("pancreas", region) for region in REGION_VALUES]
    + [(site, None) for site in NON_PANCREATIC_SITES],
)
def test_poorly_differentiated_tumours_get_only_the_poorly_differentiated_section(
    site, region, extent
):
    for tumour_type, symptoms, resectable in itertools.product(
        TYPE_VALUES, (True, False), ("yes", "unknown")
    ):
        facts = case(
            site=site,
            pancreas_region=region,
            extent=extent,
            tumour_type=tumour_type,
            hormonal_symptoms=symptoms,
            metastases_resectable=resectable if extent == "distant_metastases" else "unknown",
            differentiation="poor",
            ki67_percent=Decimal("60"),
            size_mm=Decimal("10"),
        )
        assert recommend(facts).slugs == ("poorly-differentiated",), facts


def test_unknown_differentiation_with_g3_gets_only_the_poorly_differentiated_section():
    facts = distant(
        "yes",
        differentiation="unknown",
        ki67_percent=Decimal("20.1"),
        hormonal_symptoms=True,
        tumour_type="other_functional",
    )
    assert recommend(facts).slugs == ("poorly-differentiated",)


def test_sections_come_in_the_order_of_the_source():
    result = recommend(
        pancreas("head", extent="regional_nodes", tumour_type="gastrinoma", hormonal_symptoms=True)
    )
    positions = [SECTION_SLUGS.index(slug) for slug in result.slugs]
    assert positions == sorted(positions)


# --- 5. Warnings --------------------------------------------------------------------

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


# --- Reasons ------------------------------------------------------------------------


def test_small_insulinoma_reason_states_the_size_is_below_20_mm():
    result = recommend(pancreas(tumour_type="insulinoma", size_mm=Decimal("15")))
    reasons = reasons_of(result, "insulinoma-local-excision")
    assert "size 15 mm is below 20 mm" in reasons
    assert any("insulinoma" in reason for reason in reasons)
    assert any("localised" in reason for reason in reasons)


def test_insulinoma_of_exactly_20_mm_reason_states_it_is_not_small():
    result = recommend(pancreas(tumour_type="insulinoma", size_mm=Decimal("20")))
    reasons = reasons_of(result, "insulinoma-partial-pancreatectomy")
    assert any("size 20 mm" in reason for reason in reasons)
    assert not any("below" in reason for reason in reasons)


def test_local_excision_reason_names_the_site():
    assert "site: rectum" in reasons_of(recommend(case(site="rectum")), "local-excision")
    assert "site: appendix" in reasons_of(recommend(case(site="appendix")), "local-excision")


def test_lymph_node_dissection_reason_names_the_site():
    reasons = reasons_of(recommend(case(site="stomach")), "lymph-node-dissection")
    assert any("site: stomach" in reason for reason in reasons)


def test_curative_excision_reason_states_extent_and_grade():
    reasons = reasons_of(recommend(case(ki67_percent=Decimal("6"))), "curative-excision")
    assert any("localised" in reason for reason in reasons)
    assert any("G2" in reason for reason in reasons)


def test_pancreatoduodenectomy_reason_names_the_pancreatic_head():
    result = recommend(pancreas("head", tumour_type="gastrinoma"))
    reasons = reasons_of(result, "pancreatoduodenectomy")
    assert any("head" in reason for reason in reasons)
    assert any("gastrinoma" in reason for reason in reasons)


def test_regional_node_sections_say_the_nodes_are_involved():
    result = recommend(case(extent="regional_nodes"))
    for slug in result.slugs:
        assert any("lymph nodes" in reason for reason in reasons_of(result, slug)), slug


def test_every_metastatic_section_gives_distant_metastases_as_a_reason():
    result = recommend(distant("yes", tumour_type="other_functional", hormonal_symptoms=True))
    for slug in result.slugs:
        assert any("distant metastases" in r for r in reasons_of(result, slug)), slug


def test_debulking_reason_states_the_resectability():
    assert any(
        "resectable: yes" in reason
        for reason in reasons_of(recommend(distant("yes")), "debulking-surgery")
    )
    assert any(
        "not yet assessed" in reason
        for reason in reasons_of(recommend(distant("unknown")), "debulking-surgery")
    )


def test_symptom_control_reasons_mention_hormonal_symptoms():
    result = recommend(distant(tumour_type="other_functional", hormonal_symptoms=True))
    for slug in ("somatostatin-analogue", "interferon"):
        assert any("hormonal symptoms" in reason for reason in reasons_of(result, slug)), slug


def test_site_specific_metastatic_reasons_name_the_site():
    pancreatic = recommend(distant(site="pancreas", pancreas_region="body"))
    for slug in ("pancreatic-cytotoxic", "pancreatic-radiotherapy", "everolimus"):
        assert "site: pancreas" in reasons_of(pancreatic, slug), slug
    colonic = recommend(distant())
    assert any("site: colon" in r for r in reasons_of(colonic, "cytotoxic-minimal-benefit"))


def test_poorly_differentiated_reason_says_why():
    poor = recommend(case(differentiation="poor"))
    assert any("poor" in reason for reason in reasons_of(poor, "poorly-differentiated"))
    assumed = recommend(case(differentiation="unknown", ki67_percent=Decimal("25")))
    assert any("G3" in reason for reason in reasons_of(assumed, "poorly-differentiated"))


# --- Exhaustive grid ----------------------------------------------------------------

# The whole input space at its boundaries: about 450,000 cases, split by site so that each
# test stays short. Resectability only matters with distant metastases, so it is varied
# there alone ("unknown" otherwise).
GRID_SITES = [("pancreas", region) for region in REGION_VALUES] + [
    (site, None) for site in NON_PANCREATIC_SITES
]
GRID_SIZES = tuple(Decimal(size) for size in ("0.1", "19.9", "20", "20.1", "300"))
GRID_KI67 = (None, *(Decimal(ki67) for ki67 in ("2.9", "3", "20", "20.1")))
GRID_MITOSES = (None, 1, 2, 20, 21)
GRID_EXTENTS = [("localised", "unknown"), ("regional_nodes", "unknown")] + [
    ("distant_metastases", resectable) for resectable in RESECTABILITY_VALUES
]
SECTION_SLUG_SET = frozenset(SECTION_SLUGS)
WARNING_CODE_SET = frozenset(WARNING_CODES)


def check_invariants(facts: CaseFacts) -> None:
    result = recommend(facts)
    slugs = result.slugs
    codes = result.warning_codes
    slug_set = set(slugs)

    assert slugs, facts
    assert slug_set <= SECTION_SLUG_SET, (facts, slugs)
    assert len(slug_set) == len(slugs), (facts, slugs)
    assert set(codes) <= WARNING_CODE_SET, (facts, codes)
    assert len(set(codes)) == len(codes), (facts, codes)
    if "local-excision" in slug_set:
        assert "lymph-node-dissection" not in slug_set, (facts, slugs)
        assert "pancreatoduodenectomy" not in slug_set, (facts, slugs)
    assert not {"insulinoma-local-excision", "insulinoma-partial-pancreatectomy"} <= slug_set, (
        facts,
        slugs,
    )
    if result.category is Category.POOR:
        assert slugs == ("poorly-differentiated",), (facts, slugs)
    else:
        assert "poorly-differentiated" not in slug_set, (facts, slugs)
        if facts.extent == "distant_metastases":
            assert "metastatic-incurable" in slug_set, (facts, slugs)
            assert not slug_set & CURATIVE_SURGERY, (facts, slugs)
        else:
            assert not slug_set & METASTATIC, (facts, slugs)
    for section in result.sections:
        assert section.reasons, (facts, section.slug)


@pytest.mark.parametrize(
    ("site", "region"), GRID_SITES, ids=[f"{s}-{r}" if r else s for s, r in GRID_SITES]
)
def test_invariants_hold_over_the_whole_input_space(site, region):
    base = case(site=site, pancreas_region=region)
    for (
        tumour_type,
        symptoms,
        size,
        differentiation,
        ki67,
        mitoses,
        (extent, resectable),
        ssr,
    ) in itertools.product(
        TYPE_VALUES,
        (True, False),
        GRID_SIZES,
        DIFFERENTIATION_VALUES,
        GRID_KI67,
        GRID_MITOSES,
        GRID_EXTENTS,
        SSR_VALUES,
    ):
        check_invariants(
            replace(
                base,
                tumour_type=tumour_type,
                hormonal_symptoms=symptoms,
                size_mm=size,
                differentiation=differentiation,
                ki67_percent=ki67,
                mitoses_per_10hpf=mitoses,
                extent=extent,
                metastases_resectable=resectable,
                ssr_imaging=ssr,
            )
        )


# --- Example cases ------------------------------------------------------------------


def _facts_from_json(data: dict) -> CaseFacts:
    ki67 = data.get("ki67_percent")
    return CaseFacts(
        site=data["site"],
        pancreas_region=data.get("pancreas_region"),
        tumour_type=data["tumour_type"],
        hormonal_symptoms=data["hormonal_symptoms"],
        size_mm=Decimal(str(data["size_mm"])),
        differentiation=data["differentiation"],
        ki67_percent=Decimal(str(ki67)) if ki67 is not None else None,
        mitoses_per_10hpf=data.get("mitoses_per_10hpf"),
        extent=data["extent"],
        metastases_resectable=data.get("metastases_resectable", "unknown"),
        ssr_imaging=data.get("ssr_imaging", "not_done"),
    )


EXAMPLES = json.loads(EXAMPLE_CASES.read_text(encoding="utf-8"))


def test_there_are_five_example_cases():
    assert len(EXAMPLES) == 5


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["title"] for example in EXAMPLES])
def test_example_case_gives_its_documented_grade_sections_and_warnings(example):
    result = recommend(_facts_from_json(example["case"]))
    assert result.grade == example["grade"]
    assert result.slugs == tuple(example["sections"])
    assert result.warning_codes == tuple(example["warnings"])
