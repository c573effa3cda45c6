"""Invariants over the whole input space at its boundaries.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.advice import (
    DIFFERENTIATION_VALUES,
    NON_PANCREATIC_SITES,
    REGION_VALUES,
    RESECTABILITY_VALUES,
    SECTION_SLUGS,
    SSR_VALUES,
    TYPE_VALUES,
    WARNING_CODES,
    CaseFacts,
    Category,
    case,
    recommend,
)

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
