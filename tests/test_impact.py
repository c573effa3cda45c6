"""The impact of a draft on saved cases (guidance.impact): counts of the cases that would show
different text, by section and warning and kind of change, and of the cases whose advice
would change, by section and warning added or removed, grade and category; never their
contents.

Differences of advice that the published logic cannot produce on its own are made by saving
a case whose snapshot differs from what the engine gives today (as a case saved under an
earlier version's logic would): a copy of today's snapshot with an item taken out or put in.
"""

from __future__ import annotations

import copy
import random
import uuid

import pytest

from guidance import content, engine, recommendation
from guidance.forms import CaseForm, form_data
from guidance.impact import AdviceChange, Impact
from guidance.models import Case, GuidelineVersion
from guidance.publishing import SectionChange, impact, start_draft
from tests.drafts import (
    GASTRIC_TYPE_UNKNOWN,
    METASTATIC,
    NEW_EVEROLIMUS,
    REGIONAL,
    SMALL_INSULINOMA_BELOW_15,
    edit,
    publish_it,
    revise,
)
from tests.factories import (
    NOTE_CITATION,
    case_facts,
    make_case,
    record,
    saved_before_the_gastric_type,
    today,
)
from tests.wizard_client import METASTATIC_SMALL_BOWEL, SMALL_INSULINOMA, WARNED_RECTUM

pytestmark = pytest.mark.django_db


# --- Impact report ------------------------------------------------------------------------

# A saved case counts once, whatever the default ordering of cases adds to a DISTINCT.


@pytest.fixture
def saved_cases(alice, bob):
    """Five cases saved on version 1: three showed everolimus, two did not. References are
    there to show the report never quotes a case's contents."""
    return [
        make_case(alice, reference="MDT-101", **METASTATIC),
        make_case(alice, reference="MDT-102", **METASTATIC, hormonal_symptoms=True),
        make_case(bob, reference="MDT-103", **METASTATIC, size_mm=40),
        make_case(alice, reference="MDT-104"),
        make_case(bob, reference="MDT-105", size_mm=8),
    ]


def test_changing_a_sections_text_counts_the_cases_that_showed_it(draft, editor, saved_cases):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)

    report = impact(draft)

    assert report.cases == 5
    assert report.affected == 3
    assert report.changes == [SectionChange("everolimus", "Everolimus", "text changed", 3)]
    assert report.by_kind() == {"text changed": report.changes}


def test_changing_only_a_heading_is_reported_as_heading_changed(draft, editor, saved_cases):
    edit(
        draft.sections.get(slug="curative-excision"),
        editor,
        heading="Localised tumours: curative surgery",
    )

    report = impact(draft)

    assert report.affected == 2
    assert report.changes == [
        SectionChange(
            "curative-excision",
            "Localised tumours: curative surgical excision",  # the heading the cases showed
            "heading changed",
            2,
        )
    ]


def test_rewording_a_warning_counts_the_cases_that_showed_that_warning(draft, editor, alice):
    make_case(alice, **REGIONAL)
    make_case(alice, **REGIONAL, site="stomach")
    make_case(alice)  # no warning
    edit(
        draft.warnings.get(code="regional-nodes"),
        editor,
        message="Regional nodal disease is treated as resectable locoregional disease.",
    )

    report = impact(draft)

    assert report.cases == 3
    assert report.affected == 2
    assert report.by_kind() == {
        "warning reworded": [
            SectionChange("regional-nodes", "regional-nodes", "warning reworded", 2)
        ]
    }


def test_making_a_section_or_warning_a_note_counts_the_cases_that_showed_it(
    draft, editor, saved_cases, alice
):
    make_case(alice, **REGIONAL)
    note = {"voice": "note", "citation": NOTE_CITATION}
    edit(draft.sections.get(slug="everolimus"), editor, **note)
    edit(draft.warnings.get(code="regional-nodes"), editor, **note)

    report = impact(draft)

    assert report.affected == 4
    assert report.by_kind() == {
        "voice or citation changed": [
            SectionChange("everolimus", "Everolimus", "voice or citation changed", 3)
        ],
        "warning's voice or citation changed": [
            SectionChange(
                "regional-nodes", "regional-nodes", "warning's voice or citation changed", 1
            )
        ],
    }


def test_a_draft_with_no_changes_affects_no_case(draft, saved_cases):
    report = impact(draft)
    assert report.cases == 5
    assert report.affected == 0
    assert report.changes == []


def test_the_impact_report_gives_counts_and_sections_never_case_contents(
    draft, editor, saved_cases
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    report = repr(impact(draft))
    assert "everolimus" in report
    for case in saved_cases:
        assert case.reference not in report
        assert case.clinician.username not in report


def advice(report: Impact) -> dict:
    """What the report says of advice, as the publish page tells it."""
    return {
        "advised": report.advised,
        "sections": {change.key: (change.added, change.removed) for change in report.sections},
        "warnings": {change.key: (change.added, change.removed) for change in report.warnings},
        "grade": report.grade_changed,
        "category": report.category_changed,
        "not rerun": report.not_rerun,
    }


NO_CHANGE = {"advised": 0, "sections": {}, "warnings": {}, "grade": 0, "category": 0}


def test_a_draft_with_no_changes_changes_no_cases_advice(draft, saved_cases):
    assert advice(impact(draft)) == {**NO_CHANGE, "not rerun": 0}


def test_a_section_a_case_did_not_show_but_would_now_get_counts_as_added(draft, alice, bob):
    shown = today(**METASTATIC_SMALL_BOWEL)
    shown["recommendations"] = [
        item for item in shown["recommendations"] if item["section"] != "everolimus"
    ]
    record(alice, shown)
    record(bob, shown)
    make_case(alice, **METASTATIC_SMALL_BOWEL)  # showed it: no change

    report = impact(draft)

    assert advice(report) == {
        **NO_CHANGE,
        "advised": 2,
        "sections": {"everolimus": (2, 0)},
        "not rerun": 0,
    }
    assert report.sections == [AdviceChange("everolimus", "Everolimus", added=2)]


def test_a_section_a_case_showed_but_would_no_longer_get_counts_as_removed(draft, alice):
    shown = today(**SMALL_INSULINOMA)
    shown["recommendations"].append(
        {**shown["recommendations"][0], "section": "lymph-node-dissection"}
    )
    record(alice, shown)

    assert advice(impact(draft))["sections"] == {"lymph-node-dissection": (0, 1)}


def test_warnings_added_and_removed_are_counted_by_code(draft, alice):
    shown = today(**WARNED_RECTUM)
    dropped = shown["warnings"].pop(0)["code"]
    shown["warnings"].append({"code": "ssr-negative", "detail": "", "message": "Then."})
    record(alice, shown)
    record(alice, shown)

    report = advice(impact(draft))

    assert report["warnings"] == {dropped: (2, 0), "ssr-negative": (0, 2)}
    assert report["advised"] == 2
    assert report["sections"] == {}


def test_a_changed_grade_and_a_changed_category_are_counted_apart(draft, alice):
    graded = today(**METASTATIC_SMALL_BOWEL)
    graded["grade"] = "G1"  # today's logic gives G2
    record(alice, graded)
    categorised = today(**SMALL_INSULINOMA)
    categorised["category"] = "poorly_differentiated"
    record(alice, categorised)
    record(alice, categorised)

    report = advice(impact(draft))

    assert (report["grade"], report["category"], report["advised"]) == (1, 2, 3)


def test_each_case_is_compared_with_what_it_showed_whichever_version_it_was_saved_under(
    draft, editor, alice
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    publish_it(draft, editor)
    version_1, version_2 = GuidelineVersion.objects.order_by("pk")[:2]
    make_case(alice, version=version_1, **METASTATIC_SMALL_BOWEL)
    make_case(alice, version=version_2, **METASTATIC_SMALL_BOWEL)
    shown = today(**METASTATIC_SMALL_BOWEL)  # version 2's words, without everolimus
    shown["recommendations"].pop()
    record(alice, shown)

    report = impact(start_draft(editor=editor))

    assert report.cases == 3
    assert advice(report)["sections"] == {"everolimus": (1, 0)}
    # The wording: only the case saved under version 1 showed the old everolimus text.
    assert report.changes == [SectionChange("everolimus", "Everolimus", "text changed", 1)]


def test_a_number_is_grouped_by_where_it_lies_against_each_threshold_not_by_its_value(
    draft, alice
):
    # As if saved when "small" meant 20 mm or less: each of these showed local excision.
    small = today(**SMALL_INSULINOMA)
    for size in (12, 19.9, 20, 20.1, 45):
        shown = copy.deepcopy(small)
        shown["facts"]["size_mm"] = size
        record(alice, shown)

    report = advice(impact(draft))

    # Today's logic: below 20 mm is small; 20 mm itself is not.
    assert report["sections"] == {
        "insulinoma-local-excision": (0, 3),
        "insulinoma-partial-pancreatectomy": (3, 0),
    }


def test_a_case_whose_saved_inputs_are_no_longer_accepted_is_counted_apart(draft, alice):
    shown = today()
    shown["facts"]["size_mm"] = 400  # above today's limit of 300 mm
    record(alice, shown)
    make_case(alice)

    report = impact(draft)

    assert (report.cases, report.not_rerun, report.advised) == (2, 1, 0)


def test_a_gastric_case_saved_before_its_type_was_asked_is_run_again_as_of_unknown_type(
    draft, editor, alice
):
    revise(draft, editor, warnings={"regional-nodes": GASTRIC_TYPE_UNKNOWN})
    saved_before_the_gastric_type(make_case(alice, site="stomach", size_mm=8))
    saved_before_the_gastric_type(make_case(alice, site="stomach", size_mm=9))
    make_case(alice, site="stomach", size_mm=8, gastric_type="unknown")
    make_case(alice, site="stomach", size_mm=8, gastric_type="type_1")
    make_case(alice, size_mm=8)  # the colon: no type

    report = impact(draft)

    # Each of the three of unknown type, saved before or after, would now be warned; none
    # is refused by the forms.
    assert advice(report) == {
        **NO_CHANGE,
        "advised": 3,
        "warnings": {"regional-nodes": (3, 0)},
        "not rerun": 0,
    }
    assert report.cases == 5


def test_a_case_whose_saved_choices_are_no_longer_accepted_is_counted_apart(draft, alice):
    unknown_type = today()
    unknown_type["facts"]["tumour_type"] = "carcinoid"  # not a type today's forms offer
    no_region = today(site="pancreas", pancreas_region="head")
    no_region["facts"]["pancreas_region"] = None  # a pancreatic tumour needs its region
    for shown in (unknown_type, no_region):
        shown["facts"]["size_mm"] = 8
    record(alice, unknown_type)
    record(alice, no_region)
    make_case(alice, size_mm=8)
    make_case(alice, size_mm=8, site="pancreas", pancreas_region="tail")

    report = impact(draft)

    assert (report.cases, report.not_rerun, report.advised) == (4, 2, 0)


# --- A draft whose logic changed ------------------------------------------------------


def test_moving_a_threshold_counts_the_cases_on_each_side_that_it_moves(
    draft, editor, alice
):
    revise(draft, editor, sections=SMALL_INSULINOMA_BELOW_15)
    for size in (8, 14.9, 15, 17, 19.9, 20, 35):
        make_case(alice, **{**SMALL_INSULINOMA, "size_mm": size})

    report = impact(draft)

    # 15, 17 and 19.9 mm were below 20 mm, and are not below 15 mm.
    assert advice(report) == {
        **NO_CHANGE,
        "advised": 3,
        "sections": {
            "insulinoma-local-excision": (0, 3),
            "insulinoma-partial-pancreatectomy": (3, 0),
        },
        "not rerun": 0,
    }
    assert [change.name for change in report.sections] == [
        "Insulinoma under 2 cm: local excision",  # the draft's headings, in its order
        "Larger insulinoma: partial pancreatectomy",
    ]


def test_moving_a_grading_threshold_counts_grades_categories_sections_and_warnings(
    draft, editor, alice
):
    revise(draft, editor, grading={"ki67_percent": {"G3_above": "15"}})
    make_case(alice, **{**METASTATIC_SMALL_BOWEL, "ki67_percent": 16})  # G2 -> G3 (NET G3)
    unknown = {**METASTATIC_SMALL_BOWEL, "differentiation": "unknown", "ki67_percent": 18}
    make_case(alice, **unknown)  # G2 -> G3, so now poorly differentiated
    make_case(alice, **{**METASTATIC_SMALL_BOWEL, "ki67_percent": 14})  # G2 either way

    report = advice(impact(draft))

    assert (report["advised"], report["grade"], report["category"]) == (2, 2, 1)
    # The well-differentiated metastatic sections leave the unknown one for the pathway
    # of poorly differentiated tumours.
    assert report["sections"]["poorly-differentiated"] == (1, 0)
    assert report["sections"]["everolimus"] == (0, 1)
    assert report["warnings"]["net-g3"] == (1, 0)
    assert report["warnings"]["differentiation-unknown"] == (0, 1)


def test_a_warning_whose_condition_changed_is_counted_where_it_now_fires_or_not(
    draft, editor, alice
):
    revise(draft, editor, warnings={"regional-nodes": 'extent == "localised"'})
    make_case(alice, **REGIONAL)
    make_case(alice, **REGIONAL)
    make_case(alice)  # localised

    assert advice(impact(draft))["warnings"] == {"regional-nodes": (1, 2)}


def test_a_condition_the_draft_cannot_decide_is_counted_apart(draft, editor, alice):
    # Ki-67 compared where it may be absent: the exhaustive check refuses such a draft.
    regional = {"regional-nodes": 'extent == "regional_nodes" and ki67_percent > 10'}
    revise(draft, editor, warnings=regional)
    make_case(alice, **{**REGIONAL, "ki67_percent": None})
    make_case(alice, **{**REGIONAL, "ki67_percent": 12})

    report = impact(draft)

    assert (report.undecided, report.advised) == (1, 0)


@pytest.mark.parametrize(
    "revision",
    [
        {},
        {"sections": SMALL_INSULINOMA_BELOW_15},
        {"grading": {"ki67_percent": {"G1_below": "2.5", "G3_above": "15"}}},
        {"warnings": {"regional-nodes": GASTRIC_TYPE_UNKNOWN}},
    ],
    ids=["version 1", "small below 15 mm", "Ki-67 2.5 and 15", "gastric type unknown"],
)
def test_the_counts_are_those_of_running_the_draft_on_every_case_one_by_one(
    draft, editor, alice, revision
):
    revise(draft, editor, **revision)
    # Cases of many kinds, some as if saved under other logic, against a plain loop.
    rng = random.Random(11)  # noqa: S311 - test data
    for facts in VARIED:
        shown = today(**facts)
        if facts.get("site") == "stomach" and "gastric_type" not in facts:
            del shown["facts"]["gastric_type"]  # saved before the type was asked
        if rng.random() < 0.3 and shown["recommendations"]:
            shown["recommendations"].pop(rng.randrange(len(shown["recommendations"])))
        if rng.random() < 0.3 and shown["warnings"]:
            shown["warnings"].pop()
        if rng.random() < 0.2:
            shown["grade"] = rng.choice(["G1", "G2", "G3", None])
        if rng.random() < 0.1:
            shown["facts"]["size_mm"] = 301  # no longer accepted
        for _ in range(rng.randint(1, 3)):
            record(alice, shown)

    assert advice(impact(draft)) == advice(one_by_one(content.load(draft).logic))


VARIED = [
    {**base, **change}
    for base in (
        SMALL_INSULINOMA,
        METASTATIC_SMALL_BOWEL,
        WARNED_RECTUM,
        {},
        {"site": "stomach"},
        {"site": "stomach", "gastric_type": "type_1"},
    )
    for change in (
        {},
        {"size_mm": 20},
        {"size_mm": 8.5, "ki67_percent": 3},
        {"ki67_percent": 20.1, "mitoses_per_10hpf": None},
        # At a threshold and either side of it, all else equal: in one group, each would
        # get the grade of the group's least Ki-67.
        {"ki67_percent": 2.4, "mitoses_per_10hpf": 1},
        {"ki67_percent": 2.5, "mitoses_per_10hpf": 1},
        {"ki67_percent": 15, "mitoses_per_10hpf": 1},
        {"ki67_percent": 15.1, "mitoses_per_10hpf": 1},
        {"ki67_percent": None, "mitoses_per_10hpf": 2},
        {"differentiation": "unknown", "mitoses_per_10hpf": 21},
        {"differentiation": "poor"},
        {"hormonal_symptoms": True, "ssr_imaging": "negative"},
    )
]


def one_by_one(logic) -> Impact:
    """The advice part of the report, the slow way: every saved case run on its own."""
    report = Impact(cases=0, affected=0, changes=[])
    sections: dict[str, AdviceChange] = {}
    warnings: dict[str, AdviceChange] = {}
    for case in Case.objects.order_by("pk"):
        report.cases += 1
        form = CaseForm(data=form_data(case.snapshot["facts"]))
        if not form.is_valid():
            report.not_rerun += 1
            continue
        result = engine.recommend(form.facts(), logic)
        shown = {item["section"] for item in case.snapshot["recommendations"]}
        codes = {item["code"] for item in case.snapshot["warnings"]}
        now, now_codes = set(result.slugs), set(result.warning_codes)
        for slug in now - shown:
            sections.setdefault(slug, AdviceChange(slug, slug)).added += 1
        for slug in shown - now:
            sections.setdefault(slug, AdviceChange(slug, slug)).removed += 1
        for code in now_codes - codes:
            warnings.setdefault(code, AdviceChange(code, code)).added += 1
        for code in codes - now_codes:
            warnings.setdefault(code, AdviceChange(code, code)).removed += 1
        grade = (result.grade.value if result.grade else None) != case.snapshot["grade"]
        category = result.category.value != case.snapshot["category"]
        report.grade_changed += grade
        report.category_changed += category
        report.advised += grade or category or now != shown or now_codes != codes
    report.sections, report.warnings = list(sections.values()), list(warnings.values())
    return report


def test_the_impact_report_runs_the_same_queries_for_5_or_50_cases_under_any_versions(
    draft, editor, alice, django_assert_num_queries
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    version_1 = draft.based_on
    shown = recommendation.build(facts=case_facts(**METASTATIC), text=content.load(version_1))

    def save_cases(count, **facts):
        for _ in range(count):
            Case.record(
                clinician=alice,
                guideline_version_id=version_1.pk,
                shown=today(**facts) if facts else shown,
                run_token=uuid.uuid4(),
            )

    # 1. the draft's sections   2. the draft's warning texts
    # 3. the saved cases, grouped by their facts and what they showed
    # 4. the sections, 5. the warning texts, of every version the cases were saved under
    save_cases(5)
    with django_assert_num_queries(5):
        five = impact(draft)
    save_cases(40)
    for facts in VARIED:
        save_cases(1, **facts)
    with django_assert_num_queries(5):
        many = impact(draft)
    showing = Case.objects.filter(section_slugs__contains=" everolimus ").count()
    assert (five.affected, many.affected) == (5, showing)
    assert many.cases == 45 + len(VARIED)
