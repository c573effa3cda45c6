"""Version 2 for a neuroendocrine carcinoma (NEC): surgery within multimodal treatment for
localised disease, and the Ki-67 index asked for.

The review's cases: a localised NEC of the colon or rectum was shown only "systemic
cytotoxic chemotherapy ... Survival is limited"; surgery can benefit localised disease
after full staging, rectal NEC is usually treated with chemoradiotherapy, and a Ki-67
below or above 55 % changes the expected response to platinum. A poorly differentiated
tumour with neither Ki-67 nor mitoses got no warning at all.
"""

from __future__ import annotations

import pytest

from tests.version_2 import SITE_VALUES, advise

NEC = {
    "site": "colon",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 40,
    "differentiation": "poor",
    "ki67_percent": 70,
    "extent": "localised",
}


def test_a_localised_colonic_nec_is_shown_surgery_within_multimodal_treatment():
    advice = advise(**NEC)

    assert advice.grade == "G3"
    assert advice.grade_basis == ("Ki-67 70 % is above 20 %: G3",)
    assert advice.category == "poorly_differentiated"
    assert advice.category_basis == "differentiation reported as poor"
    assert advice.sections == ("poorly-differentiated", "nec-locoregional")
    assert advice.reasons("nec-locoregional") == (
        "differentiation reported as poor",
        "extent: localised",
        "site: colon (not rectum)",
    )
    text = advice.text("nec-locoregional")
    assert "**surgery can be of benefit** after full staging" in text
    assert "multimodal treatment, together with chemotherapy" in text
    assert "platinum based" in advice.text("poorly-differentiated")
    assert advice.warnings == ()


def test_a_rectal_nec_with_nodes_is_shown_chemoradiotherapy():
    advice = advise(**{**NEC, "site": "rectum", "size_mm": 30, "extent": "regional_nodes"})

    assert advice.sections == ("poorly-differentiated", "nec-rectum-multimodal")
    assert advice.reasons("nec-rectum-multimodal") == (
        "differentiation reported as poor",
        "extent: regional lymph nodes involved",
        "site: rectum",
    )
    assert "**chemoradiotherapy**" in advice.text("nec-rectum-multimodal")
    assert advice.warnings == ("regional-nodes",)


@pytest.mark.parametrize("site", SITE_VALUES)
@pytest.mark.parametrize("extent", ["localised", "regional_nodes"])
def test_every_locoregional_nec_gets_exactly_one_multimodal_note(site, extent):
    region = {"pancreas_region": "body"} if site == "pancreas" else {}
    advice = advise(**{**NEC, "site": site, "extent": extent, **region})

    note = "nec-rectum-multimodal" if site == "rectum" else "nec-locoregional"
    assert advice.sections == ("poorly-differentiated", note)


def test_a_metastatic_nec_is_shown_the_source_s_chemotherapy_only():
    advice = advise(**{**NEC, "extent": "distant_metastases", "metastases_resectable": "no"})

    assert advice.sections == ("poorly-differentiated",)
    assert advice.warnings == ()


@pytest.mark.parametrize(
    ("mitoses", "grade"),
    [(None, None), (20, "G2"), (21, "G3")],
)
def test_a_poorly_differentiated_tumour_without_ki67_is_told_it_is_needed(mitoses, grade):
    advice = advise(**{**NEC, "ki67_percent": None, "mitoses_per_10hpf": mitoses})

    assert advice.grade == grade
    assert advice.category == "poorly_differentiated"
    assert advice.first_warning == "nec-ki67-needed"
    message = advice.message("nec-ki67-needed")
    assert message.startswith("No Ki-67 index was given for this poorly differentiated tumour.")
    assert "below or above 55 %" in message
    assert "platinum–etoposide" in message


def test_with_neither_index_the_grade_basis_says_so_and_the_ki67_warning_is_the_only_one():
    advice = advise(
        **{
            **NEC,
            "site": "small_intestine",
            "ki67_percent": None,
            "size_mm": 30,
            "extent": "distant_metastases",
            "metastases_resectable": "no",
        }
    )

    assert advice.grade is None
    assert advice.grade_basis == ("neither Ki-67 nor a mitotic count was given",)
    assert advice.sections == ("poorly-differentiated",)
    assert advice.warnings == ("nec-ki67-needed",)


@pytest.mark.parametrize("ki67", ["0", "20", "20.1", "55", "100"])
def test_with_a_ki67_index_it_is_not_asked_for(ki67):
    assert "nec-ki67-needed" not in advise(**{**NEC, "ki67_percent": ki67}).warnings


@pytest.mark.parametrize(
    ("ki67", "warned"),
    [("20", True), ("20.1", False)],
)
def test_a_poorly_differentiated_tumour_graded_below_3_is_questioned_from_both_sides(ki67, warned):
    advice = advise(**{**NEC, "ki67_percent": ki67})

    assert ("poor-low-grade" in advice.warnings) is warned
    if warned:
        assert advice.detail("poor-low-grade") == "Poorly differentiated with grade G2."
