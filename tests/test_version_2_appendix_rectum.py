"""Version 2 for an appendiceal or rectal NET: the size classes of current guidance, and
exactly 20 mm.

The review's cases: appendiceal and rectal NETs above 20 mm were shown "can be locally
excised safely" with a vague warning; rectal NETs of 10 to 20 mm had no staging; a tumour of
exactly 20 mm got no warning although the hazard log said it was controlled. Current
guidance: appendix above 2 cm, right hemicolectomy; 1 to 2 cm, consider it with risk
factors. Rectum below 1 cm, endoscopic resection; 1 to 2 cm, EUS or MRI staging and risk
factors; above 2 cm, anterior resection with TME.
"""

from __future__ import annotations

import pytest

from tests.version_2 import advise

LOCALISED = {
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "differentiation": "well",
    "ki67_percent": 1,
    "extent": "localised",
}
EXCISION = ("curative-excision",)

RECTUM = [
    ("9.9", ("rectum-under-10-endoscopic", "local-excision"), (), "size 9.9 mm is below 10 mm"),
    (
        "10",
        ("rectum-10-to-20-staging", "local-excision"),
        (),
        "size 10 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "10.1",
        ("rectum-10-to-20-staging", "local-excision"),
        (),
        "size 10.1 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "19.9",
        ("rectum-10-to-20-staging", "local-excision"),
        (),
        "size 19.9 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "20",
        ("rectum-10-to-20-staging", "local-excision"),
        ("size-at-20-mm",),
        "size 20 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "20.1",
        ("rectum-over-20-oncological",),
        ("local-excision-size",),
        "size 20.1 mm is above 20 mm",
    ),
]
APPENDIX = [
    ("9.9", ("local-excision",), (), None),
    (
        "10",
        ("appendix-10-to-20-risk-factors", "local-excision"),
        (),
        "size 10 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "10.1",
        ("appendix-10-to-20-risk-factors", "local-excision"),
        (),
        "size 10.1 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "19.9",
        ("appendix-10-to-20-risk-factors", "local-excision"),
        (),
        "size 19.9 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "20",
        ("appendix-10-to-20-risk-factors", "local-excision"),
        ("size-at-20-mm",),
        "size 20 mm is within 10 to 20 mm (20 mm included)",
    ),
    (
        "20.1",
        ("appendix-right-hemicolectomy",),
        ("local-excision-size",),
        "size 20.1 mm is above 20 mm",
    ),
]


@pytest.mark.parametrize(("size", "sections", "warnings", "reason"), RECTUM)
def test_a_rectal_net_by_size_from_both_sides_of_10_and_20_mm(size, sections, warnings, reason):
    advice = advise(site="rectum", size_mm=size, **LOCALISED)

    assert advice.sections == EXCISION + sections
    assert advice.warnings == warnings
    assert advice.reasons(sections[0]) == ("site: rectum", "extent: localised", reason)


@pytest.mark.parametrize(("size", "sections", "warnings", "reason"), APPENDIX)
def test_an_appendiceal_net_by_size_from_both_sides_of_10_and_20_mm(
    size, sections, warnings, reason
):
    advice = advise(site="appendix", size_mm=size, **LOCALISED)

    assert advice.sections == EXCISION + sections
    assert advice.warnings == warnings
    if reason:
        assert advice.reasons(sections[0]) == ("site: appendix", "extent: localised", reason)


@pytest.mark.parametrize("site", ["rectum", "appendix"])
@pytest.mark.parametrize(
    ("size", "reason"),
    [("19.9", "size 19.9 mm is 20 mm or less"), ("20", "size 20 mm is 20 mm or less")],
)
def test_local_excision_says_the_size_it_is_shown_for(site, size, reason):
    advice = advise(site=site, size_mm=size, **LOCALISED)

    assert advice.reasons("local-excision") == (f"site: {site}", "extent: localised", reason)


@pytest.mark.parametrize("site", ["rectum", "appendix"])
def test_exactly_20_mm_is_warned_as_the_threshold_it_is(site):
    advice = advise(site=site, size_mm=20, **LOCALISED)

    assert advice.detail("size-at-20-mm") == "Size 20 mm."
    message = advice.message("size-at-20-mm")
    assert message.startswith("The tumour measures exactly 20 mm, on the 2 cm threshold")
    assert "the 10 to 20 mm class of the rectum and appendix" in message
    assert "confirm the size" in message


def test_a_rectal_net_of_15_mm_is_staged_with_eus_or_mri_and_its_risk_factors_weighed():
    advice = advise(site="rectum", size_mm=15, **LOCALISED)

    text = advice.text("rectum-10-to-20-staging")
    assert "**endoscopic ultrasound (EUS) or pelvic MRI**" in text
    assert "suitable only without risk factors" in text
    assert "muscularis propria, lymphovascular invasion, grade G2" in text


def test_a_rectal_net_above_20_mm_is_shown_anterior_resection_with_tme_not_local_excision():
    advice = advise(site="rectum", size_mm=25, **LOCALISED)

    assert advice.sections == ("curative-excision", "rectum-over-20-oncological")
    assert "anterior resection with **total mesorectal excision (TME)**" in advice.text(
        "rectum-over-20-oncological"
    )
    assert advice.detail("local-excision-size") == "Size 25 mm, site: rectum."
    message = advice.message("local-excision-size")
    assert "an anterior resection with total mesorectal excision for the rectum" in message
    assert "local excision is not shown" in message


def test_an_appendiceal_net_above_20_mm_is_shown_right_hemicolectomy():
    advice = advise(site="appendix", size_mm=25, **LOCALISED)

    assert advice.sections == ("curative-excision", "appendix-right-hemicolectomy")
    assert "**right hemicolectomy**" in advice.text("appendix-right-hemicolectomy")
    assert "a right hemicolectomy for the appendix" in advice.message("local-excision-size")


def test_an_appendiceal_net_of_15_mm_lists_the_risk_factors_for_a_right_hemicolectomy():
    advice = advise(site="appendix", size_mm=15, **LOCALISED)

    text = advice.text("appendix-10-to-20-risk-factors")
    for factor in (
        "mesoappendiceal invasion deeper than 3 mm",
        "lymphovascular invasion",
        "grade G2",
        "at the base of the appendix",
        "incomplete (R1) resection",
    ):
        assert factor in text, factor


@pytest.mark.parametrize("site", ["rectum", "appendix"])
@pytest.mark.parametrize("size", ["8", "20", "25"])
def test_nodal_disease_is_an_oncological_resection_whatever_the_size(site, size):
    advice = advise(site=site, size_mm=size, **{**LOCALISED, "extent": "regional_nodes"})

    operation = {"rectum": "rectum-over-20-oncological", "appendix": "appendix-right-hemicolectomy"}
    assert advice.sections == ("curative-excision", operation[site], "lymph-node-dissection")
    assert advice.warnings == ("regional-nodes",)  # the size does not change the advice here


@pytest.mark.parametrize(
    ("site", "region", "tumour_type", "warned"),
    [
        ("pancreas", "tail", "insulinoma", True),
        ("pancreas", "tail", "non_functional", True),
        ("pancreas", "tail", "gastrinoma", False),
        ("colon", None, "non_functional", False),
        ("small_intestine", None, "non_functional", False),
    ],
)
def test_the_20_mm_warning_is_only_where_the_advice_turns_on_20_mm(
    site, region, tumour_type, warned
):
    advice = advise(
        **{
            **LOCALISED,
            "tumour_type": tumour_type,
            "hormonal_symptoms": tumour_type != "non_functional",
        },
        site=site,
        **({"pancreas_region": region} if region else {}),
        size_mm=20,
    )

    assert ("size-at-20-mm" in advice.warnings) is warned
