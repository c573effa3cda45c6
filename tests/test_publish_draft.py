"""``manage.py publish_draft``: the draft published through exactly the gates of the admin's
publish page (guidance.publishing.publish), or refused with a non-zero exit saying why and
where: each failing reference case, each change to the gate."""

from __future__ import annotations

import pytest

from guidance.models import GuidelineVersion, ReferenceCase
from guidance.publishing import PublishingError, publish
from tests.commands import manage
from tests.drafts import (
    DRAFT,
    METASTATIC_CASE,
    PUBLISHED,
    RETIRED,
    change_logic,
    edit,
    statuses,
    wrong_reference_case,
)

pytestmark = pytest.mark.django_db

SUMMARY = "Everolimus: corrected wording."


def publish_draft(*extra: str, label: str = "2", editor: str = "erin"):
    return manage(
        "publish_draft", "--label", label, "--summary", SUMMARY, "--editor", editor, *extra
    )


def test_the_draft_is_published_with_its_record(draft, editor):
    ran = publish_draft()

    assert ran.status == 0, ran.err
    assert "Version 2 is published: 14 of 14 reference cases pass." in ran.out
    draft.refresh_from_db()
    assert (draft.status, draft.label, draft.change_summary, draft.published_by) == (
        PUBLISHED,
        "2",
        SUMMARY,
        editor,
    )
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    assert len(draft.reference_results) == 14


def test_a_failing_reference_case_refuses_naming_the_case_and_what_fails(draft, editor):
    case = wrong_reference_case()

    ran = publish_draft()

    assert ran.status == 1
    assert "The draft was not published. 1 reference case(s) fail" in ran.err
    assert (
        f"reference case failing: {case.title}: section local-excision is missing; "
        "section lymph-node-dissection is not expected"
    ) in ran.err
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_the_refusal_is_publishings_own(draft, editor):
    wrong_reference_case()
    with pytest.raises(PublishingError) as refused:
        publish(draft, editor=editor, label="2", change_summary=SUMMARY)

    ran = publish_draft()

    assert str(refused.value) in ran.err


def test_logic_that_leaves_cases_without_advice_is_refused_whatever_the_reason(draft, editor):
    for slug in ("curative-excision", "lymph-node-dissection"):
        edit(draft.sections.get(slug=slug), editor, applies_when="false", reasons={})

    ran = publish_draft("--accept-failures", "No reason accepts this.")

    assert ran.status == 1
    assert "The exhaustive check of the draft's logic fails" in ran.err
    (line,) = [line for line in ran.err.splitlines() if "exhaustive check, " in line]
    assert "For example: " in line
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_failures_are_accepted_with_a_recorded_reason(draft, editor):
    case = wrong_reference_case()

    ran = publish_draft("--accept-failures", "Expectation under review by the MDT.")

    assert ran.status == 0, ran.err
    assert "Version 2 is published: 14 of 15 reference cases pass." in ran.out
    assert f"accepted: {case.title}" in ran.out
    draft.refresh_from_db()
    assert draft.accepted_failures_reason == "Expectation under review by the MDT."


def test_a_reference_case_changed_since_the_draft_was_started_needs_a_reason(draft, editor):
    case = ReferenceCase.objects.get(title=METASTATIC_CASE)
    case.is_active = False
    case.save()

    ran = publish_draft()

    assert ran.status == 1
    assert f"reference case deactivated since the draft was started: {case.title}" in ran.err
    assert publish_draft("--accept-failures", "Retired at the MDT.").status == 0


def test_a_label_already_used_is_refused(draft, editor):
    ran = publish_draft(label="1")

    assert ran.status == 1
    assert "Version 1 already exists." in ran.err
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_without_a_draft_there_is_nothing_to_publish(version_1, editor):
    ran = publish_draft()

    assert ran.status == 1
    assert "There is no draft to publish." in ran.err


def test_only_an_editor_who_may_publish_can(draft, alice):
    ran = publish_draft(editor="alice")

    assert ran.status == 1
    assert "alice may not publish a guideline version." in ran.err
    assert publish_draft(editor="nobody").status == 1
    assert GuidelineVersion.objects.get(pk=draft.pk).status == DRAFT


def test_the_label_summary_and_editor_are_required(draft):
    ran = manage("publish_draft", "--label", "2")

    assert ran.status != 0
    assert "--summary" in ran.err and "--editor" in ran.err
    assert GuidelineVersion.objects.get(pk=draft.pk).status == DRAFT


def test_a_changed_logic_is_refused_without_an_approver_saying_why(draft, editor):
    change_logic(draft, editor)

    ran = publish_draft()

    assert ran.status == 1
    assert (
        "The draft was not published. The draft's logic differs from version 1's in 1 rule "
        "and needs the approval of a second editor, not Erin Evans, who made the last change "
        "to it."
    ) in ran.err
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_the_approver_is_recorded_with_the_version(draft, editor, fay):
    change_logic(draft, editor)

    ran = publish_draft("--approver", "fay")

    assert ran.status == 0, ran.err
    version = GuidelineVersion.objects.get(label="2")
    assert (version.status, version.logic_approved_by) == (PUBLISHED, fay)


def test_the_author_of_the_change_as_approver_is_refused(draft, editor):
    change_logic(draft, editor)

    ran = publish_draft("--approver", "erin")

    assert ran.status == 1
    assert "Erin Evans made the last change to the draft's logic: a second editor" in ran.err
    assert statuses()[draft.label] == DRAFT


def test_an_approver_who_may_not_publish_is_refused(draft, editor, alice):
    change_logic(draft, editor)

    ran = publish_draft("--approver", "alice")

    assert ran.status == 1
    assert "Alice Adams may not approve a guideline's logic." in ran.err


def test_an_unknown_approver_is_refused(draft, editor):
    ran = publish_draft("--approver", "nobody")

    assert (ran.status, ran.err) == (1, "CommandError: There is no active user 'nobody'.\n")
