"""Whose words each text is (guidance.models): a section's or warning's voice and citation, a
quote's source heading, and what a version says of its source; a note never without what
it rests on, whatever the path, and a published version's words a record.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guidance.models import (
    NOTE_WITHOUT_CITATION,
    GuidelineVersion,
    ReadOnlyContent,
    Section,
    Voice,
    WarningText,
)
from guidance.publishing import approval_of, start_draft
from tests.drafts import edit
from tests.factories import (
    ABOUT_SOURCE,
    GUIDELINE_TITLE,
    HEADED_SECTION,
    NOT_COVERED,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    SOURCE_HEADING,
    VERSION_TITLE,
    publish_noted_version,
)

pytestmark = pytest.mark.django_db

# A section and a warning text, each with the key it is found by.
TEXTS = [(Section, NOTE_SECTION), (WarningText, NOTE_WARNING)]


# --- Version 1, as migration 0015 left it ---------------------------------------------------


def test_every_text_of_version_1_is_the_sources_with_no_citation_of_its_own(version_1):
    assert set(version_1.sections.values_list("voice", "citation", "source_heading")) == {
        ("guideline", "", "")
    }
    assert set(version_1.warnings.values_list("voice", "citation")) == {("guideline", "")}


def test_version_1_says_nothing_of_its_source_beyond_its_citation_and_takes_the_guidelines_title(
    version_1,
):
    assert (version_1.title, version_1.about_source, version_1.not_covered) == ("", "", "")
    assert version_1.effective_title == GUIDELINE_TITLE
    assert str(version_1) == f"{GUIDELINE_TITLE}, version 1 (Published)"


def test_the_voices_are_the_source_guideline_and_net_advisors_note():
    assert Voice.choices == [
        ("guideline", "Source guideline, quoted verbatim"),
        ("note", "NET Advisor note"),
    ]
    assert Section._meta.get_field("voice").default == Voice.GUIDELINE
    assert WarningText._meta.get_field("voice").default == Voice.GUIDELINE


# --- A note cites what it rests on ------------------------------------------------------------


@pytest.mark.parametrize(("model", "key"), TEXTS, ids=["section", "warning"])
@pytest.mark.parametrize("citation", ["", "   "], ids=["empty", "blank"])
def test_a_note_without_a_citation_is_an_error_on_the_citation(draft, model, key, citation):
    row = model.objects.get(version=draft, **{model.key_field: key})
    row.voice, row.citation = Voice.NOTE, citation

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert refused.value.message_dict == {"citation": [NOTE_WITHOUT_CITATION]}


def test_a_missing_citation_is_said_with_the_other_fields_problems_at_once(draft):
    section = draft.sections.get(slug=NOTE_SECTION)
    section.voice, section.citation, section.heading = Voice.NOTE, "", "x" * 201

    with pytest.raises(ValidationError) as refused:
        section.full_clean()

    assert set(refused.value.message_dict) == {"citation", "heading"}
    assert refused.value.message_dict["citation"] == [NOTE_WITHOUT_CITATION]


def test_a_missing_citation_is_said_with_a_problem_of_the_logic_at_once(draft):
    section = draft.sections.get(slug=NOTE_SECTION)
    section.voice, section.citation = Voice.NOTE, ""
    section.applies_when = 'extent == "distant_metastases" and sise_mm > 1'

    with pytest.raises(ValidationError) as refused:
        section.full_clean()

    assert set(refused.value.message_dict) == {"citation", "applies_when"}
    assert "sise_mm" in " ".join(refused.value.message_dict["applies_when"])


def test_an_unknown_voice_is_an_error_on_the_voice(draft):
    warning = draft.warnings.get(code=NOTE_WARNING)
    warning.voice = "editorial"

    with pytest.raises(ValidationError) as refused:
        warning.full_clean()

    assert list(refused.value.message_dict) == ["voice"]


@pytest.mark.parametrize(("model", "key"), TEXTS, ids=["section", "warning"])
def test_save_refuses_a_note_without_a_citation_whatever_the_path(draft, editor, model, key):
    row = model.objects.get(version=draft, **{model.key_field: key})
    recorded = row.history.count()

    with pytest.raises(ValidationError) as refused:
        edit(row, editor, voice=Voice.NOTE, citation="")

    assert refused.value.message_dict == {"citation": [NOTE_WITHOUT_CITATION]}
    assert model.objects.filter(pk=row.pk, voice=Voice.GUIDELINE).exists()
    assert row.history.count() == recorded


def test_a_note_with_its_citation_is_saved_and_recorded_with_who_and_why(draft, editor):
    section = draft.sections.get(slug=NOTE_SECTION)

    edit(section, editor, "Not the source's words", voice=Voice.NOTE, citation=NOTE_CITATION)

    record = section.history.latest()
    assert (record.voice, record.citation, record.history_user, record.history_change_reason) == (
        "note",
        NOTE_CITATION,
        editor,
        "Not the source's words",
    )


def test_a_change_of_voice_is_a_change_of_the_words_needing_no_approval_of_the_logic(
    draft, editor
):
    edit(draft.sections.get(slug=NOTE_SECTION), editor, voice=Voice.NOTE, citation=NOTE_CITATION)
    edit(draft.warnings.get(code=NOTE_WARNING), editor, voice=Voice.NOTE, citation=NOTE_CITATION)
    edit(draft.sections.get(slug=HEADED_SECTION), editor, source_heading=SOURCE_HEADING)

    assert not approval_of(draft).needed


def test_the_voice_of_a_published_text_cannot_change(version_1, editor):
    section = version_1.sections.get(slug=NOTE_SECTION)

    with pytest.raises(ReadOnlyContent):
        edit(section, editor, voice=Voice.NOTE, citation=NOTE_CITATION)
    with pytest.raises(ReadOnlyContent):
        WarningText.objects.filter(version=version_1).update(citation=NOTE_CITATION)

    assert not Section.objects.filter(voice=Voice.NOTE).exists()
    assert not WarningText.objects.exclude(citation="").exists()


# --- What a version says of its source ---------------------------------------------------------


def test_a_drafts_words_about_its_source_can_change(draft, editor):
    draft.title, draft.about_source, draft.not_covered = VERSION_TITLE, ABOUT_SOURCE, NOT_COVERED
    draft._history_user = editor
    draft.save()

    draft.refresh_from_db()
    assert draft.effective_title == VERSION_TITLE
    assert (draft.history.latest().about_source, draft.history.latest().not_covered) == (
        ABOUT_SOURCE,
        NOT_COVERED,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", VERSION_TITLE), ("about_source", ABOUT_SOURCE), ("not_covered", NOT_COVERED)],
)
def test_a_published_versions_words_about_its_source_are_a_record(version_1, field, value):
    setattr(version_1, field, value)

    with pytest.raises(ReadOnlyContent, match="what it says of its source cannot change"):
        version_1.save()
    with pytest.raises(ReadOnlyContent):
        GuidelineVersion.objects.filter(pk=version_1.pk).update(**{field: value})

    version_1.refresh_from_db()
    assert getattr(version_1, field) == ""


# --- A draft copies them -----------------------------------------------------------------------


def test_a_draft_copies_every_voice_citation_source_heading_and_what_its_version_says(editor):
    version_2 = publish_noted_version(editor)

    draft = start_draft(editor=editor)

    fields = ("slug", "voice", "citation", "source_heading")
    assert list(draft.sections.order_by("slug").values_list(*fields)) == list(
        version_2.sections.order_by("slug").values_list(*fields)
    )
    fields = ("code", "voice", "citation")
    assert list(draft.warnings.order_by("code").values_list(*fields)) == list(
        version_2.warnings.order_by("code").values_list(*fields)
    )
    assert (draft.title, draft.about_source, draft.not_covered) == (
        VERSION_TITLE,
        ABOUT_SOURCE,
        NOT_COVERED,
    )
    assert draft.sections.get(slug=NOTE_SECTION).voice == "note"
    assert draft.sections.get(slug=HEADED_SECTION).source_heading == SOURCE_HEADING
