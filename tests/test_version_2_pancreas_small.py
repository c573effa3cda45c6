"""Version 2 for a small non-functional pancreatic NET: active surveillance first, no
pancreatoduodenectomy.

The review's case: a non-functional pNET of 12 mm in the head, G1, localised, was shown
curative excision, pancreatoduodenectomy and lymph node dissection with no warning; for an
asymptomatic sporadic NF-pNET of 2 cm or less, G1 or low G2, active surveillance is an
accepted, often preferred option, and a Whipple has real mortality and morbidity.
"""

from __future__ import annotations

import pytest

from tests.version_2 import advise

SMALL_NF_PNET = {
    "site": "pancreas",
    "pancreas_region": "head",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 12,
    "differentiation": "well",
    "ki67_percent": 1,
    "extent": "localised",
}
SURVEILLANCE_REASONS = (
    "site: pancreas",
    "tumour type: non-functional",
    "size 12 mm is 20 mm or less",
    "extent: localised",
    "well-differentiated tumour, grade G1",
)


def test_a_12_mm_nf_pnet_of_the_head_is_offered_surveillance_first_and_no_whipple():
    advice = advise(**SMALL_NF_PNET)

    assert advice.grade == "G1"
    assert advice.grade_basis == ("Ki-67 1 % is below 3 %: G1",)
    assert advice.category == "well_differentiated"
    assert advice.sections == ("nf-pnet-surveillance", "curative-excision", "lymph-node-dissection")
    assert advice.reasons("nf-pnet-surveillance") == SURVEILLANCE_REASONS
    text = advice.text("nf-pnet-surveillance")
    assert "**active surveillance**" in text
    assert "often the preferred one" in text
    assert "substantial morbidity and some mortality" in text
    assert advice.warnings == ("small-nf-pnet",)
    assert advice.detail("small-nf-pnet") == "Size 12 mm, grade G1."
    assert "pancreatoduodenectomy is not shown" in advice.message("small-nf-pnet")


@pytest.mark.parametrize(
    ("size", "surveillance"),
    [("19.9", True), ("20", True), ("20.1", False)],
)
def test_surveillance_is_offered_up_to_20_mm_included(size, surveillance):
    advice = advise(**{**SMALL_NF_PNET, "size_mm": size})

    assert ("nf-pnet-surveillance" in advice.sections) is surveillance
    assert ("pancreatoduodenectomy" in advice.sections) is not surveillance
    assert ("small-nf-pnet" in advice.warnings) is surveillance
    assert ("size-at-20-mm" in advice.warnings) is (size == "20")


def test_above_20_mm_the_source_s_operations_are_shown_with_their_reasons():
    advice = advise(**{**SMALL_NF_PNET, "size_mm": "20.1"})

    assert advice.sections == (
        "curative-excision",
        "pancreatoduodenectomy",
        "lymph-node-dissection",
    )
    assert advice.reasons("pancreatoduodenectomy") == (
        "site: pancreas, region: head",
        "tumour type: non-functional (not an insulinoma)",
        "extent: localised",
    )
    assert advice.warnings == ()


@pytest.mark.parametrize(
    ("ki67", "mitoses", "grade", "surveillance"),
    [
        ("20", None, "G2", True),
        ("20.1", None, "G3", False),
        (None, 20, "G2", True),
        (None, 21, "G3", False),
        (None, None, None, True),
    ],
)
def test_surveillance_is_for_a_grade_below_3_on_both_sides_of_it(
    ki67, mitoses, grade, surveillance
):
    advice = advise(**{**SMALL_NF_PNET, "ki67_percent": ki67, "mitoses_per_10hpf": mitoses})

    assert advice.grade == grade
    assert ("nf-pnet-surveillance" in advice.sections) is surveillance
    assert ("pancreatoduodenectomy" in advice.sections) is not surveillance


def test_without_a_grade_surveillance_still_asks_for_it_first():
    advice = advise(**{**SMALL_NF_PNET, "ki67_percent": None})

    assert (
        advice.reasons("nf-pnet-surveillance")[-1] == "well-differentiated tumour, grade not known"
    )
    assert "Confirm the diagnosis and grade first" in advice.text("nf-pnet-surveillance")
    assert advice.warnings == ("small-nf-pnet", "grade-unknown")
    assert advice.detail("small-nf-pnet") == "Size 12 mm, grade not known."


@pytest.mark.parametrize("region", ["neck", "body", "tail"])
def test_elsewhere_in_the_pancreas_surveillance_is_first_beside_the_source_s_excision(region):
    advice = advise(**{**SMALL_NF_PNET, "pancreas_region": region})

    assert advice.sections == ("nf-pnet-surveillance", "curative-excision", "lymph-node-dissection")


@pytest.mark.parametrize("tumour_type", ["insulinoma", "gastrinoma", "vipoma", "glucagonoma"])
def test_a_functioning_pancreatic_tumour_is_not_offered_surveillance(tumour_type):
    advice = advise(**{**SMALL_NF_PNET, "tumour_type": tumour_type, "hormonal_symptoms": True})

    assert "nf-pnet-surveillance" not in advice.sections
    assert "small-nf-pnet" not in advice.warnings


@pytest.mark.parametrize("extent", ["regional_nodes", "distant_metastases"])
def test_nodal_or_metastatic_disease_is_not_offered_surveillance(extent):
    advice = advise(**{**SMALL_NF_PNET, "extent": extent})

    assert "nf-pnet-surveillance" not in advice.sections
