"""What would change the advice (guidance/engine/sensitivity.py), against version 1's logic.

The thresholds from both sides (a value just below, on and just above each); a number not
given, split into its ranges; the answers, each other value on its own and never one the
case form would refuse. Every change listed for the example and reference cases, applied,
gives exactly the differences it states; and for random cases no value nearer than a
change's changes the advice, nor any value in a direction with no change. No database.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidance import engine
from guidance.engine import sensitivity
from guidance.engine.check import valid
from guidance.engine.facts import INPUTS
from guidance.engine.sensitivity import ANSWERS, answer_words
from tests.advice import (
    DIFFERENTIATION_VALUES,
    EXTENT_VALUES,
    GASTRIC_VALUES,
    REGION_VALUES,
    RESECTABILITY_VALUES,
    SITE_VALUES,
    SSR_VALUES,
    TYPE_VALUES,
    Change,
    case,
    distant,
    facts_from_json,
    pancreas,
    recommend,
    version_1_document,
    what_would_change,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = json.loads((ROOT / "tests" / "example_cases.json").read_text())
REFERENCES = json.loads((ROOT / "guidance" / "data" / "reference_cases.json").read_text())
CASES = [(item["title"], facts_from_json(item["case"])) for item in EXAMPLES] + [
    (item["title"], facts_from_json(item["facts"])) for item in REFERENCES
]
D = Decimal


def of(changes: tuple[Change, ...], field: str, direction: str | None = None) -> list[Change]:
    return [
        change
        for change in changes
        if change.field == field and (direction is None or change.direction == direction)
    ]


def only(changes: tuple[Change, ...], field: str, direction: str) -> Change:
    found = of(changes, field, direction)
    assert len(found) == 1, found
    return found[0]


def advice(facts):
    result = recommend(facts)
    return (
        result.grade,
        result.category,
        frozenset(result.slugs),
        frozenset(result.warning_codes),
    )


# --- Ki-67 at the G2/G3 boundary ----------------------------------------------------


# A well-differentiated colonic NET graded by Ki-67 alone: G3 above 20 % adds the NET G3
# warning.
def by_ki67(ki67: str):
    return case(ki67_percent=D(ki67), mitoses_per_10hpf=None)


def test_ki67_just_below_the_g3_boundary_changes_at_the_first_value_above_it():
    change = only(what_would_change(by_ki67("19.9")), "ki67_percent", "above")
    assert (change.value, change.to) == (D("19.9"), D("20.1"))
    assert change.when == "Ki-67 above 20 %"
    assert (change.threshold, change.distance) == (D(20), D("0.1"))
    assert (change.grade, change.category) == ("G3", None)
    assert change.warnings_added == ("net-g3",)
    assert (change.sections_added, change.sections_removed, change.warnings_removed) == (
        (),
        (),
        (),
    )


def test_ki67_on_the_g3_boundary_is_still_g2_and_changes_a_tenth_above():
    change = only(what_would_change(by_ki67("20")), "ki67_percent", "above")
    assert change.to == D("20.1")
    assert change.distance == 0
    assert change.grade == "G3"


def test_ki67_just_above_the_g3_boundary_changes_back_at_the_boundary_itself():
    changes = what_would_change(by_ki67("20.1"))
    change = only(changes, "ki67_percent", "below")
    assert (change.to, change.when) == (D(20), "Ki-67 20 % or less")
    assert change.grade == "G2"
    assert change.warnings_removed == ("net-g3",)
    # Nothing above 20.1 % is graded otherwise.
    assert of(changes, "ki67_percent", "above") == []


def test_ki67_below_the_g2_boundary_changes_at_the_boundary():
    change = only(what_would_change(by_ki67("2.9")), "ki67_percent", "above")
    assert (change.to, change.when, change.grade) == (D(3), "Ki-67 3 % or more", "G2")
    below = only(what_would_change(by_ki67("3")), "ki67_percent", "below")
    assert (below.to, below.when, below.grade) == (D("2.9"), "Ki-67 below 3 %", "G1")


def test_ki67_far_from_a_boundary_names_the_nearest_in_each_direction():
    changes = what_would_change(by_ki67("10"))
    assert only(changes, "ki67_percent", "above").to == D("20.1")
    assert only(changes, "ki67_percent", "below").to == D("2.9")


# --- Size at the insulinoma's 20 mm ---------------------------------------------------


def insulinoma(size: str):
    return pancreas(tumour_type="insulinoma", hormonal_symptoms=True, size_mm=D(size))


def test_an_insulinoma_just_under_2_cm_would_get_partial_pancreatectomy_at_20_mm():
    change = only(what_would_change(insulinoma("19.9")), "size_mm", "above")
    assert (change.to, change.when) == (D(20), "size 20 mm or more")
    assert change.sections_added == ("insulinoma-partial-pancreatectomy",)
    assert change.sections_removed == ("insulinoma-local-excision",)
    assert (change.grade, change.category) == (None, None)


def test_an_insulinoma_of_20_mm_or_more_would_get_local_excision_below_20_mm():
    for size in ("20", "20.1", "300"):
        changes = what_would_change(insulinoma(size))
        change = only(changes, "size_mm", "below")
        assert (change.to, change.when) == (D("19.9"), "size below 20 mm")
        assert change.sections_added == ("insulinoma-local-excision",)
        assert of(changes, "size_mm", "above") == []


def test_a_rectal_local_excision_is_warned_about_just_above_20_mm():
    change = only(what_would_change(case(site="rectum", size_mm=D(20))), "size_mm", "above")
    assert (change.to, change.when) == (D("20.1"), "size above 20 mm")
    assert change.warnings_added == ("local-excision-size",)


def test_a_size_no_rule_reads_for_the_case_has_no_change():
    assert of(what_would_change(case(size_mm=D(15))), "size_mm") == []


def test_the_smallest_size_has_nothing_below_it():
    assert of(what_would_change(insulinoma("0.1")), "size_mm", "below") == []


# --- Mitoses ----------------------------------------------------------------------


def by_mitoses(count: int):
    return case(ki67_percent=None, mitoses_per_10hpf=count)


def test_the_mitotic_count_changes_grade_at_2_and_above_20_in_whole_mitoses():
    assert only(what_would_change(by_mitoses(1)), "mitoses_per_10hpf", "above").to == 2
    below = only(what_would_change(by_mitoses(2)), "mitoses_per_10hpf", "below")
    assert (below.to, below.when, below.grade) == (1, "mitotic count below 2", "G1")
    above = only(what_would_change(by_mitoses(20)), "mitoses_per_10hpf", "above")
    assert (above.to, above.when, above.grade) == (21, "mitotic count above 20", "G3")
    assert isinstance(above.to, int)


# --- A number not given ---------------------------------------------------------------


def test_a_ki67_not_given_is_listed_as_its_three_ranges_with_a_value_of_each():
    changes = of(what_would_change(by_mitoses(None)), "ki67_percent")
    assert [(c.direction, c.value, c.to, c.when, c.grade) for c in changes] == [
        ("range", None, D("2.9"), "Ki-67 below 3 %", "G1"),
        ("range", None, D(3), "Ki-67 3 to 20 %", "G2"),
        ("range", None, D("20.1"), "Ki-67 above 20 %", "G3"),
    ]
    assert all(change.warnings_removed == ("grade-unknown",) for change in changes)
    assert changes[2].warnings_added == ("net-g3",)


def test_a_range_with_the_advice_of_the_number_not_given_is_not_listed():
    # Graded G3 by mitoses already: a Ki-67 above 20 % changes nothing; G1 and G2 alike
    # add the discordance, one range.
    changes = of(what_would_change(case(ki67_percent=None, mitoses_per_10hpf=30)), "ki67_percent")
    assert [(change.to, change.when) for change in changes] == [(D(20), "Ki-67 20 % or less")]
    assert changes[0].warnings_added == ("grade-discordant",)
    assert changes[0].grade is None


def with_warning(code: str, condition: str):
    """Version 1's logic with one warning's condition replaced."""
    document = version_1_document()
    [warning] = [item for item in document["warnings"] if item["code"] == code]
    warning["applies_when"] = condition
    return engine.compile_logic(document)


def test_a_number_whose_every_value_gives_one_advice_is_one_range_from_its_lowest_value():
    # The discordance warning made to fire when the mitotic count is not given: with a G3
    # Ki-67 every mitotic count gives G3 and no warning, unlike no count at all.
    logic = with_warning("grade-discordant", "grade_from_mitoses == null")
    facts = case(ki67_percent=D(30), mitoses_per_10hpf=None)

    [change] = of(sensitivity.what_would_change(logic, facts), "mitoses_per_10hpf")

    assert (change.direction, change.value, change.to) == ("range", None, 0)
    assert change.when == "mitotic count given at any value"
    assert change.warnings_removed == ("grade-discordant",)


def test_a_range_of_one_value_and_one_cut_at_a_threshold_are_said_as_such():
    # A warning for a Ki-67 of exactly 20 %: the G2 values split into 3 to 19.9 % and 20 %.
    logic = with_warning("grade-discordant", "ki67_percent != null and ki67_percent == 20")
    facts = case(ki67_percent=None, mitoses_per_10hpf=None)

    changes = of(sensitivity.what_would_change(logic, facts), "ki67_percent")

    assert [(change.to, change.when) for change in changes] == [
        (D("2.9"), "Ki-67 below 3 %"),
        (D(3), "Ki-67 3 % or more and below 20 %"),
        (D(20), "Ki-67 20 %"),
        (D("20.1"), "Ki-67 above 20 %"),
    ]
    assert changes[2].warnings_added == ("grade-discordant",)


def test_a_change_keeps_the_grade_and_category_it_changes_from():
    change = only(what_would_change(by_ki67("19.5")), "ki67_percent", "above")
    assert (change.grade_before, change.grade) == ("G2", "G3")
    assert change.category_before == "well_differentiated"
    [well] = [
        change
        for change in what_would_change(case(differentiation="poor", ki67_percent=D(30)))
        if change.field == "differentiation" and change.to == "well"
    ]
    assert (well.category_before, well.category) == ("poorly_differentiated", "well_differentiated")


# --- Answers ------------------------------------------------------------------------


def test_each_other_answer_is_listed_on_its_own_with_what_it_changes():
    changes = what_would_change(pancreas(region="tail"))
    head = only(changes, "pancreas_region", "answer")
    assert (head.value, head.to, head.when) == ("tail", "head", "pancreas region head")
    assert head.sections_added == ("pancreatoduodenectomy",)
    ssr = of(changes, "ssr_imaging")
    assert ssr == []  # SSR imaging decides nothing for a localised tumour


def test_an_answer_that_would_make_the_case_invalid_is_left_out():
    # Resectable metastases: without distant metastases the form would refuse the answer.
    assert of(what_would_change(distant("yes")), "extent") == []
    assert {c.to for c in of(what_would_change(distant("unknown")), "extent")} == {
        "localised",
        "regional_nodes",
    }


def test_a_newly_relevant_answer_takes_its_default():
    change = [c for c in of(what_would_change(case()), "extent") if c.to == "distant_metastases"]
    assert change[0].warnings_added == ("no-symptom-guidance", "resectability-unknown")
    assert "debulking-surgery" in change[0].sections_added


def test_resectability_not_yet_assessed_lists_both_answers():
    changes = of(what_would_change(distant("unknown")), "metastases_resectable")
    assert [(c.to, c.when) for c in changes] == [
        ("yes", "metastases resectable"),
        ("no", "metastases not resectable"),
    ]
    assert changes[1].sections_removed == ("debulking-surgery",)


def test_an_answer_in_words_says_a_boolean_both_ways():
    symptoms = INPUTS["hormonal_symptoms"]
    assert answer_words(symptoms, True) == "hormonal symptoms"
    assert answer_words(symptoms, False) == "no hormonal symptoms"
    assert answer_words(INPUTS["ssr_imaging"], "not_done") == "SSR imaging not done"


def test_a_boolean_answer_is_its_other_value():
    change = only(what_would_change(distant()), "hormonal_symptoms", "answer")
    assert (change.value, change.to, change.when) == (False, True, "hormonal symptoms")
    assert change.sections_added == ("somatostatin-analogue", "interferon")


def test_numbers_come_first_nearest_first_then_ranges_then_answers():
    changes = what_would_change(case(ki67_percent=D("19.5"), mitoses_per_10hpf=None, size_mm=D(1)))
    kinds = [change.direction for change in changes]
    numbers = [change for change in changes if change.direction in ("above", "below")]
    assert [change.steps for change in numbers] == sorted(change.steps for change in numbers)
    assert kinds.index("range") > max(i for i, k in enumerate(kinds) if k in ("above", "below"))
    assert kinds.index("answer") > max(i for i, k in enumerate(kinds) if k == "range")


# --- Every change states exactly what it changes ------------------------------------


def stated(before, change: Change):
    """The advice a change says the case would get."""
    grade, category, sections, warnings = before
    return (
        change.grade or grade,
        change.category or category,
        (sections - set(change.sections_removed)) | set(change.sections_added),
        (warnings - set(change.warnings_removed)) | set(change.warnings_added),
    )


@pytest.mark.parametrize(("title", "facts"), CASES, ids=[title for title, _ in CASES])
def test_each_change_of_an_example_or_reference_case_gives_exactly_what_it_states(title, facts):
    before = advice(facts)
    changes = what_would_change(facts)
    assert changes, title
    for change in changes:
        after = advice(replace(facts, **{change.field: change.to}))
        assert after != before, change
        assert after == stated(before, change), change


# --- Completeness, for random cases -------------------------------------------------


@st.composite
def cases(draw):
    site = draw(st.sampled_from(SITE_VALUES))
    extent = draw(st.sampled_from(EXTENT_VALUES))
    resectable = (
        draw(st.sampled_from(RESECTABILITY_VALUES)) if extent == "distant_metastases" else "unknown"
    )

    def number(name):
        fact = INPUTS[name]
        steps = st.integers(
            int(fact.minimum / fact.resolution), int(fact.maximum / fact.resolution)
        )
        value = steps.map(lambda n: n if fact.resolution == 1 else n * fact.resolution)
        return draw(st.one_of(st.none(), value) if fact.optional else value)

    return case(
        site=site,
        pancreas_region=draw(st.sampled_from(REGION_VALUES)) if site == "pancreas" else None,
        gastric_type=draw(st.sampled_from(GASTRIC_VALUES)) if site == "stomach" else None,
        tumour_type=draw(st.sampled_from(TYPE_VALUES)),
        hormonal_symptoms=draw(st.booleans()),
        size_mm=number("size_mm"),
        differentiation=draw(st.sampled_from(DIFFERENTIATION_VALUES)),
        ki67_percent=number("ki67_percent"),
        mitoses_per_10hpf=number("mitoses_per_10hpf"),
        extent=extent,
        metastases_resectable=resectable,
        ssr_imaging=draw(st.sampled_from(SSR_VALUES)),
    )


def between(data, fact, low, high):
    """A value of ``fact`` strictly between ``low`` and ``high`` at its resolution, or None."""
    step = fact.resolution
    first, last = int(low / step) + 1, int(high / step) - 1
    if first > last:
        return None
    n = data.draw(st.integers(first, last))
    return n if step == 1 else n * step


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=cases(), data=st.data())
def test_no_value_nearer_than_a_change_and_none_where_there_is_no_change_changes_the_advice(
    facts, data
):
    before = advice(facts)
    changes = what_would_change(facts)
    for name in ("size_mm", "ki67_percent", "mitoses_per_10hpf"):
        fact = INPUTS[name]
        value = getattr(facts, name)
        if value is None:
            # Any value that changes the advice gives the advice of one of the ranges.
            probe = between(
                data, fact, fact.minimum - fact.resolution, fact.maximum + fact.resolution
            )
            after = advice(replace(facts, **{name: probe}))
            ranges = [advice(replace(facts, **{name: c.to})) for c in of(changes, name, "range")]
            assert after == before or after in ranges
            continue
        above, below = of(changes, name, "above"), of(changes, name, "below")
        top = above[0].to if above else fact.maximum + fact.resolution
        bottom = below[0].to if below else fact.minimum - fact.resolution
        for low, high in ((value, top), (bottom, value)):
            probe = between(data, fact, low, high)
            if probe is not None:
                assert advice(replace(facts, **{name: probe})) == before, (name, probe)
        # The values next to each change point still give the case's advice.
        if above and above[0].to - fact.resolution != value:
            assert advice(replace(facts, **{name: above[0].to - fact.resolution})) == before
        if below and below[0].to + fact.resolution != value:
            assert advice(replace(facts, **{name: below[0].to + fact.resolution})) == before
    # Every other valid answer that changes the advice is listed; the site is not an answer
    # looked at, and an answer not asked for the case (a region outside the pancreas) has
    # no other.
    assert of(changes, "site") == []
    for name in ANSWERS:
        listed = {change.to for change in of(changes, name, "answer")}
        if getattr(facts, name) is None:
            assert listed == set()
            continue
        fact = INPUTS[name]
        for other in (True, False) if fact.kind == "boolean" else fact.values:
            if other == getattr(facts, name) or not valid({**vars(facts), name: other}):
                assert other not in listed
                continue
            changed = advice(replace(facts, **{name: other})) != before
            assert (other in listed) == changed, (name, other)


def test_a_value_finer_than_the_resolution_still_finds_its_nearest_changes():
    changes = what_would_change(by_ki67("19.95"))
    assert only(changes, "ki67_percent", "above").to == D("20.1")
    assert only(changes, "ki67_percent", "below").to == D("2.9")
