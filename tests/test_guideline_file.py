"""A guideline version as one JSON document (guidance.guideline_file): what export() writes,
what read() accepts, and every problem it refuses a file for, at once, with where."""

from __future__ import annotations

import json

import pytest

from guidance import guideline_file, publishing
from guidance.guideline_file import FileRefused
from guidance.models import NOTE_WITHOUT_CITATION, GuidelineVersion, Section, WarningText
from tests.advice import version_1_document
from tests.factories import (
    ABOUT_SOURCE,
    HEADED_SECTION,
    NOT_COVERED,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    OUTSIDE_CHOICES_CONDITION,
    SOURCE_HEADING,
    TYPO_CONDITION,
    UNKNOWN_SECTION_CONDITION,
    VERSION_TITLE,
    changed_document,
    guideline_document,
    noted_document,
    noted_draft,
    publish_noted_version,
)

pytestmark = pytest.mark.django_db

FROZEN_LOGIC = version_1_document()


def refusal(document) -> list[tuple[str, str]]:
    """(where, field) of every problem read() finds in ``document``."""
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(FileRefused) as refused:
        guideline_file.read(text)
    return [(problem.where, problem.field) for problem in refused.value.problems]


def messages(document) -> str:
    with pytest.raises(FileRefused) as refused:
        guideline_file.read(json.dumps(document))
    return str(refused.value)


# --- What export() writes ---------------------------------------------------------------------


def test_the_document_has_the_keys_of_the_format_in_order(version_1):
    document = guideline_file.export(version_1)

    assert list(document) == [
        "guideline", "version", "grading", "category", "sections", "warnings", "exclusive",
    ]
    assert document["guideline"] == {
        "title": version_1.guideline.title,
        "slug": "gep-net-management",
    }
    assert document["version"] == {
        "label": "1",
        "citation": version_1.citation,
        "about_source": "",
        "not_covered": "",
    }
    assert {tuple(section) for section in document["sections"]} == {
        (
            "slug", "group", "heading", "source_heading", "voice", "citation", "text", "order",
            "applies_when", "reasons",
        )
    }
    assert {tuple(warning) for warning in document["warnings"]} == {
        ("code", "message", "voice", "citation", "applies_when", "detail")
    }


def test_version_1_exports_the_frozen_logic_of_the_migration(version_1):
    document = guideline_file.export(version_1)

    assert document["grading"] == FROZEN_LOGIC["grading"]
    assert document["category"] == FROZEN_LOGIC["category"]
    assert document["exclusive"] == FROZEN_LOGIC["exclusive"]
    sections = {section["slug"]: section for section in document["sections"]}
    for rule in FROZEN_LOGIC["sections"]:
        assert (sections[rule["slug"]]["applies_when"], sections[rule["slug"]]["reasons"]) == (
            rule["applies_when"],
            rule["reasons"],
        )
    assert sections["overview"]["applies_when"] == "false"  # the introduction never applies
    # The warnings in the order they are shown: the frozen file's.
    assert [warning["code"] for warning in document["warnings"]] == [
        rule["code"] for rule in FROZEN_LOGIC["warnings"]
    ]
    for warning, rule in zip(document["warnings"], FROZEN_LOGIC["warnings"], strict=True):
        assert (warning["applies_when"], warning["detail"]) == (
            rule["applies_when"],
            rule["detail"],
        )


def test_the_sections_are_in_guideline_order_with_their_text(version_1):
    document = guideline_file.export(version_1)

    assert [section["slug"] for section in document["sections"]] == list(
        version_1.sections.order_by("order").values_list("slug", flat=True)
    )
    everolimus = next(s for s in document["sections"] if s["slug"] == "everolimus")
    assert everolimus["text"] == version_1.sections.get(slug="everolimus").text


def test_the_file_is_utf8_json_with_the_words_as_written(version_1):
    text = guideline_file.dumps(guideline_file.export(version_1))

    assert "–" in text  # an en dash of a warning's text, not \u2013
    assert json.loads(text) == guideline_file.export(version_1)


# --- What read() accepts ----------------------------------------------------------------------


def test_reading_a_versions_file_gives_back_its_content(version_1):
    content = guideline_file.read(json.dumps(guideline_document(version_1)))

    assert content == publishing.content_of(version_1)


def test_a_warning_takes_its_place_in_the_list_as_its_order(version_1):
    document = guideline_document(version_1)
    document["warnings"].reverse()

    content = guideline_file.read(json.dumps(document))

    assert [row["code"] for row in content["warnings"]] == [
        row["code"] for row in document["warnings"]
    ]
    assert [row["order"] for row in content["warnings"]] == list(range(1, 16))


def test_reasons_and_detail_may_be_left_out(version_1):
    document = changed_document(
        guideline_document(version_1),
        sections={"everolimus": {"reasons": None}},
        warnings={"regional-nodes": {"detail": None}},
    )

    content = guideline_file.read(json.dumps(document))

    everolimus = next(row for row in content["sections"] if row["slug"] == "everolimus")
    regional = next(row for row in content["warnings"] if row["code"] == "regional-nodes")
    assert (everolimus["reasons"], regional["detail"]) == ({}, None)


# --- What read() refuses, every problem at once -----------------------------------------------


def test_every_problem_in_the_file_is_listed_at_once_each_with_where(version_1):
    document = changed_document(
        guideline_document(version_1),
        sections={
            "local-excision": {"applies_when": TYPO_CONDITION},
            "everolimus": {"heading": "x" * 201},
            "interferon": {"text": None},
        },
        warnings={
            "ssr-negative": {"applies_when": OUTSIDE_CHOICES_CONDITION},
            "local-excision-size": {"applies_when": UNKNOWN_SECTION_CONDITION},
        },
    )
    document["exclusive"].append(["local-excision", "no-such-section"])

    problems = refusal(document)

    wheres = {where for where, _ in problems}
    assert {
        ("section local-excision", "applies_when"),
        ("section everolimus", "heading"),
        ("section interferon", "text"),
        ("warning ssr-negative", "applies_when"),
        ("warning local-excision-size", "applies_when"),
    } <= set(problems)
    assert any(where.startswith("exclusive") for where in wheres)
    text = messages(document)
    assert "sise_mm" in text
    assert "rectal" in text
    assert "local-exision" in text
    assert "no-such-section" in text


def test_keys_missing_or_not_of_the_format_are_each_named(version_1):
    document = changed_document(
        guideline_document(version_1),
        sections={"everolimus": {"applies_when": None, "colour": "red"}},
        warnings={"net-g3": {"message": None}},
    )
    del document["exclusive"]
    document["extras"] = []

    problems = refusal(document)

    assert {
        ("file", "exclusive"),
        ("file", "extras"),
        ("section everolimus", "applies_when"),
        ("section everolimus", "colour"),
        ("warning net-g3", "message"),
    } <= set(problems)


def test_a_slug_or_code_given_twice_is_refused(version_1):
    document = guideline_document(version_1)
    document["sections"].append(dict(document["sections"][-1]))
    document["warnings"].append(dict(document["warnings"][0]))

    problems = refusal(document)

    assert ("section poorly-differentiated", "slug") in problems
    assert ("warning grade-unknown", "code") in problems


def test_wrong_json_types_are_refused_on_their_field(version_1):
    document = changed_document(
        guideline_document(version_1),
        sections={
            "everolimus": {"order": "14", "heading": ["Everolimus"], "reasons": ["a reason"]},
            "interferon": {"applies_when": True},
        },
        warnings={"net-g3": {"detail": 3}},
    )

    problems = refusal(document)

    assert {
        ("section everolimus", "order"),
        ("section everolimus", "heading"),
        ("section everolimus", "reasons"),
        ("section interferon", "applies_when"),
        ("warning net-g3", "detail"),
    } <= set(problems)


def test_a_section_without_a_slug_is_named_by_its_place(version_1):
    document = guideline_document(version_1)
    document["sections"][2]["slug"] = ""
    document["sections"][3] = "not an object"

    problems = refusal(document)

    assert ("sections[2]", "slug") in problems
    assert ("sections[3]", "") in problems


def test_a_file_for_another_guideline_is_refused(version_1):
    document = guideline_document(version_1)
    document["guideline"]["slug"] = "lung-net-management"
    assert refusal(document)[0] == ("guideline", "slug")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"guideline": NaN}',
        '{"version": {"label": "1"}, "version": {"label": "2"}}',
        "[" * 5000 + "]" * 5000,
        "[" * 30 + "]" * 30,
    ],
    ids=["not JSON", "not an object", "NaN", "a key twice", "deep", "deeper than the format"],
)
def test_what_is_not_a_guideline_document_is_refused_as_a_whole(version_1, text):
    (problem,) = refusal(text)

    assert problem[0] == "file"


def test_bytes_that_are_not_utf8_are_refused(version_1):
    with pytest.raises(FileRefused) as refused:
        guideline_file.read("é".encode("latin-1"))

    assert [problem.where for problem in refused.value.problems] == ["file"]


# --- Importing: all or nothing ----------------------------------------------------------------


def counts() -> tuple[int, ...]:
    return (
        GuidelineVersion.objects.count(),
        Section.objects.count(),
        WarningText.objects.count(),
        GuidelineVersion.history.count(),
        Section.history.count(),
        WarningText.history.count(),
    )


def test_a_refused_file_creates_nothing(version_1, editor):
    document = changed_document(
        guideline_document(version_1), sections={"local-excision": {"applies_when": TYPO_CONDITION}}
    )
    before = counts()

    with pytest.raises(FileRefused):
        guideline_file.import_draft(json.dumps(document), editor=editor)

    assert counts() == before


def test_a_file_is_not_imported_while_there_is_a_draft(draft, editor):
    before = counts()

    with pytest.raises(publishing.PublishingError, match="already a draft"):
        guideline_file.import_draft(json.dumps(guideline_document()), editor=editor)

    assert counts() == before


def test_an_imported_draft_holds_the_file_with_who_and_why_in_its_history(version_1, editor):
    document = changed_document(
        guideline_document(version_1),
        sections={"everolimus": {"applies_when": 'extent == "distant_metastases"', "reasons": {}}},
    )

    draft = guideline_file.import_draft(json.dumps(document), editor=editor, reason="ENETS 2023")

    assert draft.is_draft and draft.based_on == version_1
    assert guideline_document(draft)["sections"] == document["sections"]
    assert guideline_document(draft)["warnings"] == document["warnings"]
    record = draft.sections.get(slug="everolimus").history.get()
    assert (record.applies_when, record.history_user, record.history_change_reason) == (
        'extent == "distant_metastases"',
        editor,
        "ENETS 2023",
    )
    (version_record,) = draft.history.all()
    assert (version_record.history_user, version_record.grading) == (editor, version_1.grading)


# --- Whose words each text is, and what the version says of its source ----------------------


def test_export_writes_each_texts_voice_and_what_the_version_says_of_its_source(editor):
    version_2 = publish_noted_version(editor)

    document = guideline_file.export(version_2)

    assert document["guideline"] == {"title": VERSION_TITLE, "slug": "gep-net-management"}
    assert (document["version"]["about_source"], document["version"]["not_covered"]) == (
        ABOUT_SOURCE,
        NOT_COVERED,
    )
    sections = {row["slug"]: row for row in document["sections"]}
    warnings = {row["code"]: row for row in document["warnings"]}
    assert (sections[NOTE_SECTION]["voice"], sections[NOTE_SECTION]["citation"]) == (
        "note",
        NOTE_CITATION,
    )
    assert sections[HEADED_SECTION]["source_heading"] == SOURCE_HEADING
    assert (warnings[NOTE_WARNING]["voice"], warnings[NOTE_WARNING]["citation"]) == (
        "note",
        NOTE_CITATION,
    )
    assert sections["interferon"]["voice"] == "guideline"


def test_a_noted_version_round_trips_exactly(editor):
    version_2 = publish_noted_version(editor)
    document = guideline_document(version_2)

    draft = guideline_file.import_draft(json.dumps(document), editor=editor)

    exported = guideline_document(draft)
    assert exported == {**document, "version": {**document["version"], "label": draft.label}}
    assert publishing.content_of(draft) == publishing.content_of(version_2)


def test_the_files_title_is_the_drafts_and_the_guidelines_own_title_leaves_it_empty(version_1):
    document = guideline_document(version_1)
    document["guideline"]["title"] = VERSION_TITLE
    assert guideline_file.read(json.dumps(document))["title"] == VERSION_TITLE

    # Version 1's own file names the guideline's title: the draft has none of its own.
    assert guideline_file.read(json.dumps(guideline_document(version_1)))["title"] == ""


def test_voice_citation_source_heading_and_what_the_source_is_may_be_left_out(version_1):
    document = noted_document(version_1)
    for section in document["sections"]:
        for key in ("voice", "citation", "source_heading"):
            section.pop(key)
    for warning in document["warnings"]:
        warning.pop("voice")
        warning.pop("citation")
    document["version"].pop("about_source")
    document["version"].pop("not_covered")

    content = guideline_file.read(json.dumps(document))

    assert {
        (row["voice"], row["citation"], row["source_heading"]) for row in content["sections"]
    } == {("guideline", "", "")}
    assert {(row["voice"], row["citation"]) for row in content["warnings"]} == {("guideline", "")}
    assert (content["about_source"], content["not_covered"]) == ("", "")


def test_a_note_without_a_citation_is_refused_with_every_other_problem_at_once(version_1):
    document = changed_document(
        noted_document(version_1),
        sections={
            NOTE_SECTION: {"citation": ""},
            "interferon": {"voice": "editorial"},
            HEADED_SECTION: {"source_heading": "x" * 201},
            "local-excision": {"applies_when": TYPO_CONDITION},
        },
        warnings={NOTE_WARNING: {"citation": "  "}, "net-g3": {"voice": "note"}},
    )
    document["guideline"]["title"] = "x" * 201
    document["version"]["about_source"] = ["not", "text"]

    problems = refusal(document)

    assert {
        (f"section {NOTE_SECTION}", "citation"),
        ("section interferon", "voice"),
        (f"section {HEADED_SECTION}", "source_heading"),
        ("section local-excision", "applies_when"),
        (f"warning {NOTE_WARNING}", "citation"),
        ("warning net-g3", "citation"),
        ("guideline", "title"),
        ("version", "about_source"),
    } <= set(problems)
    assert NOTE_WITHOUT_CITATION in messages(document)


def test_a_refused_note_creates_nothing(version_1, editor):
    document = changed_document(
        noted_document(version_1), sections={NOTE_SECTION: {"citation": ""}}
    )
    before = counts()

    with pytest.raises(FileRefused):
        guideline_file.import_draft(json.dumps(document), editor=editor)

    assert counts() == before


def test_an_imported_note_is_in_its_history_with_who_and_why(version_1, editor):
    draft = noted_draft(editor)

    record = draft.sections.get(slug=NOTE_SECTION).history.get()
    assert (record.voice, record.citation, record.history_user) == ("note", NOTE_CITATION, editor)
    assert draft.history.get().about_source == ABOUT_SOURCE
