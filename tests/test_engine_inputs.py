"""The case inputs a condition can name that version 1 never read: the gastric NET's type,
asked for the stomach alone, and the functioning tumour types beside "other functional".

Each is tested as a threshold is: every value, in a condition that holds for it and one that
does not; in the reasons and details the clinician reads; in the exhaustive check's input
space, only where the case form accepts it. And version 1, whose content is frozen, with
them in its input space. Pure Python: no database.
"""

from __future__ import annotations

import pytest

from guidance import engine
from guidance.engine import check
from tests.advice import (
    GASTRIC_TYPES,
    GASTRIC_VALUES,
    TUMOUR_TYPES,
    VERSION_1,
    case,
    label,
    stomach,
    version_1_document,
)
from tests.test_engine_check import small

FUNCTIONING = ("vipoma", "glucagonoma", "carcinoid_syndrome")


def sections_for(logic: engine.Logic, facts: engine.CaseFacts) -> tuple[str, ...]:
    return engine.recommend(facts, logic).slugs


# --- The facts and their words ---------------------------------------------------------


def test_the_gastric_type_is_a_choice_a_condition_can_name_and_may_be_null():
    field = engine.INPUTS["gastric_type"]

    assert (field.kind, field.words, field.optional) == ("choice", "gastric NET type", True)
    assert field.values == GASTRIC_VALUES == ("type_1", "type_2", "type_3", "unknown")
    assert engine.check_condition('gastric_type == "type_1"') == []
    assert engine.check_condition("gastric_type == null") == []
    assert engine.check_condition('gastric_type in ["type_2", "type_3"]') == []


def test_the_gastric_type_comes_after_the_pancreatic_region_in_a_case():
    assert list(engine.INPUTS)[:4] == ["site", "pancreas_region", "gastric_type", "tumour_type"]
    assert case().gastric_type is None


@pytest.mark.parametrize(
    ("choices", "value", "written"),
    [
        (GASTRIC_TYPES, "type_1", "Type 1 (chronic atrophic gastritis)"),
        (GASTRIC_TYPES, "type_2", "Type 2 (gastrinoma / MEN1)"),
        (GASTRIC_TYPES, "type_3", "Type 3 (sporadic)"),
        (GASTRIC_TYPES, "unknown", "Not known"),
        (TUMOUR_TYPES, "vipoma", "VIPoma"),
        (TUMOUR_TYPES, "glucagonoma", "Glucagonoma"),
        (TUMOUR_TYPES, "carcinoid_syndrome", "Carcinoid syndrome (serotonin-secreting NET)"),
    ],
)
def test_each_new_choice_is_written_by_its_label(choices, value, written):
    assert label(choices, value) == written


def test_the_functioning_types_are_listed_beside_other_functional_tumours():
    values = [value for value, _ in TUMOUR_TYPES]

    assert values == [
        "non_functional",
        "insulinoma",
        "gastrinoma",
        "vipoma",
        "glucagonoma",
        "carcinoid_syndrome",
        "other_functional",
    ]


@pytest.mark.parametrize(
    ("choices", "value", "words"),
    [
        # A label's first letter is lower-cased, as in a sentence...
        (engine.SITES, "small_intestine", "small intestine"),
        (GASTRIC_TYPES, "type_1", "type 1 (chronic atrophic gastritis)"),
        (GASTRIC_TYPES, "unknown", "not known"),
        (TUMOUR_TYPES, "glucagonoma", "glucagonoma"),
        # ...and nothing else: abbreviations keep their capitals.
        (GASTRIC_TYPES, "type_2", "type 2 (gastrinoma / MEN1)"),
        (TUMOUR_TYPES, "carcinoid_syndrome", "carcinoid syndrome (serotonin-secreting NET)"),
        # A label that starts with one is left as it is.
        (TUMOUR_TYPES, "vipoma", "VIPoma"),
        ((("iv", "IV fluids"),), "iv", "IV fluids"),
        ((("ki67", "Ki-67 high"),), "ki67", "ki-67 high"),
        (engine.SITES, "elsewhere", "elsewhere"),
        (engine.SITES, None, ""),
    ],
)
def test_a_choice_in_a_sentence_keeps_its_abbreviations(choices, value, words):
    assert engine.in_words(choices, value) == words


# --- Conditions: each value both ways ---------------------------------------------------


@pytest.mark.parametrize("gastric_type", GASTRIC_VALUES)
def test_a_condition_on_the_gastric_type_holds_for_that_type_alone(gastric_type):
    logic = small(("everyone", "true"), ("typed", f'gastric_type == "{gastric_type}"'))

    assert sections_for(logic, stomach(gastric_type)) == ("everyone", "typed")
    for other in GASTRIC_VALUES:
        if other != gastric_type:
            assert sections_for(logic, stomach(other)) == ("everyone",), other
    assert sections_for(logic, case(site="duodenum")) == ("everyone",)


@pytest.mark.parametrize("gastric_type", GASTRIC_VALUES)
def test_a_condition_against_the_gastric_type_holds_for_every_other_type_and_site(gastric_type):
    logic = small(("everyone", "true"), ("untyped", f'gastric_type != "{gastric_type}"'))

    assert sections_for(logic, stomach(gastric_type)) == ("everyone",)
    for other in GASTRIC_VALUES:
        if other != gastric_type:
            assert sections_for(logic, stomach(other)) == ("everyone", "untyped"), other
    assert sections_for(logic, case(site="colon")) == ("everyone", "untyped")


def test_a_gastric_type_is_null_for_every_site_but_the_stomach():
    logic = small(("everyone", "true"), ("no-type", "gastric_type == null"))

    for site, _ in engine.SITES:
        facts = stomach() if site == "stomach" else case(site=site)
        assert ("no-type" in sections_for(logic, facts)) is (site != "stomach"), site


@pytest.mark.parametrize("tumour_type", FUNCTIONING)
def test_a_condition_on_a_functioning_type_holds_for_that_type_alone(tumour_type):
    logic = small(("everyone", "true"), ("typed", f'tumour_type == "{tumour_type}"'))

    for other, _ in TUMOUR_TYPES:
        expected = ("everyone", "typed") if other == tumour_type else ("everyone",)
        assert sections_for(logic, case(tumour_type=other)) == expected, other


def test_a_listed_functioning_type_is_refused_when_misspelt():
    assert engine.check_condition('tumour_type == "vipomas"') == [
        '"vipomas" is not a value of tumour_type (did you mean "vipoma"?); it is one of '
        '"non_functional", "insulinoma", "gastrinoma", "vipoma", "glucagonoma", '
        '"carcinoid_syndrome", "other_functional"'
    ]
    assert engine.check_condition('gastric_type == "type 1"') == [
        '"type 1" is not a value of gastric_type (did you mean "type_1"?); it is one of '
        '"type_1", "type_2", "type_3", "unknown"'
    ]


# --- What the clinician reads -----------------------------------------------------------


@pytest.mark.parametrize(
    ("gastric_type", "reason"),
    [
        ("type_1", "gastric NET type: type 1 (chronic atrophic gastritis)"),
        ("type_2", "gastric NET type: type 2 (gastrinoma / MEN1)"),
        ("type_3", "gastric NET type: type 3 (sporadic)"),
        ("unknown", "gastric NET type: not known"),
    ],
)
def test_a_reason_names_the_gastric_type_in_the_words_of_the_case_form(gastric_type, reason):
    logic = small(("typed", f'site == "stomach" and gastric_type == "{gastric_type}"'))

    [section] = engine.recommend(stomach(gastric_type), logic).sections

    assert section.reasons == ("site: stomach", reason)


def test_a_reason_against_a_gastric_type_says_what_it_is_not():
    logic = small(("untyped", 'gastric_type != "type_1"'))

    [section] = engine.recommend(stomach("type_3"), logic).sections

    assert section.reasons == (
        "gastric NET type: type 3 (sporadic) (not type 1 (chronic atrophic gastritis))",
    )


@pytest.mark.parametrize(
    ("tumour_type", "reason", "detail"),
    [
        ("vipoma", "tumour type: VIPoma", "VIPoma in the stomach; type not known."),
        ("glucagonoma", "tumour type: glucagonoma", "Glucagonoma in the stomach; type not known."),
        (
            "carcinoid_syndrome",
            "tumour type: carcinoid syndrome (serotonin-secreting NET)",
            "Carcinoid syndrome (serotonin-secreting NET) in the stomach; type not known.",
        ),
    ],
)
def test_a_functioning_type_is_named_in_reasons_and_details_with_its_capitals(
    tumour_type, reason, detail
):
    document = version_1_document()
    document["sections"] = [
        {"slug": "typed", "order": 1, "applies_when": f'tumour_type == "{tumour_type}"'}
    ]
    document["warnings"] = [
        {
            "code": "where",
            "applies_when": "true",
            "detail": "{Tumour_type} in the {site}; type {gastric_type}.",
        }
    ]
    document["exclusive"] = []

    result = engine.recommend(stomach(tumour_type=tumour_type), engine.compile_logic(document))

    assert result.sections[0].reasons == (reason,)
    assert [warning.detail for warning in result.warnings] == [detail]


def test_an_editor_s_placeholder_gives_the_gastric_type_in_a_sentence_or_starting_one():
    document = version_1_document()
    document["sections"] = [{"slug": "everyone", "order": 1, "applies_when": "true"}]
    document["warnings"] = [
        {"code": "typed", "applies_when": "true", "detail": "{Gastric_type}: {gastric_type}."}
    ]
    document["exclusive"] = []
    logic = engine.compile_logic(document)

    [warning] = engine.recommend(stomach("type_2"), logic).warnings
    [elsewhere] = engine.recommend(case(site="rectum"), logic).warnings

    assert warning.detail == "Type 2 (gastrinoma / MEN1): type 2 (gastrinoma / MEN1)."
    assert elsewhere.detail == "Not known: not known."


# --- The exhaustive check ----------------------------------------------------------------

# The classes of everything but the site with its region or type, where no condition splits
# the size: 7 tumour types × 2 × 3 differentiations × 36 classes of the two indices ×
# 5 extents and resectability × 3 SSR imaging.
ELSEWHERE = 7 * 2 * 3 * 36 * 5 * 3


def test_the_check_enumerates_a_gastric_type_exactly_where_the_site_is_the_stomach():
    logic = small(("typed", "gastric_type != null"), ("untyped", "gastric_type == null"))

    result = check.check(logic)

    assert result.passed
    # The stomach in its 4 types; the pancreas in its 4 regions and 5 other sites.
    assert check.classes_where(logic, "typed") == 4 * ELSEWHERE
    assert check.classes_where(logic, "untyped") == (4 + 5) * ELSEWHERE
    assert result.classes == 13 * ELSEWHERE
    assert {example.site for example in check.examples(logic, "typed", n=5)} == {"stomach"}
    assert "stomach" not in {example.site for example in check.examples(logic, "untyped", n=9)}


@pytest.mark.parametrize("gastric_type", GASTRIC_VALUES)
def test_a_gap_at_one_gastric_type_is_found_named_and_shown(gastric_type):
    logic = small(("others", f'gastric_type != "{gastric_type}"'))

    [gap] = check.check(logic).failures

    words = engine.in_words(GASTRIC_TYPES, gastric_type)
    assert gap.kind == check.GAP
    assert gap.classes == ELSEWHERE
    assert gap.message.startswith(
        f"No section applies to {ELSEWHERE:,} input classes: every one has gastric NET type "
        f"{words}"
    )
    assert (gap.example.site, gap.example.gastric_type) == ("stomach", gastric_type)
    assert gap.words.startswith(f"stomach, gastric NET type: {words}, non-functional, ")


@pytest.mark.parametrize("tumour_type", FUNCTIONING)
def test_a_gap_at_one_functioning_type_is_found_and_named_with_its_capitals(tumour_type):
    logic = small(("others", f'tumour_type != "{tumour_type}"'))

    [gap] = check.check(logic).failures

    words = engine.in_words(TUMOUR_TYPES, tumour_type)
    assert gap.classes == 13 * 2 * 3 * 36 * 5 * 3
    assert gap.message.endswith(f"every one has tumour type {words}.")
    assert gap.example.tumour_type == tumour_type
    assert f", {words}, " in gap.words


def test_a_case_in_words_names_the_gastric_type_after_the_stomach():
    assert check.describe(stomach("type_1", size_mm=engine.SIZE_MAX_MM)) == (
        "stomach, gastric NET type: type 1 (chronic atrophic gastritis), non-functional, "
        "no hormonal symptoms, 300 mm, well differentiated, Ki-67 1 %, "
        "mitotic count 0 per 10 HPF, localised, SSR imaging not done"
    )
    assert check.describe(case(site="duodenum")).startswith("duodenum, non-functional, ")


# --- Version 1, with the new inputs in its space ------------------------------------------


def test_version_1_leaves_no_class_of_the_new_inputs_without_a_section():
    result = check.check(VERSION_1)

    assert result.passed
    # Among its classes: the stomach in each of its 4 types, and each of the 7 tumour types.
    assert result.classes == 13 * 7 * 2 * 3 * 3 * 36 * 5 * 3


def test_version_1_advises_each_functioning_type_as_an_other_functional_tumour():
    """Version 1 reads no gastric type and names none of the new tumour types: in every
    class of the sections' facts, each new type gets the sections of "other functional"."""
    reads = check._reads(
        VERSION_1, [rule.condition for rule in (*VERSION_1.sections, *VERSION_1.category)]
    )
    compared = 0
    for known, _ in check._cases(VERSION_1, reads):
        if known["tumour_type"] != "other_functional":
            continue
        other = check._decide(VERSION_1, dict(known), reads, VERSION_1.evaluation_order)
        for tumour_type in FUNCTIONING:
            facts = {**known, "tumour_type": tumour_type}
            assert check._decide(VERSION_1, facts, reads, VERSION_1.evaluation_order) == other
            compared += 1
    assert "gastric_type" not in reads
    assert compared == 3 * 10 * 2 * 3 * 3 * 4 * 5
