"""A saved case's print view (/cases/<id>/print/) for the MDT: every input, recommendation,
warning and citation, and nothing to click.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.utils.html import escape

from guidance.markdown import render_markdown
from guidance.models import Case, GuidelineVersion
from tests.pages import attribute, detail, html_of, reasons_on, saved_on, section_on, warning_on

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
