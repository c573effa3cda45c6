"""Version 2 for metastatic well-differentiated disease: a somatostatin analogue first
line, radiotherapy that is not systemic, curative-intent resection, interferon as history.

The review's cases: a metastatic G1 NET, SSTR positive, without symptoms, was shown no
somatostatin analogue (SSA first line for SSTR-positive G1/G2 disease: PROMID, CLARINET;
watch-and-wait for low-volume stable disease); every metastatic pNET was shown
"radiotherapy" as if systemic (PRRT is meant: NETTER-1, NETTER-2); resectable liver
metastases were called "incurable" (curative-intent R0 resection in selected G1/G2
disease); hormonal symptoms were shown interferon as a current option (historical).
"""

from __future__ import annotations

import pytest

from tests.version_2 import SITE_VALUES, advise

METASTATIC_ILEAL_NET = {
    "site": "small_intestine",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 20,
    "differentiation": "well",
    "ki67_percent": 2,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
    "ssr_imaging": "positive",
}
METASTATIC_PNET = {
    "site": "pancreas",
    "pancreas_region": "body",
    "tumour_type": "other_functional",
    "hormonal_symptoms": True,
    "size_mm": 40,
    "differentiation": "well",
    "ki67_percent": 12,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
    "ssr_imaging": "positive",
}


def test_a_metastatic_g1_net_sstr_positive_without_symptoms_is_shown_an_ssa_first_line():
    advice = advise(**METASTATIC_ILEAL_NET)

    assert advice.grade == "G1"
    assert advice.category == "well_differentiated"
    assert advice.sections == (
        "metastatic-incurable",
        "ssa-antiproliferative",
        "cytotoxic-minimal-benefit",
        "everolimus",
    )
    assert advice.reasons("ssa-antiproliferative") == (
        "extent: distant metastases",
        "well-differentiated tumour, grade G1",
        "SSR imaging: positive",
    )
    text = advice.text("ssa-antiproliferative")
    assert (
        "is the first-line antiproliferative treatment, with or without hormonal symptoms" in text
    )
    assert "PROMID" in text
    assert "CLARINET (enteropancreatic NETs, Ki-67 below 10 %)" in text
    assert "**watch-and-wait**" in text
    assert advice.warnings == ("no-symptom-guidance",)


@pytest.mark.parametrize(
    ("ki67", "mitoses", "shown"),
    [("20", None, True), ("20.1", None, False), (None, 20, True), (None, 21, False)],
)
def test_the_ssa_first_line_is_for_g1_g2_from_both_sides_of_g3(ki67, mitoses, shown):
    advice = advise(**{**METASTATIC_ILEAL_NET, "ki67_percent": ki67, "mitoses_per_10hpf": mitoses})

    assert ("ssa-antiproliferative" in advice.sections) is shown


@pytest.mark.parametrize(
    ("ssr", "shown"), [("positive", True), ("negative", False), ("not_done", False)]
)
def test_the_ssa_first_line_needs_positive_sstr_imaging(ssr, shown):
    advice = advise(**{**METASTATIC_ILEAL_NET, "ssr_imaging": ssr})

    assert ("ssa-antiproliferative" in advice.sections) is shown
    assert ("ssr-imaging-needed" in advice.warnings) is (ssr == "not_done")


def test_without_sstr_imaging_it_is_asked_for():
    advice = advise(**{**METASTATIC_ILEAL_NET, "ssr_imaging": "not_done"})

    assert advice.warnings == ("ssr-imaging-needed", "no-symptom-guidance")
    assert "decides whether a somatostatin analogue or PRRT can be used" in advice.message(
        "ssr-imaging-needed"
    )


def test_a_metastatic_pnet_is_told_radiotherapy_is_not_systemic_and_prrt_is_named():
    advice = advise(**METASTATIC_PNET)

    assert advice.sections == (
        "other-functional-control",
        "metastatic-incurable",
        "somatostatin-analogue",
        "interferon",
        "ssa-antiproliferative",
        "pancreatic-cytotoxic",
        "pancreatic-radiotherapy",
        "radiotherapy-not-systemic",
        "everolimus",
    )
    assert advice.reasons("radiotherapy-not-systemic") == (
        "the source's radiotherapy section applies",
    )
    text = advice.text("radiotherapy-not-systemic")
    assert "external-beam radiotherapy does not treat metastatic disease as a whole" in text
    assert "**peptide receptor radionuclide therapy (PRRT)**" in text
    assert "(NETTER-1)" in text
    assert "(NETTER-2)" in text
    assert advice.warnings == ()


@pytest.mark.parametrize("site", SITE_VALUES)
def test_the_radiotherapy_note_goes_wherever_the_source_s_radiotherapy_goes(site):
    region = {"pancreas_region": "body"} if site == "pancreas" else {}
    facts = {**METASTATIC_ILEAL_NET, "site": site, **region}
    advice = advise(**facts)

    pancreatic = site == "pancreas"
    assert ("pancreatic-radiotherapy" in advice.sections) is pancreatic
    assert ("radiotherapy-not-systemic" in advice.sections) is pancreatic
    if pancreatic:
        index = advice.sections.index("pancreatic-radiotherapy")
        assert advice.sections[index + 1] == "radiotherapy-not-systemic"


def test_interferon_is_shown_as_historical_not_a_first_line_option():
    advice = advise(**METASTATIC_PNET)

    assert advice.heading("interferon") == "Interferon (historical, not a first-line option)"
    assert advice.text("interferon") == "Interferon has been used in the past."
    assert advice.reasons("interferon") == (
        "extent: distant metastases",
        "hormonal symptoms present",
    )
    assert "interferon" not in advise(**{**METASTATIC_PNET, "hormonal_symptoms": False}).sections


def test_resectable_liver_metastases_are_shown_curative_intent_resection_not_incurable():
    advice = advise(**{**METASTATIC_ILEAL_NET, "size_mm": 25, "metastases_resectable": "yes"})

    assert advice.sections == (
        "curative-liver-resection",
        "debulking-surgery",
        "ssa-antiproliferative",
        "cytotoxic-minimal-benefit",
        "everolimus",
    )
    assert "Metastatic tumours are incurable" not in advice.quoted
    assert advice.reasons("curative-liver-resection") == (
        "extent: distant metastases",
        "well-differentiated tumour, grade G1",
        "metastases: resectable",
    )
    text = advice.text("curative-liver-resection")
    assert "**curative-intent (R0) resection**" in text
    assert "G1/G2" in text
    assert "including partial liver resections" in advice.text("debulking-surgery")
    assert advice.warnings == ("no-symptom-guidance",)


@pytest.mark.parametrize(
    ("resectable", "ki67", "curative"),
    [
        ("yes", "20", True),
        ("yes", "20.1", False),
        ("yes", None, True),
        ("no", "2", False),
        ("unknown", "2", False),
    ],
)
def test_curative_intent_resection_is_for_resectable_g1_g2_disease(resectable, ki67, curative):
    advice = advise(
        **{**METASTATIC_ILEAL_NET, "metastases_resectable": resectable, "ki67_percent": ki67}
    )

    assert ("curative-liver-resection" in advice.sections) is curative
    assert ("metastatic-incurable" in advice.sections) is not curative


def test_a_metastatic_net_g3_is_warned_without_a_note_it_does_not_get():
    advice = advise(**{**METASTATIC_ILEAL_NET, "ki67_percent": "20.1"})

    assert "net-g3-radical-surgery" not in advice.sections
    assert advice.warnings == ("net-g3", "no-symptom-guidance")
    assert "For metastatic disease, discuss its treatment at the MDT." in advice.message("net-g3")


def test_no_symptoms_is_said_to_be_the_source_s_empty_entry():
    advice = advise(**METASTATIC_ILEAL_NET)

    message = advice.message("no-symptom-guidance")
    assert "“Patients without hormonal symptoms”" in message
    assert "gives no text for it" in message
