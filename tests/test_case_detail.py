"""A saved case's page (/cases/<id>/): the snapshot exactly as it was shown, even after the
guideline text changes, and the number of SQL queries it runs.
"""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from guidance.markdown import render_markdown
from guidance.models import GuidelineVersion, Section, WarningText
from tests.advice import recommend
from tests.factories import (
    case_facts,
    change_outside_the_app,
    make_case,
    published,
    saved_before_the_gastric_type,
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
