"""Which sections apply (specification, section 4), in the order of the source.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from tests.advice import (
    EXTENT_VALUES,
    NON_PANCREATIC_SITES,
    REGION_VALUES,
    SECTION_SLUGS,
    SSR_VALUES,
    TYPE_VALUES,
    Category,
    case,
    distant,
    pancreas,
    recommend,
)

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
