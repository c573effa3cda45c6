"""Version 1's frozen logic file read as a guideline document (guidance/engine/logic_file.py).

The file keys sections by slug and warnings by code; the document lists them in the file's
order, sections numbered from 1. No database: what the migration stored from the same file
is compared in tests/test_guideline_file.py.
"""

from __future__ import annotations

import json
from decimal import Decimal

from guidance import engine
from guidance.engine import logic_file
from guidance.engine.logic_file import logic_file_document, version_1_document, version_1_logic
from tests.advice import case

FILE = json.loads(logic_file.VERSION_1_LOGIC_FILE.read_text(encoding="utf-8"))


def test_a_logic_file_s_rules_are_listed_in_its_order_with_their_places():
    data = {
        "grading": {"combine": "higher"},
        "category": [{"category": "well_differentiated", "applies_when": "true"}],
        "exclusive": [["b", "a"]],
        "sections": {
            "b": {"applies_when": "size_mm < 10", "reasons": {"size_mm < 10": "small"}},
            "a": {"applies_when": "false"},
        },
        "warnings": {
            "late": {"applies_when": "true", "detail": ""},
            "early": {"applies_when": "false"},
        },
    }

    assert logic_file_document(data) == {
        "grading": {"combine": "higher"},
        "category": [{"category": "well_differentiated", "applies_when": "true"}],
        "exclusive": [["b", "a"]],
        "sections": [
            {"slug": "b", "order": 1, "applies_when": "size_mm < 10",
             "reasons": {"size_mm < 10": "small"}},
            {"slug": "a", "order": 2, "applies_when": "false"},
        ],
        "warnings": [
            {"code": "late", "applies_when": "true", "detail": ""},
            {"code": "early", "applies_when": "false"},
        ],
    }  # fmt: skip


def test_version_1_s_document_holds_every_rule_of_the_file_as_written():
    document = version_1_document()

    assert list(document) == ["grading", "category", "exclusive", "sections", "warnings"]
    assert (document["grading"], document["category"], document["exclusive"]) == (
        FILE["grading"], FILE["category"], FILE["exclusive"],
    )  # fmt: skip
    assert [section.pop("slug") for section in document["sections"]] == list(FILE["sections"])
    assert [section.pop("order") for section in document["sections"]] == list(range(1, 16))
    assert document["sections"] == list(FILE["sections"].values())
    assert [warning.pop("code") for warning in document["warnings"]] == list(FILE["warnings"])
    assert document["warnings"] == list(FILE["warnings"].values())


def test_each_call_gives_a_document_of_its_own():
    changed = version_1_document()
    changed["sections"][0]["applies_when"] = "true"
    changed["grading"]["ki67_percent"]["G1_below"] = "5"

    again = version_1_document()

    assert again["sections"][0]["applies_when"] == FILE["sections"]["insulinoma-local-excision"][
        "applies_when"
    ]
    assert again["grading"]["ki67_percent"]["G1_below"] == "3"


def test_version_1_s_logic_is_compiled_from_the_file_with_its_thresholds_exact():
    logic = version_1_logic()

    assert logic.slugs == tuple(FILE["sections"])
    assert logic.codes == tuple(FILE["warnings"])
    assert logic.grading.ki67_g1_below == Decimal("3")
    assert logic.grading.ki67_g3_above == Decimal("20")
    assert (logic.grading.mitoses_g1_below, logic.grading.mitoses_g3_above) == (2, 20)
    assert logic.as_document() == engine.compile_logic(version_1_document()).as_document()


def test_version_1_s_logic_is_compiled_once():
    assert version_1_logic() is version_1_logic()


def test_the_logic_it_gives_is_the_logic_of_the_file_in_use():
    facts = case(site="rectum")  # a small, localised, well-differentiated G1 NET

    result = engine.recommend(facts, version_1_logic())

    assert "local-excision" in result.slugs
    assert "lymph-node-dissection" not in result.slugs
