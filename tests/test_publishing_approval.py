"""A second pair of eyes (guidance.publishing): a draft whose logic changed is published only
once an editor other than the one who made the last change to it has approved it; any later
change to the logic voids the approval. The publish page's part is in
test_admin_approval.py, the command's in test_publish_draft.py."""

from __future__ import annotations

import pytest

from guidance import content
from guidance.models import GuidelineVersion
from guidance.publishing import PublishingError, approval_of, approve_logic, logic_document_of
from tests.drafts import (
    BRACKETED_EVEROLIMUS,
    DRAFT,
    EVEROLIMUS_CONDITION,
    NEW_EVEROLIMUS,
    PUBLISHED,
    change_logic,
    edit,
    publish_it,
    statuses,
)
from tests.factories import change_outside_the_app, make_clinician

pytestmark = pytest.mark.django_db


def approval_now(draft):
    """The draft's approval as it is stored now (approving saves another copy of the draft)."""
    draft.refresh_from_db()
    return approval_of(draft)


def test_a_draft_whose_logic_is_unchanged_needs_no_approval(draft, editor):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)

    approval = approval_now(draft)

    assert (approval.needed, approval.changes) == (False, [])
    publish_it(draft, editor)
    assert statuses()["2"] == PUBLISHED


def test_a_changed_condition_needs_approval_and_names_who_changed_it(draft, editor):
    change_logic(draft, editor)

    approval = approval_now(draft)

    assert approval.needed and not approval.approved
    assert approval.author == editor
    [change] = approval.changes
    assert (change.rule, change.before, change.after) == (
        "everolimus", EVEROLIMUS_CONDITION, BRACKETED_EVEROLIMUS
    )


def test_publishing_is_refused_without_approval_saying_why(draft, editor):
    change_logic(draft, editor)

    with pytest.raises(PublishingError) as refused:
        publish_it(draft, editor)

    assert str(refused.value) == (
        "The draft's logic differs from version 1's in 1 rule and needs the approval of a "
        "second editor, not Erin Evans, who made the last change to it."
    )
    assert statuses()[draft.label] == DRAFT


def test_the_author_cannot_approve_their_own_change(draft, editor):
    change_logic(draft, editor)

    with pytest.raises(PublishingError) as refused:
        approve_logic(draft, approver=editor)

    assert "Erin Evans made the last change to the draft's logic" in str(refused.value)
    draft.refresh_from_db()
    assert draft.logic_approved_by is None


def test_a_second_editor_approves_and_the_draft_is_published_with_the_approval(
    draft, editor, fay
):
    change_logic(draft, editor)

    approve_logic(draft, approver=fay)
    publish_it(draft, editor)

    version = GuidelineVersion.objects.current()
    assert version == draft
    assert version.logic_approved_by == fay
    assert version.logic_approved_at is not None


def test_the_approval_is_in_the_versions_history_with_who_and_when(draft, editor, fay):
    change_logic(draft, editor)

    approve_logic(draft, approver=fay)

    record = draft.history.order_by("history_id").last()
    assert (record.history_user, record.history_change_reason) == (
        fay, "Logic approved by Fay Fischer"
    )
    assert record.logic_approved_by == fay
    assert abs(record.logic_approved_at - record.history_date).total_seconds() < 1


def test_a_later_change_to_the_logic_voids_the_approval(draft, editor, fay):
    change_logic(draft, editor)
    approve_logic(draft, approver=fay)
    change_logic(draft, editor, applies_when=f"({BRACKETED_EVEROLIMUS})", reason="More brackets")

    approval = approval_now(draft)

    assert (approval.approved, approval.voided) == (False, True)
    with pytest.raises(PublishingError) as refused:
        publish_it(draft, editor)
    assert str(refused.value).startswith(
        "The approval of the draft's logic by Fay Fischer was voided by a later change to the "
        "logic."
    )


def test_a_change_made_outside_the_app_voids_the_approval_too(draft, editor, fay):
    # No history records it, but the approval is of the logic as it was approved.
    change_logic(draft, editor)
    approve_logic(draft, approver=fay)
    change_outside_the_app(draft.sections.filter(slug="interferon"), applies_when="false")

    assert approval_now(draft).voided


def test_a_change_to_the_words_only_keeps_the_approval(draft, editor, fay):
    change_logic(draft, editor)
    approve_logic(draft, approver=fay)
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)

    assert approval_now(draft).approved
    publish_it(draft, editor)


def test_the_last_author_is_the_one_who_cannot_approve(draft, editor, fay):
    # Fay changes the logic after Erin: Erin reviews Fay's change, and may approve.
    change_logic(draft, editor)
    change_logic(draft, fay, applies_when=f"({BRACKETED_EVEROLIMUS})")

    with pytest.raises(PublishingError):
        approve_logic(draft, approver=fay)
    approve_logic(draft, approver=editor)

    assert approval_now(draft).approved


def test_a_changed_threshold_on_the_version_needs_approval(draft, editor, fay):
    draft.grading = {**draft.grading, "ki67_percent": {"G1_below": "3", "G3_above": "25"}}
    draft._history_user = fay
    draft.save()

    approval = approval_now(draft)

    assert [change.rule for change in approval.changes] == ["Ki-67 (%): G3 above"]
    assert approval.author == fay


def test_a_removed_section_needs_approval_from_another_editor(draft, editor, fay):
    section = draft.sections.get(slug="overview")
    section._history_user = fay
    section.delete()

    assert approval_now(draft).author == fay
    with pytest.raises(PublishingError):
        approve_logic(draft, approver=fay)


def test_only_an_editor_who_may_publish_approves(draft, editor, alice):
    change_logic(draft, editor)

    with pytest.raises(PublishingError) as refused:
        approve_logic(draft, approver=alice)

    assert str(refused.value) == "Alice Adams may not approve a guideline's logic."


def test_an_inactive_editor_cannot_approve(draft, editor):
    change_logic(draft, editor)
    gone = make_clinician("gary", is_staff=True, is_superuser=True, is_active=False)

    with pytest.raises(PublishingError):
        approve_logic(draft, approver=gone)


def test_nothing_to_approve_is_refused(draft, fay):
    with pytest.raises(PublishingError) as refused:
        approve_logic(draft, approver=fay)

    assert "the same as version 1's: there is nothing to approve" in str(refused.value)


def test_approving_twice_is_refused(draft, editor, fay, root):
    change_logic(draft, editor)
    approve_logic(draft, approver=fay)

    with pytest.raises(PublishingError) as refused:
        approve_logic(draft, approver=root)

    assert str(refused.value) == "The draft's logic is already approved by Fay Fischer."


def test_an_approver_given_when_publishing_is_recorded_first(draft, editor, fay):
    change_logic(draft, editor)

    publish_it(draft, editor, approver=fay)

    version = GuidelineVersion.objects.current()
    assert version.logic_approved_by == fay
    reasons = list(version.history.order_by("history_id").values_list("history_change_reason"))
    assert reasons[-2:] == [("Logic approved by Fay Fischer",), ("Published as version 2",)]


def test_the_author_given_as_approver_when_publishing_is_refused(draft, editor):
    change_logic(draft, editor)

    with pytest.raises(PublishingError) as refused:
        publish_it(draft, editor, approver=editor)

    assert str(refused.value).startswith("Erin Evans made the last change to the draft's logic")
    assert statuses()[draft.label] == DRAFT


def test_only_a_draft_is_approved(draft, editor, fay, version_1):
    with pytest.raises(PublishingError) as refused:
        approve_logic(version_1, approver=fay)

    assert str(refused.value) == "Only a draft's logic can be approved."


def test_the_approval_read_from_the_draft_s_text_is_the_approval_read_afresh(
    draft, editor, fay
):
    # A condition, a warning's detail and a section's own words changed: what the logic is
    # compared on, and what it is not, both taken from the text as from the database.
    change_logic(draft, editor)
    edit(draft.warnings.get(code="regional-nodes"), editor, detail="Nodes: {extent}.")
    everolimus = draft.sections.get(slug="everolimus")
    edit(everolimus, editor, reasons={"extent == \"distant_metastases\"": "spread"})
    approve_logic(draft, approver=fay)
    draft.refresh_from_db()

    afresh, from_text = approval_of(draft), approval_of(draft, content.load(draft))

    assert from_text == afresh
    assert [change.rule for change in from_text.changes] == ["everolimus"]
    assert from_text.approved
    assert logic_document_of(draft, content.load(draft).logic) == draft.logic_document()
