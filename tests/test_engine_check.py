"""The exhaustive check of a version's logic (guidance/engine/check.py).

Version 1 passes; a gap, a broken exclusion and a condition that cannot be decided are each
found, named, and shown with an example case in words. The classes are those of the whole
valid input space, counted exactly; the collapse that keeps the check fast is compared with
evaluating every class. No database: the logic is compiled from guideline documents.
"""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal

import pytest

from guidance import engine
from guidance.engine import check
from tests.advice import VERSION_1, version_1_document


def changed(change) -> engine.Logic:
    """Version 1's logic with ``change`` made to a copy of its document."""
    document = copy.deepcopy(version_1_document())
    change(document)
    return engine.compile_logic(document)


# Grading with one threshold per index: G1 below it, G3 above it, G2 at it. Fewer classes,
# so that a test can afford to evaluate every one.
ONE_THRESHOLD = {
    "ki67_percent": {"G1_below": "3", "G3_above": "3"},
    "mitoses_per_10hpf": {"G1_below": 2, "G3_above": 2},
}


def small(*sections: tuple[str, str], warnings=(), exclusive=(), grading=None) -> engine.Logic:
    """A logic of a few sections (and warnings) with version 1's grading (or ``grading``)
    and category rules."""
    document = version_1_document()
    return engine.compile_logic(
        {
            **document,
            "grading": grading or document["grading"],
            "sections": [
                {"slug": slug, "order": order, "applies_when": when}
                for order, (slug, when) in enumerate(sections, 1)
            ],
            "warnings": [{"code": code, "applies_when": when} for code, when in warnings],
            "exclusive": [list(pair) for pair in exclusive],
        }
    )


# A case as the words of the brief read it.
ONE_CASE = {
    "site": "pancreas",
    "pancreas_region": "head",
    "tumour_type": "insulinoma",
    "hormonal_symptoms": True,
    "size_mm": Decimal("19.9"),
    "differentiation": "unknown",
    "ki67_percent": None,
    "mitoses_per_10hpf": 2,
    "extent": "distant_metastases",
    "metastases_resectable": "unknown",
    "ssr_imaging": "not_done",
}


def applies(example: engine.CaseFacts, logic: engine.Logic) -> tuple[str, ...]:
    return engine.recommend(example, logic).slugs


# --- Version 1 ------------------------------------------------------------------------


def test_version_1_passes_the_check():
    result = check.check(VERSION_1)

    assert result.passed
    assert result.failures == ()


def test_the_classes_of_version_1_are_counted_exactly():
    result = check.check(VERSION_1)

    # Every input at its classes (version 1 compares size with 20, Ki-67 with 3 and 20,
    # the mitotic count with 2 and 20):
    #   site, pancreas region and gastric NET type: the pancreas in 4 regions, the
    #   stomach in 4 types, 5 other sites without either                              13
    #   tumour type 7, hormonal symptoms 2                                            × 14
    #   size: below 20, 20, above 20                                                   × 3
    #   differentiation                                                                × 3
    #   Ki-67: below 3, 3, between, 20, above 20, not given                            × 6
    #   mitoses: below 2, 2, between, 20, above 20, not given                          × 6
    #   extent and resectability: localised, regional nodes (resectability "unknown"
    #   only), distant metastases with yes, no or unknown                              × 5
    #   SSR imaging                                                                    × 3
    assert result.classes == 13 * 14 * 3 * 3 * 6 * 6 * 5 * 3 == 884_520
    # The cases evaluated. The category rules and sections read every input but SSR
    # imaging and the gastric NET type (10 sites and regions), and the indices only through
    # the grade (not given, G1, G2, G3):
    sections = 10 * 14 * 3 * 3 * 4 * 5
    # Each warning over what it reads (category: differentiation 3 × grade 4 = 12):
    warnings = {
        "grade-unknown": 12,  # grade, category
        "grade-discordant": 4 * 4,  # grade from Ki-67 × grade from mitoses
        "net-g3": 12,
        "differentiation-assumed": 12,
        "poor-low-grade": 12,
        "regional-nodes": 3,  # extent
        "ssa-insulinoma": 3 * 12 * 2 * 7,  # extent, category, symptoms; tumour type
        "ssr-negative": 3 * 12 * 2 * 3,  # the same section; SSR imaging
        "symptoms-non-functional": 7 * 2,
        "type-site-mismatch": 7 * 7,  # tumour type × site (the region is not read)
        "local-excision-size": 7 * 3 * 7 * 12 * 3,  # site, extent, type, category; size
        "no-symptom-guidance": 3 * 12 * 2,
        "differentiation-unknown": 12,
        "resectability-unknown": 5 * 12,  # extent and resectability, category
        "functional-without-symptoms": 7 * 2,
    }
    assert tuple(warnings) == VERSION_1.codes
    assert result.cases == sections + sum(warnings.values()) == 25_200 + 6_300


def test_the_check_decides_each_case_as_the_interpreter_does():
    """Every case the check evaluates for the sections gets, from recommend(), exactly the
    category and sections the check found: the check runs the interpreter's rules."""
    reads = check._reads(
        VERSION_1,
        [rule.condition for rule in (*VERSION_1.sections, *VERSION_1.category)],
    )
    for known, _ in check._cases(VERSION_1, reads):
        decided = check._decide(VERSION_1, known, reads, VERSION_1.evaluation_order)
        result = engine.recommend(check.facts_of(known), VERSION_1)
        assert result.category.value == known["category"]
        assert result.slugs == tuple(slug for slug in VERSION_1.slugs if decided[slug])


# --- Failures -------------------------------------------------------------------------


def test_a_gap_left_for_one_extent_fails_and_says_which_cases_get_no_section():
    def no_regional_nodes(document):
        # Every section but the poorly-differentiated one, which names no extent.
        for section in document["sections"][:-1]:
            section["applies_when"] = f'({section["applies_when"]}) and extent != "regional_nodes"'

    result = check.check(changed(no_regional_nodes))

    [gap] = result.failures
    assert gap.kind == check.GAP
    assert gap.rule == "sections"
    # Regional nodes with a well-differentiated category: 13 sites, regions and gastric
    # types × 14 types and symptoms × 3 sizes × 3 SSR imaging × (36 Ki-67 and mitoses
    # classes when differentiation is well, 25 of them not G3 when it is not known).
    assert gap.classes == 13 * 14 * 3 * 3 * (36 + 25) == 99_918
    assert gap.message == (
        "No section applies to 99,918 input classes: every one has differentiation not "
        "known or well differentiated; extent regional lymph nodes involved; category well "
        "differentiated."
    )
    assert gap.example.extent == "regional_nodes"
    assert applies(gap.example, changed(no_regional_nodes)) == ()
    assert gap.words == (
        "pancreas (head), non-functional, hormonal symptoms, 19.9 mm, well differentiated, "
        "Ki-67 2.9 %, mitotic count 1 per 10 HPF, regional lymph nodes involved, "
        "SSR imaging positive"
    )


def test_a_category_no_rule_decides_leaves_its_cases_without_a_section():
    def no_rule_for_unknown(document):
        document["category"] = document["category"][:3]

    [gap] = check.check(changed(no_rule_for_unknown)).failures

    assert gap.kind == check.GAP
    assert "category not determined" in gap.message
    assert "differentiation not known" in gap.words


def test_a_gap_is_described_by_what_its_cases_share_absent_values_and_yes_or_no_too():
    logic = small(("symptoms", "hormonal_symptoms"), ("graded", "grade != null"))

    [gap] = check.check(logic).failures

    assert gap.message == (
        "No section applies to 4,095 input classes: every one has no hormonal symptoms; "
        "grade not given."
    )
    # 13 sites, regions and gastric types × 7 types × 3 differentiations × 5 extents × 3
    # SSR imaging; neither index given; size split nowhere.
    assert gap.classes == 13 * 7 * 3 * 5 * 3


def test_a_gap_of_cases_with_symptoms_and_of_one_category_says_so():
    with_symptoms = small(("without", "not hormonal_symptoms"), ("graded", "grade != null"))
    # The sections read no category, but every case of the gap has the same one.
    well = small(
        ("poor", 'differentiation == "poor"'),
        ("known", 'differentiation != "poor" and grade != null'),
    )

    [symptoms] = check.check(with_symptoms).failures
    [category] = check.check(well).failures

    assert symptoms.message == (
        "No section applies to 4,095 input classes: every one has hormonal symptoms; "
        "grade not given."
    )
    assert category.message == (
        "No section applies to 5,460 input classes: every one has differentiation not known "
        "or well differentiated; grade not given; category well differentiated."
    )


def test_a_gap_its_cases_share_nothing_of_is_counted_without_a_description():
    logic = small(
        ("rectal", 'hormonal_symptoms and site == "rectum"'),
        ("elsewhere", 'not hormonal_symptoms and site != "rectum"'),
    )

    [gap] = check.check(logic).failures

    # With symptoms outside the rectum (12 sites, regions and gastric types), without them
    # in it (1).
    assert gap.message == "No section applies to 147,420 input classes."
    assert gap.classes == (12 + 1) * 7 * 3 * 36 * 5 * 3


def test_a_gap_of_one_class_is_one_class_and_its_grades_are_named():
    everything_but_one = (
        'site == "stomach" and gastric_type == "type_3" and tumour_type == "insulinoma" and '
        "hormonal_symptoms and "
        'differentiation == "poor" and grade_from_ki67 == null and grade_from_mitoses == '
        'null and extent == "localised" and ssr_imaging == "negative"'
    )
    one = small(("all-but-one", f"not ({everything_but_one})"))
    graded = small(("ungraded", "grade == null"), ("g3", 'grade == "G3"'))

    [gap] = check.check(one).failures
    [low] = check.check(graded).failures

    assert gap.classes == 1
    assert gap.message.startswith("No section applies to 1 input class: every one has site ")
    assert "; hormonal symptoms; " in gap.message
    assert "grade G1 or G2" in low.message
    assert "hormonal symptoms" not in low.message


def test_a_gap_names_its_category_even_where_no_section_reads_the_category():
    document = version_1_document()
    document["category"] = document["category"][:3]  # nothing for differentiation not known
    document["sections"] = [{"slug": "known", "applies_when": 'differentiation != "unknown"'}]
    document["warnings"], document["exclusive"] = [], []

    [gap] = check.check(engine.compile_logic(document)).failures

    # Not known and G3 is still poorly differentiated (the second rule).
    assert gap.message.endswith(
        "every one has differentiation not known; category not determined or poorly "
        "differentiated."
    )


def test_two_excluded_sections_that_apply_together_fail_naming_the_pair():
    def exclude_curative_with_dissection(document):
        document["exclusive"].append(["curative-excision", "lymph-node-dissection"])

    logic = changed(exclude_curative_with_dissection)
    result = check.check(logic)

    [failure] = result.failures
    assert failure.kind == check.EXCLUDED
    assert failure.rule == "exclusive pair 11"
    assert failure.message.startswith(
        "curative-excision and lymph-node-dissection apply together, which the version "
        "excludes, for "
    )
    assert {"curative-excision", "lymph-node-dissection"} <= set(applies(failure.example, logic))
    # Both apply to every well-differentiated case with regional nodes that is not an
    # insulinoma, and to the localised ones outside the rectum and appendix.
    regional = 13 * 6 * 2 * 3 * 3 * 61  # sites, types but insulinoma, symptoms, sizes, SSR
    localised = 11 * 6 * 2 * 3 * 3 * 61  # the 13 sites, regions and gastric types without two
    assert failure.classes == regional + localised


def test_a_section_comparing_a_number_that_may_be_absent_fails_naming_it():
    logic = small(
        ("everyone", "size_mm > 0.1 or size_mm <= 0.1"),
        ("high-ki67", "ki67_percent > 20"),
        ("after", 'not applies["everyone"] or hormonal_symptoms or true'),
    )

    [failure] = check.check(logic).failures

    assert failure.kind == check.RAISES
    assert failure.rule == "section high-ki67"
    assert failure.example.ki67_percent is None
    assert "Ki-67 not given" in failure.words
    assert failure.message == (
        "The section high-ki67 cannot be decided for 98,280 input classes: "
        "ki67_percent > 20: Ki-67 not given."
    )
    # Every class with Ki-67 not given: 13 sites, regions and gastric types × 14 types and
    # symptoms × 2 sizes (0.1, above) × 3 differentiations × 6 mitotic counts × 5 extents
    # × 3 SSR.
    assert failure.classes == 13 * 14 * 2 * 3 * 6 * 5 * 3 == 98_280


def test_a_warning_and_a_category_rule_that_cannot_be_decided_are_each_named():
    logic = small(
        ("everyone", "true"),
        warnings=[("many-mitoses", "mitoses_per_10hpf >= 10")],
    )
    document = version_1_document()
    document["category"].insert(
        0,
        {
            "category": "poorly_differentiated",
            "applies_when": "size_mm > 250 and ki67_percent > 50",
            "basis": "",
        },
    )
    document["sections"] = [{"slug": "everyone", "applies_when": "true"}]
    document["warnings"] = []
    document["exclusive"] = []

    [warning] = check.check(logic).failures
    [category] = check.check(engine.compile_logic(document)).failures

    assert (warning.kind, warning.rule) == (check.RAISES, "warning many-mitoses")
    assert warning.example.mitoses_per_10hpf is None
    assert (category.kind, category.rule) == (check.RAISES, "category rule 1")
    assert category.example.size_mm > 250
    assert category.example.ki67_percent is None
    assert category.message == (
        "The category rule 1 cannot be decided for 49,140 input classes: "
        "ki67_percent > 50: Ki-67 not given."
    )
    # Size above 250 (1 of its 3 classes) with Ki-67 not given, at any of the other
    # inputs' classes: 13 sites, regions and gastric types × 14 × 3 differentiations × 6
    # mitotic counts × 5 extents × 3 SSR imaging.
    assert category.classes == 13 * 14 * 3 * 6 * 5 * 3


def test_a_warning_reading_the_category_that_cannot_be_decided_is_named():
    logic = small(
        ("everyone", "true"),
        warnings=[("well-high-ki67", 'category == "well_differentiated" and ki67_percent > 5')],
    )

    [failure] = check.check(logic).failures

    assert (failure.kind, failure.rule) == (check.RAISES, "warning well-high-ki67")
    assert failure.message == (
        "The warning well-high-ki67 cannot be decided for 30,030 input classes: "
        "ki67_percent > 5: Ki-67 not given."
    )
    assert "well differentiated, Ki-67 not given" in failure.words
    # Ki-67 not given in a well-differentiated case: differentiation well at any of the
    # mitotic count's 6 classes, or not known and not G3 by the mitotic count (5 of them);
    # for 13 sites, regions and gastric types × 14 types and symptoms × 5 extents × 3 SSR
    # imaging.
    assert failure.classes == (6 + 5) * 13 * 14 * 5 * 3 == 30_030


def test_a_warning_is_checked_on_every_case_its_sections_can_be_decided_for():
    logic = small(
        ("all", "true"),
        ("stomach", 'site == "stomach" and ki67_percent > 5'),
        warnings=[("counted", 'applies["stomach"] or mitoses_per_10hpf > 3')],
    )

    failures = {failure.rule: failure for failure in check.check(logic).failures}

    assert set(failures) == {"section stomach", "warning counted"}
    warning = failures["warning counted"]
    assert warning.message == (
        "The warning counted cannot be decided for 55,440 input classes: "
        "mitoses_per_10hpf > 3: mitotic count not given."
    )
    # The mitotic count not given, where the stomach section does not apply and can be
    # decided: 9 other sites and regions at any of Ki-67's 8 classes (3, 5 and 20 on both
    # sides and at them, and not given), the stomach's 4 gastric types at Ki-67 5 or less
    # (4 classes); for 14 types and symptoms × 3 differentiations × 5 extents × 3 SSR.
    assert warning.classes == (9 * 8 + 4 * 4) * 14 * 3 * 5 * 3 == 55_440


def test_failures_are_listed_those_that_raise_first_then_gaps_then_exclusions():
    logic = small(
        ("a", 'site == "pancreas"'),
        ("b", 'site == "pancreas"'),
        ("c", 'site != "pancreas" and site != "stomach"'),
        ("d", 'site == "rectum" and ki67_percent > 5'),
        exclusive=[("a", "b")],
    )

    failures = check.check(logic).failures

    # Found in the order of the sites: the exclusion at the pancreas, the gap at the
    # stomach, the condition that cannot be decided at the rectum.
    assert [failure.kind for failure in failures] == [check.RAISES, check.GAP, check.EXCLUDED]
    assert [failure.rule for failure in failures] == ["section d", "sections", "exclusive pair 1"]


def test_a_condition_guarded_against_the_absent_number_passes():
    logic = small(("everyone", "true"), ("high-ki67", "ki67_percent != null and ki67_percent > 20"))

    assert check.check(logic).passed


def test_the_failures_of_the_collapsed_check_are_those_of_every_class():
    """The collapse is exact: on logics that fail in each way, reading the indices
    directly and through the grade, it finds the same failures with the same counts and
    first examples as evaluating one case per class of the whole space."""
    logic = small(
        ("metastatic", 'extent == "distant_metastases"'),
        ("high-ki67", 'ki67_percent > 10 and extent == "localised"'),
        ("g3", 'grade == "G3" and not applies["metastatic"] and site != "rectum"'),
        ("also-g3", 'grade_from_mitoses == "G3"'),
        warnings=[
            (
                "mitoses",
                'applies["g3"] and category == "well_differentiated" and mitoses_per_10hpf < 20',
            ),
        ],
        exclusive=[("g3", "also-g3")],
    )

    collapsed = check.check(logic)
    every = check.check(logic, collapse=False)

    assert {failure.kind for failure in collapsed.failures} == {
        check.GAP,
        check.EXCLUDED,
        check.RAISES,
    }
    assert collapsed.failures == every.failures
    assert collapsed.classes == every.classes == every.cases // 2
    assert collapsed.cases < every.cases // 50


def test_the_check_evaluates_one_case_per_combination_of_what_its_rules_read():
    logic = small(
        ("everyone", "true"), warnings=[("symptoms", "hormonal_symptoms")], grading=ONE_THRESHOLD
    )

    result = check.check(logic)

    # Every class: 13 sites, regions and gastric types × 14 types and symptoms ×
    # 3 differentiations × 4 × 4 classes of the indices (below, at, above the threshold, not
    # given) × 5 extents and resectability × 3 SSR imaging; the size is split nowhere.
    assert result.classes == 13 * 14 * 3 * 16 * 5 * 3 == 131_040
    # The sections and category rules read the differentiation and the grade (not given,
    # G1, G2, G3): 12 cases; the warning reads the symptoms: 2.
    assert result.cases == 3 * 4 + 2


# --- Classes of numbers ---------------------------------------------------------------


def representatives(name: str, thresholds) -> list:
    return [each.representative for each in check.number_classes(name, thresholds)]


def test_each_threshold_gives_the_class_below_it_itself_and_the_class_above_it():
    assert representatives("size_mm", {Decimal(20)}) == [
        Decimal("19.9"),
        Decimal(20),
        Decimal("20.1"),
    ]
    assert representatives("ki67_percent", {Decimal(3), Decimal(20)}) == [
        Decimal("2.9"),
        Decimal(3),
        Decimal("3.1"),
        Decimal(20),
        Decimal("20.1"),
    ]
    assert representatives("mitoses_per_10hpf", {Decimal(2), Decimal(20)}) == [1, 2, 3, 20, 21]
    assert all(
        isinstance(value, int) for value in representatives("mitoses_per_10hpf", {Decimal(2)})
    )


def test_the_classes_of_a_number_run_from_its_minimum_to_its_maximum():
    classes = check.number_classes("ki67_percent", {Decimal(3), Decimal(20)})

    assert [(each.low, each.high) for each in classes] == [
        (Decimal(0), Decimal("2.9")),
        (Decimal(3), Decimal(3)),
        (Decimal("3.1"), Decimal("19.9")),
        (Decimal(20), Decimal(20)),
        (Decimal("20.1"), Decimal(100)),
    ]


def test_thresholds_at_the_ends_of_the_range_or_beyond_it_split_only_what_there_is():
    assert representatives("size_mm", set()) == [Decimal("0.1")]
    assert representatives("size_mm", {Decimal(300)}) == [Decimal("299.9"), Decimal(300)]
    assert representatives("size_mm", {Decimal("0.1")}) == [Decimal("0.1"), Decimal("0.2")]
    assert representatives("ki67_percent", {Decimal(0)}) == [Decimal(0), Decimal("0.1")]
    assert representatives("size_mm", {Decimal(500), Decimal(0)}) == [Decimal("0.1")]
    assert representatives("mitoses_per_10hpf", {Decimal(0), Decimal(1)}) == [0, 1, 2]


def test_a_threshold_between_two_steps_only_separates_them():
    # Conditions are refused a constant finer than the field is entered to; the classes
    # are still right for one.
    classes = check.number_classes("size_mm", {Decimal("20.07")})

    assert [(each.low, each.high, each.representative) for each in classes] == [
        (Decimal("0.1"), Decimal("20.0"), Decimal("20.0")),
        (Decimal("20.1"), Decimal(300), Decimal("20.1")),
    ]
    assert representatives("size_mm", {Decimal("20.05"), Decimal(20)}) == [
        Decimal("19.9"),
        Decimal(20),
        Decimal("20.1"),
    ]
    assert representatives("mitoses_per_10hpf", {Decimal("2.5")}) == [2, 3]
    assert representatives("size_mm", {Decimal("0.05")}) == [Decimal("0.1")]


def test_an_optional_number_is_also_not_given():
    thresholds = VERSION_1.thresholds()

    assert check._values("ki67_percent", thresholds)[-1] is None
    assert check._values("mitoses_per_10hpf", thresholds)[-1] is None
    assert None not in check._values("size_mm", thresholds)


def test_a_number_a_condition_names_is_split_at_its_thresholds_and_otherwise_by_grade():
    by_grade = check._group(
        VERSION_1,
        ("ki67_percent", "mitoses_per_10hpf"),
        frozenset({"grade_from_ki67"}),
        VERSION_1.thresholds(),
    )
    direct = small(("everyone", "true"), ("ki67", "ki67_percent != null and ki67_percent >= 10"))
    by_value = check._group(
        direct,
        ("ki67_percent", "mitoses_per_10hpf"),
        frozenset({"ki67_percent"}),
        direct.thresholds(),
    )

    # Read through the grade: not given, G1, G2, G3, whatever the 6 classes of each index.
    assert sorted(str(values["grade_from_ki67"]) for values, _ in by_grade.cases) == [
        "G1",
        "G2",
        "G3",
        "None",
    ]
    assert sum(count for _, count in by_grade.cases) == by_grade.classes == 36
    # Read directly: split at 10 as well as at the grading's 3 and 20.
    assert [values["ki67_percent"] for values, _ in by_value.cases] == [
        Decimal("2.9"),
        Decimal(3),
        Decimal("3.1"),
        Decimal(10),
        Decimal("10.1"),
        Decimal(20),
        Decimal("20.1"),
        None,
    ]
    assert by_value.classes == 8 * 6


# --- Valid cases only -----------------------------------------------------------------


@pytest.mark.parametrize(
    "group", [("site", "pancreas_region", "gastric_type"), ("extent", "metastases_resectable")]
)
def test_the_cases_enumerated_are_exactly_those_the_case_form_accepts(group):
    from guidance.forms import CaseForm, form_data

    base = {
        "site": "stomach",
        "tumour_type": "non_functional",
        "hormonal_symptoms": False,
        "size_mm": "10",
        "differentiation": "well",
        "extent": "localised",
    }
    offered = [[value for value, _ in engine.FIELDS[name].choices] + [None] for name in group]
    enumerated = {
        tuple(values[name] for name in group)
        for values, _ in check._group(VERSION_1, group, None, VERSION_1.thresholds()).cases
    }
    for values in itertools.product(*offered):
        form = CaseForm(data=form_data({**base, **dict(zip(group, values, strict=True))}))
        accepted = form.is_valid() and tuple(form.facts().__dict__[n] for n in group) == values
        assert accepted == (values in enumerated), values


# --- For the admin --------------------------------------------------------------------


def test_the_classes_a_section_applies_to_are_counted_exactly():
    # A well-differentiated category: differentiation well (36 classes of the indices),
    # or not known and not G3 (25 of them): 61.
    # Distant metastases: 13 sites, regions and gastric types × 14 × 3 sizes × 3
    # resectability × 3 SSR.
    assert check.classes_where(VERSION_1, "metastatic-incurable") == 13 * 14 * 3 * 3 * 3 * 61
    # Poorly differentiated: poor (36), or not known and G3 (11): 47, for all 8,190 others.
    assert check.classes_where(VERSION_1, "poorly-differentiated") == 8_190 * 47
    # A localised insulinoma below 20 mm: any site, symptoms 2, SSR 3, well: 61.
    assert check.classes_where(VERSION_1, "insulinoma-local-excision") == 13 * 2 * 3 * 61


def test_the_classes_a_section_applies_to_agree_with_every_class():
    logic = small(
        ("metastatic", 'extent == "distant_metastases" and grade != "G1"'),
        ("others", 'not applies["metastatic"] and hormonal_symptoms and size_mm < 20'),
        grading=ONE_THRESHOLD,
    )
    reads = check._reads(logic, [rule.condition for rule in logic.sections])
    counts = dict.fromkeys(logic.slugs, 0)
    for known, count in check._cases(logic, None):
        decided = check._decide(logic, known, reads, logic.evaluation_order)
        for slug in logic.slugs:
            counts[slug] += count * decided[slug]

    assert {slug: check.classes_where(logic, slug) for slug in logic.slugs} == counts


def test_three_examples_of_a_section_differ_in_as_many_facts_as_they_can():
    found = check.examples(VERSION_1, "local-excision")

    assert all("local-excision" in applies(example, VERSION_1) for example in found)
    # The first case; the one differing most from it (site, type, differentiation, both
    # indices); then the one differing most from the nearer of the two.
    assert [check.describe(example) for example in found] == [
        "appendix, non-functional, hormonal symptoms, 19.9 mm, well differentiated, "
        "Ki-67 2.9 %, mitotic count 1 per 10 HPF, localised, SSR imaging positive",
        "rectum, gastrinoma, hormonal symptoms, 19.9 mm, differentiation not known, "
        "Ki-67 not given, mitotic count not given, localised, SSR imaging positive",
        "appendix, gastrinoma, hormonal symptoms, 19.9 mm, differentiation not known, "
        "Ki-67 2.9 %, mitotic count 2 per 10 HPF, localised, SSR imaging positive",
    ]


def test_as_many_examples_as_asked_for_while_there_are_different_cases():
    assert len(check.examples(VERSION_1, "everolimus", n=1)) == 1
    assert len(check.examples(VERSION_1, "everolimus", n=5)) == 5


def test_one_example_of_a_section_that_fixes_every_fact_it_reads():
    logic = small(("everyone", "true"), ("rectal", 'site == "rectum" and not hormonal_symptoms'))

    # The section reads two facts it fixes: one case stands for every class it applies to.
    [example] = check.examples(logic, "rectal", n=3)
    assert (example.site, example.hormonal_symptoms) == ("rectum", False)


def test_the_classes_of_a_section_leave_out_the_cases_it_cannot_be_decided_for():
    logic = small(("everyone", "true"), ("high-ki67", 'site != "pancreas" and ki67_percent > 10'))

    # Ki-67 above 10: between 10 and 20, 20, above 20 (3 of its 8 classes: 3, 10 and 20,
    # each on both sides and at it, and not given), at the 6 sites but the pancreas (the
    # stomach in its 4 gastric types: 9), for 14 × 3 × 6 × 5 × 3 classes of everything
    # else (size is split nowhere). Not given cannot be decided, so is none of them, at
    # every site after the first.
    assert check.classes_where(logic, "high-ki67") == 3 * 9 * 14 * 3 * 6 * 5 * 3


def test_a_section_that_applies_to_no_case_has_no_classes_and_no_examples():
    logic = small(("everyone", "true"), ("never", "size_mm > 20 and size_mm < 20"))

    assert check.classes_where(logic, "never") == 0
    assert check.examples(logic, "never") == []


def test_a_section_the_version_does_not_have_is_refused_by_name():
    with pytest.raises(ValueError, match='no section "curative"'):
        check.classes_where(VERSION_1, "curative")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"hormonal_symptoms": False}, "insulinoma, no hormonal symptoms, 19.9 mm"),
        ({"metastases_resectable": "yes"}, "distant metastases, metastases resectable,"),
        ({"metastases_resectable": "no"}, "distant metastases, metastases not resectable,"),
        ({"differentiation": "poor"}, "19.9 mm, poorly differentiated, Ki-67"),
        ({"ki67_percent": Decimal("20.1")}, "Ki-67 20.1 %, mitotic count 2"),
        ({"mitoses_per_10hpf": None}, "mitotic count not given"),
    ],
)
def test_each_fact_of_a_case_in_words(changes, words):
    facts = engine.CaseFacts(**{**ONE_CASE, **changes})

    assert words in check.describe(facts)


def test_a_case_in_words_reads_as_the_case_form_asks_for_it():
    facts = engine.CaseFacts(**ONE_CASE)

    assert check.describe(facts) == (
        "pancreas (head), insulinoma, hormonal symptoms, 19.9 mm, differentiation not known, "
        "Ki-67 not given, mitotic count 2 per 10 HPF, distant metastases, resectability of "
        "the metastases not yet assessed, SSR imaging not done"
    )
