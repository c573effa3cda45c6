"""Why each section applies: the reasons the clinician reads under it.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.advice import SECTION_SLUGS, case, distant, pancreas, reasons_of, recommend


def test_small_insulinoma_reason_states_the_size_is_below_20_mm():
    result = recommend(pancreas(tumour_type="insulinoma", size_mm=Decimal("15")))
    reasons = reasons_of(result, "insulinoma-local-excision")
    assert "size 15 mm is below 20 mm" in reasons
    assert any("insulinoma" in reason for reason in reasons)
    assert any("localised" in reason for reason in reasons)


def test_insulinoma_of_exactly_20_mm_reason_states_it_is_not_small():
    result = recommend(pancreas(tumour_type="insulinoma", size_mm=Decimal("20")))
    reasons = reasons_of(result, "insulinoma-partial-pancreatectomy")
    assert any("size 20 mm" in reason for reason in reasons)
    assert not any("below" in reason for reason in reasons)


def test_local_excision_reason_names_the_site():
    assert "site: rectum" in reasons_of(recommend(case(site="rectum")), "local-excision")
    assert "site: appendix" in reasons_of(recommend(case(site="appendix")), "local-excision")


def test_lymph_node_dissection_reason_names_the_site():
    reasons = reasons_of(recommend(case(site="stomach")), "lymph-node-dissection")
    assert any("site: stomach" in reason for reason in reasons)


def test_curative_excision_reason_states_extent_and_grade():
    reasons = reasons_of(recommend(case(ki67_percent=Decimal("6"))), "curative-excision")
    assert any("localised" in reason for reason in reasons)
    assert any("G2" in reason for reason in reasons)


def test_pancreatoduodenectomy_reason_names_the_pancreatic_head():
    result = recommend(pancreas("head", tumour_type="gastrinoma"))
    reasons = reasons_of(result, "pancreatoduodenectomy")
    assert any("head" in reason for reason in reasons)
    assert any("gastrinoma" in reason for reason in reasons)


def test_regional_node_sections_say_the_nodes_are_involved():
    result = recommend(case(extent="regional_nodes"))
    for slug in result.slugs:
        assert any("lymph nodes" in reason for reason in reasons_of(result, slug)), slug


def test_every_metastatic_section_gives_distant_metastases_as_a_reason():
    result = recommend(distant("yes", tumour_type="other_functional", hormonal_symptoms=True))
    for slug in result.slugs:
        assert any("distant metastases" in r for r in reasons_of(result, slug)), slug


def test_debulking_reason_states_the_resectability():
    assert any(
        "metastases: resectable" in reason
        for reason in reasons_of(recommend(distant("yes")), "debulking-surgery")
    )
    assert any(
        "not yet assessed" in reason
        for reason in reasons_of(recommend(distant("unknown")), "debulking-surgery")
    )


def test_symptom_control_reasons_mention_hormonal_symptoms():
    result = recommend(distant(tumour_type="other_functional", hormonal_symptoms=True))
    for slug in ("somatostatin-analogue", "interferon"):
        assert any("hormonal symptoms" in reason for reason in reasons_of(result, slug)), slug


def test_site_specific_metastatic_reasons_name_the_site():
    pancreatic = recommend(distant(site="pancreas", pancreas_region="body"))
    for slug in ("pancreatic-cytotoxic", "pancreatic-radiotherapy"):
        assert "site: pancreas" in reasons_of(pancreatic, slug), slug
    # Everolimus applies whatever the site: its condition does not name the site.
    assert reasons_of(pancreatic, "everolimus") == ("extent: distant metastases",)
    colonic = recommend(distant())
    assert any("site: colon" in r for r in reasons_of(colonic, "cytotoxic-minimal-benefit"))


def test_poorly_differentiated_reason_says_why():
    poor = recommend(case(differentiation="poor"))
    assert any("poor" in reason for reason in reasons_of(poor, "poorly-differentiated"))
    assumed = recommend(case(differentiation="unknown", ki67_percent=Decimal("25")))
    assert any("G3" in reason for reason in reasons_of(assumed, "poorly-differentiated"))


# --- Every section's reasons, word for word -------------------------------------------------

LOCALISED = "extent: localised"
REGIONAL = "extent: regional lymph nodes involved"
DISTANT = "extent: distant metastases"
SYMPTOMS = "hormonal symptoms present"
POORLY_BY_INDEX = (
    "differentiation not known and the proliferation index is G3 "
    "(the source defines poorly differentiated tumours by Ki-67 > 20 % "
    "or > 20 mitoses per 10 HPF)"
)

REASONS = [
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("15")),
        "insulinoma-local-excision",
        ("tumour type: insulinoma", "size 15 mm is below 20 mm", LOCALISED),
        id="insulinoma-local-excision",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("19.9")),
        "insulinoma-local-excision",
        ("tumour type: insulinoma", "size 19.9 mm is below 20 mm", LOCALISED),
        id="insulinoma-local-excision-19.9-mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("20")),
        "insulinoma-partial-pancreatectomy",
        ("tumour type: insulinoma", "size 20 mm is 20 mm or more (not small, < 2 cm)", LOCALISED),
        id="insulinoma-partial-pancreatectomy-localised-20-mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("35.5")),
        "insulinoma-partial-pancreatectomy",
        (
            "tumour type: insulinoma",
            "size 35.5 mm is 20 mm or more (not small, < 2 cm)",
            LOCALISED,
        ),
        id="insulinoma-partial-pancreatectomy-localised-35.5-mm",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", size_mm=Decimal("5"), extent="regional_nodes"),
        "insulinoma-partial-pancreatectomy",
        ("tumour type: insulinoma", REGIONAL),
        id="insulinoma-partial-pancreatectomy-regional",
    ),
    pytest.param(
        case(),
        "curative-excision",
        (LOCALISED, "well-differentiated tumour, grade G1"),
        id="curative-excision-localised-g1",
    ),
    pytest.param(
        case(site="rectum", ki67_percent=Decimal("35")),
        "curative-excision",
        (LOCALISED, "well-differentiated tumour, grade G3"),
        id="curative-excision-rectum-g3",
    ),
    pytest.param(
        case(ki67_percent=None, mitoses_per_10hpf=None),
        "curative-excision",
        (LOCALISED, "well-differentiated tumour, grade not known"),
        id="curative-excision-grade-not-known",
    ),
    pytest.param(
        case(extent="regional_nodes", ki67_percent=Decimal("6")),
        "curative-excision",
        (REGIONAL, "well-differentiated tumour, grade G2"),
        id="curative-excision-regional-g2",
    ),
    pytest.param(
        pancreas("head"),
        "pancreatoduodenectomy",
        (
            "site: pancreas, region: head",
            "tumour type: non-functional (not an insulinoma)",
            LOCALISED,
        ),
        id="pancreatoduodenectomy-localised",
    ),
    pytest.param(
        pancreas("head", tumour_type="gastrinoma", extent="regional_nodes"),
        "pancreatoduodenectomy",
        (
            "site: pancreas, region: head",
            "tumour type: gastrinoma (not an insulinoma)",
            "extent: regional lymph nodes involved",
        ),
        id="pancreatoduodenectomy-regional-gastrinoma",
    ),
    pytest.param(
        pancreas("head", tumour_type="other_functional"),
        "pancreatoduodenectomy",
        (
            "site: pancreas, region: head",
            "tumour type: other functional tumour (not an insulinoma)",
            LOCALISED,
        ),
        id="pancreatoduodenectomy-other-functional",
    ),
    pytest.param(
        case(site="rectum"),
        "local-excision",
        ("site: rectum", LOCALISED),
        id="local-excision-rectum",
    ),
    pytest.param(
        case(site="appendix"),
        "local-excision",
        ("site: appendix", LOCALISED),
        id="local-excision-appendix",
    ),
    pytest.param(
        case(),
        "lymph-node-dissection",
        ("site: colon (not rectum or appendix)", LOCALISED),
        id="lymph-node-dissection-localised-colon",
    ),
    pytest.param(
        case(site="small_intestine"),
        "lymph-node-dissection",
        ("site: small intestine (not rectum or appendix)", LOCALISED),
        id="lymph-node-dissection-localised-small-intestine",
    ),
    pytest.param(
        pancreas("body"),
        "lymph-node-dissection",
        ("site: pancreas (not rectum or appendix)", LOCALISED),
        id="lymph-node-dissection-localised-pancreas",
    ),
    pytest.param(
        case(site="rectum", extent="regional_nodes"),
        "lymph-node-dissection",
        (REGIONAL,),
        id="lymph-node-dissection-regional",
    ),
    pytest.param(
        pancreas(tumour_type="insulinoma", extent="regional_nodes"),
        "lymph-node-dissection",
        (REGIONAL,),
        id="lymph-node-dissection-regional-insulinoma",
    ),
    pytest.param(distant(), "metastatic-incurable", (DISTANT,), id="metastatic-incurable"),
    pytest.param(
        distant("yes"),
        "debulking-surgery",
        (DISTANT, "metastases: resectable"),
        id="debulking-surgery-resectable",
    ),
    pytest.param(
        distant("unknown"),
        "debulking-surgery",
        (DISTANT, "metastases: not yet assessed"),
        id="debulking-surgery-not-yet-assessed",
    ),
    pytest.param(
        distant(hormonal_symptoms=True, tumour_type="other_functional"),
        "somatostatin-analogue",
        (DISTANT, SYMPTOMS),
        id="somatostatin-analogue",
    ),
    pytest.param(
        distant(hormonal_symptoms=True, tumour_type="other_functional"),
        "interferon",
        (DISTANT, SYMPTOMS),
        id="interferon",
    ),
    pytest.param(
        distant(site="pancreas", pancreas_region="body"),
        "pancreatic-cytotoxic",
        (DISTANT, "site: pancreas"),
        id="pancreatic-cytotoxic",
    ),
    pytest.param(
        distant(site="pancreas", pancreas_region="body"),
        "pancreatic-radiotherapy",
        (DISTANT, "site: pancreas"),
        id="pancreatic-radiotherapy",
    ),
    pytest.param(
        distant(),
        "cytotoxic-minimal-benefit",
        (DISTANT, "site: colon (not pancreas)"),
        id="cytotoxic-minimal-benefit",
    ),
    pytest.param(
        distant(site="small_intestine"),
        "cytotoxic-minimal-benefit",
        (DISTANT, "site: small intestine (not pancreas)"),
        id="cytotoxic-minimal-benefit-small-intestine",
    ),
    pytest.param(
        distant(site="pancreas", pancreas_region="tail"),
        "everolimus",
        (DISTANT,),
        id="everolimus-pancreas",
    ),
    pytest.param(
        distant(site="stomach"), "everolimus", (DISTANT,), id="everolimus-stomach"
    ),
    pytest.param(
        case(differentiation="poor"),
        "poorly-differentiated",
        ("differentiation reported as poor",),
        id="poorly-differentiated-reported",
    ),
    pytest.param(
        distant(differentiation="unknown", mitoses_per_10hpf=40),
        "poorly-differentiated",
        (POORLY_BY_INDEX,),
        id="poorly-differentiated-by-index",
    ),
]


@pytest.mark.parametrize(("facts", "slug", "reasons"), REASONS)
def test_each_section_gives_exactly_its_reasons(facts, slug, reasons):
    assert reasons_of(recommend(facts), slug) == reasons


def test_every_section_has_its_reasons_written_out_above():
    assert {row.values[1] for row in REASONS} == set(SECTION_SLUGS)


@pytest.mark.parametrize(
    ("facts", "sections"),
    [
        pytest.param(
            pancreas("head", extent="regional_nodes", ki67_percent=Decimal("6")),
            (
                ("curative-excision", (REGIONAL, "well-differentiated tumour, grade G2")),
                (
                    "pancreatoduodenectomy",
                    (
                        "site: pancreas, region: head",
                        "tumour type: non-functional (not an insulinoma)",
                        REGIONAL,
                    ),
                ),
                ("lymph-node-dissection", (REGIONAL,)),
            ),
            id="regional-pancreatic-head",
        ),
        pytest.param(
            distant("yes", hormonal_symptoms=True, tumour_type="other_functional"),
            (
                ("metastatic-incurable", (DISTANT,)),
                ("debulking-surgery", (DISTANT, "metastases: resectable")),
                ("somatostatin-analogue", (DISTANT, SYMPTOMS)),
                ("interferon", (DISTANT, SYMPTOMS)),
                ("cytotoxic-minimal-benefit", (DISTANT, "site: colon (not pancreas)")),
                ("everolimus", (DISTANT,)),
            ),
            id="metastatic-colon-with-symptoms",
        ),
        pytest.param(
            distant("no", site="pancreas", pancreas_region="neck"),
            (
                ("metastatic-incurable", (DISTANT,)),
                ("pancreatic-cytotoxic", (DISTANT, "site: pancreas")),
                ("pancreatic-radiotherapy", (DISTANT, "site: pancreas")),
                ("everolimus", (DISTANT,)),
            ),
            id="metastatic-pancreas-not-resectable",
        ),
    ],
)
def test_a_whole_recommendation_lists_each_section_once_with_all_its_reasons(facts, sections):
    result = recommend(facts)

    assert tuple((section.slug, section.reasons) for section in result.sections) == sections
