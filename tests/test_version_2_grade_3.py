"""Version 2 for a G3 proliferation index: NET G3 and NEC told apart by morphology.

The review's cases: a tumour of unknown differentiation with Ki-67 25 % and positive SSR
imaging was put on the NEC pathway, the basis saying the source "defines" NEC by
Ki-67 > 20 % (it says "typically"; WHO 2019 separates them by morphology, and an
SSR-positive Ki-67 25 % tumour is most likely a NET G3). And a rectal NET G3 of 8 mm was
shown the G1-2 pathway with local excision; a NET G3 is a high-risk feature.
"""

from __future__ import annotations

import itertools

import pytest

from tests.version_2 import SSR_VALUES, TYPE_VALUES, advise

UNDETERMINED_BASIS = (
    "differentiation not known and the proliferation index is G3: a well-differentiated NET "
    "G3 and a poorly differentiated carcinoma both have it (the source describes poorly "
    "differentiated tumours as typically having Ki-67 > 20 % or > 20 mitoses per 10 HPF), so "
    "morphology must decide"
)
REVIEW_CASE = {
    "site": "pancreas",
    "pancreas_region": "tail",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 40,
    "differentiation": "unknown",
    "ki67_percent": 25,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
    "ssr_imaging": "positive",
}
RECTAL_NET = {
    "site": "rectum",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 8,
    "differentiation": "well",
    "ki67_percent": 25,
    "extent": "localised",
}


def test_unknown_differentiation_with_ki67_25_is_not_put_on_the_nec_pathway():
    advice = advise(**REVIEW_CASE)

    assert advice.grade == "G3"
    assert advice.category == "undetermined"
    assert advice.category_basis == UNDETERMINED_BASIS
    assert "typically" in advice.category_basis
    assert "defines" not in advice.category_basis
    assert advice.sections == ("establish-differentiation",)
    assert advice.reasons("establish-differentiation") == (UNDETERMINED_BASIS,)
    text = advice.text("establish-differentiation")
    assert "by morphology, not by the Ki-67 index or mitotic count" in text
    assert "PRRT is a first-line option (NETTER-2)" in text
    assert "platinum–etoposide" in text
    assert advice.warnings == ("g3-differentiation-unknown",)
    assert advice.detail("g3-differentiation-unknown") == (
        "How the grade was worked out: Ki-67 25 % is above 20 %: G3."
    )
    assert "no treatment pathway is shown" in advice.message("g3-differentiation-unknown")


@pytest.mark.parametrize(
    ("ki67", "mitoses", "category"),
    [
        ("20", None, "well_differentiated"),
        ("20.1", None, "undetermined"),
        (None, 20, "well_differentiated"),
        (None, 21, "undetermined"),
        (None, None, "well_differentiated"),
    ],
)
def test_the_category_turns_undetermined_at_g3_from_both_sides(ki67, mitoses, category):
    advice = advise(**{**REVIEW_CASE, "ki67_percent": ki67, "mitoses_per_10hpf": mitoses})

    assert advice.category == category
    assert ("establish-differentiation" in advice.sections) is (category == "undetermined")


def test_below_g3_the_basis_says_the_tumour_was_treated_as_well_differentiated():
    advice = advise(**{**REVIEW_CASE, "ki67_percent": "20"})

    assert advice.category_basis == (
        "differentiation not known and grade G2: treated as well differentiated"
    )
    assert advice.detail("differentiation-unknown") == (
        "Differentiation not known and grade G2: treated as well differentiated."
    )
    assert "No G3 proliferation index was reported" in advice.message("differentiation-unknown")


REGIONS = {"pancreas": "head", "stomach": None}
UNDETERMINED_CASES = list(
    itertools.product(
        ("pancreas", "stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"),
        TYPE_VALUES,
        (True, False),
        ("8", "20", "25"),
        (("25", None), (None, 21), ("25", 5), ("2", 25)),
        (
            ("localised", "unknown"),
            ("regional_nodes", "unknown"),
            ("distant_metastases", "yes"),
            ("distant_metastases", "no"),
            ("distant_metastases", "unknown"),
        ),
        SSR_VALUES,
    )
)


def test_for_every_undetermined_case_the_differentiation_warning_is_first():
    for site, tumour_type, symptoms, size, (ki67, mitoses), (
        extent,
        resectable,
    ), ssr in UNDETERMINED_CASES:
        region = {"pancreas_region": "head"} if site == "pancreas" else {}
        advice = advise(
            site=site,
            **region,
            tumour_type=tumour_type,
            hormonal_symptoms=symptoms,
            size_mm=size,
            differentiation="unknown",
            ki67_percent=ki67,
            mitoses_per_10hpf=mitoses,
            extent=extent,
            metastases_resectable=resectable,
            ssr_imaging=ssr,
        )
        assert advice.category == "undetermined"
        assert advice.first_warning == "g3-differentiation-unknown"
        # No pathway: only the notes that cannot wait for the pathology.
        assert set(advice.sections) <= {
            "establish-differentiation",
            "insulinoma-glucose-control",
            "gastrinoma-ppi",
            "vipoma-control",
            "glucagonoma-control",
            "carcinoid-syndrome-control",
            "other-functional-control",
            "malignant-insulinoma",
        }, advice.sections
        assert "establish-differentiation" in advice.sections
    assert len(UNDETERMINED_CASES) == 7 * 7 * 2 * 3 * 4 * 5 * 3


def test_a_rectal_net_g3_of_8_mm_is_not_locally_excised():
    advice = advise(**RECTAL_NET)

    assert advice.grade == "G3"
    assert advice.category == "well_differentiated"
    assert advice.sections == ("curative-excision", "net-g3-radical-surgery")
    assert advice.reasons("net-g3-radical-surgery") == ("grade G3", "extent: localised")
    text = advice.text("net-g3-radical-surgery")
    assert "**Local excision is not advised.**" in text
    assert "**radical (oncological) surgery** with lymph node dissection at the MDT" in text
    assert advice.warnings == ("net-g3",)
    assert advice.detail("net-g3") == "How the grade was worked out: Ki-67 25 % is above 20 %: G3."
    assert "local excision is not shown" in advice.message("net-g3")


@pytest.mark.parametrize(
    ("ki67", "mitoses", "g3"),
    [("20", None, False), ("20.1", None, True), (None, 20, False), (None, 21, True)],
)
def test_local_excision_goes_at_g3_from_both_sides(ki67, mitoses, g3):
    advice = advise(**{**RECTAL_NET, "ki67_percent": ki67, "mitoses_per_10hpf": mitoses})

    assert ("local-excision" in advice.sections) is not g3
    assert ("rectum-under-10-endoscopic" in advice.sections) is not g3
    assert ("net-g3-radical-surgery" in advice.sections) is g3
    assert ("net-g3" in advice.warnings) is g3


@pytest.mark.parametrize("site", ["appendix", "rectum"])
@pytest.mark.parametrize("size", ["8", "15", "20"])
def test_no_net_g3_of_the_rectum_or_appendix_is_locally_excised(site, size):
    advice = advise(**{**RECTAL_NET, "site": site, "size_mm": size})

    assert "local-excision" not in advice.sections
    assert "net-g3-radical-surgery" in advice.sections


def test_a_localised_pancreatic_net_g3_is_not_given_the_insulinoma_local_excision():
    advice = advise(
        site="pancreas",
        pancreas_region="tail",
        tumour_type="insulinoma",
        hormonal_symptoms=True,
        size_mm=12,
        differentiation="well",
        ki67_percent=25,
        extent="localised",
    )

    assert advice.sections == ("insulinoma-glucose-control", "net-g3-radical-surgery")
