"""The logic of two versions compared rule by rule (guidance.engine.diff), and its digest.

Pure Python: no database. The documents are version 1's logic as the engine writes it
(``Logic.as_document()``), changed the way an editor would change them.
"""

from __future__ import annotations

import copy

import pytest

from guidance.engine.diff import RuleChange, logic_diff, logic_digest
from tests.advice import VERSION_1

EVEROLIMUS = 'extent == "distant_metastases" and category == "well_differentiated"'


@pytest.fixture
def old() -> dict:
    return VERSION_1.as_document()


@pytest.fixture
def new(old) -> dict:
    return copy.deepcopy(old)


def section(document: dict, slug: str) -> dict:
    return next(item for item in document["sections"] if item["slug"] == slug)


def warning(document: dict, code: str) -> dict:
    return next(item for item in document["warnings"] if item["code"] == code)


def test_the_same_logic_has_no_change_and_the_same_digest(old, new):
    assert logic_diff(old, new) == []
    assert logic_digest(old) == logic_digest(new)


def test_a_moved_threshold_is_named_with_its_old_and_new_value(old, new):
    new["grading"]["ki67_percent"]["G3_above"] = "25"
    new["grading"]["mitoses_per_10hpf"]["G1_below"] = 3

    assert logic_diff(old, new) == [
        RuleChange("grading", "Ki-67 (%): G3 above", "changed", "20", "25"),
        RuleChange("grading", "Mitotic count (per 10 HPF): G1 below", "changed", "2", "3"),
    ]


def test_a_threshold_written_another_way_is_the_same_threshold(old, new):
    # The file may give a threshold as text or as a number: the same exact decimal.
    new["grading"]["ki67_percent"]["G1_below"] = 3
    new["grading"]["ki67_percent"]["G3_above"] = "20.0"

    assert logic_diff(old, new) == []
    assert logic_digest(old) == logic_digest(new)


def test_a_decimal_threshold_keeps_its_exact_value(old, new):
    new["grading"]["ki67_percent"]["G1_below"] = "2.5"

    [change] = logic_diff(old, new)
    assert (change.before, change.after) == ("3", "2.5")


def test_a_threshold_of_zero_reads_0_however_it_is_written(old, new):
    new["grading"]["ki67_percent"]["G1_below"] = "0.0"
    zero = logic_diff(old, new)
    assert zero == [RuleChange("grading", "Ki-67 (%): G1 below", "changed", "3", "0")]

    for written in (0, "-0", "0E+1"):
        new["grading"]["ki67_percent"]["G1_below"] = written
        assert logic_diff(old, new) == zero


def test_a_threshold_that_is_not_a_number_is_shown_as_typed(old, new):
    new["grading"]["ki67_percent"]["G1_below"] = "three"
    new["grading"]["ki67_percent"]["G3_above"] = "Infinity"

    assert logic_diff(old, new) == [
        RuleChange("grading", "Ki-67 (%): G1 below", "changed", "3", "three"),
        RuleChange("grading", "Ki-67 (%): G3 above", "changed", "20", "Infinity"),
    ]


def test_the_grades_combine_as_the_higher_unless_the_file_says_otherwise(old, new):
    del new["grading"]["combine"]
    assert logic_diff(old, new) == []

    new["grading"]["combine"] = "lower"
    assert logic_diff(old, new) == [
        RuleChange("grading", "How the two grades combine", "changed", "higher", "lower")
    ]


def test_a_grading_that_is_not_a_table_gives_no_threshold(old, new):
    new["grading"] = ["3", "20"]

    assert [(c.rule, c.before, c.after) for c in logic_diff(old, new)] == [
        ("Ki-67 (%): G1 below", "3", ""),
        ("Ki-67 (%): G3 above", "20", ""),
        ("Mitotic count (per 10 HPF): G1 below", "2", ""),
        ("Mitotic count (per 10 HPF): G3 above", "20", ""),
    ]


def test_a_changed_condition_shows_the_old_and_the_new_text(old, new):
    larger = EVEROLIMUS + " and size_mm >= 10"
    section(new, "everolimus")["applies_when"] = larger

    assert logic_diff(old, new) == [
        RuleChange("section", "everolimus", "changed", EVEROLIMUS, larger)
    ]


def test_a_section_added_or_removed_adds_or_removes_its_condition(old, new):
    new["sections"] = [item for item in new["sections"] if item["slug"] != "interferon"]
    new["sections"].append({"slug": "watchful-waiting", "applies_when": "size_mm < 5"})

    interferon = section(old, "interferon")["applies_when"]
    assert logic_diff(old, new) == [
        RuleChange("section", "interferon", "removed", interferon, ""),
        RuleChange("section", "watchful-waiting", "added", "", "size_mm < 5"),
    ]


def test_a_warnings_condition_is_compared_by_its_code(old, new):
    code = new["warnings"][0]["code"]
    warning(new, code)["applies_when"] = "false"

    [change] = logic_diff(old, new)
    assert (change.part, change.rule, change.change, change.after) == (
        "warning", code, "changed", "false"
    )


def test_category_rules_are_compared_in_order_since_the_first_that_holds_decides(old, new):
    first, second = new["category"][0], new["category"][1]
    new["category"][0], new["category"][1] = second, first

    changes = logic_diff(old, new)

    assert [(change.rule, change.change) for change in changes] == [
        ("category rule 1", "changed"),
        ("category rule 2", "changed"),
    ]
    assert changes[0].before == 'poorly_differentiated when differentiation == "poor"'


def test_a_category_rule_added_at_the_end_is_added(old, new):
    new["category"].append({"category": "undetermined", "applies_when": "true", "basis": ""})

    assert logic_diff(old, new) == [
        RuleChange("category", "category rule 6", "added", "", "undetermined when true")
    ]


def test_a_category_rule_removed_from_the_end_is_removed(old, new):
    new["category"].pop()

    assert logic_diff(old, new) == [
        RuleChange("category", "category rule 5", "removed",
                   'well_differentiated when differentiation == "unknown"', ""),
    ]  # fmt: skip


def test_a_rule_typed_as_other_json_than_text_is_shown_as_typed(old, new):
    # A version's category rules are JSON an editor types: a list where the category's
    # name belongs is compared, and shown, as the JSON it is, in the editor's letters.
    new["category"][0]["category"] = ["peu différencié"]

    assert logic_diff(old, new) == [
        RuleChange("category", "category rule 1", "changed",
                   'poorly_differentiated when differentiation == "poor"',
                   '["peu différencié"] when differentiation == "poor"'),
    ]  # fmt: skip


def test_exclusions_are_pairs_in_either_order(old, new):
    new["exclusive"] = [list(reversed(pair)) for pair in reversed(new["exclusive"])]

    assert logic_diff(old, new) == []


def test_an_exclusion_added_or_removed_names_its_two_sections(old, new):
    new["exclusive"].remove(["local-excision", "lymph-node-dissection"])
    new["exclusive"].append(["everolimus", "interferon"])

    assert logic_diff(old, new) == [
        RuleChange("exclusion", "local-excision and lymph-node-dissection", "removed",
                   "never together", ""),
        RuleChange("exclusion", "everolimus and interferon", "added", "", "never together"),
    ]  # fmt: skip


def test_words_and_order_are_not_logic(old, new):
    # A reason's or a detail's words and a category rule's basis change what the clinician
    # reads, not which advice applies; nor does the order sections are shown in.
    section(new, "everolimus")["reasons"] = {'extent == "distant_metastases"': "spread"}
    new["warnings"][0]["detail"] = "In other words."
    new["category"][0]["basis"] = "poor, as the pathologist reported"
    new["sections"].reverse()

    assert logic_diff(old, new) == []
    assert logic_digest(old) == logic_digest(new)


def test_every_change_changes_the_digest(old, new):
    digests = {logic_digest(old)}
    for change in (
        lambda d: d["grading"]["mitoses_per_10hpf"].update(G3_above=19),
        lambda d: d["category"].pop(),
        lambda d: section(d, "everolimus").update(applies_when=f"({EVEROLIMUS})"),
        lambda d: d["warnings"].pop(),
        lambda d: d["exclusive"].pop(),
    ):
        change(new)
        digests.add(logic_digest(new))
    assert len(digests) == 6


def test_a_document_that_does_not_compile_is_compared_all_the_same(old, new):
    # A draft whose logic the engine refuses still shows what changed.
    section(new, "everolimus")["applies_when"] = "sise_mm < 20"
    new["grading"] = {"ki67_percent": "twenty"}
    new["exclusive"].append(["only-one"])

    changes = logic_diff(old, new)

    assert ("section", "everolimus", "changed") in [(c.part, c.rule, c.change) for c in changes]
    assert [c.after for c in changes if c.part == "grading"] == ["", "", "", ""]


def test_against_no_version_everything_is_added(old):
    changes = logic_diff({}, old)

    assert {change.change for change in changes} == {"added", "changed"}
    assert len([c for c in changes if c.part == "section"]) == len(old["sections"])
    assert len([c for c in changes if c.part == "exclusion"]) == len(old["exclusive"])
