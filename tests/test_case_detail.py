"""A saved case's page (/cases/<id>/): the snapshot exactly as it was shown, even after the
guideline text changes, and the number of SQL queries it runs.
"""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from guidance.markdown import render_markdown
from guidance.models import GuidelineVersion, Section, WarningText
from guidance.publishing import start_draft
from tests.advice import recommend
from tests.drafts import edit, publish_it
from tests.factories import (
    NOTE_CITATION,
    NOTE_SECTION,
    VERSION_TITLE,
    case_facts,
    change_outside_the_app,
    make_case,
    publish_noted_version,
    published,
    record,
    saved_before_the_gastric_type,
    today,
    unvoiced,
)
from tests.pages import (
    attribute,
    detail,
    html_of,
    reasons_on,
    saved_on,
    section_on,
    warning_on,
)
from tests.wizard_client import METASTATIC_SMALL_BOWEL, SMALL_INSULINOMA

pytestmark = pytest.mark.django_db


# --- The case page -------------------------------------------------------------------


def test_the_case_page_shows_the_saved_sections_in_order_with_their_text_and_reasons(
    alice_client, case
):
    html = html_of(alice_client.get(detail(case)))

    saved = case.snapshot["recommendations"]
    assert len(saved) == 6
    assert attribute(html, "data-section") == [item["section"] for item in saved]
    for item in saved:
        shown = section_on(html, item["section"]).source
        assert escape(item["heading"]) in shown
        assert render_markdown(item["text"]) in shown
        for reason in item["reasons"]:
            assert f"<li>{escape(reason)}</li>" in shown
        assert reasons_on(html, item["section"]) == item["reasons"]


def test_the_case_page_shows_the_saved_warnings(alice_client, warned):
    html = html_of(alice_client.get(detail(warned)))

    saved = warned.snapshot["warnings"]
    assert len(saved) >= 3
    assert attribute(html, "data-warning") == [warning["code"] for warning in saved]
    assert f"Warnings ({len(saved)})" in html
    for warning in saved:
        shown = warning_on(html, warning["code"])
        assert escape(warning["message"]) in shown.source
        if warning["detail"]:
            assert escape(warning["detail"]) in shown.source
        assert [line.text() for line in shown.find_all("p")] == [
            warning["message"],
            *([warning["detail"]] if warning["detail"] else []),
        ]


def test_the_case_page_shows_the_grade_category_and_inputs(alice_client, warned):
    html = html_of(alice_client.get(detail(warned)))

    assert 'data-grade="G2"' in html
    assert f'data-category="{warned.snapshot["category"]}"' in html
    assert '<th scope="row">Size of the primary tumour (mm)</th><td>25.5</td>' in html
    assert '<th scope="row">Ki-67 index (%)</th><td>2.9</td>' in html


def test_the_case_page_shows_a_gastric_nets_type_and_no_type_for_other_sites(
    alice, alice_client
):
    typed = make_case(alice, site="stomach", gastric_type="type_2")
    before = saved_before_the_gastric_type(make_case(alice, site="stomach"))
    colon = make_case(alice)

    assert (
        '<th scope="row">Type of gastric NET</th><td>Type 2 (gastrinoma / MEN1)</td>'
        in html_of(alice_client.get(detail(typed)))
    )
    # Saved before the type was asked: it was not given.
    assert '<th scope="row">Type of gastric NET</th><td>Not given</td>' in html_of(
        alice_client.get(detail(before))
    )
    assert "Type of gastric NET" not in html_of(alice_client.get(detail(colon)))


def test_the_case_page_shows_the_version_reference_date_and_clinician(alice_client, case):
    html = html_of(alice_client.get(detail(case)))

    version = GuidelineVersion.objects.current()
    assert attribute(html, "data-version") == [version.label]
    assert f"{escape(version.guideline.title)}, version {version.label}" in html
    assert "Saved case MDT-14" in html
    assert '<dd class="col-sm-9">MDT-14</dd>' in html
    assert f'<dd class="col-sm-9">{saved_on(case)}</dd>' in html
    assert '<dd class="col-sm-9">Alice Adams</dd>' in html
    assert "no longer the published version" not in html


@pytest.mark.parametrize("suffix", ["", "print/", "recheck/", "delete/"])
def test_every_page_of_a_case_dates_it_as_the_history_does(alice_client, case, suffix):
    history = html_of(alice_client.get("/cases/"))
    row = re.search(rf'<tr data-case="{case.pk}"><td><a href="[^"]*">([^<]*)</a>', history)

    html = html_of(alice_client.get(detail(case) + suffix))

    assert row and row.group(1) == saved_on(case)
    assert html.count(saved_on(case)) == 1


def test_the_case_page_keeps_the_old_text_after_the_guideline_text_changes(alice_client, case):
    item = case.snapshot["recommendations"][0]
    changed = change_outside_the_app(
        published(Section, slug=item["section"]),
        text="Rewritten after the case was saved.",
        heading="A new heading",
    )
    assert changed == 1

    html = html_of(alice_client.get(detail(case)))

    assert render_markdown(item["text"]) in html
    assert escape(item["heading"]) in html
    assert "Rewritten after the case was saved." not in html
    assert "A new heading" not in html


def test_the_case_page_keeps_the_old_warning_after_the_warning_text_changes(alice_client, warned):
    warning = warned.snapshot["warnings"][0]
    rows = published(WarningText, code=warning["code"])
    assert change_outside_the_app(rows, message="Reworded since.") == 1

    html = html_of(alice_client.get(detail(warned)))

    assert escape(warning["message"]) in html
    assert "Reworded since." not in html


def test_a_case_from_a_version_no_longer_published_says_so(alice_client, case):
    GuidelineVersion.objects.filter(pk=case.guideline_version_id).update(status="retired")

    html = html_of(alice_client.get(detail(case)))

    assert "(no longer the published version)" in html
    assert attribute(html, "data-section") == [
        item["section"] for item in case.snapshot["recommendations"]
    ]


def test_the_case_page_links_to_re_check_print_start_from_and_delete(alice_client, case):
    html = html_of(alice_client.get(detail(case)))

    for suffix in ("recheck/", "print/", "delete/"):
        assert f'href="{detail(case)}{suffix}"' in html
    assert f'action="{detail(case)}start/"' in html


# --- Query counts --------------------------------------------------------------------

# The case page and the print view, measured:
#   1. the session (django_session)
#   2. the logged-in clinician (auth_user)
#   3. the case, joined to its guideline version, the guideline and the clinician
# The sections and warnings come from the snapshot: no query per section.
CASE_PAGE_QUERIES = 3

SECTION_COUNTS = [
    pytest.param(SMALL_INSULINOMA, 1, id="1 section"),
    pytest.param(METASTATIC_SMALL_BOWEL, 6, id="6 sections"),
]


@pytest.mark.parametrize(("facts", "sections"), SECTION_COUNTS)
@pytest.mark.parametrize("suffix", ["", "print/"], ids=["case page", "print view"])
def test_the_case_page_and_print_view_run_a_fixed_number_of_queries(
    alice, alice_client, django_assert_num_queries, facts, sections, suffix
):
    saved = make_case(alice, reference="Q", **facts)
    assert len(saved.snapshot["recommendations"]) == sections

    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = alice_client.get(detail(saved) + suffix)

    assert len(attribute(html_of(response), "data-section")) == sections


def test_the_engine_agrees_the_fixtures_have_one_and_six_sections():
    assert len(recommend(case_facts(**SMALL_INSULINOMA)).sections) == 1
    assert len(recommend(case_facts(**METASTATIC_SMALL_BOWEL)).sections) == 6


# --- Whose words, as saved -------------------------------------------------------------------


def test_a_saved_case_keeps_whose_words_it_showed_after_the_next_version(
    alice, alice_client, editor
):
    version_2 = publish_noted_version(editor)
    saved = make_case(alice, reference="MDT-20", **METASTATIC_SMALL_BOWEL)
    assert {item["section"]: item["voice"] for item in saved.snapshot["recommendations"]}[
        NOTE_SECTION
    ] == "note"
    # Version 3 makes it a quote again: the case keeps what it showed.
    draft = start_draft(editor=editor)
    edit(draft.sections.get(slug=NOTE_SECTION), editor, voice="guideline", citation="")
    publish_it(draft, editor, label="3")

    html = html_of(alice_client.get(detail(saved)))

    note = section_on(html, NOTE_SECTION)
    assert note.one(cls="voice-label").text() == "NET Advisor note — not in the source guideline"
    assert f"Rests on: {NOTE_CITATION}" in note.text()
    assert "In use in NET Advisor since" in html
    assert f"{escape(VERSION_TITLE)}, version {version_2.label}" in html


def test_a_case_saved_before_texts_had_a_voice_shows_them_as_the_quotes_they_were(
    alice, alice_client
):
    old = record(alice, unvoiced(today(**METASTATIC_SMALL_BOWEL)))
    assert "voice" not in old.snapshot["recommendations"][0]

    html = html_of(alice_client.get(detail(old)))

    citation = escape(GuidelineVersion.objects.current().citation)
    for item in old.snapshot["recommendations"]:
        quote = section_on(html, item["section"])
        assert quote.one(cls="voice-label").text() == "Quoted verbatim from the source guideline."
        assert f"Source: {citation} (NET Advisor version 1, {item['section']})." in quote.source
    assert "NET Advisor note" not in html
    assert "In use in NET Advisor since" not in html  # it was not said then
    assert f"Cited as: {citation}." in html


@pytest.mark.parametrize("suffix", ["", "print/"], ids=["case page", "print view"])
def test_a_case_with_notes_runs_as_many_queries(
    alice, alice_client, editor, django_assert_num_queries, suffix
):
    publish_noted_version(editor)
    saved = make_case(alice, reference="Q", **METASTATIC_SMALL_BOWEL)

    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = alice_client.get(detail(saved) + suffix)

    assert "net-advisor-note" in html_of(response)
