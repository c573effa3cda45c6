"""Version 2 for a duodenal NET: endoscopic resection for a small G1 tumour.

The review's case: a duodenal NET of 8 mm, G1, was shown curative excision and lymph node
dissection (Whipple level); a non-ampullary duodenal NET of 10 mm or less, G1, is
endoscopically resected. The reference case that required lymph node dissection for it
(8 mm, grade not given) locked the hazard in.
"""

from __future__ import annotations

import pytest

from tests.version_2 import advise

DUODENAL_NET = {
    "site": "duodenum",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 8,
    "differentiation": "well",
    "ki67_percent": 1,
    "extent": "localised",
}


def test_a_duodenal_net_of_8_mm_g1_is_offered_endoscopic_resection_only():
    advice = advise(**DUODENAL_NET)

    assert advice.grade == "G1"
    assert advice.sections == ("duodenal-endoscopic-resection",)
    assert advice.reasons("duodenal-endoscopic-resection") == (
        "site: duodenum",
        "tumour type: non-functional",
        "size 8 mm is 10 mm or less",
        "extent: localised",
        "grade G1",
    )
    text = advice.text("duodenal-endoscopic-resection")
    assert "**non-ampullary**" in text
    assert "lymph node dissection is not needed" in text
    assert "**ampullary or periampullary** NET is treated surgically" in text
    assert advice.warnings == ()


def test_without_a_grade_it_is_still_endoscopic_resection_with_the_grade_asked_for():
    advice = advise(**{**DUODENAL_NET, "ki67_percent": None})

    assert advice.grade is None
    assert advice.sections == ("duodenal-endoscopic-resection",)
    assert advice.reasons("duodenal-endoscopic-resection")[-1] == "grade not known"
    assert "Confirm G1 with the Ki-67 index" in advice.text("duodenal-endoscopic-resection")
    assert advice.warnings == ("grade-unknown",)


@pytest.mark.parametrize(
    ("size", "endoscopic"),
    [("9.9", True), ("10", True), ("10.1", False)],
)
def test_endoscopic_resection_is_for_10_mm_or_less_from_both_sides(size, endoscopic):
    advice = advise(**{**DUODENAL_NET, "size_mm": size})

    expected = (
        ("duodenal-endoscopic-resection",)
        if endoscopic
        else ("curative-excision", "lymph-node-dissection")
    )
    assert advice.sections == expected


@pytest.mark.parametrize(
    ("ki67", "mitoses", "grade", "endoscopic"),
    [
        ("2.9", None, "G1", True),
        ("3", None, "G2", False),
        (None, 1, "G1", True),
        (None, 2, "G2", False),
    ],
)
def test_endoscopic_resection_is_for_g1_from_both_sides(ki67, mitoses, grade, endoscopic):
    advice = advise(**{**DUODENAL_NET, "ki67_percent": ki67, "mitoses_per_10hpf": mitoses})

    assert advice.grade == grade
    assert ("duodenal-endoscopic-resection" in advice.sections) is endoscopic
    assert ("lymph-node-dissection" in advice.sections) is not endoscopic


def test_a_duodenal_gastrinoma_is_not_endoscopically_resected_and_gets_the_ppi_first():
    advice = advise(**{**DUODENAL_NET, "tumour_type": "gastrinoma", "hormonal_symptoms": True})

    assert advice.sections == ("gastrinoma-ppi", "curative-excision", "lymph-node-dissection")
    assert advice.warnings == ()


@pytest.mark.parametrize("extent", ["regional_nodes", "distant_metastases"])
def test_nodal_or_metastatic_duodenal_disease_is_not_endoscopically_resected(extent):
    assert (
        "duodenal-endoscopic-resection" not in advise(**{**DUODENAL_NET, "extent": extent}).sections
    )
