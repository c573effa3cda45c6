"""The pages of one saved case.

Ownership on every URL that takes a case id; the case page showing the saved snapshot
exactly, even after the guideline text changes; the print view; the re-check against
the current guideline (and ``recommendation.compare`` itself); delete; start from;
and the number of SQL queries of the case page and the print view.

Re-check differences that the published guideline cannot produce on its own (sections
or warnings added or removed) are made by saving a case whose snapshot differs from
what the engine gives today: a copy of today's snapshot with an item taken out or put in.
"""

from __future__ import annotations

import copy
import logging
import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders
from django.db import DatabaseError
from django.utils import timezone
from django.utils.html import escape

from guidance import content, engine, recommendation
from guidance.markdown import render_markdown
from guidance.models import Case, CaseDeletion, GuidelineVersion, Section, WarningText
from tests.factories import (
    case_facts,
    change_outside_the_app,
    delete_outside_the_app,
    make_case,
)
from tests.wizard_client import (
    METASTATIC_SMALL_BOWEL,
    RUNS_SESSION_KEY,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
    Tab,
)

pytestmark = pytest.mark.django_db

# Facts are overrides of the factory's plain localised colon case (JSON values); the
# wizard's cases serve as they are: SMALL_INSULINOMA (one section, the pancreas step),
# METASTATIC_SMALL_BOWEL (six sections, the metastases step), WARNED_RECTUM (several
# warnings with details, a decimal size and Ki-67).
# No grade: neither Ki-67 nor mitoses given.
UNGRADED_COLON = {"ki67_percent": None, "mitoses_per_10hpf": None}


def detail(case: Case) -> str:
    return f"/cases/{case.pk}/"


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def attribute(html: str, name: str) -> list[str]:
    return re.findall(rf'{name}="([^"]*)"', html)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def saved_on(case: Case) -> str:
    """When the case was saved, as every page shows it: in the project's time zone, with
    the month's short name and the 24-hour clock (``14 Mar 2025, 09:05``)."""
    moment = timezone.localtime(case.created_at)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment:%Y, %H:%M}"


def published(model, **lookup):
    return model.objects.filter(version__status=GuidelineVersion.Status.PUBLISHED, **lookup)


def record(clinician, shown: dict[str, Any], reference: str = "") -> Case:
    return Case.record(
        clinician=clinician,
        guideline_version_id=GuidelineVersion.objects.current().pk,
        shown=shown,
        run_token=uuid.uuid4(),
        reference=reference,
    )


def today(**facts: Any) -> dict[str, Any]:
    """What the published guideline shows for these facts now."""
    return recommendation.build(
        facts=case_facts(**facts), text=content.load(GuidelineVersion.objects.current())
    )


@pytest.fixture
def case(alice) -> Case:
    """Alice's six-section metastatic small-bowel case."""
    return make_case(alice, reference="MDT-14", **METASTATIC_SMALL_BOWEL)


@pytest.fixture
def warned(alice) -> Case:
    return make_case(alice, reference="MDT-15", **WARNED_RECTUM)


# --- Ownership -----------------------------------------------------------------------

# A new run of the wizard, at its review.
REVIEW_OF_A_NEW_RUN = r"/cases/new/[0-9a-f]{32}/review/"

# (name, path after /cases/<id>/, method, what the owner gets, where it leads: a pattern)
CASE_URLS = [
    pytest.param("", "get", 200, None, id="case page"),
    pytest.param("print/", "get", 200, None, id="print view"),
    pytest.param("recheck/", "get", 200, None, id="re-check"),
    pytest.param("delete/", "get", 200, None, id="delete confirmation"),
    pytest.param("delete/", "post", 302, "/cases/", id="delete"),
    pytest.param("start/", "post", 302, REVIEW_OF_A_NEW_RUN, id="start from"),
]


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_the_owner_can_use_every_case_url(alice_client, case, suffix, method, status, location):
    response = getattr(alice_client, method)(detail(case) + suffix)

    assert response.status_code == status
    if location:
        assert re.fullmatch(location, response.url)


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_another_clinician_gets_not_found_on_every_case_url(
    bob_client, case, suffix, method, status, location
):
    response = getattr(bob_client, method)(detail(case) + suffix)

    assert response.status_code == 404
    assert "not yours to see" in response.content.decode()
    assert "MDT-14" not in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    assert Case.objects.get(pk=case.pk).snapshot == case.snapshot


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_an_anonymous_visitor_is_sent_to_log_in_from_every_case_url(
    client, case, suffix, method, status, location
):
    url = detail(case) + suffix

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=" + quote(url)
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize(("suffix", "method", "status", "location"), CASE_URLS)
def test_a_case_that_does_not_exist_is_not_found(
    alice_client, case, suffix, method, status, location
):
    missing = Case.objects.order_by("-pk").first().pk + 1

    response = getattr(alice_client, method)(f"/cases/{missing}/{suffix}")

    assert response.status_code == 404


def test_another_clinicians_case_looks_exactly_like_a_missing_one(bob_client, case):
    theirs = bob_client.get(detail(case))
    missing = bob_client.get(f"/cases/{case.pk + 1000}/")

    assert theirs.status_code == missing.status_code == 404
    assert [t.name for t in theirs.templates] == [t.name for t in missing.templates]


def test_another_clinician_cannot_start_from_a_case_that_is_not_theirs(bob_client, case):
    assert bob_client.post(detail(case) + "start/").status_code == 404

    # Nothing of Alice's case was put into Bob's wizard: no case was started at all.
    assert RUNS_SESSION_KEY not in bob_client.session
    first_step = bob_client.get("/cases/new/", follow=True)  # none in progress: a new one
    assert "filled in from the saved one" not in html_of(first_step)
    review = html_of(bob_client.get(first_step.request["PATH_INFO"].replace("tumour", "review")))
    assert "This step is not complete." in review
    assert "Small intestine" not in review


def test_starting_from_a_case_is_a_post_a_get_changes_nothing(alice_client, case):
    # A link from anywhere must not replace what the wizard holds.
    response = alice_client.get(detail(case) + "start/")

    assert response.status_code == 405
    assert RUNS_SESSION_KEY not in alice_client.session


def test_the_case_page_starts_from_the_case_with_a_button(alice_client, case):
    html = html_of(alice_client.get(detail(case)))

    assert f'<form method="post" action="{detail(case)}start/" class="d-inline">' in html
    assert 'class="btn btn-outline-secondary">Start a new case from this one</button>' in html


# --- The case page -------------------------------------------------------------------


def test_the_case_page_shows_the_saved_sections_in_order_with_their_text_and_reasons(
    alice_client, case
):
    html = html_of(alice_client.get(detail(case)))

    saved = case.snapshot["recommendations"]
    assert len(saved) == 6
    assert attribute(html, "data-section") == [item["section"] for item in saved]
    for item in saved:
        assert escape(item["heading"]) in html
        assert render_markdown(item["text"]) in html
        for reason in item["reasons"]:
            assert f"<li>{escape(reason)}</li>" in html


def test_the_case_page_shows_the_saved_warnings(alice_client, warned):
    html = html_of(alice_client.get(detail(warned)))

    saved = warned.snapshot["warnings"]
    assert len(saved) >= 3
    assert attribute(html, "data-warning") == [warning["code"] for warning in saved]
    assert f"Warnings ({len(saved)})" in html
    for warning in saved:
        assert escape(warning["message"]) in html
        if warning["detail"]:
            assert escape(warning["detail"]) in html


def test_the_case_page_shows_the_grade_category_and_inputs(alice_client, warned):
    html = html_of(alice_client.get(detail(warned)))

    assert 'data-grade="G2"' in html
    assert f'data-category="{warned.snapshot["category"]}"' in html
    assert '<th scope="row">Size of the primary tumour (mm)</th><td>25.5</td>' in html
    assert '<th scope="row">Ki-67 index (%)</th><td>2.9</td>' in html


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
        assert render_markdown(item["text"]) in html
        citation = (
            f"{shown['guideline']['title']}, version {shown['guideline']['version']}, "
            f"section “{item['heading']}” ({item['section']})."
        )
        assert escape(citation) in html


def test_the_print_view_shows_warnings_version_date_and_clinician(alice_client, warned):
    html = printed_part(print_view(alice_client, warned))

    assert attribute(html, "data-warning") == [w["code"] for w in warned.snapshot["warnings"]]
    for warning in warned.snapshot["warnings"]:
        assert escape(warning["message"]) in html
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


# --- Re-check ------------------------------------------------------------------------


def recheck(client, case: Case) -> str:
    return html_of(client.get(detail(case) + "recheck/"))


def diffs(html: str) -> list[tuple[str, str]]:
    """Each difference shown: (data-diff, the section slug or warning code)."""
    return re.findall(r'data-diff="([^"]+)" data-(?:section|warning)="([^"]+)"', html)


def diff_block(html: str, kind: str, key: str) -> str:
    match = re.search(
        rf'data-diff="{kind}" data-(?:section|warning)="{re.escape(key)}">(.*?)</(?:article|div)>',
        html,
        re.S,
    )
    assert match, f"no {kind} for {key}"
    return match.group(1)


@pytest.mark.parametrize(
    "facts",
    [SMALL_INSULINOMA, METASTATIC_SMALL_BOWEL, WARNED_RECTUM, UNGRADED_COLON],
    ids=["insulinoma", "metastatic small bowel", "warned rectum", "ungraded colon"],
)
def test_the_re_check_says_plainly_when_nothing_has_changed(alice, alice_client, facts):
    saved = make_case(alice, **facts)

    html = recheck(alice_client, saved)

    assert 'class="alert alert-success no-changes"' in html
    assert "Nothing has changed" in html
    assert diffs(html) == []
    assert "has-changes" not in html


def test_the_re_check_shows_a_changed_section_text_side_by_side(alice_client, case):
    item = case.snapshot["recommendations"][1]
    change_outside_the_app(published(Section, slug=item["section"]), text="The **new** advice.")

    html = recheck(alice_client, case)

    assert diffs(html) == [
        ("section-changed", item["section"]),
        ("section-changed-current", item["section"]),
    ]
    assert render_markdown(item["text"]) in diff_block(html, "section-changed", item["section"])
    now = diff_block(html, "section-changed-current", item["section"])
    assert "The <strong>new</strong> advice." in now
    assert render_markdown(item["text"]) not in now
    assert "has-changes" in html and "no-changes" not in html


def test_the_re_check_shows_a_reworded_warning_side_by_side(alice_client, warned):
    warning = warned.snapshot["warnings"][0]
    change_outside_the_app(
        published(WarningText, code=warning["code"]), message="A reworded warning."
    )

    html = recheck(alice_client, warned)

    assert diffs(html) == [
        ("warning-reworded", warning["code"]),
        ("warning-reworded-current", warning["code"]),
    ]
    assert escape(warning["message"]) in diff_block(html, "warning-reworded", warning["code"])
    assert "A reworded warning." in diff_block(html, "warning-reworded-current", warning["code"])


def test_the_re_check_shows_a_section_that_now_applies(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    missing = shown["recommendations"].pop(2)
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("section-added", missing["section"])]
    block = diff_block(html, "section-added", missing["section"])
    assert "Now applies" in block
    assert render_markdown(missing["text"]) in block


def test_the_re_check_shows_a_section_that_no_longer_applies(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    gone = {
        "section": "poorly-differentiated",
        "group": "",
        "heading": "Poorly differentiated (saved then)",
        "text": "This was advised *then*.",
        "order": 99,
        "reasons": ["a reason given then"],
    }
    assert gone["section"] not in [item["section"] for item in shown["recommendations"]]
    shown["recommendations"].append(gone)
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("section-removed", "poorly-differentiated")]
    block = diff_block(html, "section-removed", "poorly-differentiated")
    assert "No longer applies" in block
    assert "This was advised <em>then</em>." in block


def test_the_re_check_shows_a_warning_that_is_now_given(alice, alice_client):
    shown = today(**WARNED_RECTUM)
    new = shown["warnings"].pop()
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("warning-added", new["code"])]
    assert escape(new["message"]) in diff_block(html, "warning-added", new["code"])


def test_the_re_check_shows_a_warning_that_is_no_longer_given(alice, alice_client):
    shown = today(**WARNED_RECTUM)
    shown["warnings"].append(
        {"code": "resectability-unknown", "detail": "", "message": "A warning given then."}
    )
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("warning-removed", "resectability-unknown")]
    assert "A warning given then." in diff_block(html, "warning-removed", "resectability-unknown")


def test_the_re_check_shows_a_changed_grade_and_category(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    assert shown["grade"] == "G2"
    shown["grade"] = "G1"
    shown["category"], shown["category_label"] = "poor", "Poorly differentiated (saved)"
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    summary = html.split('class="table table-sm w-auto diff-summary"', 1)[1].split("</table>", 1)[0]
    assert "<td>G1</td><td>G2</td>" in summary
    assert "Poorly differentiated (saved)" in summary
    assert "has-changes" in html


def test_the_re_check_names_both_versions(alice_client, case):
    html = recheck(alice_client, case)

    label = GuidelineVersion.objects.current().label
    assert f"advised from version {label}, run again through version {label} (published)" in html


def test_the_re_check_shows_every_section_the_published_guideline_has_lost(alice_client, case):
    # Two sections that applied lose their text in the published version: build() now
    # warns once for each ("section-missing", with the slug as detail).
    lost = [item["section"] for item in case.snapshot["recommendations"][:2]]
    assert delete_outside_the_app(published(Section, slug__in=lost)) == 2

    html = recheck(alice_client, case)

    assert [kind for kind, _ in diffs(html)].count("section-removed") == 2
    # BUG (see test_compare_reports_each_missing_section_warning_on_its_own): compare()
    # keys warnings by code, so only the last missing section gets its "New warning".
    added = [
        re.search(r"\((\S+)\)\. Do not rely", block).group(1)
        for block in re.findall(
            r'data-diff="warning-added" data-warning="section-missing">(.*?)</div>', html, re.S
        )
    ]
    assert added == lost


def test_the_re_check_changes_nothing_saved(alice_client, case):
    item = case.snapshot["recommendations"][0]
    change_outside_the_app(published(Section, slug=item["section"]), text="Changed.")
    before = copy.deepcopy(case.snapshot)

    recheck(alice_client, case)

    assert Case.objects.get(pk=case.pk).snapshot == before
    assert Case.objects.count() == 1


def test_the_re_check_explains_when_no_guideline_is_published(alice_client, case):
    GuidelineVersion.objects.filter(status="published").update(status="retired")

    html = recheck(alice_client, case)

    assert "No guideline is published, so the case cannot be re-checked." in html
    assert diffs(html) == []
    assert "no-changes" not in html


def test_the_re_check_explains_when_the_saved_inputs_are_no_longer_accepted(alice, alice_client):
    shown = today()
    shown["facts"]["size_mm"] = 400  # above today's limit of 300 mm
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert "The saved inputs are no longer accepted: size_mm:" in html
    assert diffs(html) == []


# --- recommendation.compare ------------------------------------------------------------


def section(slug: str, text: str = "Text.", **fields: Any) -> dict[str, Any]:
    return {
        "section": slug,
        "group": "",
        "heading": slug.title(),
        "text": text,
        "order": 1,
        "reasons": ["why"],
        **fields,
    }


def warning(code: str, message: str = "Message.") -> dict[str, Any]:
    return {"code": code, "detail": "", "message": message}


def shown_with(sections=(), warnings=(), grade="G1", category="well") -> dict[str, Any]:
    return {
        "recommendations": list(sections),
        "warnings": list(warnings),
        "grade": grade,
        "category": category,
    }


def test_compare_finds_nothing_between_identical_results():
    shown = today(**WARNED_RECTUM)

    differences = recommendation.compare(shown, copy.deepcopy(shown))

    assert differences["any"] is False
    assert all(not value for value in differences.values())


def test_compare_finds_sections_added_removed_and_changed():
    saved = shown_with([section("kept"), section("gone"), section("reworded", "Old.")])
    current = shown_with([section("kept"), section("reworded", "New."), section("new")])

    differences = recommendation.compare(saved, current)

    assert [item["section"] for item in differences["sections_added"]] == ["new"]
    assert [item["section"] for item in differences["sections_removed"]] == ["gone"]
    assert differences["sections_changed"] == [
        {"saved": section("reworded", "Old."), "current": section("reworded", "New.")}
    ]
    assert differences["any"] is True


@pytest.mark.parametrize(
    "change",
    [{"heading": "Another heading"}, {"reasons": ["another reason"]}, {"text": "Other."}],
    ids=["heading", "reasons", "text"],
)
def test_compare_counts_a_new_heading_text_or_reason_as_a_changed_section(change):
    differences = recommendation.compare(
        shown_with([section("a")]), shown_with([section("a", **change)])
    )

    assert len(differences["sections_changed"]) == 1
    assert differences["any"] is True


def test_compare_ignores_a_change_of_order_or_group_alone():
    differences = recommendation.compare(
        shown_with([section("a")]), shown_with([section("a", order=7, group="Other group")])
    )

    assert differences["any"] is False


def test_compare_finds_warnings_added_removed_and_reworded():
    saved = shown_with(warnings=[warning("kept"), warning("gone"), warning("said", "Before.")])
    current = shown_with(warnings=[warning("kept"), warning("said", "After."), warning("new")])

    differences = recommendation.compare(saved, current)

    assert [item["code"] for item in differences["warnings_added"]] == ["new"]
    assert [item["code"] for item in differences["warnings_removed"]] == ["gone"]
    assert differences["warnings_reworded"] == [
        {"saved": warning("said", "Before."), "current": warning("said", "After.")}
    ]


def test_compare_finds_a_changed_grade_or_category():
    assert recommendation.compare(shown_with(grade="G1"), shown_with(grade="G2"))["grade_changed"]
    assert recommendation.compare(shown_with(grade=None), shown_with(grade="G1"))["any"]
    changed = recommendation.compare(shown_with(category="well"), shown_with(category="poor"))
    assert changed["category_changed"] and not changed["grade_changed"]


def missing_section(slug: str) -> dict[str, Any]:
    """The warning build() gives when the published guideline has no text for ``slug``."""
    return {
        "code": recommendation.MISSING_SECTION,
        "detail": slug,
        "message": f"The published guideline has no text for a section that applies to "
        f"this case ({slug}). Do not rely on this recommendation; tell the guideline editors.",
    }


def test_compare_reports_each_missing_section_warning_on_its_own():
    # build() gives one "section-missing" warning per section the published version
    # lacks: the same code, the slug as detail. Saved with one missing, now two missing.
    saved = shown_with(warnings=[missing_section("interferon")])
    current = shown_with(warnings=[missing_section("interferon"), missing_section("everolimus")])

    differences = recommendation.compare(saved, current)

    # BUG: compare() keys warnings by code alone, so the two warnings of today collapse
    # into the last one: the re-check shows "interferon missing" reworded as "everolimus
    # missing" and no warning added. Suggested fix: key warnings by (code, detail) in
    # compare() for added/removed/reworded (the engine gives each other code once).
    assert differences["warnings_reworded"] == []
    assert differences["warnings_added"] == [missing_section("everolimus")]


# --- Delete --------------------------------------------------------------------------


def test_the_delete_page_asks_for_confirmation_and_deletes_nothing(alice_client, case):
    html = html_of(alice_client.get(detail(case) + "delete/"))

    assert "Delete this case?" in html
    assert "<strong>MDT-14</strong>" in html
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert '<button type="submit" class="btn btn-danger">Delete the case</button>' in html
    assert f'href="{detail(case)}">Keep it</a>' in html
    assert Case.objects.filter(pk=case.pk).exists()


def test_posting_the_confirmation_deletes_the_case_and_returns_to_the_history(
    alice, alice_client, case
):
    other = make_case(alice, reference="KEEP-ME")

    response = alice_client.post(detail(case) + "delete/", follow=True)

    assert response.redirect_chain == [("/cases/", 302)]
    html = html_of(response)
    assert "The case was deleted." in html
    assert not Case.objects.filter(pk=case.pk).exists()
    assert list(Case.objects.owned_by(alice)) == [other]
    assert "MDT-14" not in html and "KEEP-ME" in html


def test_a_deleted_case_is_gone_from_every_case_url(alice_client, case):
    alice_client.post(detail(case) + "delete/")

    for suffix in ("", "print/", "recheck/", "delete/"):
        assert alice_client.get(detail(case) + suffix).status_code == 404
    assert alice_client.post(detail(case) + "start/").status_code == 404


def test_deleting_a_case_leaves_a_record_of_who_when_and_which_case(alice, alice_client, case):
    before = timezone.now()

    alice_client.post(detail(case) + "delete/")

    [deletion] = CaseDeletion.objects.all()
    assert deletion.case_id == case.pk
    assert deletion.clinician == alice
    assert before <= deletion.deleted_at <= timezone.now()


def test_the_deletion_record_holds_nothing_of_the_case(alice_client, case):
    alice_client.post(detail(case) + "delete/")

    assert [field.name for field in CaseDeletion._meta.get_fields()] == [
        "id",
        "case_id",
        "clinician",
        "deleted_at",
    ]
    [row] = CaseDeletion.objects.values()
    assert "MDT-14" not in repr(row)
    assert case.snapshot["facts"]["site"] not in repr(row)


def test_if_the_deletion_cannot_be_recorded_the_case_is_not_deleted(
    monkeypatch, alice, case, client_for
):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("simulated failure writing the record")

    monkeypatch.setattr(CaseDeletion, "save", refuse)
    client = client_for(alice, raise_request_exception=False)

    response = client.post(detail(case) + "delete/")

    assert response.status_code == 503
    assert "The case could not be deleted; nothing was changed." in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    assert not CaseDeletion.objects.exists()


def test_if_the_case_cannot_be_deleted_no_deletion_is_recorded(
    monkeypatch, alice, case, client_for
):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("simulated failure deleting the case")

    monkeypatch.setattr(Case, "delete", refuse)
    client = client_for(alice, raise_request_exception=False)

    response = client.post(detail(case) + "delete/")

    assert response.status_code == 503
    assert Case.objects.filter(pk=case.pk).exists()
    assert not CaseDeletion.objects.exists()


def test_a_deletion_is_logged_without_the_cases_contents(alice, alice_client, case, caplog):
    with caplog.at_level(logging.INFO, logger="netadvisor.security"):
        alice_client.post(detail(case) + "delete/")

    messages = [r.getMessage() for r in caplog.records if r.name == "netadvisor.security"]
    assert messages == [f"Case {case.pk} deleted by user id {alice.pk} from 127.0.0.1"]


def test_deletion_records_are_read_only_in_the_admin(alice_client, case, root_client):
    alice_client.post(detail(case) + "delete/")
    deletion = CaseDeletion.objects.get()
    root = root_client

    listing = root.get("/admin/guidance/casedeletion/")
    assert listing.status_code == 200
    assert f">{case.pk}<" in listing.content.decode()
    assert root.get("/admin/guidance/casedeletion/add/").status_code == 403
    page = root.get(f"/admin/guidance/casedeletion/{deletion.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    delete_url = f"/admin/guidance/casedeletion/{deletion.pk}/delete/"
    assert root.post(delete_url, {"post": "yes"}).status_code == 403
    assert CaseDeletion.objects.filter(pk=deletion.pk).exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_delete_accepts_only_get_and_post(alice_client, case, method):
    response = getattr(alice_client, method)(detail(case) + "delete/")

    assert response.status_code == 405
    assert Case.objects.filter(pk=case.pk).exists()


# Each page of a case with the methods it answers: reading (GET, and HEAD where nothing is
# done but reading), deleting after a confirmation (POST), starting a new case (GET only:
# it fills in the wizard).
ALLOWED_METHODS = {
    "": "GET, HEAD",
    "print/": "GET, HEAD",
    "recheck/": "GET, HEAD",
    "delete/": "GET, POST",
    "start/": "POST",
}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("suffix", list(ALLOWED_METHODS))
def test_every_case_url_refuses_put_patch_and_delete_and_changes_nothing(
    alice_client, case, suffix, method
):
    response = getattr(alice_client, method)(
        detail(case) + suffix, data='{"reference": "changed"}', content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Allow"] == ALLOWED_METHODS[suffix]
    [kept] = Case.objects.all()
    assert (kept.pk, kept.reference, kept.snapshot) == (case.pk, "MDT-14", case.snapshot)
    assert RUNS_SESSION_KEY not in alice_client.session  # no new case filled in


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_history_refuses_put_patch_and_delete(alice_client, case, method):
    response = getattr(alice_client, method)("/cases/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]


@pytest.mark.parametrize("suffix", ["", "print/", "recheck/"])
def test_the_case_pages_answer_head_like_get_without_a_body(alice_client, case, suffix):
    response = alice_client.head(detail(case) + suffix)

    assert response.status_code == 200
    assert response.content == b""


def test_deleting_a_case_leaves_the_guideline_version_alone(alice_client, case):
    version = case.guideline_version_id

    alice_client.post(detail(case) + "delete/")

    assert GuidelineVersion.objects.filter(pk=version, status="published").exists()


# --- Start from ----------------------------------------------------------------------


def review_answers(html: str) -> dict[str, dict[str, str]]:
    """The review page: for each step, its answers as {label: value}."""
    answers = {}
    for step, body in re.findall(r'data-step="([a-z_]+)">(.*?)</section>', html, re.S):
        assert "This step is not complete." not in body, step
        answers[step] = dict(
            re.findall(r'<dt class="col-sm-5">(.*?)</dt><dd class="col-sm-7">(.*?)</dd>', body)
        )
    return answers


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            SMALL_INSULINOMA,
            {
                "tumour": {
                    "Primary site": "Pancreas",
                    "Tumour type": "Insulinoma",
                    "Hormonal symptoms": "Yes",
                },
                "pancreas": {"Region of the pancreas": "Tail"},
                "pathology": {
                    "Differentiation": "Well differentiated",
                    "Ki-67 index (%)": "1",
                    "Mitoses per 10 HPF": "0",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "12",
                    "Extent of disease": "Localised",
                    "Somatostatin-receptor imaging": "Not done",
                },
            },
            id="insulinoma",
        ),
        pytest.param(
            METASTATIC_SMALL_BOWEL,
            {
                "tumour": {
                    "Primary site": "Small intestine",
                    "Tumour type": "Other functional tumour",
                    "Hormonal symptoms": "Yes",
                },
                "pathology": {
                    "Differentiation": "Well differentiated",
                    "Ki-67 index (%)": "4",
                    "Mitoses per 10 HPF": "2",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "30",
                    "Extent of disease": "Distant metastases",
                    "Somatostatin-receptor imaging": "Positive",
                },
                "metastases": {"Are the metastases resectable?": "Resectable"},
            },
            id="metastatic small bowel",
        ),
        pytest.param(
            {**WARNED_RECTUM, "ki67_percent": None},
            {
                "tumour": {
                    "Primary site": "Rectum",
                    "Tumour type": "Gastrinoma",
                    "Hormonal symptoms": "No",
                },
                "pathology": {
                    "Differentiation": "Not known",
                    "Ki-67 index (%)": "Not given",
                    "Mitoses per 10 HPF": "5",
                },
                "extent": {
                    "Size of the primary tumour (mm)": "25.5",
                    "Extent of disease": "Regional lymph nodes involved",
                    "Somatostatin-receptor imaging": "Negative",
                },
            },
            id="rectum without Ki-67",
        ),
    ],
)
def test_starting_from_a_case_opens_the_review_with_every_input(
    alice, alice_client, facts, expected
):
    saved = make_case(alice, **facts)

    response = alice_client.post(detail(saved) + "start/", follow=True)

    [(review, status)] = response.redirect_chain
    assert re.fullmatch(REVIEW_OF_A_NEW_RUN, review) and status == 302
    html = html_of(response)
    assert "A new case, filled in from the saved one." in html
    assert review_answers(html) == expected


def test_finishing_a_case_started_from_another_saves_a_new_case_with_the_same_facts(
    alice, alice_client, case
):
    tab = Tab(alice_client)
    tab.open(detail(case))
    tab.press("Start a new case from this one")

    response = tab.press("Show recommendations", {"review-reference": "MDT-14 again"})

    new = Case.objects.owned_by(alice).exclude(pk=case.pk).get()
    assert response.redirect_chain[-1] == (detail(new), 302)
    assert new.snapshot["facts"] == case.snapshot["facts"]
    assert new.snapshot["recommendations"] == case.snapshot["recommendations"]
    assert new.reference == "MDT-14 again"
    assert new.created_at >= case.created_at
    assert Case.objects.get(pk=case.pk).reference == "MDT-14"
    assert "The case is saved in your history." in html_of(response)


def test_a_case_started_from_another_can_be_changed_before_it_is_saved(alice, alice_client, case):
    tab = Tab(alice_client)
    tab.open(detail(case))
    tab.press("Start a new case from this one")
    tab.press("Change pathology")

    tab.press(
        "Save and return to review",
        {
            "pathology-differentiation": "well",
            "pathology-ki67_percent": "25",
            "pathology-mitoses_per_10hpf": "2",
        },
    )
    assert re.fullmatch(REVIEW_OF_A_NEW_RUN, tab.url)
    tab.press("Show recommendations")

    new = Case.objects.owned_by(alice).exclude(pk=case.pk).get()
    assert new.snapshot["facts"] == {**case.snapshot["facts"], "ki67_percent": 25}
    assert new.grade == "G3"


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


# The re-check, measured, once the published text is in memory (after any earlier request):
#   1. the session, 2. the clinician, 3. the case (joined as above),
#   4. the published version's id, publication time and guideline title (one query,
#   content.published()): unchanged, so the sections and warning texts come from memory.
# With nothing in memory (as after a restart), three more load the text: the version joined
# to its guideline, all its sections, all its warning texts.
RECHECK_QUERIES = 4
LOADING_THE_TEXT = 3


@pytest.mark.parametrize("warm", [True, False], ids=["text in memory", "first request"])
@pytest.mark.parametrize(
    ("facts", "sections", "warnings"),
    [
        pytest.param(SMALL_INSULINOMA, 1, 0, id="1 section, no warning"),
        pytest.param(METASTATIC_SMALL_BOWEL, 6, 0, id="6 sections, no warning"),
        pytest.param(
            {"differentiation": "poor", "ki67_percent": 1}, 1, 1, id="1 section, 1 warning"
        ),
        pytest.param(
            {**METASTATIC_SMALL_BOWEL, "ssr_imaging": "negative"}, 6, 1, id="6 sections, 1 warning"
        ),
        pytest.param(WARNED_RECTUM, 2, 5, id="2 sections, 5 warnings"),
    ],
)
def test_the_re_check_runs_a_fixed_number_of_queries(
    alice, alice_client, django_assert_num_queries, facts, sections, warnings, warm
):
    saved = make_case(alice, **facts)  # reads the text afresh: leaves the memory as it was
    assert len(saved.snapshot["recommendations"]) == sections
    assert len(saved.snapshot["warnings"]) == warnings
    if warm:
        content.published()  # as any earlier request in this process would have done

    with django_assert_num_queries(RECHECK_QUERIES if warm else RECHECK_QUERIES + LOADING_THE_TEXT):
        response = alice_client.get(detail(saved) + "recheck/")

    assert "no-changes" in html_of(response)


def test_the_engine_agrees_the_fixtures_have_one_and_six_sections():
    assert len(engine.recommend(case_facts(**SMALL_INSULINOMA)).sections) == 1
    assert len(engine.recommend(case_facts(**METASTATIC_SMALL_BOWEL)).sections) == 6


def test_the_delete_confirmation_runs_three_queries(alice, alice_client, django_assert_num_queries):
    case = make_case(alice)

    # 1. the session, 2. the clinician, 3. the case with its version, guideline and clinician.
    with django_assert_num_queries(3):
        response = alice_client.get(f"/cases/{case.pk}/delete/")

    assert response.status_code == 200
