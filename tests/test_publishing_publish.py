"""Publishing a draft (guidance.publishing.publish): the draft becomes the published version,
the previous one is retired, all or nothing; what new and old cases then show.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidance import content, recommendation
from guidance.models import Case, GuidelineVersion, ReferenceCase, Section
from guidance.publishing import PublishingError, approve_logic
from tests.drafts import (
    DRAFT,
    METASTATIC,
    NEW_EVEROLIMUS,
    OLD_EVEROLIMUS,
    PUBLISHED,
    RETIRED,
    edit,
    publish_it,
    statuses,
)
from tests.factories import case_facts, make_case

pytestmark = pytest.mark.django_db


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_makes_the_draft_the_published_version_with_its_record(draft, editor, version_1):
    before = timezone.now()
    results = publish_it(draft, editor, label="2", change_summary="Everolimus: corrected wording.")

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.label == "2"
    assert draft.change_summary == "Everolimus: corrected wording."
    assert draft.published_by == editor
    assert before <= draft.published_at <= timezone.now()
    # What the reference cases gave is kept with the version, one entry per case.
    assert len(results) == 14
    assert draft.reference_results == [asdict(result) for result in results]
    assert {row["title"] for row in draft.reference_results} == set(
        ReferenceCase.objects.values_list("title", flat=True)
    )
    assert all(row["passed"] for row in draft.reference_results)
    assert draft.accepted_failures_reason == ""


def test_publishing_retires_the_previous_version_and_leaves_one_published(draft, editor):
    publish_it(draft, editor)

    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    assert GuidelineVersion.objects.current() == draft
    # The retired version is still whole and readable.
    assert GuidelineVersion.objects.get(label="1").sections.count() == 16


def test_the_database_itself_refuses_two_published_versions(draft, editor):
    publish_it(draft, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.filter(label="1").update(status=PUBLISHED)
    assert GuidelineVersion.objects.published().count() == 1


def test_after_publishing_new_recommendations_quote_the_new_text(draft, editor):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    publish_it(draft, editor)

    shown = recommendation.build(facts=case_facts(**METASTATIC), text=content.published())
    texts = {item["section"]: item["text"] for item in shown["recommendations"]}
    assert texts["everolimus"] == NEW_EVEROLIMUS
    assert shown["guideline"]["version"] == "2"


def test_a_case_saved_before_publishing_keeps_its_text_and_its_version(
    draft, editor, alice, version_1
):
    saved = make_case(alice, **METASTATIC)
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    publish_it(draft, editor)

    saved = Case.objects.select_related("guideline_version").get(pk=saved.pk)
    assert saved.guideline_version == version_1
    assert saved.guideline_version.status == RETIRED
    texts = {item["section"]: item["text"] for item in saved.snapshot["recommendations"]}
    assert texts["everolimus"] == OLD_EVEROLIMUS
    assert saved.snapshot["guideline"]["version"] == "1"
    # A case saved now records the new version and its text.
    fresh = make_case(alice, **METASTATIC)
    assert fresh.guideline_version == draft
    assert NEW_EVEROLIMUS in [item["text"] for item in fresh.snapshot["recommendations"]]


def test_publishing_is_all_or_nothing_when_it_fails_after_retiring_the_old_version(
    draft, editor, version_1, monkeypatch
):
    """The failure comes at the last write, after the old version was retired inside the
    transaction: the retirement must be rolled back with it."""
    original_save = GuidelineVersion.save
    seen_during_publish = []

    def save_fails_for_the_draft(self, *args, **kwargs):
        if self.pk == draft.pk:
            seen_during_publish.append(
                GuidelineVersion.objects.values_list("status", flat=True).get(pk=version_1.pk)
            )
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(GuidelineVersion, "save", save_fails_for_the_draft)
    with pytest.raises(RuntimeError, match="went away"):
        publish_it(draft, editor)

    assert seen_during_publish == [RETIRED]  # the failure really came after the retire step
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}
    draft.refresh_from_db()
    assert draft.published_at is None
    assert draft.published_by is None
    assert draft.reference_results == []


def test_publish_refuses_a_version_that_is_not_a_draft(draft, editor, version_1):
    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(version_1, editor, label="1b")
    publish_it(draft, editor)
    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(version_1, editor, label="3")  # now retired
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}


def test_publish_refuses_a_label_that_already_exists(draft, editor):
    with pytest.raises(PublishingError, match="Version 1 already exists"):
        publish_it(draft, editor, label="1")
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_publish_refuses_a_draft_missing_a_section_its_exclusions_name(draft, editor):
    # The model refuses to delete an engine section; a queryset delete goes round it.
    Section.objects.filter(version=draft, slug="lymph-node-dissection").delete()

    with pytest.raises(PublishingError, match="no section for: lymph-node-dissection"):
        publish_it(draft, editor)
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_publish_refuses_a_draft_whose_logic_does_not_compile(draft, editor):
    # somatostatin-analogue is named by two warnings' conditions, not by an exclusion.
    Section.objects.filter(version=draft, slug="somatostatin-analogue").delete()

    with pytest.raises(PublishingError, match="logic does not compile: warning ssa-insulinoma"):
        publish_it(draft, editor)
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_a_draft_without_the_overview_can_be_published(draft, editor, fay):
    # "overview" is not an engine slug: the draft may drop it. A section removed is a change
    # to the logic (its condition goes with it): a second editor approves it.
    draft.sections.get(slug="overview").delete()
    approve_logic(draft, approver=fay)
    publish_it(draft, editor)
    assert GuidelineVersion.objects.current() == draft
