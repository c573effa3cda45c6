"""A saved case's print view (/cases/<id>/print/) for the MDT: every input, recommendation,
warning and citation, and nothing to click.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.html import escape

from guidance.markdown import render_markdown
from guidance.models import Case, GuidelineVersion
from tests.factories import (
    HEADED_SECTION,
    NOTE_CITATION,
    NOTE_WARNING,
    SOURCE_HEADING,
    VERSION_TITLE,
    make_case,
    publish_noted_version,
)
from tests.pages import (
    attribute,
    detail,
    html_of,
    parse,
    reasons_on,
    saved_on,
    section_on,
    squashed,
    warning_on,
)
from tests.wizard_client import WARNED_RECTUM

pytestmark = pytest.mark.django_db


# --- Print view ----------------------------------------------------------------------


def print_view(client, case: Case) -> str:
    return html_of(client.get(detail(case) + "print/"))


def printed_part(html: str) -> str:
    """The print view's own content, without the site header and footer."""
    return html.split('<div class="print-view">', 1)[1].split("<footer", 1)[0]


def test_the_print_view_shows_every_input(alice_client, case):
    html = print_view(alice_client, case)

    for label, value in [
        ("Primary site", "Small intestine"),
        ("Tumour type", "Other functional tumour"),
        ("Hormonal symptoms", "Yes"),
        ("Size of the primary tumour (mm)", "30"),
        ("Differentiation", "Well differentiated"),
        ("Ki-67 index (%)", "4"),
        ("Mitoses per 10 HPF", "2"),
        ("Extent of disease", "Distant metastases"),
        ("Are the metastases resectable?", "Resectable"),
        ("Somatostatin-receptor imaging", "Positive"),
    ]:
        assert f'<th scope="row">{escape(label)}</th><td>{value}</td>' in html


def test_the_print_view_shows_every_recommendation_with_its_text_and_citation(alice_client, case):
    html = print_view(alice_client, case)

    shown = case.snapshot
    assert attribute(html, "data-section") == [item["section"] for item in shown["recommendations"]]
    for item in shown["recommendations"]:
        printed = section_on(html, item["section"]).source
        assert render_markdown(item["text"]) in printed
        citation = (
            f"Source: {shown['guideline']['citation']} "
            f"(NET Advisor version {shown['guideline']['version']}, {item['section']})."
        )
        assert escape(citation) in printed
        assert "Quoted verbatim from the source guideline." in printed
        assert f"section “{item['heading']}”" not in printed  # the heading is NET Advisor's
        assert reasons_on(html, item["section"]) == item["reasons"]


def test_the_print_view_shows_warnings_version_date_and_clinician(alice_client, warned):
    page = print_view(alice_client, warned)
    html = printed_part(page)

    assert attribute(html, "data-warning") == [w["code"] for w in warned.snapshot["warnings"]]
    for warning in warned.snapshot["warnings"]:
        assert escape(warning["message"]) in warning_on(page, warning["code"]).source
        if warning["detail"]:
            assert escape(warning["detail"]) in warning_on(page, warning["code"]).source
    assert attribute(html, "data-version") == [GuidelineVersion.objects.current().label]
    assert saved_on(warned) in html
    assert "Alice Adams" in html
    assert "NET Advisor: case MDT-15" in html


def test_the_print_view_links_the_print_stylesheet(alice_client, case):
    html = print_view(alice_client, case)

    assert '<link rel="stylesheet" href="/static/css/netadvisor.css">' in html
    with open(finders.find("css/netadvisor.css"), encoding="utf-8") as css:
        stylesheet = css.read()
    assert "@media print" in stylesheet
    assert "@page" in stylesheet
    # The print CSS hides what is not for paper, such as the page's own instructions.
    assert re.search(r"\.d-print-none[^{]*\{ *display: none", stylesheet)
    assert 'class="d-print-none small">Use your browser' in html


def test_the_print_view_has_no_forms_buttons_or_case_actions(alice_client, case):
    html = printed_part(print_view(alice_client, case))

    assert "<form" not in html
    assert "<button" not in html
    assert "case-actions" not in html
    assert "/delete/" not in html


# --- Whose words, on paper -------------------------------------------------------------------


def test_the_print_view_marks_each_note_and_quote_and_says_what_the_source_is(
    alice, alice_client, editor
):
    version_2 = publish_noted_version(editor)
    saved = make_case(alice, reference="MDT-16", **WARNED_RECTUM)

    page = print_view(alice_client, saved)
    html = printed_part(page)

    note = warning_on(page, NOTE_WARNING).text()
    assert "NET Advisor note — not in the source guideline" in note
    assert f"Rests on: {NOTE_CITATION}" in note
    headed = section_on(page, HEADED_SECTION).text()
    assert (
        f"Quoted verbatim from the source guideline. In the source under “{SOURCE_HEADING}”."
    ) in headed
    source = parse(page).one(cls="source-provenance")
    assert "<em>educational summary</em>" in source.source
    since = timezone.localdate(version_2.published_at)
    assert f"In use in NET Advisor since {since.day} {since:%B %Y}." in source.text()
    assert "What the source does not cover" in html
    assert f"{VERSION_TITLE}, version 2" in squashed(html)


def test_the_print_stylesheet_keeps_a_note_apart_without_colour():
    css = Path(finders.find("css/netadvisor.css")).read_text()
    printing = css[css.rindex("@media print") :]

    assert ".net-advisor-note" in printing and "dashed #000" in printing


def test_the_print_view_prints_what_would_change_the_advice_every_change_open(alice_client, case):
    html = print_view(alice_client, case)

    changes = parse(html).one("section", cls="sensitivity")
    assert "open" in changes.one("details", cls="sensitivity-rest").attrs
    sentences = [item["sentence"] for item in case.snapshot["sensitivity"]]
    assert sorted(item.text() for item in changes.find_all("li")) == sorted(sentences)
    # Ki-67 4 % is 1 above the G1/G2 boundary: flagged beside the input, with nothing to click.
    assert re.search(
        r'Ki-67 index \(%\)</th><td>4</td><td class="near-threshold"><span[^>]*>Near a change',
        html,
    )
    assert "<a " not in changes.source
