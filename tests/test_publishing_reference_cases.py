"""The reference cases run against a draft (guidance.publishing.run_reference_cases): every
seeded case passes version 1, and a wrong grade, section, warning or phrase fails and blocks
publishing unless the editor gives a reason.
"""

from __future__ import annotations

import json

import pytest

from guidance.models import ReferenceCase
from guidance.publishing import PublishingError, reference_case_problems, run_reference_cases
from tests.drafts import (
    DRAFT,
    PUBLISHED,
    SEED_FILE,
    edit,
    publish_it,
    statuses,
    wrong_reference_case,
)
from tests.factories import PLAIN_FACTS

pytestmark = pytest.mark.django_db


# --- Reference cases ----------------------------------------------------------------------


def test_the_fourteen_seeded_reference_cases_all_pass_against_version_1(version_1):
    seeded = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    assert len(seeded) == 14
    assert set(ReferenceCase.objects.values_list("title", flat=True)) == {
        item["title"] for item in seeded
    }

    results = run_reference_cases(version_1)

    assert len(results) == 14
    assert [(r.title, r.problems) for r in results if not r.passed] == []


def test_a_draft_that_drops_an_expected_phrase_fails_that_case_and_says_which(draft, editor):
    edit(
        draft.sections.get(slug="everolimus"),
        editor,
        text="mTOR inhibitors may slow progression of disease in a small number of patients.",
    )

    failures = [r for r in run_reference_cases(draft) if not r.passed]

    assert [(r.title, r.problems) for r in failures] == [
        (
            "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable",
            ["the quoted text no longer contains “Everolimus”"],
        )
    ]


def test_an_editor_added_reference_case_with_a_wrong_expectation_fails(version_1):
    case = wrong_reference_case()

    assert reference_case_problems(case, version_1) == [
        "section local-excision is missing",
        "section lymph-node-dissection is not expected",
    ]
    (result,) = [r for r in run_reference_cases(version_1) if r.title == case.title]
    assert not result.passed


def test_a_wrong_grade_warning_or_phrase_is_each_reported(version_1):
    case = wrong_reference_case(
        expected_grade="G2",
        expected_sections=["curative-excision", "lymph-node-dissection"],
        expected_warnings=["regional-nodes"],
        expected_phrases=["pancreatoduodenectomy"],
    )
    assert reference_case_problems(case, version_1) == [
        "grade G1, expected G2",
        "warning regional-nodes is missing",
        "the quoted text no longer contains “pancreatoduodenectomy”",
    ]


def test_a_failing_reference_case_blocks_publishing(draft, editor):
    wrong_reference_case()

    with pytest.raises(PublishingError, match="1 reference case"):
        publish_it(draft, editor)
    with pytest.raises(PublishingError, match="1 reference case"):
        publish_it(draft, editor, accept_failures_reason="   ")  # blank is no reason
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_an_editor_can_publish_despite_failures_with_a_recorded_reason(draft, editor):
    case = wrong_reference_case()
    reason = "The case's expectation is under review by the MDT; wording change is urgent."

    results = publish_it(draft, editor, accept_failures_reason=f"  {reason} ")

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == reason
    (failed,) = [row for row in draft.reference_results if not row["passed"]]
    assert failed["title"] == case.title
    assert failed["problems"] == [
        "section local-excision is missing",
        "section lymph-node-dissection is not expected",
    ]
    assert len(results) == 15


def test_an_inactive_reference_case_is_not_run(draft, editor, version_1):
    case = wrong_reference_case(is_active=False)

    titles = [r.title for r in run_reference_cases(version_1)]

    assert case.title not in titles
    assert len(titles) == 14
    publish_it(draft, editor)  # no failure to accept
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert case.title not in {row["title"] for row in draft.reference_results}


@pytest.mark.parametrize(
    ("facts", "named_field"),
    [
        ({**PLAIN_FACTS, "site": "mars"}, "site"),
        ({key: v for key, v in PLAIN_FACTS.items() if key != "extent"}, "extent"),
        ({**PLAIN_FACTS, "size_mm": -4}, "size_mm"),
        ({**PLAIN_FACTS, "ki67_percent": "lots"}, "ki67_percent"),
        # The admin form refuses facts that are not a JSON object, but a reference case can
        # also come from a fixture, the shell or a data migration: a problem, not a crash.
        (["colon", "localised"], "JSON object"),
    ],
    ids=["unknown-site", "missing-extent", "negative-size", "text-ki67", "not-an-object"],
)
def test_a_reference_case_with_invalid_facts_is_reported_not_a_crash(version_1, facts, named_field):
    case = wrong_reference_case(facts=facts)

    (result,) = [r for r in run_reference_cases(version_1) if r.title == case.title]

    assert not result.passed
    (problem,) = result.problems
    assert problem.startswith("The case's inputs are not")
    assert named_field in problem
