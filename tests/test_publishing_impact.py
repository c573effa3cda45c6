"""The impact of a draft on saved cases (guidance.publishing.impact): counts of the cases that
would show different text, by section and warning and kind of change, never their contents.
"""

from __future__ import annotations

import uuid

import pytest

from guidance import content, recommendation
from guidance.models import Case
from guidance.publishing import SectionChange, impact
from tests.drafts import METASTATIC, NEW_EVEROLIMUS, REGIONAL, edit
from tests.factories import case_facts, make_case

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


def test_the_impact_report_runs_the_same_queries_for_5_or_50_cases(
    draft, editor, alice, django_assert_num_queries
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    version_1 = draft.based_on
    shown = recommendation.build(facts=case_facts(**METASTATIC), text=content.load(version_1))

    def save_cases(count):
        for _ in range(count):
            Case.record(
                clinician=alice,
                guideline_version_id=version_1.pk,
                shown=shown,
                run_token=uuid.uuid4(),
            )

    # 1. the draft's sections   2. the draft's warning texts
    # 3. the versions the saved cases used (one here)
    # per used version: 4. its sections  5. its warning texts  6. its cases' slugs and codes
    # 7. the count of all saved cases
    save_cases(5)
    with django_assert_num_queries(7):
        five = impact(draft)
    save_cases(45)
    with django_assert_num_queries(7):
        fifty = impact(draft)
    assert (five.affected, fifty.affected) == (5, 50)
