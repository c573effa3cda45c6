"""Whose words each text is, in the editors' admin: a section's and a warning's voice,
citation and source heading on their change forms (a note without its citation refused on
the field, nothing saved), in their previews and history; what a version says of its source
on its page; and both in *Compare published versions*.
"""

from __future__ import annotations

import re

import pytest

from guidance.models import NOTE_WITHOUT_CITATION, GuidelineVersion, Section, WarningText
from tests.admin_client import (
    ADMIN_PREAMBLE,
    COMPARE,
    VERSIONS,
    change_url,
    diff_url,
    field_errors,
    section,
    section_form,
    start_draft_in_the_admin,
    warning_form,
)
from tests.factories import (
    NOT_COVERED,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    SOURCE_HEADING,
    VERSION_TITLE,
    publish_noted_version,
)
from tests.pages import html_of, parse

pytestmark = pytest.mark.django_db

REASON = "Not the source's words"


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


def as_it_now_reads(diff: str) -> str:
    """A word diff's newer text: without what it strikes out, its markup or entities."""
    return " ".join(parse(re.sub(r"<del>.*?</del>", "", diff, flags=re.S)).text().split())


def warning_url(warning: WarningText) -> str:
    return f"/admin/guidance/warningtext/{warning.pk}/change/"


def post_section(client, obj: Section, **changes):
    return client.post(change_url(obj), section_form(obj, change_reason=REASON, **changes))


def post_warning(client, obj: WarningText, **changes):
    return client.post(warning_url(obj), warning_form(obj, change_reason=REASON, **changes))


# --- The change forms -------------------------------------------------------------------------


def test_a_sections_form_asks_whose_words_it_is_its_citation_and_its_source_heading(
    erin_client, draft
):
    page = parse(html_of(erin_client.get(change_url(section(draft)))))

    voice = page.one("select", name="voice")
    assert [(option.attrs["value"], option.text()) for option in voice.find_all("option")] == [
        ("guideline", "Source guideline, quoted verbatim"),
        ("note", "NET Advisor note"),
    ]
    assert [o.attrs["value"] for o in voice.find_all("option") if "selected" in o.attrs] == [
        "guideline"
    ]
    assert page.one("textarea", name="citation")
    assert page.one("input", name="source_heading")


def test_a_warnings_form_asks_whose_words_it_is_and_its_citation(erin_client, draft):
    page = parse(html_of(erin_client.get(warning_url(draft.warnings.get(code=NOTE_WARNING)))))

    assert page.one("select", name="voice")
    assert page.one("textarea", name="citation")


@pytest.mark.parametrize("kind", ["section", "warning"])
def test_a_note_without_a_citation_is_refused_on_the_citation_and_nothing_is_saved(
    erin_client, draft, kind
):
    if kind == "section":
        obj = section(draft, NOTE_SECTION)
        response = post_section(erin_client, obj, voice="note", citation="")
    else:
        obj = draft.warnings.get(code=NOTE_WARNING)
        response = post_warning(erin_client, obj, voice="note", citation=" ")

    assert response.status_code == 200
    assert field_errors(response, "citation") == [NOTE_WITHOUT_CITATION]
    obj.refresh_from_db()
    assert (obj.voice, obj.citation) == ("guideline", "")
    assert obj.history.count() == 1  # the copy into the draft, no more


def test_a_note_with_its_citation_is_saved_shown_in_the_preview_and_in_the_history(
    erin_client, draft
):
    everolimus = section(draft, NOTE_SECTION)

    response = post_section(
        erin_client, everolimus, voice="note", citation=NOTE_CITATION, source_heading=""
    )

    assert response.status_code == 302
    everolimus.refresh_from_db()
    assert (everolimus.voice, everolimus.citation) == ("note", NOTE_CITATION)
    preview = parse(html_of(erin_client.get(change_url(everolimus)))).one(cls="note-preview")
    assert preview.text() == (
        f"NET Advisor note — not in the source guidelineRests on: {NOTE_CITATION}"
    )
    first, last = everolimus.history.order_by("history_id")
    diff = parse(html_of(erin_client.get(diff_url(everolimus, first, last)))).one(cls="text-diff")
    assert f"NET Advisor note, resting on: {NOTE_CITATION}" in as_it_now_reads(diff.source)
    assert "Quoted verbatim" not in as_it_now_reads(diff.source)


def test_a_source_heading_is_saved_and_in_the_history(erin_client, draft):
    curative = section(draft, "curative-excision")

    assert post_section(erin_client, curative, source_heading=SOURCE_HEADING).status_code == 302

    first, last = curative.history.order_by("history_id")
    diff = parse(html_of(erin_client.get(diff_url(curative, first, last)))).one(cls="text-diff")
    assert f"In the source under: {SOURCE_HEADING}" in as_it_now_reads(diff.source)


def test_the_list_of_sections_shows_each_voice(erin_client, draft):
    html = html_of(erin_client.get(f"/admin/guidance/section/?version__id__exact={draft.pk}"))

    assert html.count('<td class="field-voice">Source guideline, quoted verbatim</td>') == 16


# --- What a version says of its source --------------------------------------------------------


def test_a_versions_page_shows_its_title_what_the_source_is_and_what_it_does_not_cover(
    erin_client, editor
):
    version_2 = publish_noted_version(editor)

    html = html_of(erin_client.get(f"{VERSIONS}{version_2.pk}/change/"))

    page = parse(html)
    for field, words in (
        ("title", VERSION_TITLE),
        ("about_source", "An undated *educational summary*"),
        ("not_covered", NOT_COVERED),
    ):
        assert words in page.one("div", cls=f"field-{field}").text(), field
    assert "<script>alert(1)</script>" not in html  # the editor's words, escaped


def test_compare_shows_the_notes_and_what_the_version_says_of_its_source(
    erin_client, editor, django_assert_num_queries
):
    publish_noted_version(editor)

    # As many queries as before: the versions are read with their guideline.
    with django_assert_num_queries(ADMIN_PREAMBLE + 9):
        html = html_of(erin_client.get(COMPARE))

    rows = re.findall(r'<tr data-change="([^"]+)" data-key="([^"]+)">', html)
    assert rows == [
        ("changed", "curative-excision"),
        ("changed", NOTE_SECTION),
        ("changed", NOTE_WARNING),
    ]
    page = parse(html)
    about = {
        row.attrs["data-about"]: as_it_now_reads(row.one("td", cls="diff").source)
        for row in page.find_all("tr", data_change="changed")
        if "data-about" in row.attrs
    }
    assert set(about) == {"Title", "What the source is", "What the source does not cover"}
    assert VERSION_TITLE in about["Title"]
    assert "*educational summary*" in about["What the source is"]
    assert "<script>alert(1)</script>" not in html
