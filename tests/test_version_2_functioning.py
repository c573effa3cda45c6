"""Version 2 for a functioning tumour: the syndrome controlled first, at every extent.

The review's cases: localised gastrinoma, insulinoma, VIPoma and carcinoid syndrome were
shown surgery only, with no control of the syndrome: a PPI at once for Zollinger-Ellison
syndrome, IV fluids, potassium and a somatostatin analogue for a VIPoma,
thromboprophylaxis and nutrition for a glucagonoma, somatostatin analogue cover before any
procedure in carcinoid syndrome (carcinoid crisis), echocardiography for carcinoid heart
disease and telotristat for refractory diarrhoea. (The insulinoma:
``test_version_2_insulinoma``.) And the two warnings on the tumour type: a functioning type
without symptoms, and a type at a site where it is unusual, for every type.
"""

from __future__ import annotations

import pytest

from tests.version_2 import FUNCTIONING_TYPES, SITE_VALUES, TYPE_VALUES, advise

SYNDROME_NOTES = {
    "gastrinoma": "gastrinoma-ppi",
    "vipoma": "vipoma-control",
    "glucagonoma": "glucagonoma-control",
    "carcinoid_syndrome": "carcinoid-syndrome-control",
    "other_functional": "other-functional-control",
    "insulinoma": "insulinoma-glucose-control",
}
SITE_OF = {  # where each is met, for a case that is not warned about its site
    "gastrinoma": "duodenum",
    "vipoma": "pancreas",
    "glucagonoma": "pancreas",
    "carcinoid_syndrome": "small_intestine",
    "other_functional": "pancreas",
    "insulinoma": "pancreas",
}
TYPE_WORDS = {
    "gastrinoma": "tumour type: gastrinoma",
    "vipoma": "tumour type: VIPoma",
    "glucagonoma": "tumour type: glucagonoma",
    "carcinoid_syndrome": "tumour type: carcinoid syndrome (serotonin-secreting NET)",
    "other_functional": "tumour type: other functional tumour",
    "insulinoma": "tumour type: insulinoma",
}
EXTENTS = [
    {"extent": "localised"},
    {"extent": "regional_nodes"},
    {"extent": "distant_metastases", "metastases_resectable": "yes"},
    {"extent": "distant_metastases", "metastases_resectable": "no"},
    {"extent": "distant_metastases", "metastases_resectable": "unknown"},
]


def functioning(tumour_type: str, **overrides) -> dict:
    site = overrides.pop("site", SITE_OF[tumour_type])
    facts = {
        "site": site,
        "tumour_type": tumour_type,
        "hormonal_symptoms": True,
        "size_mm": 18,
        "differentiation": "well",
        "ki67_percent": 4,
        "extent": "localised",
        "ssr_imaging": "positive",
    }
    if site == "pancreas":
        facts["pancreas_region"] = "tail"
    facts.update(overrides)
    return facts


@pytest.mark.parametrize("tumour_type", sorted(SYNDROME_NOTES))
@pytest.mark.parametrize("extent", EXTENTS, ids=lambda e: "-".join(e.values()))
@pytest.mark.parametrize("differentiation", ["well", "poor", "unknown"])
def test_the_syndrome_note_is_the_first_section_at_every_extent(
    tumour_type, extent, differentiation
):
    advice = advise(**functioning(tumour_type, differentiation=differentiation, **extent))

    note = SYNDROME_NOTES[tumour_type]
    assert advice.sections[0] == note
    assert advice.reasons(note) == (TYPE_WORDS[tumour_type],)
    others = set(SYNDROME_NOTES.values()) - {note}
    assert not others & set(advice.sections)


def test_a_localised_gastrinoma_is_given_a_high_dose_ppi_before_surgery():
    advice = advise(**functioning("gastrinoma", size_mm=8, ki67_percent=2))

    assert advice.sections == ("gastrinoma-ppi", "curative-excision", "lymph-node-dissection")
    assert advice.heading("gastrinoma-ppi") == "Gastrinoma: acid control first"
    text = advice.text("gastrinoma-ppi")
    assert text.startswith("Start a **high-dose proton pump inhibitor (PPI)** at once")
    assert "Do not stop it before surgery" in text
    assert "MEN1" in text
    assert advice.warnings == ()


def test_a_gastrinoma_of_the_pancreatic_head_gets_the_ppi_before_the_pancreatoduodenectomy():
    advice = advise(**functioning("gastrinoma", site="pancreas", pancreas_region="head"))

    assert advice.sections == (
        "gastrinoma-ppi",
        "curative-excision",
        "pancreatoduodenectomy",
        "lymph-node-dissection",
    )


def test_a_localised_vipoma_is_given_fluids_potassium_and_an_ssa_first():
    advice = advise(**functioning("vipoma", size_mm=35))

    assert advice.sections == ("vipoma-control", "curative-excision", "lymph-node-dissection")
    text = advice.text("vipoma-control")
    assert "**intravenous fluids and potassium**" in text
    assert "a **somatostatin analogue** to reduce the secretion, before surgery" in text
    assert advice.warnings == ()


def test_a_glucagonoma_with_nodes_is_given_thromboprophylaxis_and_nutrition():
    advice = advise(**functioning("glucagonoma", size_mm=45, extent="regional_nodes"))

    assert advice.sections == ("glucagonoma-control", "curative-excision", "lymph-node-dissection")
    text = advice.text("glucagonoma-control")
    assert "venous thromboembolism" in text
    assert "**thromboprophylaxis** (above all around surgery)" in text
    assert "**nutritional support**" in text
    assert advice.warnings == ("regional-nodes",)


def test_carcinoid_syndrome_is_given_ssa_cover_the_heart_and_telotristat():
    advice = advise(**functioning("carcinoid_syndrome", extent="regional_nodes"))

    assert advice.sections == (
        "carcinoid-syndrome-control",
        "curative-excision",
        "lymph-node-dissection",
    )
    text = advice.text("carcinoid-syndrome-control")
    assert "cover before and during any procedure" in text
    assert "**carcinoid crisis**" in text
    assert "**echocardiography** before major surgery" in text
    assert "**telotristat ethyl**" in text
    assert advice.warnings == ("regional-nodes",)


def test_metastatic_carcinoid_syndrome_keeps_the_note_first_before_the_source_s_list():
    advice = advise(
        **functioning(
            "carcinoid_syndrome",
            size_mm=30,
            extent="distant_metastases",
            metastases_resectable="yes",
        )
    )

    assert advice.sections == (
        "carcinoid-syndrome-control",
        "curative-liver-resection",
        "debulking-surgery",
        "somatostatin-analogue",
        "interferon",
        "ssa-antiproliferative",
        "cytotoxic-minimal-benefit",
        "everolimus",
    )
    assert advice.warnings == ()


def test_another_functioning_tumour_is_told_to_identify_the_hormone():
    advice = advise(**functioning("other_functional"))

    assert advice.sections[0] == "other-functional-control"
    assert "identify the hormone and control the syndrome first" in advice.text(
        "other-functional-control"
    )


def test_a_non_functional_tumour_gets_no_syndrome_note():
    advice = advise(
        **{**functioning("vipoma"), "tumour_type": "non_functional", "hormonal_symptoms": False}
    )

    assert not set(SYNDROME_NOTES.values()) & set(advice.sections)


@pytest.mark.parametrize("tumour_type", TYPE_VALUES)
@pytest.mark.parametrize("symptoms", [True, False])
def test_every_functioning_type_without_symptoms_is_warned_of_the_conflict(tumour_type, symptoms):
    if tumour_type == "non_functional":
        facts = {**functioning("vipoma"), "tumour_type": tumour_type}
    else:
        facts = functioning(tumour_type)
    advice = advise(**{**facts, "hormonal_symptoms": symptoms})

    warned = tumour_type != "non_functional" and not symptoms
    assert ("functional-without-symptoms" in advice.warnings) is warned
    assert ("symptoms-non-functional" in advice.warnings) is (
        tumour_type == "non_functional" and symptoms
    )
    if warned:
        words = TYPE_WORDS[tumour_type].removeprefix("tumour type: ")
        assert advice.detail("functional-without-symptoms") == (
            f"{words[:1].upper()}{words[1:]} without hormonal symptoms."
        )
        assert "reconcile the tumour type and symptoms" in advice.message(
            "functional-without-symptoms"
        )


# Where each type is expected: an insulinoma, glucagonoma or VIPoma in the pancreas, a
# gastrinoma in the pancreas or duodenum; carcinoid syndrome and another functioning tumour
# arise at any of the sites, and a non-functional tumour has no hormone to place.
EXPECTED_SITES = {
    "insulinoma": {"pancreas"},
    "glucagonoma": {"pancreas"},
    "vipoma": {"pancreas"},
    "gastrinoma": {"pancreas", "duodenum"},
    "carcinoid_syndrome": set(SITE_VALUES),
    "other_functional": set(SITE_VALUES),
    "non_functional": set(SITE_VALUES),
}


def test_every_tumour_type_has_its_expected_sites_stated():
    assert set(EXPECTED_SITES) == set(TYPE_VALUES)
    assert set(FUNCTIONING_TYPES) == set(TYPE_VALUES) - {"non_functional"}


@pytest.mark.parametrize("tumour_type", TYPE_VALUES)
@pytest.mark.parametrize("site", SITE_VALUES)
def test_a_type_at_a_site_where_it_is_unusual_is_warned_for_every_type(tumour_type, site):
    region = {"pancreas_region": "tail"} if site == "pancreas" else {}
    advice = advise(
        site=site,
        **region,
        tumour_type=tumour_type,
        hormonal_symptoms=tumour_type != "non_functional",
        size_mm=18,
        differentiation="well",
        ki67_percent=4,
        extent="localised",
    )

    mismatch = site not in EXPECTED_SITES[tumour_type]
    assert ("type-site-mismatch" in advice.warnings) is mismatch
    if mismatch:
        words = TYPE_WORDS[tumour_type].removeprefix("tumour type: ")
        site_words = site.replace("_", " ")
        assert advice.detail("type-site-mismatch") == (
            f"{words[:1].upper()}{words[1:]} in the {site_words}."
        )
