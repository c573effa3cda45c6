"""Readable differences: between two texts (word_diff) and two guideline versions.

The admin shows these diffs as HTML, so both texts must be escaped: an editor's text (or
an old version's) must never be able to inject markup into the page that compares them.
"""

from __future__ import annotations

import pytest
from django.utils.safestring import SafeString

from guidance.diff import compare_about_the_source, compare_versions, word_diff
from guidance.models import GuidelineVersion, Section, WarningText
from guidance.publishing import start_draft
from tests.factories import (
    HEADED_SECTION,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    SOURCE_HEADING,
    publish_noted_version,
)

# --- word_diff ----------------------------------------------------------------------------


def test_a_replaced_word_is_struck_through_and_the_new_one_marked():
    assert (
        word_diff("Everolimus may slow progression", "Everolimus can slow progression")
        == "Everolimus <del>may</del><ins>can</ins> slow progression"
    )


def test_added_words_are_marked_as_insertions():
    assert word_diff("Octreotide helps.", "Octreotide helps. Lanreotide too.") == (
        "Octreotide helps.<ins> Lanreotide too.</ins>"
    )


def test_removed_words_are_marked_as_deletions():
    assert word_diff("Interferon has been used in the past.", "Interferon has been used.") == (
        "Interferon has been <del>used in the past.</del><ins>used.</ins>"
    )
    assert word_diff("Radiotherapy may help", "may help") == "<del>Radiotherapy </del>may help"


def test_equal_texts_come_back_unchanged_without_markup():
    text = "Localised tumours should be managed with curative surgical excision."
    result = word_diff(text, text)
    assert result == text
    assert "<ins>" not in result
    assert "<del>" not in result


def test_the_diff_is_safe_html_for_a_template():
    assert isinstance(word_diff("a", "b"), SafeString)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Plain text.", 'Plain text. <script>alert("new")</script>'),
        ('<script>alert("old")</script> Plain text.', "Plain text."),
        ("<script>same</script>", "<script>same</script>"),
    ],
    ids=["in-the-new-text", "in-the-old-text", "in-both-unchanged"],
)
def test_html_in_either_text_is_escaped(old, new):
    result = word_diff(old, new)
    assert "<script>" not in result
    assert "&lt;script&gt;" in result


def test_markup_outside_the_diff_tags_is_escaped_too():
    result = word_diff('<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>')
    without_diff_tags = (
        result.replace("<ins>", "").replace("</ins>", "").replace("<del>", "").replace("</del>", "")
    )
    assert "<" not in without_diff_tags
    assert ">" not in without_diff_tags
    assert "&lt;img" in result
    assert "&lt;a" in result


def test_an_emptied_text_is_all_deleted_and_a_new_text_all_inserted():
    assert word_diff("Old words", "") == "<del>Old words</del>"
    assert word_diff("", "New words") == "<ins>New words</ins>"


# --- compare_versions ---------------------------------------------------------------------


@pytest.fixture
def versions(editor):
    """Version 1 and a draft with one of each kind of change:

    sections: everolimus text changed, curative-excision heading changed, overview removed,
    follow-up added; warnings: regional-nodes changed, ssr-negative removed, a new one added.
    """
    old = GuidelineVersion.objects.current()
    draft = start_draft(editor=editor, reason="Review")

    everolimus = draft.sections.get(slug="everolimus")
    everolimus.text = everolimus.text.replace("is a small", "in a small")
    everolimus.save()
    curative = draft.sections.get(slug="curative-excision")
    curative.heading = "Localised tumours: curative surgery"
    curative.save()
    draft.sections.get(slug="overview").delete()
    Section.objects.create(
        version=draft, slug="follow-up", heading="Follow-up", text="Review yearly.", order=170
    )

    regional = draft.warnings.get(code="regional-nodes")
    regional.message = "Regional nodal disease is treated as resectable."
    regional.save()
    WarningText.objects.filter(version=draft, code="ssr-negative").delete()
    WarningText.objects.create(version=draft, code="new-warning", message="Check the dose.")
    return old, draft


def by_key(rows, kind):
    return {row["key"]: row for row in rows if row["kind"] == kind}


def test_compare_versions_classifies_every_section(versions):
    old, draft = versions
    sections = by_key(compare_versions(old, draft), "section")

    changed = {key: row["change"] for key, row in sections.items() if row["change"] != "unchanged"}
    assert changed == {
        "everolimus": "changed",
        "curative-excision": "changed",  # a heading counts: it is part of what is read
        "overview": "removed",
        "follow-up": "added",
    }
    assert len(sections) == 17  # 16 in version 1, plus the added one
    assert sum(row["change"] == "unchanged" for row in sections.values()) == 13


def test_compare_versions_classifies_every_warning(versions):
    old, draft = versions
    warnings = by_key(compare_versions(old, draft), "warning")

    changed = {key: row["change"] for key, row in warnings.items() if row["change"] != "unchanged"}
    assert changed == {
        "regional-nodes": "changed",
        "ssr-negative": "removed",
        "new-warning": "added",
    }
    assert len(warnings) == 16
    assert sum(row["change"] == "unchanged" for row in warnings.values()) == 13


def test_compare_versions_shows_each_change_as_a_word_diff(versions):
    old, draft = versions
    rows = compare_versions(old, draft)
    sections, warnings = by_key(rows, "section"), by_key(rows, "warning")

    assert "<del>is</del><ins>in</ins>" in sections["everolimus"]["diff"]
    assert sections["curative-excision"]["diff"].startswith(
        "Localised tumours: curative <del>surgical excision</del><ins>surgery</ins>\n\n"
    )
    assert sections["follow-up"]["diff"] == "<ins>Follow-up\n\nReview yearly.</ins>"
    assert sections["overview"]["diff"].startswith("<del>Overview")
    assert "<ins>" not in sections["overview"]["diff"]
    assert warnings["new-warning"]["diff"] == "<ins>Check the dose.</ins>"
    assert "<" not in sections["interferon"]["diff"]  # unchanged: no markup at all


def test_compare_versions_lists_the_old_order_then_the_additions(versions):
    old, draft = versions
    rows = compare_versions(old, draft)

    kinds = [row["kind"] for row in rows]
    assert kinds == sorted(kinds, key=["section", "warning"].index)  # sections first
    section_keys = [row["key"] for row in rows if row["kind"] == "section"]
    assert section_keys[:-1] == list(old.sections.values_list("slug", flat=True))
    assert section_keys[-1] == "follow-up"


def test_a_version_compared_with_itself_is_all_unchanged(db):
    version = GuidelineVersion.objects.current()
    rows = compare_versions(version, version)
    assert len(rows) == 16 + 15
    assert {row["change"] for row in rows} == {"unchanged"}
    assert not any("<ins>" in row["diff"] or "<del>" in row["diff"] for row in rows)


def test_compare_versions_escapes_html_a_draft_introduced(editor):
    old = GuidelineVersion.objects.current()
    draft = start_draft(editor=editor)
    section = draft.sections.get(slug="interferon")
    section.text += " <script>alert(1)</script>"
    section.save()

    (row,) = [r for r in compare_versions(old, draft) if r["key"] == "interferon"]

    assert row["change"] == "changed"
    assert "<script>" not in row["diff"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row["diff"]


# --- Whose words, in the comparison ----------------------------------------------------------


def test_a_text_made_a_note_is_changed_with_what_it_rests_on_inserted(editor):
    old = GuidelineVersion.objects.current()
    version_2 = publish_noted_version(editor)

    rows = compare_versions(old, version_2)

    sections, warnings = by_key(rows, "section"), by_key(rows, "warning")
    assert sections[NOTE_SECTION]["change"] == "changed"
    assert sections[NOTE_SECTION]["diff"].endswith(
        f"<ins>\n\nNET Advisor note, resting on: {NOTE_CITATION}</ins>"
    )
    assert sections[HEADED_SECTION]["diff"].endswith(
        f"<ins>\n\nIn the source under: {SOURCE_HEADING}</ins>"
    )
    assert warnings[NOTE_WARNING]["change"] == "changed"
    assert sum(row["change"] == "changed" for row in rows) == 3


def test_what_two_versions_say_of_their_source_is_compared_part_by_part(editor):
    old = GuidelineVersion.objects.current()
    version_2 = publish_noted_version(editor)

    rows = compare_about_the_source(old, version_2)

    assert [(row["key"], row["change"]) for row in rows] == [
        ("Title", "changed"),
        ("What the source is", "changed"),
        ("What the source does not cover", "changed"),
    ]
    assert rows[1]["diff"].startswith("<ins>An undated")
    assert "&lt;script&gt;" in rows[1]["diff"]
    assert {row["change"] for row in compare_about_the_source(old, old)} == {"unchanged"}
