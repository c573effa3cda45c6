"""Version 2 for a gastric NET: its type decides, not the source's lymph node dissection.

The review's case: a gastric NET of 6 mm, G1, was shown curative excision and lymph node
dissection (gastrectomy level); type 1 (chronic atrophic gastritis) of 10 mm or less is
managed by endoscopic surveillance or resection, type 2 by treating the gastrinoma, type 3
by oncological resection.
"""

from __future__ import annotations

import pytest

from tests.version_2 import advise

GASTRIC_NET = {
    "site": "stomach",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 6,
    "differentiation": "well",
    "ki67_percent": 1,
    "extent": "localised",
}
TYPE_1 = "gastric NET type: type 1 (chronic atrophic gastritis)"


def test_a_type_1_gastric_net_of_6_mm_g1_is_offered_endoscopy_only():
    advice = advise(**GASTRIC_NET, gastric_type="type_1")

    assert advice.grade == "G1"
    assert advice.category == "well_differentiated"
    assert advice.sections == ("gastric-type-1-endoscopic",)
    assert advice.reasons("gastric-type-1-endoscopic") == (
        "site: stomach",
        TYPE_1,
        "size 6 mm is 10 mm or less",
        "extent: localised",
    )
    text = advice.text("gastric-type-1-endoscopic")
    assert "**Endoscopic surveillance** or **endoscopic resection**" in text
    assert "not gastrectomy or lymph node dissection" in text
    assert "lifelong" in text
    assert advice.warnings == ()


@pytest.mark.parametrize(
    ("size", "sections", "reason"),
    [
        ("9.9", ("gastric-type-1-endoscopic",), "size 9.9 mm is 10 mm or less"),
        ("10", ("gastric-type-1-endoscopic",), "size 10 mm is 10 mm or less"),
        (
            "10.1",
            ("gastric-type-1-over-10-endoscopic", "curative-excision", "lymph-node-dissection"),
            "size 10.1 mm is above 10 mm",
        ),
    ],
)
def test_a_type_1_gastric_net_turns_at_10_mm_from_both_sides(size, sections, reason):
    advice = advise(**{**GASTRIC_NET, "size_mm": size}, gastric_type="type_1")

    assert advice.sections == sections
    assert advice.reasons(sections[0]) == ("site: stomach", TYPE_1, reason, "extent: localised")


def test_above_10_mm_endoscopic_resection_is_first_before_any_gastrectomy():
    advice = advise(**{**GASTRIC_NET, "size_mm": 15}, gastric_type="type_1")

    assert advice.heading("gastric-type-1-over-10-endoscopic") == (
        "Type 1 gastric NET above 10 mm: endoscopic resection"
    )
    assert "Discuss at the MDT before any gastrectomy" in advice.text(
        "gastric-type-1-over-10-endoscopic"
    )


@pytest.mark.parametrize(
    ("ki67", "grade", "endoscopic"),
    [("20", "G2", True), ("20.1", "G3", False)],
)
def test_a_type_1_net_g3_is_not_offered_endoscopy_alone(ki67, grade, endoscopic):
    advice = advise(**{**GASTRIC_NET, "ki67_percent": ki67}, gastric_type="type_1")

    assert advice.grade == grade
    assert ("gastric-type-1-endoscopic" in advice.sections) is endoscopic
    assert ("net-g3-radical-surgery" in advice.sections) is not endoscopic


def test_a_type_2_gastric_net_is_shown_the_gastrinoma_first():
    advice = advise(**GASTRIC_NET, gastric_type="type_2")

    assert advice.sections == (
        "gastric-type-2-gastrinoma",
        "curative-excision",
        "lymph-node-dissection",
    )
    assert advice.reasons("gastric-type-2-gastrinoma") == (
        "site: stomach",
        "gastric NET type: type 2 (gastrinoma / MEN1)",
    )
    text = advice.text("gastric-type-2-gastrinoma")
    assert "high-dose proton pump inhibitor" in text
    assert "find the gastrinoma" in text


@pytest.mark.parametrize("extent", ["localised", "regional_nodes"])
def test_a_type_3_gastric_net_is_shown_oncological_resection(extent):
    advice = advise(**{**GASTRIC_NET, "size_mm": 25, "extent": extent}, gastric_type="type_3")

    assert advice.sections == (
        "gastric-type-3-resection",
        "curative-excision",
        "lymph-node-dissection",
    )
    assert "**oncological resection** (gastrectomy with lymph node dissection)" in advice.text(
        "gastric-type-3-resection"
    )


def test_a_gastric_net_whose_type_is_not_known_is_warned_to_establish_it():
    for given in ({}, {"gastric_type": "unknown"}):  # left out, as the API takes it
        advice = advise(**GASTRIC_NET, **given)

        assert advice.sections == ("curative-excision", "lymph-node-dissection")
        assert advice.warnings == ("gastric-type-unknown",)
        message = advice.message("gastric-type-unknown")
        assert message.startswith("The type of this gastric NET is not known.")
        assert "serum gastrin and gastric biopsies" in message
        assert advice.detail("gastric-type-unknown") == ""


@pytest.mark.parametrize("gastric_type", ["type_1", "type_2", "type_3"])
def test_a_known_type_is_not_warned_about(gastric_type):
    assert "gastric-type-unknown" not in advise(**GASTRIC_NET, gastric_type=gastric_type).warnings
