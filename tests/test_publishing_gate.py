"""The gate of a draft (guidance.publishing.gating_cases, check_gate): the reference cases
active when it was started, as they were then, and every change to them since.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from guidance.models import ReferenceCase
from guidance.publishing import (
    FieldChange,
    GateChange,
    PublishingError,
    ReferenceResult,
    check_gate,
    start_draft,
)
from tests.drafts import (
    DRAFT,
    METASTATIC_CASE,
    PUBLISHED,
    edit,
    publish_it,
    statuses,
    wrong_reference_case,
)

pytestmark = pytest.mark.django_db


# --- The gate: the reference cases active when the draft was started ------------------------

# An editor could untick "active" on the reference cases a draft fails, or drop the phrase
# a case expects, and then publish with no reason. The cases that gate a draft are those
# active when it was started, as they were then; any of them deactivated, edited or deleted
# since is a change to the gate, which needs the recorded reason like a failure.


GATE_CHANGED = "changed since the draft was started"


@pytest.fixture
def gating_failure(editor):
    """A wrong reference case that was active when the draft was started: it fails the draft."""
    case = wrong_reference_case()
    draft = start_draft(editor=editor)
    return case, draft


def test_a_draft_records_the_reference_cases_that_gate_it_as_they_were(editor):
    inactive = wrong_reference_case(title="Retired case", is_active=False)

    draft = start_draft(editor=editor)

    draft.refresh_from_db()
    active = list(ReferenceCase.objects.filter(is_active=True).order_by("pk"))
    assert len(active) == len(draft.gating_cases) == 14
    assert inactive.pk not in {entry["id"] for entry in draft.gating_cases}
    for entry, case in zip(draft.gating_cases, active, strict=True):
        assert entry == {
            "id": case.pk,
            "history_id": case.history.latest("history_id").history_id,
            "title": case.title,
            "facts": case.facts,
            "expected_grade": case.expected_grade,
            "expected_sections": case.expected_sections,
            "expected_warnings": case.expected_warnings,
            "expected_phrases": case.expected_phrases,
        }


def test_a_draft_with_its_gate_untouched_has_no_gate_changes(draft):
    check = check_gate(draft)

    assert check.changes == []
    assert not check.needs_reason
    assert len(check.results) == 14


def test_deactivating_a_failing_reference_case_during_a_draft_does_not_open_the_gate(
    gating_failure, editor
):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False)

    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor, accept_failures_reason="  ")
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_a_deactivated_gating_case_is_listed_and_run_as_it_was_when_the_draft_started(
    gating_failure, editor
):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False)

    check = check_gate(draft)

    assert case.title not in {result.title for result in check.results}  # it no longer runs
    (change,) = check.changes
    assert (change.case_id, change.title, change.kind) == (case.pk, case.title, "deactivated")
    assert change.fields == []
    # What the gate would have said: the case as it was at the start fails the draft.
    assert change.as_started == ReferenceResult(
        case.title,
        False,
        ["section local-excision is missing", "section lymph-node-dissection is not expected"],
    )
    assert check.needs_reason


def test_weakening_a_gating_case_is_listed_with_the_fields_that_changed(draft, editor):
    case = ReferenceCase.objects.get(title=METASTATIC_CASE)
    edit(draft.sections.get(slug="everolimus"), editor, text="mTOR inhibition may help some.")
    edit(case, editor, "The drug name moved to the warning", expected_phrases=["Octreotide"])

    check = check_gate(draft)

    assert all(result.passed for result in check.results)  # the edited case now passes
    (change,) = check.changes
    assert (change.title, change.kind) == (METASTATIC_CASE, "edited")
    assert change.fields == [
        FieldChange("expected phrases", '["Octreotide", "Everolimus"]', '["Octreotide"]')
    ]
    assert change.as_started == ReferenceResult(
        METASTATIC_CASE, False, ["the quoted text no longer contains “Everolimus”"]
    )
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)


def test_a_change_made_with_a_queryset_update_and_no_history_is_seen_too(draft):
    ReferenceCase.objects.filter(title=METASTATIC_CASE).update(expected_grade="G3")

    (change,) = check_gate(draft).changes

    assert change.kind == "edited"
    assert change.fields == [FieldChange("expected grade", '"G2"', '"G3"')]


def test_a_gating_case_deleted_during_a_draft_is_listed_by_the_title_it_had(gating_failure, editor):
    case, draft = gating_failure
    ReferenceCase.objects.filter(pk=case.pk).delete()  # the admin refuses; the ORM does not

    check = check_gate(draft)

    (change,) = check.changes
    assert (change.case_id, change.title, change.kind) == (case.pk, case.title, "deleted")
    assert not change.as_started.passed
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)


def test_a_case_added_during_a_draft_strengthens_the_gate_runs_and_needs_no_reason(draft, editor):
    added = wrong_reference_case(
        title="Small colon NET", expected_sections=["curative-excision", "lymph-node-dissection"]
    )

    check = check_gate(draft)

    (change,) = check.changes
    assert (change.title, change.kind, change.as_started) == (added.title, "added", None)
    assert not check.needs_reason
    assert added.title in {result.title for result in check.results if result.passed}
    publish_it(draft, editor)
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == ""


def test_a_case_reactivated_during_a_draft_is_added_to_the_gate(editor):
    retired = wrong_reference_case(
        title="Small colon NET",
        expected_sections=["curative-excision", "lymph-node-dissection"],
        is_active=False,
    )
    draft = start_draft(editor=editor)
    edit(retired, editor, "Back in use", is_active=True)

    (change,) = check_gate(draft).changes

    assert (change.title, change.kind) == (retired.title, "added")


def test_a_change_undone_before_publishing_leaves_the_gate_as_it_was(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False, notes="Retired.")
    edit(case, editor, "Deactivated by mistake", is_active=True)

    check = check_gate(draft)

    assert check.changes == []  # its notes changed, which gate nothing
    assert [result.title for result in check.results if not result.passed] == [case.title]


def test_publishing_over_a_changed_gate_records_the_changes_and_the_reason(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Wrong expectation: the MDT agreed", is_active=False)
    reason = "The deactivated case expected a local excision the guideline never advised."

    results = publish_it(draft, editor, accept_failures_reason=reason)

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == reason
    assert all(result.passed for result in results)
    (recorded,) = draft.gate_changes
    assert recorded == asdict(check_gate_change(case, "deactivated"))
    assert recorded["as_started"]["passed"] is False
    assert len(draft.reference_results) == 14


def check_gate_change(case, kind):
    """The change the publish page listed for ``case``, as publishing records it."""
    return GateChange(
        case_id=case.pk,
        title=case.title,
        kind=kind,
        fields=[],
        as_started=ReferenceResult(
            case.title,
            False,
            ["section local-excision is missing", "section lymph-node-dissection is not expected"],
        ),
    )


def test_the_gate_of_the_next_draft_is_the_cases_active_when_it_is_started(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Wrong expectation: the MDT agreed", is_active=False)
    publish_it(draft, editor, accept_failures_reason="Agreed at the MDT")

    second = start_draft(editor=editor)

    assert case.pk not in {entry["id"] for entry in second.gating_cases}
    assert check_gate(second).changes == []
