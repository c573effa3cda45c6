"""``recommendation.compare``: what differs between a saved recommendation and the same case
run again today, and why: reworded text, changed reasons, or a section or warning added or
removed because the logic changed, with the condition that now decides it.

Saved and current recommendations are written out here as the parts compare() reads; the
conditions come from version 1's logic (tests/advice.py).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from guidance import recommendation
from tests import advice
from tests.factories import today
from tests.wizard_client import WARNED_RECTUM


def section(slug: str, text: str = "Text.", **fields: Any) -> dict[str, Any]:
    return {
        "section": slug,
        "group": "",
        "heading": slug.title(),
        "text": text,
        "order": 1,
        "reasons": ["why"],
        **fields,
    }


def warning(code: str, message: str = "Message.") -> dict[str, Any]:
    return {"code": code, "detail": "", "message": message}


def shown_with(sections=(), warnings=(), grade="G1", category="well") -> dict[str, Any]:
    return {
        "recommendations": list(sections),
        "warnings": list(warnings),
        "grade": grade,
        "category": category,
    }


@pytest.mark.django_db
def test_compare_finds_nothing_between_identical_results():
    shown = today(**WARNED_RECTUM)

    differences = recommendation.compare(shown, copy.deepcopy(shown))

    assert differences["any"] is False
    assert all(not value for value in differences.values())


def test_compare_finds_sections_added_removed_and_changed():
    saved = shown_with([section("kept"), section("gone"), section("reworded", "Old.")])
    current = shown_with([section("kept"), section("reworded", "New."), section("new")])

    differences = recommendation.compare(saved, current)

    assert [item["section"] for item in differences["sections_added"]] == ["new"]
    assert [item["section"] for item in differences["sections_removed"]] == ["gone"]
    assert differences["sections_changed"] == [
        {
            "saved": section("reworded", "Old."),
            "current": section("reworded", "New."),
            "why": "Its text was reworded.",
        }
    ]
    assert differences["any"] is True


@pytest.mark.parametrize(
    "change",
    [{"heading": "Another heading"}, {"reasons": ["another reason"]}, {"text": "Other."}],
    ids=["heading", "reasons", "text"],
)
def test_compare_counts_a_new_heading_text_or_reason_as_a_changed_section(change):
    differences = recommendation.compare(
        shown_with([section("a")]), shown_with([section("a", **change)])
    )

    assert len(differences["sections_changed"]) == 1
    assert differences["any"] is True


def test_compare_ignores_a_change_of_order_or_group_alone():
    differences = recommendation.compare(
        shown_with([section("a")]), shown_with([section("a", order=7, group="Other group")])
    )

    assert differences["any"] is False


def test_compare_finds_warnings_added_removed_and_reworded():
    saved = shown_with(warnings=[warning("kept"), warning("gone"), warning("said", "Before.")])
    current = shown_with(warnings=[warning("kept"), warning("said", "After."), warning("new")])

    differences = recommendation.compare(saved, current)

    assert [item["code"] for item in differences["warnings_added"]] == ["new"]
    assert [item["code"] for item in differences["warnings_removed"]] == ["gone"]
    assert differences["warnings_reworded"] == [
        {
            "saved": warning("said", "Before."),
            "current": warning("said", "After."),
            "why": "Its message was reworded.",
        }
    ]


def test_compare_finds_a_changed_grade_or_category():
    assert recommendation.compare(shown_with(grade="G1"), shown_with(grade="G2"))["grade_changed"]
    assert recommendation.compare(shown_with(grade=None), shown_with(grade="G1"))["any"]
    changed = recommendation.compare(shown_with(category="well"), shown_with(category="poor"))
    assert changed["category_changed"] and not changed["grade_changed"]


def missing_section(slug: str) -> dict[str, Any]:
    """The warning build() gives when the published guideline has no text for ``slug``."""
    return {
        "code": recommendation.MISSING_SECTION,
        "detail": slug,
        "message": f"The published guideline has no text for a section that applies to "
        f"this case ({slug}). Do not rely on this recommendation; tell the guideline editors.",
    }


def test_compare_reports_each_missing_section_warning_on_its_own():
    # build() gives one "section-missing" warning per section the published version
    # lacks: the same code, the slug as detail. Saved with one missing, now two missing.
    saved = shown_with(warnings=[missing_section("interferon")])
    current = shown_with(warnings=[missing_section("interferon"), missing_section("everolimus")])

    differences = recommendation.compare(saved, current)

    # Keyed by code alone, today's two would collapse into the last one: "interferon
    # missing" reworded as "everolimus missing" and no warning added. A missing section's
    # warning is told apart by its section (the engine gives each other code once).
    assert differences["warnings_reworded"] == []
    assert differences["warnings_added"] == [
        {
            **missing_section("everolimus"),
            "why": "A section that applies has no text in the current guideline.",
            "condition": None,
        }
    ]




# --- Why ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"heading": "Another heading"}, "Its heading was reworded."),
        ({"text": "Other."}, "Its text was reworded."),
        ({"reasons": ["another reason"]}, "The reasons it applies changed."),
        (
            {"text": "Other.", "reasons": ["another reason"]},
            "Its text was reworded. The reasons it applies changed.",
        ),
    ],
    ids=["heading", "text", "reasons", "text and reasons"],
)
def test_compare_says_what_changed_in_a_section_both_show(change, why):
    differences = recommendation.compare(
        shown_with([section("a")]), shown_with([section("a", **change)])
    )

    assert [pair["why"] for pair in differences["sections_changed"]] == [why]


def test_without_the_logic_an_added_or_removed_section_is_said_to_come_from_the_guideline():
    saved = shown_with([section("gone")], [warning("was")])
    current = shown_with([section("new")], [warning("now")])

    differences = recommendation.compare(saved, current)

    assert [(item["why"], item["condition"]) for item in differences["sections_added"]] == [
        ("The current guideline gives this section.", None)
    ]
    assert [(item["why"], item["condition"]) for item in differences["sections_removed"]] == [
        ("The current guideline no longer has this section.", None)
    ]
    assert differences["warnings_added"][0]["why"] == "The current guideline gives this warning."


def test_a_section_that_still_applies_but_lost_its_text_is_said_so():
    saved = shown_with([section("everolimus")])
    current = shown_with(warnings=[missing_section("everolimus")])

    differences = recommendation.compare(saved, current)

    assert [item["why"] for item in differences["sections_removed"]] == [
        "It still applies, but the current guideline has no text for it."
    ]


def test_compare_leaves_both_recommendations_as_they_were():
    saved = shown_with([section("gone"), section("a", "Old.")], [warning("was")])
    current = shown_with([section("new"), section("a", "New.")], [warning("now")])
    before = copy.deepcopy((saved, current))

    recommendation.compare(saved, current)

    assert (saved, current) == before


def test_with_the_logic_an_added_or_removed_section_names_the_condition_that_now_decides_it():
    logic = advice.VERSION_1
    condition = {rule.slug: rule.condition.text for rule in logic.sections}
    saved = shown_with([section("everolimus"), section("retired-section")])
    current = shown_with([section("interferon")])

    differences = recommendation.compare(saved, current, logic)

    assert differences["sections_added"] == [
        {
            **section("interferon"),
            "why": "The current guideline's condition for this section holds for this case.",
            "condition": condition["interferon"],
        }
    ]
    assert [(item["why"], item["condition"]) for item in differences["sections_removed"]] == [
        (
            "The current guideline's condition for this section does not hold for this case.",
            condition["everolimus"],
        ),
        ("The current guideline no longer has this section.", None),
    ]


def test_with_the_logic_a_warning_added_or_removed_names_its_condition():
    logic = advice.VERSION_1
    condition = {rule.code: rule.condition.text for rule in logic.warnings}
    saved = shown_with(warnings=[warning("net-g3")])
    current = shown_with(warnings=[warning("ssr-negative")])

    differences = recommendation.compare(saved, current, logic)

    assert [item["condition"] for item in differences["warnings_added"]] == [
        condition["ssr-negative"]
    ]
    assert [item["condition"] for item in differences["warnings_removed"]] == [condition["net-g3"]]
    assert condition["ssr-negative"] == (
        'applies["somatostatin-analogue"] and ssr_imaging == "negative"'
    )


# --- Whose words -----------------------------------------------------------------------------

NOTE = {"voice": "note", "citation": "A publication, doi:10.0000/test"}


@pytest.mark.parametrize(
    ("before", "after", "why"),
    [
        ({}, NOTE, "It is now a NET Advisor note, not the source guideline's words."),
        (NOTE, {"voice": "guideline", "citation": "The source"},
         "It is now quoted from the source guideline, no longer a NET Advisor note."),
        (NOTE, {**NOTE, "citation": "Another publication"}, "The citation of the note changed."),
        ({}, {"source_heading": "Other Grade 1-2 GEP-NETs"},
         "The source heading it stands under changed."),
    ],
    ids=["now a note", "now a quote", "a note's citation", "a source heading"],
)  # fmt: skip
def test_compare_says_when_whose_words_a_section_is_changed(before, after, why):
    saved = shown_with([section("kept", **before)])
    current = shown_with([section("kept", **after)])

    (changed,) = recommendation.compare(saved, current)["sections_changed"]

    assert changed["why"] == why


def test_a_new_citation_of_the_source_is_no_change_of_a_quote():
    saved = shown_with([section("kept", voice="guideline", citation="Version 1's source")])
    current = shown_with([section("kept", voice="guideline", citation="Version 2's source")])

    assert recommendation.compare(saved, current)["any"] is False


def test_compare_says_when_a_warning_became_a_note():
    saved = shown_with(warnings=[warning("net-g3")])
    current = shown_with(warnings=[{**warning("net-g3"), **NOTE}])

    (reworded,) = recommendation.compare(saved, current)["warnings_reworded"]

    assert reworded["why"] == "It is now a NET Advisor note, not the source guideline's words."


# --- What would change the advice ----------------------------------------------------


def change(to, sentence="A sentence.", **fields: Any) -> dict[str, Any]:
    return {
        "field": "size_mm", "value": 12, "to": to, "when": f"size {to} mm or more",
        "grade": None, "category": None, "sections_added": ["b"], "sections_removed": ["a"],
        "warnings_added": [], "warnings_removed": [], "sentence": sentence, "near": False,
        **fields,
    }  # fmt: skip


def test_compare_finds_what_would_change_the_advice_added_and_removed_by_what_it_states():
    saved = {**shown_with(), "sensitivity": [change(20), change(30, "Old words.")]}
    current = {**shown_with(), "sensitivity": [change(15), change(30, "New words.")]}

    differences = recommendation.compare(saved, current)

    assert differences["sensitivity_removed"] == [change(20)]
    assert differences["sensitivity_added"] == [change(15)]
    assert differences["advice_changed"] is False
    assert differences["any"] is True


def test_compare_has_nothing_to_say_of_it_for_a_snapshot_saved_before_it_was_shown():
    current = {**shown_with(), "sensitivity": [change(15)]}

    differences = recommendation.compare(shown_with(), current)

    assert differences["sensitivity_added"] == differences["sensitivity_removed"] == []
    assert differences["any"] is False
