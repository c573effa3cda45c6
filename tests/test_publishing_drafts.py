"""Starting a draft of the guideline (guidance.publishing.start_draft) and discarding one.

A draft copies every section and warning text of the published version, each with its first
history record; there is one draft at a time.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidance.models import GuidelineVersion, ReadOnlyContent, Section, WarningText
from guidance.publishing import PublishingError, discard_draft, start_draft
from tests.drafts import (
    DISCARDED,
    DRAFT,
    NEW_EVEROLIMUS,
    OLD_EVEROLIMUS,
    PUBLISHED,
    RETIRED,
    edit,
    publish_it,
    statuses,
)

pytestmark = pytest.mark.django_db


# --- Starting a draft ---------------------------------------------------------------------


def test_a_draft_is_a_copy_of_every_section_of_the_published_version(draft, version_1):
    fields = ("slug", "group", "heading", "text", "order")
    assert draft.status == DRAFT
    assert draft.based_on == version_1
    assert draft.guideline == version_1.guideline
    assert draft.citation == version_1.citation
    assert list(draft.sections.values_list(*fields)) == list(
        version_1.sections.values_list(*fields)
    )
    assert draft.sections.count() == 16
    # Copies, not the same rows: editing the draft must not touch the published text.
    assert not set(draft.sections.values_list("pk", flat=True)) & set(
        version_1.sections.values_list("pk", flat=True)
    )


def test_a_draft_is_a_copy_of_every_warning_text_of_the_published_version(draft, version_1):
    assert list(draft.warnings.values_list("code", "message")) == list(
        version_1.warnings.values_list("code", "message")
    )
    assert draft.warnings.count() == 15


def test_every_copied_text_starts_its_history_with_the_editor_and_the_reason(draft, editor):
    copies = [*draft.sections.all(), *draft.warnings.all()]
    assert len(copies) == 31
    for copy in copies:
        (row,) = copy.history.all()
        assert row.history_type == "+"
        assert row.history_user == editor
        assert row.history_change_reason == "Correct the everolimus wording"


def test_a_draft_started_without_a_reason_records_where_it_came_from(editor):
    draft = start_draft(editor=editor)
    reasons = set(
        Section.history.filter(version_id=draft.pk).values_list("history_change_reason", flat=True)
    )
    assert reasons == {"Draft started from version 1"}


def test_editing_a_draft_section_records_who_why_and_the_old_and_new_text(draft, editor):
    section = draft.sections.get(slug="everolimus")
    edit(section, editor, "Fix the typo 'is a small'", text=NEW_EVEROLIMUS)

    latest = section.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert latest.history_change_reason == "Fix the typo 'is a small'"
    assert latest.text == NEW_EVEROLIMUS
    assert latest.prev_record.text == OLD_EVEROLIMUS
    assert section.history.count() == 2


def test_a_second_draft_is_refused_while_one_exists(draft, editor):
    with pytest.raises(PublishingError, match="already a draft"):
        start_draft(editor=editor)
    assert GuidelineVersion.objects.filter(status=DRAFT).get() == draft


def test_the_database_itself_refuses_a_second_draft(draft, version_1):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.create(
            guideline=version_1.guideline, label="rogue", status=DRAFT, citation="x"
        )
    assert GuidelineVersion.objects.filter(status=DRAFT).count() == 1


# An abandoned draft blocked every later one (one draft at a time). Discarding sets it
# aside, kept read-only with who, when and why; it is never published and never deleted.


def test_discarding_a_draft_keeps_it_as_a_record_with_who_when_and_why(draft, editor, version_1):
    before = timezone.now()

    discard_draft(draft, editor=editor, reason="  Superseded by the 2025 guideline  ")

    draft.refresh_from_db()
    assert draft.status == DISCARDED
    assert draft.discarded_by == editor
    assert before <= draft.discarded_at <= timezone.now()
    assert draft.discard_reason == "Superseded by the 2025 guideline"
    assert draft.published_at is None
    assert GuidelineVersion.objects.current() == version_1
    # Its texts and their history stay.
    assert draft.sections.count() == 16
    assert draft.warnings.count() == 15
    assert Section.history.filter(version_id=draft.pk).count() == 16


def test_after_a_draft_is_discarded_a_new_one_can_be_started_and_published(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")

    second = start_draft(editor=editor)
    publish_it(second, editor)

    assert statuses() == {"1": RETIRED, draft.label: DISCARDED, "2": PUBLISHED}
    # A third draft after a second discarded one: discarded drafts never count as drafts.
    discard_draft(start_draft(editor=editor), editor=editor, reason="Abandoned too")
    assert start_draft(editor=editor).is_draft
    assert GuidelineVersion.objects.filter(status=DISCARDED).count() == 2


def test_the_texts_of_a_discarded_draft_cannot_be_edited(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")
    section = Section.objects.get(version=draft, slug="everolimus")

    with pytest.raises(ReadOnlyContent, match="is discarded"):
        edit(section, editor, text=NEW_EVEROLIMUS)
    with pytest.raises(ReadOnlyContent, match="is discarded"):
        edit(WarningText.objects.get(version=draft, code="regional-nodes"), editor, message="x")
    assert Section.objects.get(pk=section.pk).text == OLD_EVEROLIMUS


def test_a_discarded_draft_cannot_be_published(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")

    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(draft, editor)
    assert GuidelineVersion.objects.get(pk=draft.pk).status == DISCARDED


def test_only_a_draft_can_be_discarded(draft, editor, version_1):
    with pytest.raises(PublishingError, match="Only a draft"):
        discard_draft(version_1, editor=editor, reason="Mistake")
    discard_draft(draft, editor=editor, reason="Abandoned")
    with pytest.raises(PublishingError, match="Only a draft"):
        discard_draft(draft, editor=editor, reason="Twice")
    assert GuidelineVersion.objects.get(pk=version_1.pk).status == PUBLISHED
    assert GuidelineVersion.objects.get(pk=draft.pk).discard_reason == "Abandoned"


def test_a_draft_is_not_discarded_without_a_reason(draft, editor):
    with pytest.raises(PublishingError, match="reason"):
        discard_draft(draft, editor=editor, reason="   ")
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.discarded_by is None
