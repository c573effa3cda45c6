"""Version 2 for an insulinoma: no somatostatin analogue without positive SSTR imaging,
the hypoglycaemia controlled first at every extent, and the malignant insulinoma note.

The review's case: a metastatic insulinoma with a negative SSR scan was shown the
octreotide section ("therapy should be attempted even when the scan is negative") with a
mild hypoglycaemia warning; somatostatin analogues can cause severe, prolonged
hypoglycaemia in insulinoma, above all when SSTR-negative.
"""

from __future__ import annotations

import itertools

import pytest

from tests.version_2 import EXTENT_VALUES, advise

METASTATIC_INSULINOMA = {
    "site": "pancreas",
    "pancreas_region": "body",
    "tumour_type": "insulinoma",
    "hormonal_symptoms": True,
    "size_mm": 35,
    "differentiation": "well",
    "ki67_percent": 5,
    "mitoses_per_10hpf": 3,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
}
LOCALISED_INSULINOMA = {
    "site": "pancreas",
    "pancreas_region": "body",
    "tumour_type": "insulinoma",
    "hormonal_symptoms": True,
    "size_mm": 12,
    "differentiation": "well",
    "ki67_percent": 1,
    "extent": "localised",
}


def test_metastatic_insulinoma_with_a_negative_scan_is_not_shown_the_somatostatin_analogue():
    advice = advise(**METASTATIC_INSULINOMA, ssr_imaging="negative")

    assert advice.grade == "G2"
    assert advice.category == "well_differentiated"
    assert advice.category_basis == "differentiation reported as well"
    assert advice.sections == (
        "insulinoma-glucose-control",
        "metastatic-incurable",
        "malignant-insulinoma",
        "interferon",
        "pancreatic-cytotoxic",
        "pancreatic-radiotherapy",
        "radiotherapy-not-systemic",
        "everolimus",
    )
    assert "even when the scan is negative" not in advice.quoted
    assert advice.warnings == ("ssa-withheld-insulinoma",)
    assert advice.detail("ssa-withheld-insulinoma") == "Insulinoma; SSR imaging: negative."
    message = advice.message("ssa-withheld-insulinoma")
    assert message.startswith("The source's somatostatin analogue section is not shown")
    assert "severe, prolonged hypoglycaemia" in message
    assert "diazoxide" in message


def test_the_malignant_insulinoma_note_names_glucose_control_then_tumour_control():
    advice = advise(**METASTATIC_INSULINOMA, ssr_imaging="negative")

    assert advice.heading("malignant-insulinoma") == (
        "Malignant insulinoma: glucose control, then tumour control"
    )
    assert advice.reasons("malignant-insulinoma") == (
        "tumour type: insulinoma",
        "extent: distant metastases",
    )
    text = advice.text("malignant-insulinoma")
    for words in (
        "diet and diazoxide",
        "**Everolimus**",
        "PRRT",
        "debulking surgery",
        "liver-directed therapy",
        "only when SSTR imaging is positive",
        "started in hospital with glucose monitoring",
    ):
        assert words in text, words


def test_metastatic_insulinoma_whose_scan_was_not_done_is_not_shown_it_either():
    advice = advise(**METASTATIC_INSULINOMA, ssr_imaging="not_done")

    assert "somatostatin-analogue" not in advice.sections
    assert advice.warnings == ("ssa-withheld-insulinoma", "ssr-imaging-needed")
    assert advice.detail("ssa-withheld-insulinoma") == "Insulinoma; SSR imaging: not done."


def test_metastatic_insulinoma_with_a_positive_scan_is_shown_it_with_the_hypoglycaemia_first():
    advice = advise(**METASTATIC_INSULINOMA, ssr_imaging="positive")

    assert advice.sections == (
        "insulinoma-glucose-control",
        "metastatic-incurable",
        "malignant-insulinoma",
        "somatostatin-analogue",
        "interferon",
        "pancreatic-cytotoxic",
        "pancreatic-radiotherapy",
        "radiotherapy-not-systemic",
        "everolimus",
    )
    assert advice.reasons("somatostatin-analogue") == (
        "extent: distant metastases",
        "hormonal symptoms present",
        "SSR imaging: positive (an insulinoma)",
    )
    assert advice.warnings == ("ssa-insulinoma",)
    assert advice.detail("ssa-insulinoma") == "Insulinoma; SSR imaging: positive."
    message = advice.message("ssa-insulinoma")
    assert message.startswith("Somatostatin analogues can cause severe, prolonged hypoglycaemia")
    assert "started only in hospital, under glucose monitoring" in message


@pytest.mark.parametrize(
    ("ki67", "mitoses", "resectable", "region"),
    list(
        itertools.product(
            (None, 2, 5, 15), (None, 1, 10), ("yes", "no", "unknown"), ("head", "tail")
        )
    ),
)
def test_the_hypoglycaemia_warning_is_first_whatever_else_is_warned(
    ki67, mitoses, resectable, region
):
    facts = {
        **METASTATIC_INSULINOMA,
        "pancreas_region": region,
        "ki67_percent": ki67,
        "mitoses_per_10hpf": mitoses,
        "metastases_resectable": resectable,
    }
    assert advise(**facts, ssr_imaging="positive").first_warning == "ssa-insulinoma"
    for ssr in ("negative", "not_done"):
        assert advise(**facts, ssr_imaging=ssr).first_warning == "ssa-withheld-insulinoma"


@pytest.mark.parametrize("ssr", ["positive", "negative", "not_done"])
def test_an_insulinoma_is_never_offered_a_somatostatin_analogue_to_control_growth(ssr):
    for symptoms in (True, False):
        facts = {**METASTATIC_INSULINOMA, "hormonal_symptoms": symptoms, "ki67_percent": 2}
        assert "ssa-antiproliferative" not in advise(**facts, ssr_imaging=ssr).sections


@pytest.mark.parametrize("extent", EXTENT_VALUES)
@pytest.mark.parametrize("differentiation", ["well", "poor", "unknown"])
def test_glucose_control_is_the_first_section_at_every_extent(extent, differentiation):
    facts = {
        **LOCALISED_INSULINOMA,
        "extent": extent,
        "differentiation": differentiation,
        "ki67_percent": 25,
    }
    advice = advise(**facts)

    assert advice.sections[0] == "insulinoma-glucose-control"
    assert advice.heading("insulinoma-glucose-control") == (
        "Insulinoma: control the hypoglycaemia first"
    )
    assert advice.reasons("insulinoma-glucose-control") == ("tumour type: insulinoma",)
    assert "**diazoxide**" in advice.text("insulinoma-glucose-control")
    assert "before any operation" in advice.text("insulinoma-glucose-control")


def test_a_localised_insulinoma_of_12_mm_controls_glucose_before_local_excision():
    advice = advise(**LOCALISED_INSULINOMA)

    assert advice.sections == ("insulinoma-glucose-control", "insulinoma-local-excision")
    assert advice.warnings == ()


@pytest.mark.parametrize(
    ("size", "operation", "reason", "warnings"),
    [
        ("19.9", "insulinoma-local-excision", "size 19.9 mm is below 20 mm", ()),
        (
            "20",
            "insulinoma-partial-pancreatectomy",
            "size 20 mm is 20 mm or more (not small, < 2 cm)",
            ("size-at-20-mm",),
        ),
        (
            "20.1",
            "insulinoma-partial-pancreatectomy",
            "size 20.1 mm is 20 mm or more (not small, < 2 cm)",
            (),
        ),
    ],
)
def test_an_insulinoma_of_20_mm_is_not_small_from_both_sides(size, operation, reason, warnings):
    advice = advise(**{**LOCALISED_INSULINOMA, "size_mm": size})

    assert advice.sections == ("insulinoma-glucose-control", operation)
    assert advice.reasons(operation) == ("tumour type: insulinoma", reason, "extent: localised")
    assert advice.warnings == warnings
