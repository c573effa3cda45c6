"""Version 1 as content gives exactly the advice of the engine it replaced.

``tests/oracle/engine_before.py`` is a frozen copy of the engine as it was written in Python,
before its rules became version 1's content. Over the whole input grid the engine tests use
(every choice, each number at and beside each threshold, absent indices), the content gives
the same grade, category, sections in order and warnings in order, with the same grade and
category bases and warning details. Reasons name the same facts; three are worded from the
condition now (listed below). Pure Python: no database.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict

import pytest

from tests.advice import GASTRIC_VALUES, CaseFacts, recommend
from tests.oracle import engine_before as before
from tests.test_engine_grid import (
    DIFFERENTIATION_VALUES,
    GRID_EXTENTS,
    GRID_KI67,
    GRID_MITOSES,
    GRID_SITES,
    GRID_SIZES,
    SSR_VALUES,
)

# The engine before knew these tumour types and no gastric NET type: its grid is the input
# space it knew. A stomach case now has a type; version 1 reads none, so every type of a
# gastric NET gets the advice the engine before gave the stomach.
TYPE_VALUES = tuple(value for value, _ in before.TUMOUR_TYPES)

# Where a reason is now said from the condition rather than as the Python wrote it.
REWORDED = {
    # The condition is "extent is distant metastases": it does not name the site.
    ("everolimus", "site: "): None,
    # Resectability in the words of its own answer.
    ("debulking-surgery", "metastases resectable: yes"): "metastases: resectable",
    ("debulking-surgery", "metastases resectable: not yet assessed"): (
        "metastases: not yet assessed"
    ),
    # The grade-unknown warning says that G1-2 is assumed.
    (
        "curative-excision",
        "well-differentiated tumour, grade not known (assumed G1–2)",
    ): "well-differentiated tumour, grade not known",
}


def reasons_before(slug: str, reasons: tuple[str, ...]) -> tuple[str, ...]:
    """The old reasons as version 1 words them now."""
    out = []
    for reason in reasons:
        for (where, old), new in REWORDED.items():
            if where == slug and reason.startswith(old):
                reason = new
                break
        if reason is not None:
            out.append(reason)
    return tuple(out)


@pytest.mark.parametrize(("site", "region"), GRID_SITES)
def test_version_1_gives_the_advice_of_the_engine_it_replaced(site, region):
    compared = 0
    gastric_types = GASTRIC_VALUES if site == "stomach" else (None,)
    for tumour_type, symptoms, size, differentiation, ki67, mitoses, (
        extent,
        resectable,
    ), ssr in itertools.product(
        TYPE_VALUES,
        (True, False),
        GRID_SIZES,
        DIFFERENTIATION_VALUES,
        GRID_KI67,
        GRID_MITOSES,
        GRID_EXTENTS,
        SSR_VALUES,
    ):
        known = before.CaseFacts(
            site=site,
            pancreas_region=region,
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
        old = before.recommend(known)
        for gastric_type in gastric_types:
            facts = CaseFacts(**asdict(known), gastric_type=gastric_type)
            new = recommend(facts)
            assert new.grade == old.grade, facts
            assert new.category.value == old.category.value, facts
            assert new.grade_basis == old.grade_basis, facts
            assert new.category_basis == old.category_basis, facts
            assert new.slugs == old.slugs, facts
            assert [(w.code, w.detail) for w in new.warnings] == [
                (w.code, w.detail) for w in old.warnings
            ], facts
            for old_section, new_section in zip(old.sections, new.sections, strict=True):
                expected = reasons_before(old_section.slug, old_section.reasons)
                assert new_section.reasons == expected, (facts, old_section.slug)
            compared += 1
    assert compared == len(gastric_types) * 4 * 2 * 5 * 3 * 5 * 5 * 5 * 3
