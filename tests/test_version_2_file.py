"""Version 2's file as publishing would take it: its logic passes the exhaustive check, and
its reference cases, run as publishing runs them (through the case form; the grade, the
sections and the warnings, here also in the order shown; the phrases in the quoted words),
give their expected advice. No database: the logic is the file's, compiled with the pure
engine."""

from __future__ import annotations

import pytest

from guidance import engine
from guidance.engine import check
from guidance.forms import CaseForm, form_data
from tests.version_2 import LOGIC, SECTIONS, reference_case, reference_cases

CASES = reference_cases()


def test_version_2_passes_the_exhaustive_check():
    result = check.check(LOGIC)

    assert result.failures == ()
    assert result.passed
    assert result.classes == 1_474_200


def test_there_are_43_reference_cases_each_with_its_own_title():
    assert len(CASES) == 43
    assert len({case["title"] for case in CASES}) == 43


@pytest.mark.parametrize("case", CASES, ids=[case["title"][:60] for case in CASES])
def test_each_reference_case_gets_its_expected_advice_in_order(case):
    form = CaseForm(data=form_data(case["facts"]))
    assert form.is_valid(), form.errors.as_text()
    result = engine.recommend(form.facts(), LOGIC)

    assert (result.grade.value if result.grade else "unknown") == case["expected_grade"]
    assert list(result.slugs) == case["expected_sections"]
    assert list(result.warning_codes) == case["expected_warnings"]
    quoted = " ".join(SECTIONS[slug]["text"] for slug in result.slugs).lower()
    for phrase in case["expected_phrases"]:
        assert phrase.lower() in quoted, phrase


def test_the_three_cases_that_locked_hazards_in_now_require_the_safe_advice():
    insulinoma = reference_case("Metastatic insulinoma with a negative SSR scan")
    assert "somatostatin-analogue" not in insulinoma["expected_sections"]
    assert insulinoma["expected_warnings"] == ["ssa-withheld-insulinoma"]
    assert not any("even when the scan is negative" in p for p in insulinoma["expected_phrases"])

    unknown = reference_case("Differentiation unknown with Ki-67 30 %")
    assert unknown["expected_sections"] == ["establish-differentiation"]
    assert unknown["expected_warnings"][0] == "g3-differentiation-unknown"

    duodenal = reference_case("Duodenal NET of 8 mm without Ki-67 or mitotic count")
    assert duodenal["expected_sections"] == ["duodenal-endoscopic-resection"]
