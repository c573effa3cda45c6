"""A version's logic read from a guideline document: checked whole, every problem listed.

Pure Python: no database.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from guidance.engine import LogicError, LogicProblem, compile_logic, logic_problems
from tests.advice import VERSION_1, case, recommend

DOCUMENT = VERSION_1.as_document()


def changed(**changes) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return document


def test_version_1_reads_back_from_its_own_document():
    again = compile_logic(DOCUMENT)
    assert again.as_document() == DOCUMENT
    assert again.slugs == VERSION_1.slugs
    assert again.codes == VERSION_1.codes


def test_version_1_names_its_thresholds():
    assert VERSION_1.thresholds() == {
        "size_mm": {Decimal(20)},
        "ki67_percent": {Decimal(3), Decimal(20)},
        "mitoses_per_10hpf": {Decimal(2), Decimal(20)},
    }


def test_version_1_names_the_facts_its_conditions_read():
    # Its sections name one another ("applies") and read the category; nothing reads the
    # indices but through the grade.
    assert VERSION_1.fields_used() == {
        "site",
        "pancreas_region",
        "tumour_type",
        "hormonal_symptoms",
        "size_mm",
        "differentiation",
        "extent",
        "metastases_resectable",
        "ssr_imaging",
        "grade",
        "grade_from_ki67",
        "grade_from_mitoses",
        "category",
        "applies",
    }


def test_every_problem_of_a_document_is_listed_at_once_with_where_it_is():
    document = changed()
    document["sections"][0]["applies_when"] = "sise_mm < 20"
    document["warnings"][1]["applies_when"] = 'site == "rectal"'
    document["grading"]["ki67_percent"]["G3_above"] = "200"
    document["exclusive"].append(["local-excision", "no-such-section"])
    problems = logic_problems(document)
    assert [(p.where, p.field) for p in problems] == [
        ("grading", "ki67_percent.G3_above"),
        ("section insulinoma-local-excision", "applies_when"),
        ("warning grade-discordant", "applies_when"),
        (f"exclusive pair {len(document['exclusive'])}", "exclusive"),
    ]
    assert problems[1] == LogicProblem(
        "section insulinoma-local-excision",
        "applies_when",
        "sise_mm is not a fact (did you mean size_mm?)",
    )
    with pytest.raises(LogicError) as refused:
        compile_logic(document)
    assert refused.value.problems == problems


def test_sections_that_name_each_other_in_a_circle_are_refused():
    document = changed()
    document["sections"][0].update(
        applies_when='applies["insulinoma-partial-pancreatectomy"]', reasons={}
    )
    document["sections"][1].update(applies_when='applies["insulinoma-local-excision"]', reasons={})
    assert [str(p) for p in logic_problems(document)] == [
        "section insulinoma-local-excision, applies_when: the sections name each other "
        "in a circle: insulinoma-local-excision → insulinoma-partial-pancreatectomy → "
        "insulinoma-local-excision"
    ]


@pytest.mark.parametrize(
    ("grading", "field", "message"),
    [
        (
            {"ki67_percent": {"G1_below": "x", "G3_above": "20"}},
            "ki67_percent.G1_below",
            "give a number",
        ),
        (
            {"ki67_percent": {"G1_below": "3.05", "G3_above": "20"}},
            "ki67_percent.G1_below",
            "3.05 is not a value Ki-67 can take (0 to 100, in steps of 0.1)",
        ),
        (
            {"ki67_percent": {"G1_below": "30", "G3_above": "20"}},
            "ki67_percent",
            "G1_below must not be above G3_above",
        ),
        ({"combine": "lower"}, "combine", 'the grades combine as "higher": the higher is used'),
    ],
)
def test_grading_thresholds_are_checked(grading, field, message):
    document = changed(grading={**DOCUMENT["grading"], **grading})
    assert [(p.field, p.message) for p in logic_problems(document)] == [(field, message)]


def test_a_moved_threshold_moves_the_grade():
    document = changed(
        grading={**DOCUMENT["grading"], "ki67_percent": {"G1_below": "3", "G3_above": "55"}}
    )
    moved = compile_logic(document)
    facts = case(ki67_percent=Decimal("30"), mitoses_per_10hpf=None)
    assert recommend(facts).grade == "G3"
    from guidance import engine

    result = engine.recommend(facts, moved)
    assert result.grade == "G2"
    assert result.grade_basis == ("Ki-67 30 % is within 3 to 55 %: G2",)


def test_a_case_no_category_rule_holds_for_is_undetermined_with_no_pathway():
    from guidance import engine

    document = changed(category=DOCUMENT["category"][:1])  # only "poor" is decided
    logic = compile_logic(document)
    result = engine.recommend(case(), logic)
    assert result.category is engine.Category.UNDETERMINED
    assert result.category_basis == "no category rule of this version holds for this case"
    assert result.slugs == ()


def test_a_section_added_with_its_condition_applies_with_its_reasons():
    from guidance import engine

    document = changed()
    document["sections"].append(
        {"slug": "surveillance", "applies_when": 'site == "rectum" and size_mm < 10', "reasons": {}}
    )
    logic = compile_logic(document)
    result = engine.recommend(case(site="rectum", size_mm=Decimal("9.9")), logic)
    assert result.slugs[-1] == "surveillance"
    assert result.sections[-1].reasons == ("site: rectum", "size 9.9 mm is below 10 mm")
